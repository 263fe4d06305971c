// The chaos generator and the invariants: a seed gives one scenario and one history, and each
// invariant catches the breach it names.
#include "notify/scenarios/chaos.hpp"

#include <gtest/gtest.h>

namespace notify::scenarios {
namespace {

using nlohmann::json;

TEST(Chaos, ASeedGivesOneScenarioAndReplaysByteForByte) {
  ChaosOptions o;
  EXPECT_EQ(generate_chaos_scenario(7, o), generate_chaos_scenario(7, o));
  EXPECT_NE(generate_chaos_scenario(7, o), generate_chaos_scenario(8, o));
  auto first = run_chaos_seed(7, o);
  auto again = run_chaos_seed(7, o);
  EXPECT_EQ(first.result.report.dump(), again.result.report.dump());
  // The generated scenario is a real scenario file.
  EXPECT_NO_THROW(parse_scenario(first.scenario, "chaos.json"));
}

TEST(Chaos, GeneratedTimelinesCoverEveryFaultKindOverManySeeds) {
  ChaosOptions o;
  std::set<std::string> kinds;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const json scenario = generate_chaos_scenario(seed, o);
    for (const auto& f : scenario["faults"]) {
      const auto& action = f["rule"]["action"];
      std::string kind = action["type"];
      if (kind == "error") kind += ":" + action["name"].get<std::string>();
      if (f["rule"]["match"].contains("operation")) kind += "@callback";
      kinds.insert(kind);
    }
  }
  for (const char* k : {"refuse", "reset", "hang", "truncate", "delay", "delay@callback",
                        "error:ses.throttling", "error:ses.event_drop@callback"})
    EXPECT_TRUE(kinds.count(k)) << k;
}

RunResult result_with(json notifications, json journal) {
  RunResult r;
  r.report = {{"notifications", std::move(notifications)}, {"journal", std::move(journal)}};
  return r;
}

TEST(Chaos, EachInvariantCatchesItsBreach) {
  json scenario = {{"core", {{"max_retries", 2}}}, {"workload", {{"email", {{"count", 3}}}}}};
  json accepted = {{"direction", "in"}, {"outcome", "ok"}, {"reference", "r1"}};
  auto names = [](const std::vector<InvariantViolation>& v) {
    std::set<std::string> out;
    for (const auto& x : v) out.insert(x.invariant);
    return out;
  };
  // Healthy: three final notifications, one acceptance for one attempt.
  json good =
      json::array({{{"id", "a"}, {"status", "delivered"}, {"attempts", 1}, {"reference", "r1"}},
                   {{"id", "b"}, {"status", "technical-failure"}, {"attempts", 3}},
                   {{"id", "c"}, {"status", "permanent-failure"}, {"attempts", 1}}});
  EXPECT_TRUE(check_invariants(scenario, result_with(good, json::array({accepted}))).empty());

  json bad = good;
  bad.erase(2);
  EXPECT_TRUE(names(check_invariants(scenario, result_with(bad, json::array({accepted}))))
                  .count("never_lost"));
  bad = good;
  bad[1]["attempts"] = 4;
  EXPECT_TRUE(names(check_invariants(scenario, result_with(bad, json::array({accepted}))))
                  .count("attempts_bounded"));
  bad = good;
  bad[2]["status"] = "created";
  EXPECT_TRUE(names(check_invariants(scenario, result_with(bad, json::array({accepted}))))
                  .count("task_finished"));
  bad = good;
  bad[0]["status"] = "sending";
  EXPECT_TRUE(names(check_invariants(scenario, result_with(bad, json::array({accepted}))))
                  .count("final_or_documented"));
  // ...unless a callback was lost, which the model documents.
  json lost = {{"direction", "out"}, {"outcome", "dropped"}};
  EXPECT_TRUE(check_invariants(scenario, result_with(bad, json::array({accepted, lost}))).empty());
  bad = good;
  bad[0]["reference"] = "never-handed-out";
  EXPECT_TRUE(names(check_invariants(scenario, result_with(bad, json::array({accepted}))))
                  .count("reference_accepted"));
  json many = json::array();
  for (int i = 0; i < 6; ++i) many.push_back(accepted);
  EXPECT_TRUE(names(check_invariants(scenario, result_with(good, many)))
                  .count("acceptances_match_attempts"));
  RunResult unsettled = result_with(good, json::array({accepted}));
  unsettled.error = "the run did not settle";
  EXPECT_TRUE(names(check_invariants(scenario, unsettled)).count("settles"));
}

}  // namespace
}  // namespace notify::scenarios
