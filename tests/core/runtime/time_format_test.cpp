#include "notify/runtime/clock.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace notify::runtime
