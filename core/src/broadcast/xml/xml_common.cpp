// Shared helpers for the validator's layers: lines, paths, text, problem collection and the
// xs:dateTime grammar.
#include "validator_internal.hpp"

#include <algorithm>
#include <cstring>

namespace notify::broadcast::detail {

LineMap::LineMap(std::string_view bytes) {
  starts_.push_back(0);
  for (std::size_t i = 0; i < bytes.size(); ++i)
    if (bytes[i] == '\n') starts_.push_back(i + 1);
}

std::size_t LineMap::line_at(std::size_t offset) const noexcept {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  return static_cast<std::size_t>(it - starts_.begin());
}

std::size_t LineMap::line_of(const pugi::xml_node& node) const noexcept {
  // offset_debug() points at the element's name, one byte after its '<'; pugixml parses in
  // place without moving names, so the offset is into the original bytes.
  auto offset = node.offset_debug();
  if (offset < 0) return 0;
  return line_at(static_cast<std::size_t>(offset));
}

void Sink::add(const pugi::xml_node& at, Layer layer, Severity severity, std::string_view rule,
               std::string message, std::string_view found) {
  add_at_line(at ? lines_.line_of(at) : 0, at ? path_of(at) : std::string("/"), layer, severity,
              rule, std::move(message), found);
}

void Sink::add_at_line(std::size_t line, std::string path, Layer layer, Severity severity,
                       std::string_view rule, std::string message, std::string_view found) {
  if (report_.problems.size() >= problems_max_) {
    ++report_.problems_dropped;
    return;
  }
  Problem p;
  p.line = line;
  p.path = std::move(path);
  p.rule = std::string(rule);
  p.severity = severity;
  p.layer = layer;
  p.message = std::move(message);
  p.found = shorten(found);
  report_.problems.push_back(std::move(p));
}

std::string_view prefix_of(std::string_view qualified_name) noexcept {
  auto colon = qualified_name.find(':');
  return colon == std::string_view::npos ? std::string_view{} : qualified_name.substr(0, colon);
}

std::string_view local_name(const pugi::xml_node& node) noexcept {
  std::string_view name = node.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string path_of(const pugi::xml_node& node) {
  std::vector<std::string> parts;
  for (auto n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    auto local = local_name(n);
    std::size_t index = 0, same = 0;
    for (auto s = n.parent().first_child(); s; s = s.next_sibling()) {
      if (s.type() != pugi::node_element || local_name(s) != local) continue;
      ++same;
      if (s == n) index = same;
    }
    std::string part(local);
    if (same > 1) part += "[" + std::to_string(index) + "]";
    parts.push_back(std::move(part));
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += "/" + *it;
  return out.empty() ? "/" : out;
}

std::string text_of(const pugi::xml_node& node) {
  std::string out;
  for (auto c = node.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  return out;
}

pugi::xml_node child(const pugi::xml_node& node, std::string_view local) {
  for (auto c = node.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local_name(c) == local) return c;
  return {};
}

std::vector<pugi::xml_node> children(const pugi::xml_node& node, std::string_view local) {
  std::vector<pugi::xml_node> out;
  for (auto c = node.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local_name(c) == local) out.push_back(c);
  return out;
}

std::string shorten(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t cut = max;
  // Do not split a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

std::string_view trim_xml_space(std::string_view s) noexcept {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, long long& out) noexcept {
  if (pos + n > s.size()) return false;
  long long v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool leap(long long y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Howard Hinnant's days_from_civil.
long long days_from_civil(long long y, long long m, long long d) noexcept {
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  long long yoe = y - era * 400;
  long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

std::optional<DateTime> parse_xs_datetime(std::string_view text) noexcept {
  std::string_view s = trim_xml_space(text);
  std::size_t pos = 0;
  bool negative = false;
  if (pos < s.size() && s[pos] == '-') negative = true, ++pos;
  // The year has at least four digits, and no leading zero when it has more.
  std::size_t year_end = pos;
  while (year_end < s.size() && s[year_end] >= '0' && s[year_end] <= '9') ++year_end;
  std::size_t year_digits = year_end - pos;
  if (year_digits < 4 || year_digits > 9) return std::nullopt;
  if (year_digits > 4 && s[pos] == '0') return std::nullopt;
  long long year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  digits(s, pos, year_digits, year);
  if (year == 0) return std::nullopt;  // XSD 1.0 has no year 0000
  if (negative) year = -year;
  pos = year_end;
  if (pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, month)) return std::nullopt;
  pos += 2;
  if (pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, day)) return std::nullopt;
  pos += 2;
  if (pos >= s.size() || s[pos++] != 'T' || !digits(s, pos, 2, hour)) return std::nullopt;
  pos += 2;
  if (pos >= s.size() || s[pos++] != ':' || !digits(s, pos, 2, minute)) return std::nullopt;
  pos += 2;
  if (pos >= s.size() || s[pos++] != ':' || !digits(s, pos, 2, second)) return std::nullopt;
  pos += 2;
  DateTime dt;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    long long nanos = 0, scale = 100'000'000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      nanos += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
    dt.nanos = nanos;
    dt.has_fraction = true;
  }
  long long offset_minutes = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    dt.has_zone = dt.zulu = true;
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    bool minus = s[pos++] == '-';
    long long zh = 0, zm = 0;
    if (!digits(s, pos, 2, zh) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
        !digits(s, pos + 3, 2, zm))
      return std::nullopt;
    pos += 5;
    if (zm > 59 || zh > 14 || (zh == 14 && zm != 0)) return std::nullopt;
    offset_minutes = (minus ? -1 : 1) * (zh * 60 + zm);
    dt.has_zone = true;
  }
  if (pos != s.size()) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return std::nullopt;
  long long month_days = kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0);
  if (day > month_days || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  dt.seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
               offset_minutes * 60;
  return dt;
}

bool matches_cap_datetime(std::string_view text) noexcept {
  std::string_view s = trim_xml_space(text);
  // \d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd*dd:dd";
  if (s.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char want = kShape[i];
    char c = s[i];
    if (want == 'd') {
      if (c < '0' || c > '9') return false;
    } else if (want == '*') {
      if (c != '-' && c != ',' && c != '+') return false;
    } else if (c != want) {
      return false;
    }
  }
  return true;
}

}  // namespace notify::broadcast::detail
