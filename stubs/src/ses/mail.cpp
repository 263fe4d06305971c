#include "mail.hpp"

#include "notify/transport/http.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace notify::stubs::ses {

namespace {

std::string_view trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

bool is_control_or_space(unsigned char c) { return c <= 0x20 || c == 0x7f; }

bool is_special(char c) {
  // RFC 5322 specials that may not appear unquoted in a local part.
  return std::string_view("()<>,;:\\\"[]@").find(c) != std::string_view::npos;
}

// Finds the addr-spec of a name-addr; sets `error` when the brackets or quotes do not close.
std::string_view extract_spec(std::string_view address, std::optional<std::string>& error) {
  bool quoted = false;
  for (std::size_t i = 0; i < address.size(); ++i) {
    char c = address[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      auto close = address.find('>', i + 1);
      if (close == std::string_view::npos) {
        error = "Missing '>'";
        return {};
      }
      if (!trim(address.substr(close + 1)).empty()) {
        error = "Illegal address";
        return {};
      }
      return trim(address.substr(i + 1, close - i - 1));
    } else if (c == ',') {
      // Two addresses in one list entry.
      error = "Illegal address";
      return {};
    }
  }
  if (quoted) {
    error = "Missing '\"'";
    return {};
  }
  return address;
}

std::optional<std::string> check_local(std::string_view local) {
  if (local.empty()) return "Missing local name";
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    if (local.find_first_of("\r\n") != std::string_view::npos) {
      return "Quoted local address contains newline or CR";
    }
    return std::nullopt;
  }
  for (char ch : local) {
    auto c = static_cast<unsigned char>(ch);
    if (is_control_or_space(c)) return "Local address contains control or whitespace";
  }
  for (char ch : local) {
    // SES takes only 7-bit ASCII local parts (no SMTPUTF8).
    if (is_special(ch) || static_cast<unsigned char>(ch) >= 0x80) {
      return "Local address contains illegal character";
    }
  }
  if (local.front() == '.') return "Local address starts with dot";
  if (local.back() == '.') return "Local address ends with dot";
  if (local.find("..") != std::string_view::npos) return "Local address contains dot-dot";
  return std::nullopt;
}

std::optional<std::string> check_domain(std::string_view domain) {
  if (domain.empty()) return "Missing domain";
  for (char ch : domain) {
    if (is_control_or_space(static_cast<unsigned char>(ch))) {
      return "Domain contains control or whitespace";
    }
  }
  if (domain.front() == '[') {
    if (domain.back() != ']') return "Domain contains illegal character";
    return std::nullopt;
  }
  for (char ch : domain) {
    auto c = static_cast<unsigned char>(ch);
    // The domain must already be Punycode (the SES API's Destination documentation), so no 8-bit
    // bytes.
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_';
    if (!ok) return "Domain contains illegal character";
  }
  if (domain.front() == '.') return "Domain starts with dot";
  if (domain.back() == '.') return "Domain ends with dot";
  if (domain.find("..") != std::string_view::npos) return "Domain contains dot-dot";
  return std::nullopt;
}

// The '@' that separates local part and domain: the last one outside a quoted local part.
std::size_t find_at(std::string_view spec) {
  if (!spec.empty() && spec.front() == '"') {
    for (std::size_t i = 1; i < spec.size(); ++i) {
      if (spec[i] == '\\') {
        ++i;
      } else if (spec[i] == '"') {
        return spec.find('@', i + 1);
      }
    }
    return std::string_view::npos;
  }
  return spec.rfind('@');
}

}  // namespace

std::optional<std::string> check_address(std::string_view address) {
  std::string_view a = trim(address);
  if (a.empty()) return "Missing final '@domain'";
  std::optional<std::string> error;
  std::string_view spec = extract_spec(a, error);
  if (error) return error;
  if (spec.empty()) return "Missing final '@domain'";
  auto at = find_at(spec);
  if (at == std::string_view::npos) return "Missing final '@domain'";
  if (auto e = check_local(spec.substr(0, at))) return e;
  return check_domain(spec.substr(at + 1));
}

std::string addr_spec(std::string_view address) {
  std::string_view a = trim(address);
  auto open = a.rfind('<');
  if (open != std::string_view::npos) {
    auto close = a.find('>', open);
    if (close != std::string_view::npos)
      return std::string(trim(a.substr(open + 1, close - open - 1)));
  }
  return std::string(a);
}

std::vector<std::string> split_address_list(std::string_view list) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  int angle = 0;
  int comment = 0;
  auto flush = [&] {
    auto t = trim(current);
    if (!t.empty()) out.emplace_back(t);
    current.clear();
  };
  for (std::size_t i = 0; i < list.size(); ++i) {
    char c = list[i];
    if (quoted) {
      current += c;
      if (c == '\\' && i + 1 < list.size()) {
        current += list[++i];
      } else if (c == '"') {
        quoted = false;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == '(') {
      ++comment;
    } else if (c == ')' && comment > 0) {
      --comment;
      continue;
    } else if (comment > 0) {
      continue;
    } else if (c == '<') {
      ++angle;
    } else if (c == '>' && angle > 0) {
      --angle;
    } else if (angle == 0 && c == ',') {
      flush();
      continue;
    } else if (angle == 0 && c == ':') {
      // "group: a@b, c@d;" - the group's display name is not an address.
      current.clear();
      continue;
    } else if (angle == 0 && c == ';') {
      flush();
      continue;
    }
    if (comment == 0) current += c;
  }
  flush();
  return out;
}

std::size_t utf8_length(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::optional<std::string> base64_decode(std::string_view text) {
  static const auto table = [] {
    std::array<std::int8_t, 256> t{};
    t.fill(-1);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i)
      t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    t['-'] = 62;
    t['_'] = 63;
    return t;
  }();
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\r' || c == '\n' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    if (padding || table[c] < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(table[c]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // One leftover sextet cannot encode a byte: the text was cut short.
  if (bits >= 6) return std::nullopt;
  return out;
}

std::vector<MimeHeader> parse_mime_headers(std::string_view message) {
  std::vector<MimeHeader> out;
  bool current_valid = false;
  while (!message.empty()) {
    auto nl = message.find('\n');
    std::string_view line = message.substr(0, nl);
    message = nl == std::string_view::npos ? std::string_view{} : message.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      if (current_valid) {
        out.back().value += line;
        out.back().longest_line = std::max(out.back().longest_line, line.size());
      }
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      current_valid = false;
      continue;
    }
    MimeHeader h;
    h.name = std::string(trim(line.substr(0, colon)));
    h.value = std::string(trim(line.substr(colon + 1)));
    h.longest_line = line.size();
    out.push_back(std::move(h));
    current_valid = true;
  }
  return out;
}

const MimeHeader* find_header(const std::vector<MimeHeader>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (transport::iequals(h.name, name)) return &h;
  }
  return nullptr;
}

}  // namespace notify::stubs::ses
