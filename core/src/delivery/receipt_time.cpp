// fromisoformat for receipt times, without the machine's time-zone database: the UK rule is
// fixed by law (Summer Time Order 2002) and small enough to write down.
#include "notify/delivery/receipt_time.hpp"

#include <cctype>
#include <chrono>
#include <limits>
#include <string>

namespace notify::delivery {

namespace {

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count();
}

// Seconds since the epoch of 01:00 UTC on the last Sunday of `month` in `year`.
std::int64_t last_sunday_1am(int year, unsigned month) {
  using namespace std::chrono;
  sys_days last{std::chrono::year{year} / std::chrono::month{month} / std::chrono::last};
  auto weekday_of_last = weekday{last}.c_encoding();  // 0 = Sunday
  return (last.time_since_epoch().count() - weekday_of_last) * 86400 + 3600;
}

// "Z", "+HH", "+HHMM", "+HH:MM" (and seconds, which Python accepts) at the end of `s`; sets
// `offset_s` and returns the rest's length, or npos when the tail is no offset.
bool parse_offset(std::string_view tail, int& offset_s) {
  if (tail == "Z") {
    offset_s = 0;
    return true;
  }
  if (tail.empty() || (tail[0] != '+' && tail[0] != '-')) return false;
  int sign = tail[0] == '-' ? -1 : 1;
  int h = 0, m = 0, s = 0;
  std::string_view rest = tail.substr(1);
  if (!digits(rest, 0, 2, h)) return false;
  rest.remove_prefix(2);
  bool colon = !rest.empty() && rest[0] == ':';
  if (colon) rest.remove_prefix(1);
  if (!rest.empty()) {
    if (!digits(rest, 0, 2, m)) return false;
    rest.remove_prefix(2);
    if (!rest.empty()) {
      if (colon != (rest[0] == ':')) return false;
      if (colon) rest.remove_prefix(1);
      if (!digits(rest, 0, 2, s) || rest.size() != 2) return false;
    }
  } else if (colon) {
    return false;
  }
  if (h > 23 || m > 59 || s > 59) return false;
  offset_s = sign * (h * 3600 + m * 60 + s);
  return true;
}

}  // namespace

std::int64_t london_wall_to_utc(std::int64_t wall_seconds) {
  using namespace std::chrono;
  auto day_count = wall_seconds >= 0 ? wall_seconds / 86400 : (wall_seconds - 86399) / 86400;
  year_month_day ymd{sys_days{days{day_count}}};
  int y = int(ymd.year());
  // Read as BST first (fold=0 picks the earlier of a repeated hour); keep it only if that
  // instant is inside BST, otherwise it is GMT (which also places a skipped hour).
  std::int64_t as_bst = wall_seconds - 3600;
  if (as_bst >= last_sunday_1am(y, 3) && as_bst < last_sunday_1am(y, 10)) return as_bst;
  return wall_seconds;
}

std::optional<runtime::TimePoint> parse_receipt_time(std::string_view s, NaiveTime naive) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  std::int64_t nanos = 0;
  std::optional<int> offset_s;
  std::size_t pos = 10;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != ' ') return std::nullopt;
    ++pos;
    if (!digits(s, pos, 2, h)) return std::nullopt;
    pos += 2;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, mi)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == ':') {
        if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
        pos += 3;
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
          std::size_t start = ++pos;
          std::int64_t scale = 100'000'000;
          while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
            nanos += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
          }
          if (pos == start) return std::nullopt;
          // Python keeps microseconds: anything finer is truncated.
          nanos -= nanos % 1000;
        }
      }
    }
    if (pos < s.size()) {
      int offset = 0;
      if (!parse_offset(s.substr(pos), offset)) return std::nullopt;
      offset_s = offset;
    }
  }
  using namespace std::chrono;
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || y < 1) return std::nullopt;
  std::int64_t wall =
      days_from_civil(y, unsigned(mo), unsigned(d)) * 86400 + h * 3600 + mi * 60 + sec;
  std::int64_t utc = wall;
  if (naive == NaiveTime::london) utc = offset_s ? wall - *offset_s : london_wall_to_utc(wall);
  // The clock counts nanoseconds in 64 bits: 1677-09-21 to 2262-04-11. Python reads years 1 to
  // 9999, but a time outside the clock's range cannot be held, so it reads as no time at all.
  constexpr std::int64_t kClockSecondsMax =
      std::numeric_limits<std::int64_t>::max() / 1'000'000'000 - 1;
  if (utc < -kClockSecondsMax || utc > kClockSecondsMax) return std::nullopt;
  return runtime::TimePoint{seconds{utc}} + nanoseconds{nanos};
}

}  // namespace notify::delivery
