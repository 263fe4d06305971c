// Short runs through the sending core to embedded stubs on port 0: the report counts every
// arrival in its channel and provider with non-zero latencies, and a fault file's throttling
// shows up as retries, errors and a fault class. Each run ends by itself once every
// notification is accepted and receipted, or after its bounded drain.
#include "notify/load/core_load.hpp"

#include <gtest/gtest.h>

#include <map>

namespace notify::load {
namespace {

using nlohmann::json;

CoreLoadOptions small_run(const std::string& mix) {
  CoreLoadOptions o;
  o.rate = 200;
  o.count = 200;
  o.mix = parse_mix(mix, core_channels());
  o.seed = 3;
  o.connections = 8;
  o.retry_delay = std::chrono::milliseconds(20);
  o.drain = std::chrono::milliseconds(10'000);
  // Never the process environment: the run uses embedded stubs whatever the shell exports.
  o.getenv = [](const std::string&) { return std::optional<std::string>(); };
  return o;
}

std::map<std::string, const report::Series*> by_series(const report::LoadReport& r) {
  std::map<std::string, const report::Series*> out;
  for (const auto& s : r.series) out[s.channel + "/" + s.provider] = &s;
  return out;
}

TEST(CoreLoad, EveryArrivalIsCountedInItsChannelWithLatencies) {
  auto r = run_core_load(small_run("email=70,sms=29,broadcast=1"));
  auto s = by_series(r);
  ASSERT_TRUE(s.contains("email/ses"));
  EXPECT_EQ(s["email/ses"]->arrivals, 140);
  EXPECT_EQ(s["email/ses"]->accepted, 140);
  EXPECT_EQ(s["email/ses"]->receipts, 140);
  std::int64_t sms_arrivals = 0, sms_accepted = 0;
  for (const char* p : {"sms/firetext", "sms/mmg"}) {
    if (!s.contains(p)) continue;
    sms_arrivals += s[p]->arrivals;
    sms_accepted += s[p]->accepted;
  }
  EXPECT_EQ(sms_arrivals, 58);
  EXPECT_EQ(sms_accepted, 58);
  for (const char* op : {"ee", "o2", "three", "vodafone"}) {
    const auto key = std::string("broadcast/") + op;
    ASSERT_TRUE(s.contains(key)) << key;
    EXPECT_EQ(s[key]->arrivals, 2) << key;
    EXPECT_EQ(s[key]->accepted, 2) << key;
  }
  for (const auto& series : r.series) {
    EXPECT_EQ(series.unfinished, 0) << series.channel << "/" << series.provider;
    EXPECT_EQ(series.dispatch.count(), series.accepted);
    EXPECT_GT(series.dispatch.min(), 0) << series.channel << "/" << series.provider;
    EXPECT_EQ(series.retries, 0);
  }
  // Receipts come after acceptance, so end-to-end is never shorter than dispatch.
  EXPECT_GE(s["email/ses"]->end_to_end.min(), s["email/ses"]->dispatch.min());
  EXPECT_EQ(r.by_fault_class.size(), 1u);
  EXPECT_EQ(r.by_fault_class.at("none").count(), 140 + 58 + 8);
  EXPECT_EQ(r.run.target, "core");
  EXPECT_EQ(r.run.asked_rate, 200);
  // Open loop: nothing is submitted before it is due, so the achieved rate is never above the
  // asked one; how far below depends on the machine, so it is not asserted.
  EXPECT_GT(r.run.achieved_rate, 0);
  EXPECT_LE(r.run.achieved_rate, r.run.asked_rate * 1.001);
  // The schedule itself is exact: 200 arrivals at 200/s span one second.
  EXPECT_NEAR(r.run.duration_s, 1.0, 0.0051);
  std::int64_t timeline_arrivals = 0;
  for (const auto& i : r.timeline) timeline_arrivals += i.arrivals;
  EXPECT_EQ(timeline_arrivals, 200);
}

TEST(CoreLoad, ThrottlingFromAFaultFileIsRetriedAndCounted) {
  auto o = small_run("email=100");
  o.faults = json::parse(R"({"faults": [{"id": "throttle", "match": {"service": "ses"},
      "action": {"type": "error", "name": "ses.throttling"},
      "trigger": {"probability": 0.3}}]})");
  o.faults_file = "throttle.json";
  auto r = run_core_load(o);
  auto s = by_series(r);
  ASSERT_TRUE(s.contains("email/ses"));
  const auto& ses = *s["email/ses"];
  EXPECT_EQ(ses.arrivals, 200);
  EXPECT_EQ(ses.accepted, 200);
  EXPECT_GT(ses.retries, 20);
  ASSERT_TRUE(ses.errors.contains("ses.throttling"));
  EXPECT_EQ(ses.errors.at("ses.throttling"), ses.retries);
  ASSERT_TRUE(r.by_fault_class.contains("throttling"));
  // Those that met throttling waited at least one retry delay.
  EXPECT_GE(r.by_fault_class.at("throttling").min(), 20'000);
  EXPECT_EQ(r.by_fault_class.at("throttling").count() + r.by_fault_class.at("none").count(), 200);
  EXPECT_EQ(r.run.faults, "throttle.json");
}

TEST(CoreLoad, BadFaultRulesAreAnErrorNamingTheField) {
  auto o = small_run("email=100");
  o.faults = json::parse(R"([{"action": {"type": "error", "name": "ses.throtling"}}])");
  o.faults_file = "f.json";
  try {
    run_core_load(o);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--faults f.json: faults[0].action.name"),
              std::string::npos)
        << e.what();
  }
}

TEST(CoreLoad, ExternalStubsNeedEveryChannelsVariable) {
  auto o = small_run("email=70,sms=30");
  o.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "AWS_ENDPOINT_URL_SES") return "http://127.0.0.1:1";
    return std::nullopt;
  };
  EXPECT_THROW(
      {
        try {
          run_core_load(o);
        } catch (const std::invalid_argument& e) {
          EXPECT_STREQ(e.what(),
                       "--mix sms: external stubs are in use but FIRETEXT_URL and MMG_URL are not "
                       "set");
          throw;
        }
      },
      std::invalid_argument);
}

}  // namespace
}  // namespace notify::load
