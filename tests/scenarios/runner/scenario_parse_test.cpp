#include "notify/scenarios/scenario.hpp"

#include <gtest/gtest.h>

namespace notify::scenarios {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
  try {
    parse_scenario(j, "x.json");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(ScenarioParse, ReadsAFullScenario) {
  auto s = parse_scenario(json::parse(R"({
    "name": "n", "seed": 7, "core": {"email_client": "ses_stub", "retry_delay_s": 10},
    "workload": {"email": {"count": 3, "interval_ms": 5, "to": ["a{n}@x.test"]}},
    "faults": [{"at_ms": 10, "until_ms": 20,
                "rule": {"match": {"service": "ses"}, "action": {"type": "refuse"}}}],
    "expect": {"statuses": {"delivered": 3}, "attempts": {"total": {"min": 3}},
               "journal": [{"service": "ses", "count": 3}],
               "logs": [{"level": "warning", "contains": "x", "max": 0}],
               "metrics": [{"name": "m", "kind": "timing", "min": 1}]}})"),
                          "x.json");
  EXPECT_EQ(s.name, "n");
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.core_options.at("email_client"), "ses_stub");
  EXPECT_EQ(s.retry_delay, std::chrono::seconds(10));
  EXPECT_EQ(s.workload.at("email")["count"], 3);
  ASSERT_EQ(s.faults.size(), 1u);
  EXPECT_EQ(s.faults[0].rule.id, "fault-1");
  EXPECT_EQ(s.faults[0].until, std::chrono::milliseconds(20));
  ASSERT_EQ(s.expect.statuses.size(), 1u);
  EXPECT_TRUE(s.expect.statuses[0].count.holds(3));
  EXPECT_FALSE(s.expect.statuses[0].count.holds(2));
  EXPECT_TRUE(s.expect.attempts_total->holds(9));
  EXPECT_EQ(s.expect.metrics[0].kind, "timing");
}

TEST(ScenarioParse, ErrorsNameTheFileTheFieldWhatWasExpectedAndWhatCame) {
  EXPECT_EQ(error_of(json::parse(R"({"description": "no name"})")),
            "x.json: name: expected a non-empty string (it is required), got nothing");
  EXPECT_EQ(error_of(json::parse(R"({"name": "n", "workload": {"email": {"count": "ten"}}})")),
            "x.json: workload.email.count: expected a whole number, got \"ten\"");
  EXPECT_NE(error_of(json::parse(R"({"name": "n", "expect": {"statuses": {"deliverd": 1}}})"))
                .find("expect.statuses.deliverd: expected a status (one of created"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"name": "n", "wokload": {}})"))
                .find("wokload: expected one of the known fields ("),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"name": "n", "core": {"email_client": "smtp"}})"))
                .find("core.email_client: expected \"ses\" or \"ses_stub\", got \"smtp\""),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"name": "n", "faults": [{"at_ms": 5}]})"))
                .find("faults[0].rule: expected a fault rule object"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"name": "n", "faults": [{"at_ms": 5, "until_ms": 5,
                "rule": {"action": {"type": "refuse"}}}]})"))
                .find("faults[0].until_ms: expected a time later than at_ms, got 5"),
            std::string::npos);
}

TEST(ScenarioParse, StubBlocksAreCheckedByTheirOwnStub) {
  // The list names every registered stub, so it grows with each provider.
  const std::string unknown = error_of(json::parse(R"({"name": "n", "stubs": {"smtp": {}}})"));
  EXPECT_EQ(unknown.rfind("x.json: stubs.smtp: expected a known stub (ses", 0), 0u) << unknown;
  EXPECT_NE(unknown.find("), got an unknown stub"), std::string::npos) << unknown;
  EXPECT_EQ(error_of(json::parse(R"({"name": "n", "stubs": {"ses": {"max_send_rate": "x"}}})")),
            "x.json: stubs.ses.max_send_rate: expected a number of recipients per second >= 0 "
            "(0 = unlimited), got \"x\"");
}

TEST(ScenarioParse, FaultRuleErrorsComeThroughWithTheirPath) {
  auto e = error_of(json::parse(R"({"name": "n", "faults": [{"rule":
              {"action": {"type": "error", "name": "ses.nope"}}}]})"));
  EXPECT_NE(e.find("x.json: faults[0].rule"), std::string::npos) << e;
  EXPECT_NE(e.find("names such as"), std::string::npos) << e;  // some of the known names
  e = error_of(json::parse(R"({"name": "n", "faults": [{"rule":
              {"action": {"type": "error", "name": "ses.throtling"}}}]})"));
  EXPECT_NE(e.find("did you mean \"ses.throttling\"?"), std::string::npos) << e;
}

// The issue's typos, against the built-in stubs: each would have been accepted and never fired.
TEST(ScenarioParse, FaultSelectorTyposAreRefusedWithTheNearestName) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"match": {"service": "cbc", "az": "eu-west-2c"}, "action": {"type": "refuse"}})",
       "faults[0].rule.match.az: unknown availability zone \"eu-west-2c\" for service \"cbc\"; "
       "did you mean \"eu-west-2a\"?"},
      {R"({"match": {"service": "lambda", "provider": "eee"}, "action": {"type": "refuse"}})",
       "did you mean \"ee\"?"},
      {R"({"match": {"service": "ses", "operation": "SendEmial"}, "action": {"type": "refuse"}})",
       "did you mean \"SendEmail\"?"},
      {R"({"match": {"service": "mmg", "operation": "receipt"},
           "action": {"type": "error", "name": "mmg.receipt_drop"}})",
       "did you mean \"Receipt\"?"},
      {R"({"match": {"service": "ses", "az": "eu-west-2a"}, "action": {"type": "refuse"}})",
       "service \"ses\" has no availability zone"},
      {R"({"match": {"service": "ses"}, "action": {"type": "error", "name": "firetext.error"}})",
       "not one service \"ses\" renders"},
      {R"({"match": {"service": "canary"}, "action": {"type": "refuse"}})",
       "unknown service \"canary\""},
  };
  for (const auto& [rule, want] : cases) {
    auto e = error_of(json::parse(std::string(R"({"name": "n", "faults": [{"rule": )") + rule +
                                  "}]}"));
    EXPECT_NE(e.find(want), std::string::npos) << rule << "\n  got: " << e;
  }
}

TEST(ScenarioParse, AFaultWindowOverBeforeTheRuleIsAddedIsRefused) {
  auto e = error_of(json::parse(R"({"name": "n", "faults": [{"at_ms": 5000, "rule":
              {"action": {"type": "refuse"}, "trigger": {"until_ms": 4000}}}]})"));
  EXPECT_NE(e.find("faults[0].rule.trigger.until_ms: expected a time after at_ms (5000)"),
            std::string::npos)
      << e;
}

TEST(ScenarioParse, MissingFileIsAClearError) {
  try {
    load_scenario("/nonexistent/s.json");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/s.json: cannot be read (does the file exist?)");
  }
}

TEST(ScenarioParse, SmsWorkloadAndChannelFilters) {
  auto s = parse_scenario(json::parse(R"({
    "name": "n", "core": {"sms_urls": "notify_stub"},
    "stubs": {"firetext": {"api_keys": ["k"], "receipts": {"delay": {"distribution": "fixed"}}}},
    "workload": {"email": {"count": 1},
                 "sms": {"count": 2, "to": "077009001{n:02}",
                         "providers": {"initial": {"firetext": 0}, "slow_share": 0.5}}},
    "faults": [{"rule": {"match": {"service": "mmg", "operation": "Receipt"},
                         "action": {"type": "error", "name": "mmg.receipt_drop"}}}],
    "expect": {"notifications": [{"channel": "sms", "provider": "mmg", "status": "delivered",
                                  "count": 2}],
               "journal": [{"service": "mmg", "direction": "out", "min": 1}],
               "metrics": [{"name": "sms.provider-priority.mmg", "kind": "gauge", "count": 51}]}})"),
                          "x.json");
  EXPECT_EQ(s.workload.at("sms")["count"], 2);
  EXPECT_EQ(s.core_options.at("sms_urls"), "notify_stub");
  ASSERT_EQ(s.expect.notifications.size(), 1u);
  EXPECT_EQ(*s.expect.notifications[0].channel, "sms");
  EXPECT_EQ(*s.expect.notifications[0].provider, "mmg");
  EXPECT_EQ(*s.expect.journal[0].direction, "out");
  EXPECT_EQ(s.expect.metrics[0].kind, "gauge");
}

TEST(ScenarioParse, SmsErrorsNameTheField) {
  auto base = [](const char* extra) {
    return json::parse(std::string(R"({"name": "n", )") + extra + "}");
  };
  EXPECT_EQ(error_of(base(R"("workload": {"sms": {"count": "ten"}})")).rfind(
                "x.json: workload.sms.count: expected", 0),
            0u);
  EXPECT_NE(error_of(base(R"("workload": {"sms": {"providers": {"initial": {"mmg": 101}}}})"))
                .find("workload.sms.providers.initial.mmg"),
            std::string::npos);
  EXPECT_NE(error_of(base(R"("workload": {"fax": {}})")).find("workload.fax"), std::string::npos);
  EXPECT_NE(error_of(base(R"("expect": {"notifications": [{"channel": "fax", "count": 1}]})"))
                .find("expect.notifications[0].channel"),
            std::string::npos);
  EXPECT_NE(error_of(base(R"("stubs": {"mmg": {"receipts": {"callback_url": "x"}}})"))
                .find("stubs.mmg.receipts.callback_url"),
            std::string::npos);
  EXPECT_NE(error_of(base(R"("core": {"sms_urls": "other"})")).find("core.sms_urls"),
            std::string::npos);
}

}  // namespace
}  // namespace notify::scenarios

namespace notify::scenarios {
namespace {

TEST(ScenarioParse, OtelExpectationsCarryAttributeFilters) {
  auto s = parse_scenario(json::parse(R"({
    "name": "n", "core": {"metrics": "statsd"},
    "expect": {"metrics": [
      {"name": "provider.request.duration",
       "attributes": {"provider.name": "ses", "error.type": null, "provider.active": true,
                      "time_window.delivery": 600},
       "count": 3},
      {"name": "clients.ses.success", "count": 1}]}})"),
                          "x.json");
  EXPECT_EQ(s.core_options.at("metrics"), "statsd");
  ASSERT_EQ(s.expect.metrics.size(), 2u);
  const auto& otel = s.expect.metrics[0];
  EXPECT_EQ(otel.kind, "otel");
  ASSERT_EQ(otel.attributes.size(), 4u);
  // In key order, as the JSON object holds them.
  EXPECT_EQ(otel.attributes[0].first, "error.type");
  EXPECT_FALSE(otel.attributes[0].second.has_value());
  EXPECT_EQ(*otel.attributes[1].second, telemetry::AttributeValue(true));
  EXPECT_EQ(otel.attributes[2].first, "provider.name");
  EXPECT_EQ(*otel.attributes[2].second, telemetry::AttributeValue(std::string("ses")));
  EXPECT_EQ(*otel.attributes[3].second, telemetry::AttributeValue(std::int64_t{600}));
  EXPECT_EQ(s.expect.metrics[1].kind, "counter");
}

TEST(ScenarioParse, MetricsErrorsNameTheField) {
  EXPECT_NE(error_of(json::parse(R"({"name": "n", "core": {"metrics": "prometheus"}})"))
                .find("core.metrics: expected \"otel\" or \"statsd\""),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"name": "n", "expect": {"metrics": [
                {"name": "clients.ses.success", "attributes": {"a": "b"}, "count": 1}]}})"))
                .find("expect.metrics[0].attributes: expected no attributes"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"name": "n", "expect": {"metrics": [
                {"name": "provider.priority", "attributes": {"a": 1.5}, "count": 1}]}})"))
                .find("expect.metrics[0].attributes.a: expected a string, boolean, integer"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"name": "n", "expect": {"metrics": [
                {"name": "provider.priority", "kind": "gauge", "count": 1}]}})"))
                .find("expect.metrics[0].kind: expected \"otel\" (or none)"),
            std::string::npos);
}

}  // namespace
}  // namespace notify::scenarios
