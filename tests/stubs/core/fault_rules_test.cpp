// Fault rule parsing: every error names the field and says what was expected.
#include "notify/stubs/faults.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace notify::stubs {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

RuleError parse_error(const json& j, const FaultVocabulary& known = {}) {
  auto r = parse_fault_rule(j, "rule", known);
  EXPECT_FALSE(r.has_value()) << j.dump();
  return r ? RuleError{} : r.error();
}

TEST(FaultRules, ParsesTheFullFormat) {
  auto j = json::parse(R"({
    "id": "ses-down", "description": "SES is down",
    "match": {"service": "ses", "provider": "ee", "az": "eu-west-2a", "operation": "SendEmail",
              "recipient": "*@example.com"},
    "action": {"type": "delay", "distribution": "uniform", "min_ms": 10, "max_ms": 50},
    "trigger": {"probability": 0.2, "first": 3, "every": 5, "after": 10, "from_ms": 0,
                "until_ms": 60000},
    "enabled": false})");
  auto rule = parse_fault_rule(j);
  ASSERT_TRUE(rule.has_value()) << rule.error().to_string();
  EXPECT_EQ(rule->id, "ses-down");
  EXPECT_EQ(rule->match.service, "ses");
  EXPECT_EQ(rule->match.recipient, "*@example.com");
  EXPECT_EQ(rule->action.type, FaultAction::Type::delay);
  EXPECT_EQ(rule->action.distribution, DelayDistribution::uniform);
  EXPECT_EQ(rule->action.max_ms, 50);
  EXPECT_EQ(*rule->trigger.probability, 0.2);
  EXPECT_EQ(*rule->trigger.first, 3u);
  EXPECT_EQ(*rule->trigger.every, 5u);
  EXPECT_EQ(*rule->trigger.after, 10u);
  EXPECT_EQ(*rule->trigger.until, std::chrono::milliseconds(60000));
  EXPECT_FALSE(rule->enabled);
  // to_json gives back the same rule.
  auto again = parse_fault_rule(to_json(*rule));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(to_json(*again), to_json(*rule));
}

TEST(FaultRules, DefaultsAreAnyServiceAlwaysEnabled) {
  auto rule = parse_fault_rule(json::parse(R"({"action": {"type": "refuse"}})"));
  ASSERT_TRUE(rule.has_value());
  EXPECT_EQ(rule->match.service, "any");
  EXPECT_TRUE(rule->enabled);
  EXPECT_FALSE(rule->trigger.probability.has_value());
}

TEST(FaultRules, UnknownFieldIsNamed) {
  auto e = parse_error(json::parse(R"({"acton": {"type": "refuse"}})"));
  EXPECT_EQ(e.field, "rule.acton");
  EXPECT_THAT(e.message, HasSubstr("unknown field"));
  EXPECT_THAT(e.message, HasSubstr("\"action\""));
}

TEST(FaultRules, UnknownActionListsTheAllowedOnes) {
  auto e = parse_error(json::parse(R"({"action": {"type": "explode"}})"));
  EXPECT_EQ(e.field, "rule.action.type");
  EXPECT_THAT(e.message, HasSubstr("\"explode\""));
  EXPECT_THAT(e.message, HasSubstr("\"refuse\""));
  EXPECT_THAT(e.message, HasSubstr("\"truncate\""));
}

TEST(FaultRules, UnknownServiceListsTheAllowedOnes) {
  const FaultVocabulary known({"firetext", "ses"}, {});
  auto e = parse_error(json::parse(R"({"match": {"service": "smtp"}, "action": {"type": "hang"}})"),
                       known);
  EXPECT_EQ(e.field, "rule.match.service");
  EXPECT_THAT(e.message, HasSubstr("\"smtp\""));
  EXPECT_THAT(e.message, HasSubstr("\"firetext\""));
  EXPECT_THAT(e.message, HasSubstr("\"any\""));
  // Without a vocabulary (a rule read before any stub exists) any service name is taken.
  EXPECT_TRUE(parse_fault_rule(
      json::parse(R"({"match": {"service": "smtp"}, "action": {"type": "hang"}})")));
}

TEST(FaultRules, WrongTypeNamesTheExpectedType) {
  auto e = parse_error(
      json::parse(R"({"action": {"type": "refuse"}, "trigger": {"probability": "high"}})"));
  EXPECT_EQ(e.field, "rule.trigger.probability");
  EXPECT_THAT(e.message, HasSubstr("between 0 and 1"));
  EXPECT_THAT(e.message, HasSubstr("\"high\""));

  e = parse_error(json::parse(R"({"action": {"type": "refuse"}, "enabled": "yes"})"));
  EXPECT_EQ(e.field, "rule.enabled");
  EXPECT_THAT(e.message, HasSubstr("true or false"));

  e = parse_error(json::parse(R"({"action": {"type": "refuse"}, "match": {"az": 2}})"));
  EXPECT_EQ(e.field, "rule.match.az");
  EXPECT_THAT(e.message, HasSubstr("expected a string"));

  e = parse_error(json::parse(R"({"action": {"type": "refuse"}, "trigger": {"every": 0}})"));
  EXPECT_EQ(e.field, "rule.trigger.every");
  EXPECT_THAT(e.message, HasSubstr("integer >= 1"));
}

TEST(FaultRules, DelayFieldsDependOnTheDistribution) {
  auto e = parse_error(json::parse(R"({"action": {"type": "delay", "min_ms": 3}})"));
  EXPECT_EQ(e.field, "rule.action.min_ms");
  EXPECT_THAT(e.message, HasSubstr("fixed delay"));

  e = parse_error(json::parse(R"({"action": {"type": "delay", "distribution": "fixed"}})"));
  EXPECT_EQ(e.field, "rule.action.ms");
  EXPECT_THAT(e.message, HasSubstr("missing"));

  e = parse_error(json::parse(R"({"action": {"type": "delay", "distribution": "pareto"}})"));
  EXPECT_EQ(e.field, "rule.action.distribution");
  EXPECT_THAT(e.message, HasSubstr("\"lognormal\""));

  e = parse_error(json::parse(
      R"({"action": {"type": "delay", "distribution": "uniform", "min_ms": 9, "max_ms": 3}})"));
  EXPECT_EQ(e.field, "rule.action.max_ms");

  e = parse_error(json::parse(R"({"action": {"type": "refuse", "ms": 3}})"));
  EXPECT_EQ(e.field, "rule.action.ms");
  EXPECT_THAT(e.message, HasSubstr("refuse action"));
}

TEST(FaultRules, ErrorNamesAreCheckedWhenKnown) {
  auto j = json::parse(R"({"action": {"type": "error", "name": "ses.throtling"}})");
  EXPECT_TRUE(parse_fault_rule(j).has_value());
  auto e = parse_error(j, std::set<std::string>{"ses.throttling", "ses.header_too_long"});
  EXPECT_EQ(e.field, "rule.action.name");
  EXPECT_THAT(e.message, HasSubstr("\"ses.throtling\""));
  EXPECT_THAT(e.message, HasSubstr("\"ses.throttling\""));
}

TEST(FaultRules, MissingActionAndBadIdAreNamed) {
  auto e = parse_error(json::parse(R"({"id": "x"})"));
  EXPECT_EQ(e.field, "rule.action");
  e = parse_error(json::parse(R"({"id": "a b", "action": {"type": "reset"}})"));
  EXPECT_EQ(e.field, "rule.id");
  e = parse_error(json::parse(R"([1, 2])"));
  EXPECT_EQ(e.field, "rule");
  EXPECT_THAT(e.message, HasSubstr("an object"));
}

TEST(FaultRules, ListErrorsCarryTheIndex) {
  auto j = json::parse(R"({"faults": [{"action": {"type": "refuse"}},
                                      {"action": {"type": "reset"}, "trigger": {"every": -1}}]})");
  auto r = parse_fault_rules(j);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().field, "faults[1].trigger.every");

  auto dup = parse_fault_rules(json::parse(
      R"([{"id": "a", "action": {"type": "refuse"}}, {"id": "a", "action": {"type": "hang"}}])"));
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().field, "faults[1].id");

  auto ok = parse_fault_rules(json::parse(R"([{"action": {"type": "truncate"}}])"));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->size(), 1u);
}

TEST(FaultRules, SelectorGlobMatchesRecipients) {
  FaultSelector s;
  s.service = "ses";
  s.recipient = "*@Example.com";
  RequestInfo info{"ses", "", "", "SendEmail", "someone@example.com"};
  EXPECT_TRUE(s.matches(info));
  info.recipient = "someone@example.org";
  EXPECT_FALSE(s.matches(info));
  s.recipient = "user?@example.org";
  info.recipient = "user7@example.org";
  EXPECT_TRUE(s.matches(info));
  info.service = "mmg";
  EXPECT_FALSE(s.matches(info));
}

}  // namespace
}  // namespace notify::stubs
