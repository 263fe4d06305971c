#include "notify/telemetry/logger.hpp"

#include "notify/runtime/clock.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace notify::telemetry {
namespace {

TEST(Logger, KeepsScrubbedRecordsWithClockTime) {
  runtime::VirtualClock clock;
  Logger logger(clock);
  clock.run_for(std::chrono::seconds(5));
  logger.warning("delivery.email", "failed for jane@example.com");
  auto records = logger.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at, runtime::VirtualClock::default_start() + std::chrono::seconds(5));
  EXPECT_EQ(records[0].level, LogLevel::warning);
  EXPECT_EQ(records[0].logger, "delivery.email");
  EXPECT_EQ(records[0].message, "failed for <email>");
}

TEST(Logger, SinksSeeOnlyScrubbedText) {
  runtime::VirtualClock clock;
  Logger logger(clock);
  std::vector<std::string> seen;
  logger.add_sink([&](const LogRecord& r) { seen.push_back(r.message); });
  logger.info("x", "+44 7700 900123");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "<phone>");
}

TEST(Logger, SinkMayLogWithoutDeadlock) {
  runtime::VirtualClock clock;
  Logger logger(clock);
  int depth = 0;
  logger.add_sink([&](const LogRecord&) {
    if (depth++ == 0) logger.info("x", "nested");
  });
  logger.info("x", "outer");
  EXPECT_EQ(logger.records().size(), 2u);
}

TEST(Logger, RecordsAreBoundedDroppingTheOldest) {
  runtime::VirtualClock clock;
  Logger logger(clock);
  logger.set_capacity(3);
  for (int i = 0; i < 5; ++i) logger.info("x", "line " + std::to_string(i));
  auto records = logger.records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records.front().message, "line 2");
  EXPECT_EQ(records.back().message, "line 4");
  EXPECT_EQ(logger.dropped(), 2u);
  logger.clear();
  EXPECT_TRUE(logger.records().empty());
  EXPECT_EQ(logger.dropped(), 0u);
}

TEST(Logger, LevelNames) {
  EXPECT_EQ(to_string(LogLevel::debug), "debug");
  EXPECT_EQ(to_string(LogLevel::info), "info");
  EXPECT_EQ(to_string(LogLevel::warning), "warning");
  EXPECT_EQ(to_string(LogLevel::error), "error");
}

TEST(Logger, StderrSinkFiltersByLevel) {
  runtime::VirtualClock clock;
  Logger logger(clock);
  logger.add_sink(Logger::stderr_sink(LogLevel::error));
  testing::internal::CaptureStderr();
  logger.info("x", "quiet");
  logger.error("delivery.email", "loud jane@example.com");
  auto text = testing::internal::GetCapturedStderr();
  EXPECT_EQ(text, "2026-01-01T00:00:00.000Z error delivery.email: loud <email>\n");
}

}  // namespace
}  // namespace notify::telemetry
