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

TEST(Chaos, EveryChannelTakesPartAndCbcFaultsNarrowToListeners) {
  ChaosOptions o;
  std::set<std::string> channels;
  std::set<std::string> cbc_matches;
  std::set<std::string> broadcast_events;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const json scenario = generate_chaos_scenario(seed, o);
    EXPECT_NO_THROW(parse_scenario(scenario, "chaos.json")) << seed;
    for (const auto& [name, block] : scenario["workload"].items()) channels.insert(name);
    for (const auto& e : scenario["workload"]["broadcast"]["events"])
      broadcast_events.insert(e["type"].get<std::string>());
    for (const auto& f : scenario["faults"]) {
      const auto& match = f["rule"]["match"];
      if (match["service"] != "cbc" && match["service"] != "lambda") continue;
      cbc_matches.insert(match["service"].get<std::string>() + ":" +
                         (match.contains("provider") ? "provider" : "") +
                         (match.contains("az") ? "+az" : ""));
    }
  }
  EXPECT_EQ(channels, (std::set<std::string>{"broadcast", "email", "sms"}));
  EXPECT_EQ(broadcast_events, (std::set<std::string>{"alert", "cancel", "update"}));
  // The whole service, one operator, one AZ across operators (an AZ outage), one listener or
  // Lambda function.
  for (const char* service : {"cbc:", "lambda:"})
    for (const char* scope : {"", "provider", "+az", "provider+az"})
      EXPECT_TRUE(cbc_matches.count(std::string(service) + scope)) << service << scope;
}

// A run's report as the invariants read it: one channel's messages and the stubs' journal.
RunResult result_with(const std::string& channel, json messages, json journal,
                      std::int64_t expected = -1) {
  RunResult r;
  const auto n = static_cast<std::int64_t>(messages.size());
  r.report = {{"channels",
               {{channel,
                 {{"expected", expected < 0 ? n : expected},
                  {"stored", n},
                  {"messages", std::move(messages)}}}}},
              {"journal", std::move(journal)}};
  return r;
}

std::set<std::string> names(const std::vector<InvariantViolation>& v) {
  std::set<std::string> out;
  for (const auto& x : v) out.insert(x.invariant);
  return out;
}

json history(std::initializer_list<std::pair<const char*, const char*>> steps) {
  json h = json::array();
  for (const auto& [status, at] : steps) h.push_back({{"status", status}, {"at", at}});
  return h;
}

json message(const std::string& id, const std::string& status, int attempts, json h,
             const std::string& reference = "", json keys = json::array(), int attempts_max = 3) {
  return {{"id", id},
          {"status", status},
          {"history", std::move(h)},
          {"attempts", attempts},
          {"attempts_max", attempts_max},
          {"reference", reference},
          {"keys", std::move(keys)},
          {"documented", ""}};
}

TEST(Chaos, EachInvariantCatchesItsBreach) {
  const json scenario = {{"workload", {{"email", {{"count", 3}}}}}};
  const json accepted = {{"service", "ses"},  {"direction", "in"},
                         {"outcome", "ok"},   {"operation", "SendEmail"},
                         {"reference", "r1"}, {"at", "2026-01-01T00:00:01.000Z"}};
  // Healthy: three final notifications, one acceptance for one attempt.
  const json good =
      json::array({message("a", "delivered", 1,
                           history({{"created", "2026-01-01T00:00:00.000Z"},
                                    {"sending", "2026-01-01T00:00:01.000Z"},
                                    {"delivered", "2026-01-01T00:00:02.000Z"}}),
                           "r1", json::array({"r1"})),
                   message("b", "technical-failure", 3,
                           history({{"created", "2026-01-01T00:00:00.000Z"},
                                    {"technical-failure", "2026-01-01T00:03:00.000Z"}})),
                   message("c", "permanent-failure", 1,
                           history({{"created", "2026-01-01T00:00:00.000Z"},
                                    {"sending", "2026-01-01T00:00:01.000Z"},
                                    {"permanent-failure", "2026-01-01T00:00:02.000Z"}}))});
  auto check = [&](const json& messages, const json& journal, std::int64_t expected = -1) {
    return names(check_invariants(scenario, result_with("email", messages, journal, expected)));
  };
  EXPECT_TRUE(check(good, json::array({accepted})).empty());

  EXPECT_TRUE(check(good, json::array({accepted}), 4).count("never_lost"));
  json bad = good;
  bad[1]["attempts"] = 4;
  EXPECT_TRUE(check(bad, json::array({accepted})).count("attempts_bounded"));
  bad = good;
  bad[2]["status"] = "created";
  bad[2]["history"] = history({{"created", "2026-01-01T00:00:00.000Z"}});
  EXPECT_TRUE(check(bad, json::array({accepted})).count("task_finished"));
  bad = good;
  bad[0]["status"] = "sending";
  bad[0]["history"].erase(2);
  EXPECT_TRUE(check(bad, json::array({accepted})).count("final_or_documented"));
  // ...unless one of SES's events was lost, which the model documents.
  json lost = {
      {"service", "ses"}, {"direction", "out"}, {"operation", "Event"}, {"outcome", "dropped"}};
  EXPECT_TRUE(check(bad, json::array({accepted, lost})).empty());
  // A failed outbound call that is not a callback (a Lambda's call to its CBC) documents nothing.
  json cbc_call = {{"service", "cbc"},
                   {"direction", "out"},
                   {"operation", "Alert"},
                   {"outcome", "connection_refused"}};
  EXPECT_TRUE(check(bad, json::array({accepted, cbc_call})).count("final_or_documented"));
  bad = good;
  bad[0]["reference"] = "never-handed-out";
  EXPECT_TRUE(check(bad, json::array({accepted})).count("reference_accepted"));
  json many = json::array();
  for (int i = 0; i < 6; ++i) many.push_back(accepted);
  EXPECT_TRUE(check(good, many).count("acceptances_match_attempts"));
  // A final status changed again, and a status Notify's model never leads to.
  bad = good;
  bad[0]["history"].push_back({{"status", "sending"}, {"at", "2026-01-01T00:00:03.000Z"}});
  bad[0]["status"] = "sending";
  EXPECT_TRUE(check(bad, json::array({accepted, lost})).count("transitions_allowed"));
  bad = good;
  bad[2]["history"][1]["status"] = "pending";
  EXPECT_TRUE(check(bad, json::array({accepted})).count("transitions_allowed"));
  // An accepted send after the notification was final.
  json late = accepted;
  late["at"] = "2026-01-01T00:00:05.000Z";
  EXPECT_TRUE(check(good, json::array({accepted, late})).count("no_send_after_final"));

  RunResult unsettled = result_with("email", good, json::array({accepted}));
  unsettled.error = "the run did not settle";
  EXPECT_TRUE(names(check_invariants(scenario, unsettled)).count("settles"));
}

TEST(Chaos, SomeSeedsRunTheSesReceiptPathOverSqsWithAnSqsFault) {
  ChaosOptions o;
  int over_sqs = 0;
  std::set<std::string> operations;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    const json scenario = generate_chaos_scenario(seed, o);
    if (scenario["core"].value("ses_receipts", "http") != "sqs") continue;
    ++over_sqs;
    EXPECT_NO_THROW(parse_scenario(scenario, "chaos.json")) << seed;
    bool sqs_rule = false;
    for (const auto& f : scenario["faults"]) {
      if (f["rule"]["id"] != "chaos-sqs") continue;
      sqs_rule = true;
      EXPECT_EQ(f["rule"]["match"]["service"], "sqs");
      operations.insert(f["rule"]["match"].value("operation", "any"));
    }
    EXPECT_TRUE(sqs_rule) << seed;
  }
  // One seed in ten, give or take.
  EXPECT_GE(over_sqs, 15);
  EXPECT_LE(over_sqs, 50);
  EXPECT_EQ(operations,
            (std::set<std::string>{"any", "SendMessage", "ReceiveMessage", "DeleteMessage"}));
  // The other seeds keep the timelines they had: a seed over HTTP has no rule of its own on SQS.
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const json scenario = generate_chaos_scenario(seed, o);
    if (scenario["core"].contains("ses_receipts")) continue;
    for (const auto& f : scenario["faults"]) EXPECT_NE(f["rule"]["id"], "chaos-sqs") << seed;
  }
}

TEST(Chaos, SqsSeedsPassTheirInvariants) {
  ChaosOptions o;
  int ran = 0;
  for (std::uint64_t seed = 1; seed <= 400 && ran < 6; ++seed) {
    if (generate_chaos_scenario(seed, o)["core"].value("ses_receipts", "http") != "sqs") continue;
    ++ran;
    auto outcome = run_chaos_seed(seed, o);
    for (const auto& v : outcome.violations) ADD_FAILURE() << seed << ": " << v.detail;
    // The SQS stub's queues are in the report for the queue invariant.
    EXPECT_TRUE(outcome.result.report["stub_state"]["sqs"]["queues"].is_array()) << seed;
  }
  EXPECT_EQ(ran, 6);
}

// The report of a run whose SES events went over SQS: the queue's counts and the journal.
json queue(std::uint64_t sent, std::uint64_t deleted, std::uint64_t held,
           const std::string& name = "ses-callbacks") {
  return {{"name", name},     {"sent", sent}, {"duplicated", 0}, {"moved_in", 0},
          {"deleted", deleted}, {"dead_lettered", 0}, {"expired", 0}, {"visible", held},
          {"in_flight", 0},   {"delayed", 0}};
}

json sqs_send(const std::string& id, const std::string& outcome = "ok") {
  return {{"service", "sqs"},     {"direction", "in"}, {"operation", "SendMessage"},
          {"recipient", "ses-callbacks"}, {"reference", id}, {"outcome", outcome}};
}

TEST(Chaos, QueueMessagesAreAccountedFor) {
  const json scenario = {{"workload", json::object()}};
  auto check = [&](json queues, json journal) {
    RunResult r;
    r.report = {{"journal", std::move(journal)},
                {"journal_dropped", 0},
                {"stub_state", {{"sqs", {{"queues", std::move(queues)}}}}}};
    return names(check_invariants(scenario, r));
  };
  const json two_sends = json::array({sqs_send("m1"), sqs_send("m2")});
  EXPECT_TRUE(check(json::array({queue(2, 2, 0)}), two_sends).empty());
  EXPECT_TRUE(check(json::array({queue(2, 1, 1)}), two_sends).empty());  // one still queued
  // A message that vanished, one that appeared from nowhere.
  EXPECT_TRUE(check(json::array({queue(2, 1, 0)}), two_sends).count("queue_messages_accounted"));
  EXPECT_TRUE(check(json::array({queue(2, 2, 1)}), two_sends).count("queue_messages_accounted"));
  // The stub stored a send the journal does not show it accepted, or lost one it did.
  EXPECT_TRUE(check(json::array({queue(3, 3, 0)}), two_sends).count("queue_messages_accounted"));
  EXPECT_TRUE(check(json::array({queue(1, 1, 0)}), two_sends).count("queue_messages_accounted"));
  // A second copy is accounted for only by the fault that asked for it.
  json twice = queue(2, 3, 0);
  twice["duplicated"] = 1;
  EXPECT_TRUE(check(json::array({twice}), two_sends).count("queue_messages_accounted"));
  EXPECT_TRUE(check(json::array({twice}),
                    json::array({sqs_send("m1"), sqs_send("m2", "error:sqs.duplicate_delivery")}))
                  .empty());
  // Dead-lettered from one queue, moved into another.
  json source = queue(2, 1, 0);
  source["dead_lettered"] = 1;
  json dlq = queue(0, 0, 1, "ses-callbacks-dlq");
  dlq["moved_in"] = 1;
  EXPECT_TRUE(check(json::array({source, dlq}), two_sends).empty());
  dlq["moved_in"] = 0;
  dlq["visible"] = 0;
  EXPECT_TRUE(check(json::array({source, dlq}), two_sends).count("queue_messages_accounted"));
  // A journal that dropped entries cannot be counted against the stub.
  RunResult r;
  r.report = {{"journal", json::array()},
              {"journal_dropped", 5},
              {"stub_state", {{"sqs", {{"queues", json::array({queue(2, 2, 0)})}}}}}};
  EXPECT_TRUE(check_invariants(scenario, r).empty());
}

TEST(Chaos, AnEventStillQueuedOrRetriedIsNotALostCallbackUnlessItIs) {
  const json scenario = {{"workload", {{"email", {{"count", 1}}}}}};
  const json accepted = {{"service", "ses"},  {"direction", "in"},
                         {"outcome", "ok"},   {"operation", "SendEmail"},
                         {"reference", "r1"}, {"at", "2026-01-01T00:00:01.000Z"}};
  const json sending = json::array(
      {message("a", "sending", 1,
               history({{"created", "2026-01-01T00:00:00.000Z"},
                        {"sending", "2026-01-01T00:00:01.000Z"}}),
               "r1", json::array({"r1"}))});
  auto check = [&](json journal, json queues) {
    RunResult r = result_with("email", sending, std::move(journal));
    r.report["journal_dropped"] = 0;
    r.report["stub_state"] = {{"sqs", {{"queues", std::move(queues)}}}};
    return names(check_invariants(scenario, r));
  };
  const json retried = {{"service", "ses"},
                        {"direction", "out"},
                        {"operation", "Event"},
                        {"outcome", "retry:status:400"}};
  json delivered = retried;
  delivered["outcome"] = "ok";
  json gave_up = retried;
  gave_up["outcome"] = "status:400";
  // A throttled send that its sender retried, and whose retry reached the queue, lost nothing;
  // the event was consumed, so a notification left in sending is a violation.
  EXPECT_TRUE(check(json::array({accepted, retried, delivered, sqs_send("m1")}),
                    json::array({queue(1, 1, 0)}))
                  .count("final_or_documented"));
  // The sender gave up: the event was lost.
  EXPECT_TRUE(
      check(json::array({accepted, retried, gave_up}), json::array({queue(0, 0, 0)})).empty());
  // The event is still on the queue at the end (the consumer got nothing back for a while).
  EXPECT_TRUE(check(json::array({accepted, retried, delivered, sqs_send("m1")}),
                    json::array({queue(1, 0, 1)}))
                  .empty());
}

TEST(Chaos, SmsReceiptsMayOvertakeTheAnswerButNotFollowAFinalStatus) {
  const json scenario = {{"workload", {{"sms", {{"count", 1}}}}}};
  json send = {{"service", "mmg"},    {"direction", "in"}, {"outcome", "ok"},
               {"operation", "Send"}, {"reference", "n1"}, {"at", "2026-01-01T00:00:01.000Z"}};
  // The receipt set delivered before the answer to the send arrived: allowed.
  json overtaken = json::array({message(
      "n1", "delivered", 1,
      history({{"created", "2026-01-01T00:00:00.000Z"}, {"delivered", "2026-01-01T00:00:01.000Z"}}),
      "n1", json::array({"n1"}))});
  EXPECT_TRUE(
      check_invariants(scenario, result_with("sms", overtaken, json::array({send}))).empty());
  // A retry sent after that: the stub accepted it later.
  json again = send;
  again["at"] = "2026-01-01T00:01:01.000Z";
  json twice = overtaken;
  twice[0]["attempts"] = 2;
  EXPECT_TRUE(
      names(check_invariants(scenario, result_with("sms", twice, json::array({send, again}))))
          .count("no_send_after_final"));
  // In wire mode the stubs read the clock on their own thread: a retry the core sent just before
  // a receipt made the message final may be journaled just after it (chaos seed 1002 under
  // ASan: 45 ms of scenario time, 0.2 ms of real time at time scale 200). Within 5 ms of real
  // time it is not a send after final; beyond that, or in sim mode, it is.
  json wire_scenario = scenario;
  wire_scenario["wire"] = {{"time_scale", 200}};
  json just_after = send;
  just_after["at"] = "2026-01-01T00:00:01.045Z";
  RunResult raced = result_with("sms", twice, json::array({send, just_after}));
  EXPECT_TRUE(names(check_invariants(wire_scenario, raced)).count("no_send_after_final"));
  raced.mode = Mode::wire;
  EXPECT_TRUE(check_invariants(wire_scenario, raced).empty());
  just_after["at"] = "2026-01-01T00:00:02.001Z";
  raced = result_with("sms", twice, json::array({send, just_after}));
  raced.mode = Mode::wire;
  EXPECT_TRUE(names(check_invariants(wire_scenario, raced)).count("no_send_after_final"));
  // A send whose key no stored notification holds was lost from the store.
  json stray = send;
  stray["reference"] = "unknown";
  EXPECT_TRUE(
      names(check_invariants(scenario, result_with("sms", overtaken, json::array({send, stray}))))
          .count("never_lost"));
}

TEST(Chaos, BroadcastProviderMessagesAreJudgedByTheirOwnRules) {
  const json scenario = {{"workload", {{"broadcast", {{"events", json::array()}}}}}};
  auto cbc = [](const std::string& reference, const std::string& at) {
    return json{{"service", "cbc"},     {"direction", "in"},      {"outcome", "ok"},
                {"operation", "Alert"}, {"reference", reference}, {"at", at}};
  };
  json acked = json::array({message("p1", "returned-ack", 2,
                                    history({{"sending", "2026-01-01T00:00:00.000Z"},
                                             {"returned-ack", "2026-01-01T00:00:02.000Z"}}),
                                    "", json::array({"p1"}), 2),
                            message("p2", "returned-ack", 1,
                                    history({{"sending", "2026-01-01T00:00:00.000Z"},
                                             {"returned-ack", "2026-01-01T00:00:01.000Z"}}),
                                    "", json::array({"p2", "00000007"}), 2)});
  const json journal =
      json::array({cbc("p1", "2026-01-01T00:00:01.000Z"), cbc("p1", "2026-01-01T00:00:02.000Z"),
                   cbc("00000007", "2026-01-01T00:00:01.000Z")});
  auto check = [&](const json& messages, const json& j) {
    return names(check_invariants(scenario, result_with("broadcast", messages, j)));
  };
  EXPECT_TRUE(check(acked, journal).empty());
  // A link test's acceptance belongs to no provider message and is not counted.
  json with_test = journal;
  with_test.push_back(cbc("link-test-id", "2026-01-01T00:00:03.000Z"));
  with_test.back()["operation"] = "Test";
  EXPECT_TRUE(check(acked, with_test).empty());

  json bad = acked;
  bad[1]["status"] = "sending";
  bad[1]["history"].erase(1);
  EXPECT_TRUE(check(bad, journal).count("final_or_documented"));
  bad[1]["documented"] = "the event expired while its task retried";
  EXPECT_TRUE(check(bad, journal).empty());
  bad = acked;
  bad[0]["attempts"] = 3;
  EXPECT_TRUE(check(bad, journal).count("attempts_bounded"));
  json stray = journal;
  stray.push_back(cbc("p9", "2026-01-01T00:00:01.000Z"));
  EXPECT_TRUE(check(acked, stray).count("never_lost"));
  json after = journal;
  after.push_back(cbc("00000007", "2026-01-01T00:00:09.000Z"));
  EXPECT_TRUE(check(acked, after).count("no_send_after_final"));
  // Up to the SDK's five sends per invocation the core counts; a sixth was never asked for.
  json flood = journal;
  for (int i = 0; i < 5; ++i) flood.push_back(cbc("00000007", "2026-01-01T00:00:01.000Z"));
  EXPECT_TRUE(check(acked, flood).count("acceptances_match_attempts"));
  // Acknowledged, but no CBC accepted it.
  json claimed = acked;
  claimed.push_back(message("p3", "returned-ack", 1,
                            history({{"sending", "2026-01-01T00:00:00.000Z"},
                                     {"returned-ack", "2026-01-01T00:00:01.000Z"}}),
                            "", json::array({"p3"}), 2));
  EXPECT_TRUE(check(claimed, journal).empty());
  claimed.back()["acknowledged"] = true;
  EXPECT_TRUE(check(claimed, journal).count("reference_accepted"));
  bad = acked;
  bad[0]["history"] = history({{"returned-ack", "2026-01-01T00:00:00.000Z"}});
  EXPECT_TRUE(check(bad, journal).count("transitions_allowed"));
}

TEST(Chaos, ShrinkingDropsBroadcastEventsThatTheFailureDoesNotNeed) {
  // Fails whatever it holds: the horizon ends before the first event.
  json failing = {
      {"name", "chaos-1"},
      {"seed", 1},
      {"horizon_s", 1},
      {"workload",
       {{"broadcast",
         {{"events", json::array({{{"at_ms", 5000}, {"type", "alert"}, {"message", "m1"}},
                                  {{"at_ms", 6000}, {"type", "alert"}, {"message", "m2"}},
                                  {{"at_ms", 7000}, {"type", "cancel"}, {"message", "m1"}}})}}}}},
      {"faults", json::array()}};
  ChaosOptions o;
  const json minimal = shrink_chaos_scenario(failing, o);
  ASSERT_EQ(minimal["workload"]["broadcast"]["events"].size(), 1U);
  EXPECT_EQ(minimal["workload"]["broadcast"]["events"][0]["message"], "m1");
  EXPECT_NO_THROW(parse_scenario(minimal, "minimal.json"));
}

}  // namespace
}  // namespace notify::scenarios
