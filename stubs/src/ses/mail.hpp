// What SES checks in addresses and raw MIME messages before it accepts a send. The address
// messages are the ones SES returns (they come from JavaMail's InternetAddress parser, which
// SES uses): "Missing final '@domain'", "Illegal address", "Local address contains control or
// whitespace", and so on (messages seen in public SES error reports).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace notify::stubs::ses {

/// The reason SES rejects `address` (a bare addr-spec or `"Name" <addr-spec>`), or nullopt.
std::optional<std::string> check_address(std::string_view address);
/// The addr-spec inside `address`, lower-cased domain untouched: "Name <a@b>" -> "a@b".
std::string addr_spec(std::string_view address);
/// Splits an RFC 5322 address list ("a@b, \"X, Y\" <c@d>") at commas outside quotes and angle
/// brackets; group syntax "name: a@b, c@d;" yields its members.
std::vector<std::string> split_address_list(std::string_view list);
/// Unicode code points in UTF-8 text (bytes that are not continuation bytes).
std::size_t utf8_length(std::string_view text);

/// Standard or URL-safe base64, whitespace ignored; nullopt on any other character.
std::optional<std::string> base64_decode(std::string_view text);

struct MimeHeader {
  std::string name;
  std::string value;             // unfolded
  std::size_t longest_line = 0;  // longest physical line of the field, without CRLF
};

/// The header section of a raw message (up to the first empty line), unfolded. Lines that are
/// not "Name: value" and not continuations are skipped, as lenient MTAs do.
std::vector<MimeHeader> parse_mime_headers(std::string_view message);
const MimeHeader* find_header(const std::vector<MimeHeader>& headers, std::string_view name);

}  // namespace notify::stubs::ses
