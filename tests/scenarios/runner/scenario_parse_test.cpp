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
  EXPECT_EQ(error_of(json::parse(R"({"name": "n", "stubs": {"smtp": {}}})")),
            "x.json: stubs.smtp: expected a known stub (ses, lambda, cbc), got an unknown stub");
  EXPECT_EQ(error_of(json::parse(R"({"name": "n", "stubs": {"ses": {"max_send_rate": "x"}}})")),
            "x.json: stubs.ses.max_send_rate: expected a number of recipients per second >= 0 "
            "(0 = unlimited), got \"x\"");
}

TEST(ScenarioParse, FaultRuleErrorsComeThroughWithTheirPath) {
  auto e = error_of(json::parse(R"({"name": "n", "faults": [{"rule":
              {"action": {"type": "error", "name": "ses.nope"}}}]})"));
  EXPECT_NE(e.find("x.json: faults[0].rule"), std::string::npos) << e;
  EXPECT_NE(e.find("ses.throttling"), std::string::npos) << e;  // lists the known names
}

TEST(ScenarioParse, MissingFileIsAClearError) {
  try {
    load_scenario("/nonexistent/s.json");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/s.json: cannot be read (does the file exist?)");
  }
}

}  // namespace
}  // namespace notify::scenarios
