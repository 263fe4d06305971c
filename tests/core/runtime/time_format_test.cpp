#include "notify/runtime/clock.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

namespace notify::runtime {
namespace {

using namespace std::chrono_literals;

TEST(TimeFormat, Iso8601) {
  TimePoint t = VirtualClock::default_start();
  EXPECT_EQ(format_iso8601(t), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601(t + 36h + 5min + 7s + 123ms + 999us), "2026-01-02T12:05:07.123Z");
  EXPECT_EQ(format_iso8601(TimePoint{}), "1970-01-01T00:00:00.000Z");
}

TEST(TimeFormat, LeapDay) {
  // 2028 is a leap year: 2 years and 59 days after 2026-01-01 is 29 February.
  TimePoint t = VirtualClock::default_start() + std::chrono::days(365 + 365 + 59);
  EXPECT_EQ(format_iso8601(t), "2028-02-29T00:00:00.000Z");
}

TEST(TimeFormat, AmzDate) {
  TimePoint t = VirtualClock::default_start();
  EXPECT_EQ(format_amz_date(t), "20260101T000000Z");
  EXPECT_EQ(format_amz_date(t + 23h + 59min + 59s + 999ms), "20260101T235959Z");
}

// The formats are written digit by digit; across the years a TimePoint holds, they must read
// as snprintf with the documented formats prints them.
TEST(TimeFormat, MatchesPrintfAcrossTheRange) {
  auto printf_iso8601 = [](TimePoint t) {
    using namespace std::chrono;
    auto day = floor<days>(t);
    year_month_day ymd{day};
    auto ms = duration_cast<milliseconds>(t - day).count();
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), unsigned(ms / 3'600'000),
                  unsigned(ms / 60'000 % 60), unsigned(ms / 1000 % 60), unsigned(ms % 1000));
    return std::string(buf);
  };
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> ns(-9'000'000'000'000'000'000,
                                                 9'000'000'000'000'000'000);
  for (int i = 0; i < 20000; ++i) {
    TimePoint t{Duration(ns(rng))};
    auto iso = printf_iso8601(t);
    ASSERT_EQ(format_iso8601(t), iso);
    // yyyymmddThhmmssZ: the same fields without separators or milliseconds.
    std::string amz = iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) + "T" +
                      iso.substr(11, 2) + iso.substr(14, 2) + iso.substr(17, 2) + "Z";
    ASSERT_EQ(format_amz_date(t), amz);
  }
}

}  // namespace
}  // namespace notify::runtime
