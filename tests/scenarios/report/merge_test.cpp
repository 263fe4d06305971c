// Merging drivers' reports gives what one driver recording everything would have.
#include "notify/report/load_report.hpp"
#include "sample_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace notify::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Recorder;
using testing::SampleOptions;

Series series(std::string channel, std::string provider, std::int64_t arrivals) {
  Series s;
  s.channel = std::move(channel);
  s.provider = std::move(provider);
  s.arrivals = arrivals;
  return s;
}

std::string error_of(const std::vector<LoadReport>& reports) {
  try {
    merge(reports);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(ReportMerge, EqualsRecordingEverythingInOneReport) {
  // Three drivers, each asked for a third of the rate, share one stream of notifications.
  const SampleOptions whole{.seed = 3, .rate = 90, .duration_s = 60, .interval_s = 1};
  SampleOptions third = whole;
  third.rate = whole.rate / 3;
  Recorder one(whole, "all");
  std::vector<Recorder> drivers;
  for (const char* host : {"driver-a", "driver-b", "driver-c"}) drivers.emplace_back(third, host);
  const auto events = testing::sample_events(whole);
  for (std::size_t i = 0; i < events.size(); ++i) {
    one.record(events[i]);
    drivers[i % 3].record(events[i]);
  }
  std::vector<LoadReport> parts;
  for (const auto& d : drivers) parts.push_back(d.report());
  // The drivers differ in what they saw, or the test proves little.
  ASSERT_NE(parts[0].series, parts[1].series);

  const LoadReport merged = merge(parts);
  const LoadReport expected = one.report();
  EXPECT_EQ(merged.series, expected.series);
  EXPECT_EQ(merged.by_fault_class, expected.by_fault_class);
  EXPECT_EQ(merged.timeline, expected.timeline);
  EXPECT_EQ(merged.total_dispatch(), expected.total_dispatch());
  EXPECT_EQ(merged.interval_s, expected.interval_s);
  EXPECT_DOUBLE_EQ(merged.run.asked_rate, expected.run.asked_rate);
  EXPECT_DOUBLE_EQ(merged.run.achieved_rate, expected.run.achieved_rate);
  EXPECT_EQ(merged.run.connections, 3 * 32);
  EXPECT_DOUBLE_EQ(merged.run.mix.at("email"), 60);
  EXPECT_EQ(merged.run.host, "driver-a, driver-b, driver-c");
  EXPECT_THAT(merged.run.sources,
              ElementsAre("driver-a 2026-11-29T22:00:00Z", "driver-b 2026-11-29T22:00:00Z",
                          "driver-c 2026-11-29T22:00:00Z"));
}

TEST(ReportMerge, AlignsTimelinesOnEachRunsStart) {
  // Two drivers started a minute apart and ran for different lengths: interval i of each is
  // the same stretch after its own start.
  LoadReport a, b;
  a.run.started_at = "2026-11-29T22:01:00Z";
  b.run.started_at = "2026-11-29T22:00:00Z";
  a.timeline.resize(2);
  b.timeline.resize(4);
  for (std::size_t i = 0; i < b.timeline.size(); ++i) {
    b.timeline[i].start_s = static_cast<double>(i);
    b.timeline[i].arrivals = 10;
    b.timeline[i].dispatch.record(1000);
  }
  for (std::size_t i = 0; i < a.timeline.size(); ++i) {
    a.timeline[i].start_s = static_cast<double>(i);
    a.timeline[i].arrivals = 1;
    a.timeline[i].accepted = 1;
    a.timeline[i].errors = 2;
    a.timeline[i].dispatch.record(5000);
  }
  a.timeline[1].deliver.record(2'000'000);
  b.timeline[1].deliver.record(3'000'000);
  b.timeline[3].callback.record(4'000'000);
  const LoadReport m = merge({a, b});
  EXPECT_EQ(m.timeline[1].deliver.count(), 2);
  EXPECT_EQ(m.timeline[1].deliver.max(), 3'000'000);
  EXPECT_EQ(m.timeline[3].callback.count(), 1);
  ASSERT_EQ(m.timeline.size(), 4u);
  EXPECT_EQ(m.timeline[0].arrivals, 11);
  EXPECT_EQ(m.timeline[1].arrivals, 11);
  EXPECT_EQ(m.timeline[1].accepted, 1);
  EXPECT_EQ(m.timeline[1].errors, 2);
  EXPECT_EQ(m.timeline[1].dispatch.count(), 2);
  EXPECT_EQ(m.timeline[1].dispatch.max(), 5000);
  EXPECT_EQ(m.timeline[2].arrivals, 10);
  EXPECT_EQ(m.timeline[3].dispatch.max(), 1000);
  EXPECT_EQ(m.timeline[3].start_s, 3.0);
  EXPECT_EQ(m.run.started_at, "2026-11-29T22:00:00Z");
}

TEST(ReportMerge, MatchesSeriesByChannelAndProvider) {
  LoadReport a, b;
  a.series = {series("email", "ses", 5), series("sms", "firetext", 7)};
  b.series = {series("sms", "mmg", 3), series("sms", "firetext", 1), series("broadcast", "ses", 4)};
  b.series[1].errors = {{"x", 2}};
  a.series[1].errors = {{"x", 1}, {"y", 1}};
  const LoadReport m = merge({a, b});
  ASSERT_EQ(m.series.size(), 4u);
  EXPECT_EQ(m.series[0].arrivals, 5);
  EXPECT_EQ(m.series[1].provider, "firetext");
  EXPECT_EQ(m.series[1].arrivals, 8);
  EXPECT_EQ(m.series[1].errors, (std::map<std::string, std::int64_t>{{"x", 3}, {"y", 1}}));
  EXPECT_EQ(m.series[2].provider, "mmg");
  EXPECT_EQ(m.series[3].channel, "broadcast");
}

TEST(ReportMerge, MergedReportsMergeAgainAndListEveryInput) {
  LoadReport a, b, c;
  a.run.host = "a";
  b.run.host = "b";
  c.run.host = "c";
  const LoadReport m = merge({merge({a, b}), c});
  EXPECT_THAT(m.run.sources, ElementsAre("a", "b", "c"));
  EXPECT_EQ(merge({a}).run.sources, std::vector<std::string>{"a"});
}

TEST(ReportMerge, RefusesWhatCannotBeAligned) {
  EXPECT_THAT(error_of({}), HasSubstr("no report to merge"));
  LoadReport a, b;
  b.schema_version = 2;
  EXPECT_THAT(error_of({a, b}), HasSubstr("report 2 of 2: schema_version 2, the first is 1"));
  b = {};
  b.interval_s = 5;
  EXPECT_THAT(error_of({a, a, b}), HasSubstr("report 3 of 3: interval_s 5"));
  b = {};
  b.run.target = "stub";
  EXPECT_THAT(error_of({a, b}), HasSubstr("target \"stub\", the first is \"core\""));
  // Each within the limit, together past it.
  a.series.clear();
  b = {};
  for (std::size_t i = 0; i < kMaxSeries; ++i) {
    a.series.push_back(series("email", "a" + std::to_string(i), 1));
    b.series.push_back(series("email", "b" + std::to_string(i), 1));
  }
  EXPECT_THAT(error_of({a, b}), HasSubstr("512 series and 0 fault classes together; at most 256"));
  b = {};
  b.run.target = "stub";
  EXPECT_THAT(error_of({a, b}), HasSubstr("target \"stub\", the first is \"core\""));
}

}  // namespace
}  // namespace notify::report
