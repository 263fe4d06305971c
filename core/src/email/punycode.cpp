// punycode_encode_email: Notify's `punycode_encode_email` (hostname.encode('idna')). SES wants
// the domain in Punycode and the local part untouched. Each non-ASCII label is lower-cased and
// encoded with RFC 3492 Punycode behind "xn--"; ASCII labels pass through as Python's codec
// leaves them.
#include "notify/email/email_client.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace notify::email {

namespace {

// RFC 3492 §5 parameters.
constexpr std::uint32_t kBase = 36;
constexpr std::uint32_t kTmin = 1;
constexpr std::uint32_t kTmax = 26;
constexpr std::uint32_t kSkew = 38;
constexpr std::uint32_t kDamp = 700;
constexpr std::uint32_t kInitialBias = 72;
constexpr std::uint32_t kInitialN = 128;

std::optional<std::vector<char32_t>> decode_utf8(std::string_view s) {
  std::vector<char32_t> out;
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    char32_t cp = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 0x6) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c >> 4) == 0xE) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c >> 3) == 0x1E) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + extra >= s.size() && extra > 0) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (cc & 0x3F);
    }
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

// Simple lower-casing for the scripts seen in addresses (nameprep case-folds; the full Unicode
// tables are not worth carrying for a simulator).
char32_t to_lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;  // Latin-1
  if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
      c != 0x17F) {
    // Latin Extended-A alternates upper/lower, with the parity flipping at U+0139..U+0148
    // and U+0179..U+017E.
    bool odd_is_lower = !((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E));
    bool is_upper = odd_is_lower ? (c % 2 == 0) : (c % 2 == 1);
    return is_upper ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;  // Greek
  if (c >= 0x410 && c <= 0x42F) return c + 32;                // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

char encode_digit(std::uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); }

std::uint32_t adapt(std::uint32_t delta, std::uint32_t points, bool first) {
  delta = first ? delta / kDamp : delta / 2;
  delta += delta / points;
  std::uint32_t k = 0;
  while (delta > ((kBase - kTmin) * kTmax) / 2) {
    delta /= kBase - kTmin;
    k += kBase;
  }
  return k + (kBase - kTmin + 1) * delta / (delta + kSkew);
}

}  // namespace

std::optional<std::string> punycode_encode(std::u32string_view input) {
  std::string out;
  for (char32_t c : input) {
    if (c < 0x80) out += static_cast<char>(c);
  }
  std::uint32_t basic = static_cast<std::uint32_t>(out.size());
  std::uint32_t handled = basic;
  if (basic > 0) out += '-';

  std::uint32_t n = kInitialN;
  std::uint32_t delta = 0;
  std::uint32_t bias = kInitialBias;
  constexpr std::uint32_t kMax = UINT32_MAX;
  while (handled < input.size()) {
    std::uint32_t m = kMax;
    for (char32_t c : input) {
      if (c >= n && c < m) m = c;
    }
    if (m - n > (kMax - delta) / (handled + 1)) return std::nullopt;  // overflow
    delta += (m - n) * (handled + 1);
    n = m;
    for (char32_t c : input) {
      if (c < n && ++delta == 0) return std::nullopt;
      if (c != n) continue;
      std::uint32_t q = delta;
      for (std::uint32_t k = kBase;; k += kBase) {
        std::uint32_t t = k <= bias ? kTmin : k >= bias + kTmax ? kTmax : k - bias;
        if (q < t) break;
        out += encode_digit(t + (q - t) % (kBase - t));
        q = (q - t) / (kBase - t);
      }
      out += encode_digit(q);
      bias = adapt(delta, handled + 1, handled == basic);
      delta = 0;
      ++handled;
    }
    ++delta;
    ++n;
  }
  return out;
}

std::string punycode_encode_email(const std::string& address) {
  auto at = address.rfind('@');
  if (at == std::string::npos) return address;
  std::string out = address.substr(0, at + 1);
  std::string_view domain(address);
  domain.remove_prefix(at + 1);

  bool first = true;
  while (true) {
    auto dot = domain.find('.');
    auto label = domain.substr(0, dot);
    if (!first) out += '.';
    first = false;

    bool ascii = true;
    for (unsigned char c : label) ascii = ascii && c < 0x80;
    if (ascii) {
      out += label;
    } else {
      auto code_points = decode_utf8(label);
      if (!code_points) return address;  // not UTF-8: leave it for SES to reject
      std::u32string lowered;
      for (char32_t c : *code_points) lowered += to_lower(c);
      auto encoded = punycode_encode(lowered);
      if (!encoded) return address;
      out += "xn--" + *encoded;
    }
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  return out;
}

}  // namespace notify::email
