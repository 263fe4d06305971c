// Plain HTTP helpers: headers, URLs, form encoding. No Beast here, so this translation unit is
// cheap to compile and everything that only needs message types links it alone.
#include "notify/transport/http.hpp"

#include "notify/outcome/errc.hpp"

#include <algorithm>
#include <charconv>

namespace notify::transport {

namespace {

char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// Strips "scheme://authority" from an absolute URL, leaving the origin-form target.
std::string_view origin_form(std::string_view target) {
  auto scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos ||
      target.substr(0, scheme_end).find('/') != std::string_view::npos) {
    return target;
  }
  auto rest = target.substr(scheme_end + 3);
  auto slash = rest.find_first_of("/?");
  if (slash == std::string_view::npos) return {};
  return rest.substr(slash);
}

boost::system::error_code invalid() { return make_error_code(errc::invalid_argument); }

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [k, v] : fields_) {
    if (iequals(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::string_view Headers::get_or(std::string_view name, std::string_view fallback) const {
  auto v = get(name);
  return v ? *v : fallback;
}

void Headers::set(std::string_view name, std::string_view value) {
  // Keep the position of the first occurrence, so replacing a header does not reorder them.
  auto first = std::find_if(fields_.begin(), fields_.end(),
                            [&](const Field& f) { return iequals(f.first, name); });
  if (first == fields_.end()) {
    fields_.emplace_back(std::string(name), std::string(value));
    return;
  }
  first->second = std::string(value);
  fields_.erase(std::remove_if(std::next(first), fields_.end(),
                               [&](const Field& f) { return iequals(f.first, name); }),
                fields_.end());
}

void Headers::add(std::string_view name, std::string_view value) {
  fields_.emplace_back(std::string(name), std::string(value));
}

void Headers::erase(std::string_view name) {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const Field& f) { return iequals(f.first, name); }),
                fields_.end());
}

std::string_view Request::path() const {
  auto t = origin_form(target);
  auto q = t.find_first_of("?#");
  return q == std::string_view::npos ? t : t.substr(0, q);
}

std::string_view Request::query() const {
  auto t = origin_form(target);
  auto q = t.find('?');
  if (q == std::string_view::npos) return {};
  auto rest = t.substr(q + 1);
  auto hash = rest.find('#');
  return hash == std::string_view::npos ? rest : rest.substr(0, hash);
}

std::string Url::authority() const {
  bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  bool ipv6 = host.find(':') != std::string::npos;
  std::string out = ipv6 ? "[" + host + "]" : host;
  if (!default_port) out += ":" + std::to_string(port);
  return out;
}

boost::system::result<Url> parse_url(std::string_view url) {
  Url out;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return invalid();
  std::string scheme;
  for (char c : url.substr(0, scheme_end)) scheme += ascii_lower(c);
  if (scheme == "http") {
    out.port = 80;
  } else if (scheme == "https") {
    out.port = 443;
  } else {
    return invalid();
  }
  out.scheme = std::move(scheme);

  auto rest = url.substr(scheme_end + 3);
  auto auth_end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, auth_end);
  std::string_view target =
      auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
  // Userinfo is never used by our peers; rejecting it beats silently sending it as a host.
  if (authority.empty() || authority.find('@') != std::string_view::npos) return invalid();

  std::string_view host;
  std::string_view port_text;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return invalid();
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid();
      port_text = after.substr(1);
      if (port_text.empty()) return invalid();
    }
  } else {
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return invalid();
    } else {
      host = authority;
    }
    if (host.find(':') != std::string_view::npos) return invalid();
  }
  if (host.empty()) return invalid();
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return invalid();
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  out.host = std::string(host);

  // The fragment is never sent to a server.
  auto hash = target.find('#');
  if (hash != std::string_view::npos) target = target.substr(0, hash);
  if (target.empty() || target.front() == '?') {
    out.target = "/" + std::string(target);
  } else {
    out.target = std::string(target);
  }
  return out;
}

namespace {

// Shared by both encoders: `space_as_plus` selects application/x-www-form-urlencoded.
std::string encode(std::string_view s, bool keep_slash, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else if (space_as_plus && c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

std::string url_encode(std::string_view s) { return encode(s, false, true); }

std::string percent_encode(std::string_view s, bool keep_slash) {
  return encode(s, keep_slash, false);
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
    if (s[i] == '%' && hi >= 0 && lo >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<std::string> url_decode(std::string_view s) {
  // Most keys and many values carry no escape at all: one copy, no per-character appends.
  std::size_t i = 0;
  while (i < s.size() && s[i] != '+' && s[i] != '%') ++i;
  if (i == s.size()) return std::string(s);
  std::string out;
  out.reserve(s.size());
  out.append(s.substr(0, i));
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(static_cast<std::size_t>(std::count(body.begin(), body.end(), '&')) + 1);
  while (!body.empty()) {
    auto amp = body.find('&');
    auto pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    // Empty segments ("a=1&&b=2") carry nothing; browsers and Python skip them too.
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto key = url_decode(pair.substr(0, eq));
    auto value =
        url_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!key || !value) return std::nullopt;
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

}  // namespace notify::transport
