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

}  // namespace

std::string format_iso8601(TimePoint t) {
  Civil c = to_civil(t);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", c.year, c.month, c.day,
                c.hour, c.minute, c.second, c.millisecond);
  return buf;
}

std::string format_amz_date(TimePoint t) {
  Civil c = to_civil(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02u%02u%02uZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

}  // namespace notify::runtime
