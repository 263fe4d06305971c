// The fault engine: triggers, precedence, firings, seeded determinism.
#include "notify/runtime/clock.hpp"
#include "notify/stubs/faults.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace notify::stubs {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

FaultRule rule_from(const std::string& text) {
  auto r = parse_fault_rule(json::parse(text));
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
  return r ? *r : FaultRule{};
}

const RequestInfo kSes{"ses", "", "", "SendEmail", "a@example.com"};
const RequestInfo kMmg{"mmg", "", "", "Send", "447700900000"};

// Which of `n` requests (1-based) the engine fired on.
std::vector<std::uint64_t> fired_on(FaultEngine& engine, const RequestInfo& info, int n) {
  std::vector<std::uint64_t> out;
  for (int i = 1; i <= n; ++i) {
    if (!engine.evaluate(info, i).rule_ids.empty()) out.push_back(i);
  }
  return out;
}

TEST(FaultEngine, FirstFiresOnTheFirstNMatchingRequests) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(1));
  ASSERT_TRUE(engine.add(rule_from(R"({"match": {"service": "ses"}, "action": {"type": "refuse"},
                                       "trigger": {"first": 3}})")));
  std::vector<bool> fired;
  for (int i = 0; i < 5; ++i) {
    // Requests the selector does not match do not count.
    EXPECT_TRUE(engine.evaluate(kMmg, 100 + i).rule_ids.empty());
    fired.push_back(!engine.evaluate(kSes, i + 1).rule_ids.empty());
  }
  EXPECT_EQ(fired, (std::vector<bool>{true, true, true, false, false}));
}

TEST(FaultEngine, EveryFiresOnMultiples) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(1));
  ASSERT_TRUE(engine.add(rule_from(R"({"action": {"type": "reset"}, "trigger": {"every": 2}})")));
  EXPECT_EQ(fired_on(engine, kSes, 7), (std::vector<std::uint64_t>{2, 4, 6}));
}

TEST(FaultEngine, AfterFiresPastTheFirstN) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(1));
  ASSERT_TRUE(engine.add(rule_from(R"({"action": {"type": "hang"}, "trigger": {"after": 2}})")));
  EXPECT_EQ(fired_on(engine, kSes, 5), (std::vector<std::uint64_t>{3, 4, 5}));
}

TEST(FaultEngine, CountTriggersCombine) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(1));
  ASSERT_TRUE(engine.add(rule_from(
      R"({"action": {"type": "hang"}, "trigger": {"after": 2, "every": 2, "first": 8}})")));
  EXPECT_EQ(fired_on(engine, kSes, 12), (std::vector<std::uint64_t>{4, 6, 8}));
}

TEST(FaultEngine, WindowIsHalfOpenOnTheClock) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(1));
  ASSERT_TRUE(engine.add(rule_from(
      R"({"action": {"type": "refuse"}, "trigger": {"from_ms": 1000, "until_ms": 2000}})")));
  EXPECT_TRUE(engine.evaluate(kSes, 1).rule_ids.empty());
  EXPECT_FALSE(engine.refuses_service("ses"));
  clock.run_for(1000ms);
  EXPECT_FALSE(engine.evaluate(kSes, 2).rule_ids.empty());
  EXPECT_TRUE(engine.refuses_service("ses"));
  clock.run_for(999ms);
  EXPECT_FALSE(engine.evaluate(kSes, 3).rule_ids.empty());
  clock.run_for(1ms);
  EXPECT_TRUE(engine.evaluate(kSes, 4).rule_ids.empty());
  EXPECT_FALSE(engine.refuses_service("ses"));
}

std::vector<std::uint64_t> probability_pattern(std::uint64_t seed, const char* extra_rule) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(seed));
  if (extra_rule != nullptr) {
    EXPECT_TRUE(engine.add(rule_from(extra_rule)));
  }
  EXPECT_TRUE(engine.add(rule_from(
      R"({"id": "p", "match": {"service": "ses"}, "action": {"type": "error", "name": "x"},
          "trigger": {"probability": 0.5}})")));
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = 1; i <= 64; ++i) {
    auto v = engine.evaluate(kSes, i);
    if (std::find(v.rule_ids.begin(), v.rule_ids.end(), "p") != v.rule_ids.end()) {
      out.push_back(i);
    }
  }
  return out;
}

TEST(FaultEngine, ProbabilityIsDeterministicPerSeed) {
  auto a = probability_pattern(42, nullptr);
  EXPECT_EQ(a, probability_pattern(42, nullptr));
  EXPECT_NE(a, probability_pattern(43, nullptr));
  // Roughly half of 64 fire; a wildly different share would mean the draw is wrong.
  EXPECT_GT(a.size(), 16u);
  EXPECT_LT(a.size(), 48u);
}

TEST(FaultEngine, ProbabilityIsDrawnOnlyWhenTheOtherConditionsHold) {
  auto alone = probability_pattern(7, nullptr);
  // A rule that never matches, or whose count trigger never holds, draws nothing, so it cannot
  // shift the draws of rule "p".
  EXPECT_EQ(alone, probability_pattern(7, R"({"match": {"service": "mmg"},
      "action": {"type": "refuse"}, "trigger": {"probability": 0.5}})"));
  EXPECT_EQ(alone, probability_pattern(7, R"({"action": {"type": "refuse"},
      "trigger": {"probability": 0.5, "after": 1000}})"));
  // A rule that does draw shifts them (this is what the two checks above rule out).
  EXPECT_NE(alone, probability_pattern(7, R"({"action": {"type": "delay", "ms": 1},
      "trigger": {"probability": 0.5}})"));
}

TEST(FaultEngine, ConnectionActionsTakePrecedenceAndDelaysAddUp) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(1));
  ASSERT_TRUE(engine.add(rule_from(R"({"id": "e1", "action": {"type": "error", "name": "a"}})")));
  ASSERT_TRUE(engine.add(rule_from(R"({"id": "e2", "action": {"type": "error", "name": "b"}})")));
  ASSERT_TRUE(engine.add(rule_from(R"({"id": "d1", "action": {"type": "delay", "ms": 200}})")));
  ASSERT_TRUE(engine.add(rule_from(R"({"id": "d2", "action": {"type": "delay", "ms": 50}})")));

  auto v = engine.evaluate(kSes, 1);
  EXPECT_EQ(v.connection, transport::ConnectionAction::respond);
  EXPECT_EQ(v.error, "a");  // the first error rule wins
  EXPECT_EQ(v.delay, 250ms);
  EXPECT_EQ(v.rule_ids, (std::vector<std::string>{"e1", "e2", "d1", "d2"}));

  ASSERT_TRUE(engine.add(rule_from(R"({"id": "t", "action": {"type": "truncate"}})")));
  v = engine.evaluate(kSes, 2);
  EXPECT_EQ(v.connection, transport::ConnectionAction::truncate);
  EXPECT_EQ(v.error, "");  // a broken connection carries no provider error
  ASSERT_TRUE(engine.add(rule_from(R"({"id": "h", "action": {"type": "hang"}})")));
  EXPECT_EQ(engine.evaluate(kSes, 3).connection, transport::ConnectionAction::hang);
  ASSERT_TRUE(engine.add(rule_from(R"({"id": "rs", "action": {"type": "reset"}})")));
  EXPECT_EQ(engine.evaluate(kSes, 4).connection, transport::ConnectionAction::reset);
  ASSERT_TRUE(engine.add(rule_from(R"({"id": "rf", "action": {"type": "refuse"}})")));
  v = engine.evaluate(kSes, 5);
  EXPECT_EQ(v.connection, transport::ConnectionAction::refuse);
  EXPECT_EQ(v.delay, 250ms);
  EXPECT_EQ(v.rule_ids.size(), 8u);
}

TEST(FaultEngine, FiringsAreRecorded) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(1));
  ASSERT_TRUE(engine.add(rule_from(
      R"({"id": "thr", "action": {"type": "error", "name": "ses.throttling"},
          "trigger": {"every": 2}})")));
  ASSERT_TRUE(engine.add(rule_from(R"({"id": "slow", "action": {"type": "delay", "ms": 5}})")));
  for (std::uint64_t i = 1; i <= 4; ++i) {
    engine.evaluate(kSes, i);
    clock.run_for(10ms);
  }
  auto firings = engine.firings();
  ASSERT_EQ(firings.size(), 6u);
  EXPECT_EQ(engine.fired_count(), 6u);
  EXPECT_EQ(firings[0].rule_id, "slow");
  EXPECT_EQ(firings[0].action, "delay");
  EXPECT_EQ(firings[1].rule_id, "thr");
  EXPECT_EQ(firings[1].request_seq, 2u);
  EXPECT_EQ(firings[1].action, "error:ses.throttling");
  EXPECT_EQ(firings[1].at, runtime::VirtualClock::default_start() + 10ms);
  auto last = engine.recent_firings(2);
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(last[0].request_seq, 4u);
  EXPECT_EQ(to_json(last[1])["at"], "2026-01-01T00:00:00.030Z");
}

TEST(FaultEngine, FiringsKeptAreBoundedButTheCountIsNot) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(1));
  ASSERT_TRUE(engine.add(rule_from(R"({"action": {"type": "refuse"}})")));
  const std::uint64_t n = FaultEngine::kFiringsKeptMax + 5;
  for (std::uint64_t i = 1; i <= n; ++i) engine.evaluate(kSes, i);
  EXPECT_EQ(engine.fired_count(), n);
  auto firings = engine.firings();
  ASSERT_EQ(firings.size(), FaultEngine::kFiringsKeptMax);
  EXPECT_EQ(firings.front().request_seq, 6u);
  EXPECT_EQ(firings.back().request_seq, n);
}

TEST(FaultEngine, RulesAddReplaceRemoveAndNotify) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(1));
  int changes = 0;
  engine.on_change([&] {
    // Called outside the lock: reading the rules from the callback must not deadlock.
    (void)engine.rules();
    ++changes;
  });
  auto id = engine.add(rule_from(R"({"action": {"type": "refuse"}})"));
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "rule-1");
  EXPECT_FALSE(engine.add(rule_from(R"({"id": "rule-1", "action": {"type": "reset"}})")));
  auto r = rule_from(R"({"id": "rule-1", "action": {"type": "hang"}, "trigger": {"first": 1}})");
  ASSERT_TRUE(engine.replace(r));
  EXPECT_EQ(engine.rules().at(0).action.type, FaultAction::Type::hang);
  r.id = "nope";
  EXPECT_EQ(engine.replace(r).error().field, "id");
  EXPECT_TRUE(engine.remove("rule-1"));
  EXPECT_FALSE(engine.remove("rule-1"));
  EXPECT_EQ(changes, 3);
}

TEST(FaultEngine, KnownErrorsAreEnforcedOnAdd) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(1));
  engine.set_known_errors({"fake.boom"});
  auto bad = engine.add(rule_from(R"({"action": {"type": "error", "name": "fake.bam"}})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "action.name");
  EXPECT_TRUE(engine.add(rule_from(R"({"action": {"type": "error", "name": "fake.boom"}})")));
}

TEST(FaultEngine, RefusesServiceOnlyForWholeServiceRefusals) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(1));
  ASSERT_TRUE(engine.add(rule_from(
      R"({"match": {"service": "ses", "operation": "SendEmail"}, "action": {"type": "refuse"}})")));
  ASSERT_TRUE(engine.add(rule_from(
      R"({"match": {"service": "ses"}, "action": {"type": "refuse"}, "trigger": {"first": 2}})")));
  ASSERT_TRUE(engine.add(rule_from(
      R"({"match": {"service": "lambda", "az": "eu-west-2a"}, "action": {"type": "refuse"}})")));
  EXPECT_FALSE(engine.refuses_service("ses"));
  EXPECT_FALSE(engine.refuses_service("lambda"));
  EXPECT_TRUE(engine.refuses_listener("lambda", "ee", "eu-west-2a"));
  EXPECT_FALSE(engine.refuses_listener("lambda", "ee", "eu-west-2b"));
  ASSERT_TRUE(engine.add(rule_from(
      R"({"id": "off", "match": {"service": "ses"}, "action": {"type": "refuse"},
          "enabled": false})")));
  EXPECT_FALSE(engine.refuses_service("ses"));
  ASSERT_TRUE(
      engine.add(rule_from(R"({"match": {"service": "any"}, "action": {"type": "refuse"}})")));
  EXPECT_TRUE(engine.refuses_service("ses"));
  EXPECT_TRUE(engine.refuses_service("mmg"));
}

TEST(FaultEngine, ResetReplaysLikeAFreshEngine) {
  runtime::VirtualClock clock;
  FaultEngine engine(clock, runtime::Rng(9));
  const char* rule = R"({"id": "p", "action": {"type": "refuse"},
                         "trigger": {"probability": 0.5, "until_ms": 100000}})";
  ASSERT_TRUE(engine.add(rule_from(rule)));
  auto first = fired_on(engine, kSes, 32);
  clock.run_for(200s);
  engine.reset();
  EXPECT_TRUE(engine.rules().empty());
  EXPECT_EQ(engine.fired_count(), 0u);
  ASSERT_TRUE(engine.add(rule_from(rule)));
  EXPECT_EQ(fired_on(engine, kSes, 32), first);
}

}  // namespace
}  // namespace notify::stubs
