// Typos that could never match are refused: every name in a selector or an error action is
// checked against what the loaded stubs report, and the message points at the nearest name.
#include "notify/stubs/faults.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace notify::stubs {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// A vocabulary shaped like the built-in stubs': SES and Firetext without providers or AZs, a
// CBC with both.
FaultVocabulary vocabulary() {
  FaultVocabulary v({"ses", "firetext", "cbc"},
                    {"ses.throttling", "ses.header_too_long", "ses.daily_quota", "ses.event_drop",
                     "ses.internal_failure", "ses.message_rejected", "ses.service_unavailable",
                     "ses.event_duplicate", "firetext.error", "cbc.reject"});
  for (const auto& name : v.errors) {
    v.errors_by_service[name.substr(0, name.find('.'))].insert(name);
  }
  v.selectors["ses"] = {{"SendEmail", "SendRawEmail", "Event"}, {}, {}};
  v.selectors["firetext"] = {{"SendSms", "Receipt"}, {}, {}};
  v.selectors["cbc"] = {{"Alert", "Cancel"}, {"ee", "o2"}, {"eu-west-2a", "eu-west-2b"}};
  return v;
}

RuleError refused(const std::string& text) {
  auto r = parse_fault_rule(json::parse(text), "rule", vocabulary());
  EXPECT_FALSE(r.has_value()) << text;
  return r ? RuleError{} : r.error();
}

bool accepted(const std::string& text) {
  auto r = parse_fault_rule(json::parse(text), "rule", vocabulary());
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().to_string());
  return r.has_value();
}

TEST(FaultVocabulary, AnAzTheServiceDoesNotHaveSuggestsTheNearest) {
  auto e = refused(R"({"match": {"service": "cbc", "az": "eu-west-2c"},
                       "action": {"type": "refuse"}})");
  EXPECT_EQ(e.field, "rule.match.az");
  EXPECT_THAT(e.message, HasSubstr("unknown availability zone \"eu-west-2c\""));
  EXPECT_THAT(e.message, HasSubstr("did you mean \"eu-west-2a\"?"));
}

TEST(FaultVocabulary, AnUnknownProviderIsRefused) {
  auto e = refused(R"({"match": {"service": "cbc", "provider": "eee"},
                       "action": {"type": "refuse"}})");
  EXPECT_EQ(e.field, "rule.match.provider");
  EXPECT_THAT(e.message, HasSubstr("did you mean \"ee\"?"));
}

TEST(FaultVocabulary, OperationsAreExactAndATypoOrWrongCaseIsNamed) {
  auto e = refused(R"({"match": {"service": "ses", "operation": "SendEmial"},
                       "action": {"type": "refuse"}})");
  EXPECT_EQ(e.field, "rule.match.operation");
  EXPECT_THAT(e.message, HasSubstr("did you mean \"SendEmail\"?"));
  e = refused(R"({"match": {"service": "firetext", "operation": "receipt"},
                  "action": {"type": "error", "name": "firetext.error"}})");
  EXPECT_EQ(e.field, "rule.match.operation");
  EXPECT_THAT(e.message, HasSubstr("did you mean \"Receipt\"?"));
  EXPECT_TRUE(accepted(R"({"match": {"service": "firetext", "operation": "Receipt"},
                           "action": {"type": "error", "name": "firetext.error"}})"));
}

TEST(FaultVocabulary, AnAzOrProviderOnAServiceWithoutThemIsRefused) {
  auto e = refused(R"({"match": {"service": "ses", "az": "eu-west-2a"},
                       "action": {"type": "refuse"}})");
  EXPECT_EQ(e.field, "rule.match.az");
  EXPECT_THAT(e.message, HasSubstr("service \"ses\" has no availability zone"));
  EXPECT_THAT(e.message, HasSubstr("\"cbc\""));
  e = refused(R"({"match": {"service": "firetext", "provider": "ee"},
                  "action": {"type": "refuse"}})");
  EXPECT_EQ(e.field, "rule.match.provider");
}

TEST(FaultVocabulary, AnyServiceTakesWhatSomeServiceCarries) {
  EXPECT_TRUE(accepted(R"({"match": {"az": "eu-west-2b"}, "action": {"type": "refuse"}})"));
  EXPECT_TRUE(accepted(R"({"match": {"operation": "SendSms"}, "action": {"type": "refuse"}})"));
  auto e = refused(R"({"match": {"az": "eu-west-3a"}, "action": {"type": "refuse"}})");
  EXPECT_EQ(e.field, "rule.match.az");
}

TEST(FaultVocabulary, AnotherServicesErrorIsRefused) {
  auto e = refused(R"({"match": {"service": "ses"},
                       "action": {"type": "error", "name": "firetext.error"}})");
  EXPECT_EQ(e.field, "rule.action.name");
  EXPECT_THAT(e.message, HasSubstr("not one service \"ses\" renders"));
  // With any service, any stub's error is taken: each stub renders its own.
  EXPECT_TRUE(accepted(R"({"action": {"type": "error", "name": "firetext.error"}})"));
}

TEST(FaultVocabulary, AnErrorTypoNamesTheNearestNotTheWholeList) {
  auto e = refused(R"({"action": {"type": "error", "name": "ses.throtling"}})");
  EXPECT_EQ(e.field, "rule.action.name");
  EXPECT_THAT(e.message, HasSubstr("did you mean \"ses.throttling\"?"));
  EXPECT_THAT(e.message, Not(HasSubstr("ses.header_too_long")));
  // Far from every name: a few of them and how many there are.
  e = refused(R"({"action": {"type": "error", "name": "boom"}})");
  EXPECT_THAT(e.message, HasSubstr("10 names such as"));
}

TEST(FaultVocabulary, AServiceTypoSuggestsTheService) {
  auto e = refused(R"({"match": {"service": "sse"}, "action": {"type": "refuse"}})");
  EXPECT_EQ(e.field, "rule.match.service");
  EXPECT_THAT(e.message, HasSubstr("did you mean \"ses\"?"));
}

TEST(FaultVocabulary, RelativeWindowsDoNotMixWithAbsoluteOnes) {
  auto r = parse_fault_rule(json::parse(R"({"action": {"type": "refuse"},
                                            "trigger": {"after_ms": 100, "for_ms": 500}})"));
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(*r->trigger.after_added, std::chrono::milliseconds(100));
  EXPECT_EQ(*r->trigger.lasting, std::chrono::milliseconds(500));
  auto e = refused(R"({"action": {"type": "refuse"},
                       "trigger": {"for_ms": 500, "until_ms": 900}})");
  EXPECT_EQ(e.field, "rule.trigger.until_ms");
  EXPECT_THAT(e.message, HasSubstr("cannot be combined"));
  e = refused(R"({"action": {"type": "refuse"}, "trigger": {"for_ms": 0}})");
  EXPECT_EQ(e.field, "rule.trigger.for_ms");
}

}  // namespace
}  // namespace notify::stubs
