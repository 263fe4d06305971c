// Timestamp formatting in UTC. Uses the C++20 calendar types only (no time zones), so the
// output never depends on the machine's TZ.
#include "notify/runtime/clock.hpp"

#include <cstdio>

namespace notify::runtime {

namespace {

struct Civil {
  int year;
  unsigned month, day, hour, minute, second, millisecond;
};

Civil to_civil(TimePoint t) {
  using namespace std::chrono;
  auto day_start = floor<days>(t);
  year_month_day ymd{day_start};
  auto in_day = t - day_start;
  auto ms = duration_cast<milliseconds>(in_day).count();
  return Civil{int(ymd.year()),          unsigned(ymd.month()),      unsigned(ymd.day()),
               unsigned(ms / 3'600'000), unsigned(ms / 60'000 % 60), unsigned(ms / 1000 % 60),
               unsigned(ms % 1000)};
}

// Writes `value` as exactly `width` decimal digits, zero-padded, as "%0<width>u" prints a value
// below 10^width. Returns the end.
char* put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

}  // namespace

// Both formats are written digit by digit: they are made for every signed request and every
// log line a sink prints, where snprintf's format parsing cost more than the rest. A year
// outside 0-9999, which a TimePoint cannot hold, would still print as snprintf prints it.
std::string format_iso8601(TimePoint t) {
  Civil c = to_civil(t);
  if (c.year < 0 || c.year > 9999) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", c.year, c.month, c.day,
                  c.hour, c.minute, c.second, c.millisecond);
    return buf;
  }
  char buf[24];
  char* p = put_digits(buf, static_cast<unsigned>(c.year), 4);
  *p++ = '-';
  p = put_digits(p, c.month, 2);
  *p++ = '-';
  p = put_digits(p, c.day, 2);
  *p++ = 'T';
  p = put_digits(p, c.hour, 2);
  *p++ = ':';
  p = put_digits(p, c.minute, 2);
  *p++ = ':';
  p = put_digits(p, c.second, 2);
  *p++ = '.';
  p = put_digits(p, c.millisecond, 3);
  *p++ = 'Z';
  return std::string(buf, p);
}

std::string format_amz_date(TimePoint t) {
  Civil c = to_civil(t);
  if (c.year < 0 || c.year > 9999) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02u%02u%02uZ", c.year, c.month, c.day, c.hour,
                  c.minute, c.second);
    return buf;
  }
  char buf[16];
  char* p = put_digits(buf, static_cast<unsigned>(c.year), 4);
  p = put_digits(p, c.month, 2);
  p = put_digits(p, c.day, 2);
  *p++ = 'T';
  p = put_digits(p, c.hour, 2);
  p = put_digits(p, c.minute, 2);
  p = put_digits(p, c.second, 2);
  *p++ = 'Z';
  return std::string(buf, p);
}

}  // namespace notify::runtime
