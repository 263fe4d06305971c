// Receipt times read as today's Notify reads them: fromisoformat, London local time for naive
// SMS values (both sides of each clock change), the offset dropped for SES, None when bad.
#include "notify/delivery/receipt_time.hpp"

#include <gtest/gtest.h>

#include <string>

namespace notify::delivery {
namespace {

std::string utc(std::string_view text, NaiveTime naive = NaiveTime::london) {
  auto t = parse_receipt_time(text, naive);
  return t ? runtime::format_iso8601(*t) : "None";
}

TEST(ReceiptTime, NaiveIsGmtInWinterAndBstInSummer) {
  EXPECT_EQ(utc("2026-01-15 10:00:00"), "2026-01-15T10:00:00.000Z");
  EXPECT_EQ(utc("2026-07-15 10:00:00"), "2026-07-15T09:00:00.000Z");
  EXPECT_EQ(utc("2026-07-15T10:00"), "2026-07-15T09:00:00.000Z");
  EXPECT_EQ(utc("2026-07-15"), "2026-07-14T23:00:00.000Z");
}

TEST(ReceiptTime, ClockChangesFollowTheUkRule) {
  // 2026: BST from 01:00 UTC on 29 March to 01:00 UTC on 25 October.
  EXPECT_EQ(utc("2026-03-29 00:59:59"), "2026-03-29T00:59:59.000Z");  // still GMT
  EXPECT_EQ(utc("2026-03-29 01:30:00"), "2026-03-29T01:30:00.000Z");  // skipped hour: GMT
  EXPECT_EQ(utc("2026-03-29 02:00:00"), "2026-03-29T01:00:00.000Z");  // first BST second
  EXPECT_EQ(utc("2026-10-25 01:30:00"), "2026-10-25T00:30:00.000Z");  // repeated: first (BST)
  EXPECT_EQ(utc("2026-10-25 02:00:00"), "2026-10-25T02:00:00.000Z");  // GMT again
  // 2024: the last Sundays were 31 March and 27 October.
  EXPECT_EQ(utc("2024-03-31 03:00:00"), "2024-03-31T02:00:00.000Z");
  EXPECT_EQ(utc("2024-10-27 00:30:00"), "2024-10-26T23:30:00.000Z");
}

TEST(ReceiptTime, AnOffsetIsAppliedForSmsAndDroppedForSes) {
  EXPECT_EQ(utc("2026-07-15T10:00:00+01:00"), "2026-07-15T09:00:00.000Z");
  EXPECT_EQ(utc("2026-07-15T10:00:00Z"), "2026-07-15T10:00:00.000Z");
  EXPECT_EQ(utc("2026-07-15T10:00:00-0230"), "2026-07-15T12:30:00.000Z");
  EXPECT_EQ(utc("2026-07-15T10:00:00.123Z", NaiveTime::drop_offset), "2026-07-15T10:00:00.123Z");
  // .replace(tzinfo=None) keeps the wall time: the offset is not applied.
  EXPECT_EQ(utc("2026-07-15T10:00:00+01:00", NaiveTime::drop_offset), "2026-07-15T10:00:00.000Z");
  EXPECT_EQ(utc("2026-07-15T10:00:00", NaiveTime::drop_offset), "2026-07-15T10:00:00.000Z");
}

TEST(ReceiptTime, NotifysOwnExamples) {
  // tests/app/notifications/test_notifications_sms_callbacks.py at 8ea236603.
  EXPECT_EQ(utc("2016-04-05 16:01:07"), "2016-04-05T15:01:07.000Z");
  EXPECT_EQ(utc("2016-07-05 17:01:07"), "2016-07-05T16:01:07.000Z");
  EXPECT_EQ(utc("2016-07-05 18:01:07+0200"), "2016-07-05T16:01:07.000Z");
  EXPECT_EQ(utc("bananas"), "None");
}

TEST(ReceiptTime, AnythingElseIsNone) {
  for (const char* bad : {"", "yesterday", "2026-13-01 00:00:00", "2026-02-30", "2026-07-15 25:00",
                          "2026-07-15 10:00:00 BST", "2026-07-15T10:00:00+1", "2026/07/15",
                          "2026-07-15T10:00:00.", "1700000000"}) {
    EXPECT_EQ(utc(bad), "None") << bad;
  }
}

TEST(ReceiptTime, ATimeOutsideTheClocksRangeIsNone) {
  // Found by fuzz_receipts: a year the 64-bit nanosecond clock cannot hold overflowed.
  EXPECT_EQ(utc("1013-01-01 00:00:00"), "None");
  EXPECT_EQ(utc("9999-12-31T23:59:59Z"), "None");
  EXPECT_EQ(utc("1677-09-20T00:00:00Z"), "None");
  EXPECT_EQ(utc("2262-04-12T00:00:00Z"), "None");
  EXPECT_EQ(utc("1700-01-01T00:00:00Z"), "1700-01-01T00:00:00.000Z");
  EXPECT_EQ(utc("2200-01-01T00:00:00Z"), "2200-01-01T00:00:00.000Z");
}

TEST(ReceiptTime, FractionsKeepMicroseconds) {
  auto t = parse_receipt_time("2026-01-01T00:00:00.1234567Z", NaiveTime::london);
  ASSERT_TRUE(t);
  EXPECT_EQ((t->time_since_epoch().count() % 1'000'000'000), 123'456'000);
}

}  // namespace
}  // namespace notify::delivery
