// Userinfo in URLs: split, turned into Basic auth, masked. See userinfo.hpp.
#include "notify/transport/userinfo.hpp"

#include "notify/outcome/errc.hpp"
#include "notify/transport/http.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

namespace notify::transport {

namespace {

constexpr std::string_view kMask = "****";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_alnum(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// RFC 3986 userinfo = *( unreserved / pct-encoded / sub-delims / ":" ), '%' standing for the
// start of an escape.
bool is_userinfo_char(unsigned char c) noexcept {
  return is_alnum(c) || std::strchr("-._~%!$&'()*+,;=:", c) != nullptr;
}

// Strict percent-decoding: '+' stays '+', as urllib.parse.unquote leaves it.
std::optional<std::string> decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]);
    int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

boost::system::error_code invalid() { return make_error_code(errc::invalid_argument); }

bool iprefix(std::string_view text, std::size_t at, std::string_view lower) {
  if (at + lower.size() > text.size()) return false;
  for (std::size_t i = 0; i < lower.size(); ++i) {
    char c = text[at + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// The last case-insensitive occurrence of `lower` in text[from, to), or npos.
std::size_t ilast(std::string_view text, std::size_t from, std::size_t to, std::string_view lower) {
  for (std::size_t i = to; i >= from + lower.size(); --i) {
    if (iprefix(text, i - lower.size(), lower)) return i - lower.size();
  }
  return std::string_view::npos;
}

// The first case-insensitive occurrence of `lower` in text[from, to), or npos.
std::size_t ifirst(std::string_view text, std::size_t from, std::size_t to, std::string_view lower) {
  for (std::size_t i = from; i + lower.size() <= to; ++i) {
    if (iprefix(text, i, lower)) return i;
  }
  return std::string_view::npos;
}

// For the '@' (or "%40") at `at`: the [begin, end) of the password of the credentialed URL it
// ends, or nullopt when it ends none (an email address, a bare "user@").
std::optional<std::pair<std::size_t, std::size_t>> password_before(std::string_view text,
                                                                    std::size_t at) {
  std::size_t start = at;
  while (start > 0 && is_userinfo_char(static_cast<unsigned char>(text[start - 1]))) --start;
  std::size_t user = std::string_view::npos;
  bool encoded = false;
  if (start > 0 && text[start - 1] == '/') {
    user = start;  // "scheme://" as it is, or JSON's "scheme:\/\/"
  } else if (auto slash = ilast(text, start, at, "%2f"); slash != std::string_view::npos) {
    user = slash + 3;  // form-encoded: "scheme%3A%2F%2F"
    encoded = true;
  }
  if (user == std::string_view::npos || user >= at) return std::nullopt;
  // Form encoding escapes '&' and '=' in a value; seeing them means this is not one URL.
  if (encoded && text.substr(user, at - user).find_first_of("&=") != std::string_view::npos)
    return std::nullopt;
  std::size_t colon = text.substr(user, at - user).find(':');
  std::size_t pass = std::string_view::npos;
  if (colon != std::string_view::npos) {
    pass = user + colon + 1;
  } else if (auto c = ifirst(text, user, at, "%3a"); encoded && c != std::string_view::npos) {
    pass = c + 3;
  }
  if (pass == std::string_view::npos || pass >= at) return std::nullopt;
  return std::make_pair(pass, at);
}

// Whether "%40" appears: memchr for each '%', which form bodies hold few of.
bool has_escaped_at(std::string_view text) {
  for (auto p = text.find('%'); p != std::string_view::npos; p = text.find('%', p + 1))
    if (iprefix(text, p, "%40")) return true;
  return false;
}

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  if (std::size_t rest = in.size() - i; rest > 0) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> unbase64(std::string_view in) {
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const char* p = std::strchr(kBase64, c);
    if (c == '\0' || p == nullptr) return std::nullopt;
    v = (v << 6) | static_cast<unsigned>(p - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xFF);
    }
  }
  return out;
}

std::string encode_userinfo_part(std::string_view s) {
  // ':' would end the user name, '@' the userinfo: percent-encode all but unreserved.
  return percent_encode(s, false);
}

// "scheme://" and the rest of an absolute URL; npos when there is no "://".
std::size_t authority_start(std::string_view url) {
  auto p = url.find("://");
  return p == std::string_view::npos ? p : p + 3;
}

}  // namespace

boost::system::result<UrlCredentials> split_credentials(std::string_view url) {
  UrlCredentials out;
  const std::size_t begin = authority_start(url);
  if (begin == std::string_view::npos) return invalid();
  const std::size_t end = std::min(url.find_first_of("/?#", begin), url.size());
  const std::string_view authority = url.substr(begin, end - begin);
  const std::size_t at = authority.find('@');
  if (at == std::string_view::npos) {
    // The send path's usual case: no userinfo, one parse, one copy.
    if (!parse_url(url)) return invalid();
    out.url = std::string(url);
    return out;
  }
  const std::string_view userinfo = authority.substr(0, at);
  if (authority.find('@', at + 1) != std::string_view::npos) return invalid();
  for (unsigned char c : userinfo)
    if (!is_userinfo_char(c)) return invalid();
  const std::size_t colon = userinfo.find(':');
  auto user = decode(userinfo.substr(0, colon));
  auto pass = colon == std::string_view::npos ? std::optional<std::string>(std::string())
                                              : decode(userinfo.substr(colon + 1));
  if (!user || !pass || user->empty()) return invalid();
  out.url = std::string(url.substr(0, begin)) + std::string(url.substr(begin + at + 1));
  if (!parse_url(out.url)) return invalid();
  out.present = true;
  out.username = std::move(*user);
  out.password = std::move(*pass);
  return out;
}

std::string basic_authorization(std::string_view username, std::string_view password) {
  std::string pair(username);
  pair += ':';
  pair += password;
  return "Basic " + base64(pair);
}

std::optional<std::pair<std::string, std::string>> basic_credentials(
    std::string_view authorization) {
  constexpr std::string_view kBasic = "basic ";
  if (authorization.size() < kBasic.size() || !iprefix(authorization, 0, kBasic)) return std::nullopt;
  auto pair = unbase64(authorization.substr(kBasic.size()));
  if (!pair) return std::nullopt;
  const std::size_t colon = pair->find(':');
  if (colon == std::string::npos) return std::make_pair(std::move(*pair), std::string());
  return std::make_pair(pair->substr(0, colon), pair->substr(colon + 1));
}

std::string basic_username(std::string_view authorization) {
  auto c = basic_credentials(authorization);
  return c ? c->first : std::string();
}

std::string add_credentials(std::string_view url, std::string_view username,
                            std::string_view password) {
  const std::size_t begin = authority_start(url);
  if (begin == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, begin)) + encode_userinfo_part(username) + ":" +
         encode_userinfo_part(password) + "@" + std::string(url.substr(begin));
}

std::string with_masked_password(std::string_view url, std::string_view username) {
  const std::size_t begin = authority_start(url);
  if (begin == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, begin)) + encode_userinfo_part(username) + ":" +
         std::string(kMask) + "@" + std::string(url.substr(begin));
}

bool mask_url_passwords(std::string& text, bool cut_off) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  // Cut off inside "scheme://user:pa": what is there of the password goes too.
  auto tail = cut_off ? password_before(text, text.size()) : std::nullopt;
  // Journaled bodies rarely hold an '@' at all: one memchr and out.
  if (!tail && text.find('@') == std::string::npos && !has_escaped_at(text)) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool raw = text[i] == '@';
    if (!raw && !(text[i] == '%' && iprefix(text, i, "%40"))) continue;
    if (auto span = password_before(text, i)) {
      // The password itself may hold an escaped '@' ("%40"): keep the widest span.
      if (!spans.empty() && spans.back().first == span->first) {
        spans.back() = *span;
      } else {
        spans.push_back(*span);
      }
    }
  }
  if (tail && (spans.empty() || spans.back().first != tail->first)) spans.push_back(*tail);
  if (spans.empty()) return false;
  for (auto it = spans.rbegin(); it != spans.rend(); ++it)
    text.replace(it->first, it->second - it->first, kMask);
  return true;
}

}  // namespace notify::transport
