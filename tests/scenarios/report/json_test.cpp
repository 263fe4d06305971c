// The report's JSON form: what is written reads back equal, and bad input is refused with the
// path of the field that is wrong.
#include "notify/report/load_report.hpp"
#include "sample_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace notify::report {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

LoadReport small_sample() {
  return testing::sample_report({.seed = 7, .rate = 50, .duration_s = 60, .interval_s = 1});
}

// The message from_json throws for `j`, or "" when it reads.
std::string error_of(const json& j) {
  try {
    from_json(j);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(ReportJson, RoundTripIsEqual) {
  const LoadReport original = small_sample();
  ASSERT_GT(original.total_dispatch().count(), 2000);
  ASSERT_FALSE(original.by_fault_class.empty());
  const LoadReport back = from_json(json::parse(to_json(original).dump()));
  EXPECT_EQ(back, original);
  EXPECT_EQ(to_json(back), to_json(original));
}

TEST(ReportJson, RoundTripKeepsEveryRunField) {
  LoadReport r;
  r.run = {.target = "stub",
           .arrivals = "poisson",
           .asked_rate = 1234.5,
           .achieved_rate = 1200.25,
           .duration_s = 30,
           .mix = {{"email", 70}, {"sms", 30}},
           .connections = 64,
           .faults = "f.json",
           .started_at = "2026-11-29T23:00:00Z",
           .host = "ci-7",
           .version = "1.2.3",
           .profile = "notify-2021",
           .seed = 18'446'744'073'709'551'615ULL,
           .sources = {"a 1", "b 2"}};
  r.interval_s = 0.5;
  EXPECT_EQ(from_json(to_json(r)), r);
}

TEST(ReportJson, WritesSchemaAndSummaries) {
  const LoadReport r = small_sample();
  const json j = to_json(r);
  EXPECT_EQ(j["schema"], "notify-sim/load-report");
  EXPECT_EQ(j["schema_version"], 1);
  const auto& d = j["series"][0]["dispatch"];
  EXPECT_EQ(d["summary"]["count"], r.series[0].dispatch.count());
  EXPECT_EQ(d["summary"]["p99_us"], r.series[0].dispatch.percentile(99));
  EXPECT_EQ(d["summary"]["p99_9_us"], r.series[0].dispatch.percentile(99.9));
  EXPECT_EQ(d["summary"]["max_us"], r.series[0].dispatch.max());
  for (const char* key : {"p50_us", "p90_us", "min_us", "mean_us"})
    EXPECT_TRUE(d["summary"].contains(key)) << key;
  EXPECT_EQ(j["summary"]["dispatch"]["p99_us"], r.total_dispatch().percentile(99));
  EXPECT_EQ(j["timeline"].size(), r.timeline.size());
  EXPECT_TRUE(j["by_fault_class"].contains("throttling"));
}

// notification.deliver.duration and .callback.duration over time: each interval's histograms,
// written only where receipts arrived, read back equal, and read as empty where absent.
TEST(ReportJson, TimelineReceiptDurations) {
  LoadReport r;
  r.run.target = "core";
  r.timeline.resize(3);
  for (std::size_t i = 0; i < 3; ++i) r.timeline[i].start_s = static_cast<double>(i);
  for (std::int64_t us : {800'000, 1'200'000, 3'000'000}) r.timeline[1].deliver.record(us);
  for (std::int64_t us : {1'000'000, 1'500'000, 4'000'000}) r.timeline[1].callback.record(us);
  r.timeline[2].callback.record(2'000'000);

  const json j = to_json(r);
  EXPECT_FALSE(j["timeline"][0].contains("deliver"));
  EXPECT_FALSE(j["timeline"][0].contains("callback"));
  EXPECT_FALSE(j["timeline"][2].contains("deliver"));
  const auto& deliver = j["timeline"][1]["deliver"]["summary"];
  EXPECT_EQ(deliver["count"], 3);
  EXPECT_EQ(deliver["p50_us"], r.timeline[1].deliver.percentile(50));
  EXPECT_EQ(deliver["p99_us"], r.timeline[1].deliver.percentile(99));
  EXPECT_EQ(j["timeline"][1]["callback"]["summary"]["max_us"], 4'000'000);
  EXPECT_EQ(j["timeline"][2]["callback"]["summary"]["count"], 1);
  EXPECT_EQ(from_json(json::parse(j.dump())), r);

  json bad = j;
  bad["timeline"][1]["deliver"]["counts"] = "x";
  EXPECT_THAT(error_of(bad), HasSubstr("timeline[1].deliver: counts: expected an array"));
}

TEST(ReportJson, ErrorsNameThePath) {
  const json good = to_json(small_sample());
  struct Case {
    std::string pointer;
    json value;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"/series/2/dispatch/counts", "x", "series[2].dispatch: counts: expected an array"},
      {"/series/1/end_to_end", 5, "series[1].end_to_end: expected an object"},
      {"/series/0/arrivals", -1, "series[0].arrivals: expected a whole number, 0 or more"},
      {"/series/0/errors/ses.internal-failure", "many",
       "series[0].errors.ses.internal-failure: expected a whole number"},
      {"/series/1/channel", 3, "series[1].channel: expected a string"},
      {"/run/asked_rate", "fast", "run.asked_rate: expected a number"},
      {"/run/target", "moon", "run.target: expected \"core\" or \"stub\""},
      {"/run/mix/email", 140, "run.mix.email: expected a percentage"},
      {"/run/sources", json::array({1}), "run.sources[0]: expected a string"},
      {"/interval_s", 0, "interval_s: expected a number above 0"},
      {"/timeline/3/accepted", 1.5, "timeline[3].accepted: expected a whole number"},
      {"/timeline/4/dispatch/format", "hdr", "timeline[4].dispatch: format:"},
      {"/by_fault_class/throttling/counts", json::array({json::array({1, -2})}),
       "by_fault_class.throttling: counts: count must be positive"},
      {"/series", json::object(), "series: expected an array"},
      {"/run", json::array(), "run: expected an object"},
  };
  for (const auto& c : cases) {
    json bad = good;
    bad[json::json_pointer(c.pointer)] = c.value;
    EXPECT_THAT(error_of(bad), HasSubstr(c.message)) << c.pointer;
  }
}

TEST(ReportJson, MissingFieldsAreNamed) {
  const json good = to_json(small_sample());
  for (const auto& [pointer, message] : std::vector<std::pair<std::string, std::string>>{
           {"/series/2/dispatch", "series[2].dispatch: missing"},
           {"/series/0/provider", "series[0].provider: missing"},
           {"/run/duration_s", "run.duration_s: missing"},
           {"/timeline/0/start_s", "timeline[0].start_s: missing"},
           {"/interval_s", "interval_s: missing"},
           {"/run", "run: missing"}}) {
    json bad = good;
    const json::json_pointer p(pointer);
    bad[p.parent_pointer()].erase(p.back());
    EXPECT_THAT(error_of(bad), HasSubstr(message)) << pointer;
  }
}

TEST(ReportJson, RefusesOtherSchemasAndNewerVersions) {
  json j = to_json(small_sample());
  j["schema_version"] = 2;
  EXPECT_THAT(error_of(j),
              HasSubstr("schema_version: 2 is newer than this notify-sim reads (up to 1)"));
  j["schema_version"] = "1";
  EXPECT_THAT(error_of(j), HasSubstr("schema_version: expected a whole number"));
  j["schema_version"] = 0;
  EXPECT_THAT(error_of(j), HasSubstr("schema_version"));
  j.erase("schema_version");
  EXPECT_THAT(error_of(j), HasSubstr("schema_version: missing"));
  j = to_json(small_sample());
  j["schema"] = "notify-sim/run-report";
  EXPECT_THAT(error_of(j), HasSubstr("schema: expected \"notify-sim/load-report\""));
  EXPECT_THAT(error_of(json::array()), HasSubstr("expected a JSON object"));
  // A scenario run's report is not a load report.
  EXPECT_THAT(error_of(json{{"scenarios", json::array()}}), HasSubstr("schema: missing"));
}

TEST(ReportJson, BoundsHowManyHistogramsAFileMayHold) {
  // Each histogram is 188 KB in memory: a small file must not make a reader allocate gigabytes.
  json j = to_json(LoadReport{});
  const json empty = {{"start_s", 0},
                      {"arrivals", 0},
                      {"accepted", 0},
                      {"dispatch", telemetry::LatencyHistogram().to_json()}};
  j["timeline"] = json::array();
  for (std::size_t i = 0; i <= kMaxTimelineIntervals; ++i) j["timeline"].push_back(empty);
  // Refused before a single interval is read.
  EXPECT_THAT(error_of(j), HasSubstr("timeline: 3601 entries; at most 3600"));
  j["series"] = json::array();
  for (std::size_t i = 0; i <= kMaxSeries; ++i) j["series"].push_back(json::object());
  EXPECT_THAT(error_of(j), HasSubstr("series: 257 entries; at most 256"));

  j = to_json(LoadReport{});
  for (std::size_t i = 0; i <= kMaxFaultClasses; ++i)
    j["by_fault_class"]["class-" + std::to_string(i)] = telemetry::LatencyHistogram().to_json();
  EXPECT_THAT(error_of(j), HasSubstr("by_fault_class: 257 classes; at most 256"));
}

TEST(ReportJson, IgnoresUnknownFieldsAndEditedSummaries) {
  const LoadReport original = small_sample();
  json j = to_json(original);
  j["added_later"] = {{"x", 1}};
  j["series"][0]["dispatch"]["summary"]["p99_us"] = 1;
  j["summary"] = "anything";
  EXPECT_EQ(from_json(j), original);
}

}  // namespace
}  // namespace notify::report
