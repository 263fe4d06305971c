// Credentials in URLs. Today's Notify puts "user:pass@" into the receipt URLs it hands Firetext
// and MMG (notifications-api app/utils.py add_authentication_to_url), and the providers call
// back with those credentials as Basic auth. parse_url and the transports never take userinfo:
// these helpers split it off, turn it into an Authorization header, and keep the password out of
// anything a person may read (journals, logs).
#pragma once

#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace notify::transport {

/// An absolute http(s) URL with its userinfo taken out.
struct UrlCredentials {
  std::string url;  // the URL without "user:pass@"; equal to the input when there was none
  bool present = false;
  std::string username;  // percent-decoded, as a URL parser gives it
  std::string password;  // percent-decoded; empty when the userinfo has no ':'
};

/// Splits "scheme://user:pass@host..." into the URL without userinfo and its credentials, and
/// checks the rest with parse_url. Errors with errc::invalid_argument when parse_url would, or
/// when the userinfo is not RFC 3986 userinfo: an empty user name, a second '@', a character
/// that must be percent-encoded, or a malformed %XX escape.
boost::system::result<UrlCredentials> split_credentials(std::string_view url);

/// "Basic " + base64(username ":" password), RFC 7617.
std::string basic_authorization(std::string_view username, std::string_view password);
/// The user name and password of a "Basic <base64>" header value, split at the first ':' (no
/// ':': an empty password), as werkzeug reads request.authorization; nullopt when it is not one.
std::optional<std::pair<std::string, std::string>> basic_credentials(
    std::string_view authorization);
/// The user name of a "Basic <base64>" header value; empty when it is not one.
std::string basic_username(std::string_view authorization);

/// `url` with "user:pass@" in its authority (each percent-encoded where userinfo needs it), as
/// add_authentication_to_url builds Notify's receipt URLs. `url` must have no userinfo.
std::string add_credentials(std::string_view url, std::string_view username,
                            std::string_view password);
/// `url` (without userinfo) as it was sent with Basic credentials for `username`, the password
/// shown as "****": what a journal may show.
std::string with_masked_password(std::string_view url, std::string_view username);

/// Replaces the password of every credentialed URL in `text` with "****": URLs as they are, in
/// JSON strings ("https:\/\/"), or form-encoded ("https%3A%2F%2Fuser%3Apass%40"). Returns
/// whether anything changed. Cheap when `text` has no '@' and no "%40". `cut_off`: `text` is the
/// start of something longer, so a credentialed URL may end it before its '@'.
bool mask_url_passwords(std::string& text, bool cut_off = false);

}  // namespace notify::transport
