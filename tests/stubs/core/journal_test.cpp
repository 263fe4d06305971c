// The journal: bound, counters, queries, blocking and asynchronous waits.
#include "notify/stubs/journal.hpp"
#include "notify/runtime/clock.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace notify::stubs {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

JournalEntry entry(std::uint64_t seq, std::string service, std::string recipient = "",
                   std::string outcome = "ok",
                   runtime::TimePoint at = runtime::VirtualClock::default_start()) {
  JournalEntry e;
  e.seq = seq;
  e.at = at;
  e.service = std::move(service);
  e.operation = "SendEmail";
  e.recipient = std::move(recipient);
  e.reference = "ref-" + std::to_string(seq);
  e.outcome = std::move(outcome);
  return e;
}

TEST(Journal, KeepsCapacityEntriesAndCountsEverything) {
  Journal journal({.capacity = 3, .body_bytes_max = 4});
  for (std::uint64_t i = 1; i <= 5; ++i) {
    auto e = entry(i, i % 2 ? "ses" : "mmg");
    e.request_body = "0123456789";
    journal.record(std::move(e));
  }
  EXPECT_EQ(journal.size(), 3u);
  auto c = journal.counters();
  EXPECT_EQ(c.recorded, 5u);
  EXPECT_EQ(c.dropped, 2u);
  EXPECT_EQ(c.by_service["ses"], 3u);
  EXPECT_EQ(c.by_service["mmg"], 2u);
  EXPECT_EQ(c.by_outcome["ses/ok"], 3u);
  auto all = journal.query({});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].seq, 3u);
  EXPECT_EQ(all[2].seq, 5u);
  EXPECT_EQ(all[0].request_body, "0123");

  journal.clear();
  EXPECT_EQ(journal.size(), 0u);
  EXPECT_EQ(journal.counters().recorded, 0u);
}

TEST(Journal, QueriesFilterByEveryField) {
  Journal journal;
  const auto t0 = runtime::VirtualClock::default_start();
  journal.record(entry(1, "ses", "a@example.com", "ok", t0));
  journal.record(entry(2, "ses", "b@example.com", "error:ses.throttling", t0 + 1s));
  journal.record(entry(3, "mmg", "447700900000", "ok", t0 + 2s));
  journal.record(entry(4, "ses", "a@example.com", "ok", t0 + 3s));

  JournalQuery q;
  q.service = "ses";
  EXPECT_EQ(journal.count(q), 3u);
  q.recipient = "a@example.com";
  EXPECT_EQ(journal.count(q), 2u);
  q = {};
  q.outcome = "error:ses.throttling";
  ASSERT_EQ(journal.query(q).size(), 1u);
  EXPECT_EQ(journal.query(q)[0].seq, 2u);
  q = {};
  q.reference = "ref-3";
  EXPECT_EQ(journal.query(q).at(0).service, "mmg");
  q = {};
  q.since = t0 + 1s;
  q.until = t0 + 3s;  // exclusive
  auto window = journal.query(q);
  ASSERT_EQ(window.size(), 2u);
  EXPECT_EQ(window[0].seq, 2u);
  EXPECT_EQ(window[1].seq, 3u);
  q = {};
  q.limit = 2;  // the newest two, oldest first
  auto newest = journal.query(q);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].seq, 3u);
  EXPECT_EQ(newest[1].seq, 4u);
}

TEST(Journal, ParsesQueriesFromUrlParametersAndNamesBadFields) {
  const auto origin = runtime::VirtualClock::default_start();
  JournalQuery q;
  auto problem = parse_journal_query(json{{"service", "ses"},
                                          {"since_ms", "1500"},
                                          {"until_ms", 2000},
                                          {"limit", "10"},
                                          {"count", "3"}},
                                     origin, q);
  ASSERT_FALSE(problem.has_value()) << *problem;
  EXPECT_EQ(*q.service, "ses");
  EXPECT_EQ(*q.since, origin + 1500ms);
  EXPECT_EQ(*q.until, origin + 2000ms);
  EXPECT_EQ(q.limit, 10u);

  JournalQuery bad;
  problem = parse_journal_query(json{{"limit", "many"}}, origin, bad);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->rfind("limit: ", 0), 0u) << *problem;
  problem = parse_journal_query(json{{"servce", "ses"}}, origin, bad);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->rfind("servce: unknown field", 0), 0u) << *problem;
}

TEST(Journal, EntriesBecomeJsonWithIsoTimes) {
  auto e = entry(7, "ses", "a@example.com", "ok", runtime::VirtualClock::default_start() + 1500ms);
  e.faults = {"slow"};
  json j = to_json(e);
  EXPECT_EQ(j["seq"], 7);
  EXPECT_EQ(j["at"], "2026-01-01T00:00:01.500Z");
  EXPECT_EQ(j["faults"], json::array({"slow"}));
  EXPECT_EQ(j["reference"], "ref-7");
}

TEST(Journal, WaitForTimesOutWhenNothingMatches) {
  Journal journal;
  journal.record(entry(1, "mmg"));
  JournalQuery q;
  q.service = "ses";
  EXPECT_FALSE(journal.wait_for(q, 1, 20ms));
}

TEST(Journal, WaitForIsSatisfiedFromAnotherThread) {
  Journal journal;
  JournalQuery q;
  q.service = "ses";
  std::thread writer([&] {
    for (std::uint64_t i = 1; i <= 3; ++i) journal.record(entry(i, "ses"));
  });
  // The bound is generous: it only matters if the implementation is broken.
  EXPECT_TRUE(journal.wait_for(q, 3, 10s));
  writer.join();
  EXPECT_TRUE(journal.wait_for(q, 3, 0ms));
}

// Every call the journal offers, at once from several threads, as serve's control API and a
// test's blocking wait use it. Run under ThreadSanitizer (scripts/tsan.sh) this is the check
// that the journal is thread-safe; elsewhere it checks that nothing is lost or counted twice.
TEST(Journal, RecordQueryWaitAndClearFromSeveralThreads) {
  Journal journal({.capacity = 64});
  constexpr std::uint64_t kPerWriter = 500;
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (std::uint64_t i = 1; i <= kPerWriter; ++i)
        journal.record(entry(i, w == 0 ? "ses" : "mmg", "r" + std::to_string(i % 7)));
    });
  }
  std::atomic<bool> may_clear{false};
  threads.emplace_back([&] {
    JournalQuery q;
    q.service = "ses";
    q.limit = 10;
    bool cleared = false;
    while (writing.load()) {
      EXPECT_LE(journal.query(q).size(), 10u);
      EXPECT_LE(journal.count(q), journal.options().capacity);
      EXPECT_LE(journal.size(), journal.options().capacity);
      EXPECT_LE(journal.counters().recorded, 2 * kPerWriter);
      if (may_clear.load() && !cleared) {
        journal.clear();
        cleared = true;
      }
    }
  });
  // A full ring stays full until the clear below, so this wait cannot miss its moment.
  EXPECT_TRUE(journal.wait_for({}, journal.options().capacity, 10s));
  may_clear.store(true);
  threads[0].join();
  threads[1].join();
  writing.store(false);
  threads[2].join();
  journal.clear();
  EXPECT_EQ(journal.size(), 0u);
  EXPECT_EQ(journal.counters().recorded, 0u);
  journal.record(entry(1, "ses"));
  EXPECT_EQ(journal.counters().recorded, 1u);
}

TEST(Journal, AsyncWaitMatchesBeforeTheTimeout) {
  runtime::VirtualClock clock;
  Journal journal;
  JournalQuery q;
  q.service = "ses";
  std::vector<bool> calls;
  journal.async_wait(q, 2, clock, 5s, [&](bool ok) { calls.push_back(ok); });
  journal.record(entry(1, "ses"));
  journal.record(entry(2, "mmg"));
  EXPECT_TRUE(calls.empty());
  journal.record(entry(3, "ses"));
  EXPECT_EQ(calls, std::vector<bool>{true});
  clock.run_for(10s);  // the timer was cancelled; there is exactly one call
  EXPECT_EQ(calls, std::vector<bool>{true});
  EXPECT_EQ(clock.pending(), 0u);
}

TEST(Journal, AsyncWaitTimesOutOnTheClock) {
  runtime::VirtualClock clock;
  Journal journal;
  JournalQuery q;
  q.service = "ses";
  std::vector<bool> calls;
  journal.async_wait(q, 1, clock, 5s, [&](bool ok) { calls.push_back(ok); });
  clock.run_for(4999ms);
  EXPECT_TRUE(calls.empty());
  clock.run_for(1ms);
  EXPECT_EQ(calls, std::vector<bool>{false});
  journal.record(entry(1, "ses"));
  EXPECT_EQ(calls, std::vector<bool>{false});
}

TEST(Journal, AsyncWaitAlreadySatisfiedAnswersAtOnce) {
  runtime::VirtualClock clock;
  Journal journal;
  journal.record(entry(1, "ses"));
  std::vector<bool> calls;
  journal.async_wait({}, 1, clock, 5s, [&](bool ok) { calls.push_back(ok); });
  EXPECT_EQ(calls, std::vector<bool>{true});
  clock.run();
  EXPECT_EQ(calls, std::vector<bool>{true});
}

TEST(Journal, AsyncWaitCountsOnlyKeptEntries) {
  runtime::VirtualClock clock;
  Journal journal({.capacity = 2});
  JournalQuery q;
  q.service = "ses";
  std::vector<bool> calls;
  journal.async_wait(q, 2, clock, 5s, [&](bool ok) { calls.push_back(ok); });
  journal.record(entry(1, "ses"));
  journal.record(entry(2, "mmg"));
  journal.record(entry(3, "mmg"));  // drops the only ses entry
  journal.record(entry(4, "ses"));
  EXPECT_TRUE(calls.empty());
  journal.record(entry(5, "ses"));
  EXPECT_EQ(calls, std::vector<bool>{true});
}

}  // namespace
}  // namespace notify::stubs
