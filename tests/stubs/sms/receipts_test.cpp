// The helpers both SMS stubs share: UK local time in receipts, number checks.
#include "common.hpp"

#include <gtest/gtest.h>

namespace notify::stubs::sms {
namespace {

runtime::TimePoint utc(int y, unsigned m, unsigned d, int h, int min) {
  // 2026-01-01T00:00:00Z is the virtual clock's default start.
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = static_cast<int>(m) - 1;
  tm.tm_mday = static_cast<int>(d);
  tm.tm_hour = h;
  tm.tm_min = min;
  return runtime::TimePoint(
      std::chrono::duration_cast<runtime::Duration>(std::chrono::seconds(timegm(&tm))));
}

TEST(SmsReceiptTime, GmtInWinterBstInSummer) {
  EXPECT_EQ(uk_local_time(utc(2026, 1, 1, 0, 0)), "2026-01-01 00:00:00");
  // BST 2026: from 01:00 UTC on 29 March to 01:00 UTC on 25 October.
  EXPECT_EQ(uk_local_time(utc(2026, 3, 29, 0, 59)), "2026-03-29 00:59:00");
  EXPECT_EQ(uk_local_time(utc(2026, 3, 29, 1, 0)), "2026-03-29 02:00:00");
  EXPECT_EQ(uk_local_time(utc(2016, 7, 5, 16, 1)), "2016-07-05 17:01:00");
  EXPECT_EQ(uk_local_time(utc(2026, 10, 25, 0, 59)), "2026-10-25 01:59:00");
  EXPECT_EQ(uk_local_time(utc(2026, 10, 25, 1, 0)), "2026-10-25 01:00:00");
  EXPECT_EQ(uk_local_time(utc(2026, 12, 31, 23, 30)), "2026-12-31 23:30:00");
}

TEST(SmsNumbers, TenToFifteenDigits) {
  EXPECT_TRUE(valid_number("447700900123"));
  EXPECT_TRUE(valid_number("+447700900123"));
  EXPECT_TRUE(valid_number("07700900123"));
  EXPECT_FALSE(valid_number("123456789"));
  EXPECT_FALSE(valid_number("1234567890123456"));
  EXPECT_FALSE(valid_number("44770090012a"));
  EXPECT_FALSE(valid_number(""));
  EXPECT_EQ(utf8_length("h\xc3\xa9llo"), 5u);
}

}  // namespace
}  // namespace notify::stubs::sms
