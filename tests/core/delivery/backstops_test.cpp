// The lifecycle backstops on the virtual clock: which notifications each task picks, at which
// tick, with the period's boundary one millisecond either side, and that a run still ends.
#include "notify/delivery/backstops.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace notify::delivery {
namespace {

using namespace std::chrono_literals;
using runtime::TimePoint;

struct BackstopsTest : ::testing::Test {
  runtime::VirtualClock clock;
  telemetry::Metrics metrics;
  telemetry::Logger logger{clock};
  std::unique_ptr<store::Store> store = store::open_sqlite_store(":memory:");
  std::unique_ptr<Backstops> backstops;
  std::vector<std::pair<std::string, TimePoint>> replayed;  // (id, when)

  BackstopsTest() { make({}); }

  void make(BackstopOptions o) {
    backstops.reset();
    backstops = std::make_unique<Backstops>(*store, clock, logger, metrics, o);
    for (const char* type : {"email", "sms"})
      backstops->set_replay(
          type, [this](const store::Notification& n) { replayed.emplace_back(n.id, clock.now()); });
  }

  TimePoint day0() const { return runtime::VirtualClock::default_start(); }

  // A notification created at `at` (the clock is moved there) and left in `status`.
  void create(const std::string& id, TimePoint at, const std::string& status,
              const std::string& type = "email") {
    clock.run_until(at);
    store::Notification n;
    n.id = id;
    n.type = type;
    n.recipient = type == "email" ? "someone@example.com" : "447700900123";
    n.created_at = at;
    n.updated_at = at;
    ASSERT_TRUE(store->insert_notification(n));
    if (status != store::status::kCreated) {
      ASSERT_TRUE(
          store->update_status(id, status, at, type == "email" ? "ses" : "mmg", "ref-" + id));
    }
    backstops->watch(at);
  }

  std::string status_of(const std::string& id) { return store->get_notification(id)->status; }

  std::size_t logs_containing(const std::string& text) {
    std::size_t n = 0;
    for (const auto& r : logger.records())
      if (r.message.find(text) != std::string::npos) ++n;
    return n;
  }
};

TEST_F(BackstopsTest, TimesOutSendingOneMillisecondPastThreeDaysAtFiveMinutesPastMidnight) {
  // The Jan 4 00:05 tick sees these aged 72 h + 1 ms, exactly 72 h, and 72 h - 1 ms.
  const TimePoint tick = day0() + 72h + 5min;
  create("past", tick - 72h - 1ms, store::status::kSending);
  create("exact", tick - 72h, store::status::kPending);
  create("before", tick - 72h + 1ms, store::status::kSending, "sms");
  clock.run_until(tick - 1ms);
  EXPECT_EQ(status_of("past"), store::status::kSending);
  clock.run_until(tick);
  EXPECT_EQ(status_of("past"), store::status::kTemporaryFailure);
  EXPECT_EQ(store->get_notification("past")->updated_at, tick);
  EXPECT_EQ(store->get_notification("past")->provider, "ses");  // sent_by stays
  EXPECT_EQ(status_of("exact"), store::status::kPending);
  EXPECT_EQ(status_of("before"), store::status::kSending);
  // The next night takes the other two.
  clock.run();
  EXPECT_EQ(clock.now(), tick + 24h);
  EXPECT_EQ(status_of("exact"), store::status::kTemporaryFailure);
  EXPECT_EQ(status_of("before"), store::status::kTemporaryFailure);
  EXPECT_EQ(logs_containing("Timeout period reached for 1 notifications"), 1u);
  EXPECT_EQ(logs_containing("Timeout period reached for 2 notifications"), 1u);
  EXPECT_EQ(logs_containing("Timeout period reached for 0 notifications"), 2u);
  EXPECT_EQ(clock.pending(), 0u);  // nothing open: no tick armed
}

TEST_F(BackstopsTest, TimeoutLeavesOtherStatusesAlone) {
  create("created", day0(), store::status::kCreated);
  create("sent", day0(), store::status::kSent, "sms");
  create("delivered", day0(), store::status::kDelivered);
  clock.run_until(day0() + 96h);
  EXPECT_EQ(backstops->timeout_notifications(), 0u);
  EXPECT_EQ(status_of("sent"), store::status::kSent);
  EXPECT_EQ(status_of("delivered"), store::status::kDelivered);
  EXPECT_EQ(status_of("created"), store::status::kCreated);
}

TEST_F(BackstopsTest, TimeoutWorksInBatchesUntilOneIsEmpty) {
  BackstopOptions o;
  o.timeout_batch = 2;
  o.timeout_metric = true;
  make(o);
  for (int i = 0; i < 5; ++i) create("n" + std::to_string(i), day0(), store::status::kSending);
  // Past the period, before the night's tick: the task run by hand does it all.
  clock.run_until(day0() + 72h + 1min);
  EXPECT_EQ(backstops->timeout_notifications(), 5u);
  EXPECT_EQ(logs_containing("Timeout period reached for 2 notifications"), 2u);
  EXPECT_EQ(logs_containing("Timeout period reached for 1 notifications"), 1u);
  EXPECT_EQ(logs_containing("Timeout period reached for 0 notifications"), 1u);
  EXPECT_EQ(metrics.counter("timeout-sending.ses"), 5);
}

TEST_F(BackstopsTest, ReplaysCreatedOneMillisecondPastAnHourAtTheNextQuarter) {
  const TimePoint tick = day0() + 2h;
  create("past", tick - 1h - 1ms, store::status::kCreated);
  create("exact", tick - 1h, store::status::kCreated, "sms");
  create("before", tick - 1h + 1ms, store::status::kCreated);
  clock.run_until(tick);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0], std::make_pair(std::string("past"), tick));
  EXPECT_EQ(logs_containing("Re-sending notification past to the delivery queue because the "
                            "notification status is 'created' and it is over an hour old"),
            1u);
  clock.run_until(tick + 15min);
  // Still created, so the first one goes again, with the two that came of age.
  ASSERT_EQ(replayed.size(), 4u);
  EXPECT_EQ(replayed[1].second, tick + 15min);
}

TEST_F(BackstopsTest, UnboundedRuleTakesTheExactHourAndLogsPerType) {
  BackstopOptions o;
  o.replay_rule = ReplayRule::unbounded;
  make(o);
  const TimePoint tick = day0() + 2h;
  create("exact", tick - 1h, store::status::kCreated, "sms");
  create("before", tick - 1h + 1ms, store::status::kCreated, "sms");
  clock.run_until(tick);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].first, "exact");
  EXPECT_EQ(logs_containing("Sending 1 sms notifications to the delivery queue because the "
                            "notification status was created."),
            1u);
  EXPECT_EQ(logs_containing("Re-sending"), 0u);
}

TEST_F(BackstopsTest, AgeLimitStopsReplaysAfterSevenDays) {
  const TimePoint created = day0() + 30min;
  create("stuck", created, store::status::kCreated);
  clock.run();
  // Every quarter from 01:45 to exactly seven days after creation, then the tick stops.
  EXPECT_EQ(replayed.size(), static_cast<std::size_t>((168 - 1) * 4));
  EXPECT_EQ(replayed.front().second, created + 1h + 15min);
  EXPECT_EQ(replayed.back().second, created + 168h);
  EXPECT_EQ(clock.pending(), 0u);
}

TEST_F(BackstopsTest, NoTickBeyondTheHorizonAndNoneOnceAllIsFinal) {
  backstops->set_until(day0() + 72h);
  create("lost-receipt", day0(), store::status::kSending);
  create("sent-quickly", day0() + 1s, store::status::kCreated);
  ASSERT_TRUE(store->update_status("sent-quickly", store::status::kDelivered, day0() + 2s));
  clock.run();
  EXPECT_TRUE(replayed.empty());
  EXPECT_EQ(status_of("lost-receipt"), store::status::kSending);  // its timeout is past 72 h
  EXPECT_EQ(clock.pending(), 0u);
  EXPECT_LE(clock.now(), day0() + 72h);
}

TEST_F(BackstopsTest, DisabledArmsNothing) {
  BackstopOptions o;
  o.enabled = false;
  make(o);
  create("stuck", day0(), store::status::kCreated);
  EXPECT_EQ(clock.pending(), 0u);
  EXPECT_FALSE(backstops->next_tick());
}

TimePoint utc(std::chrono::sys_days day, runtime::Duration time) {
  return TimePoint(day.time_since_epoch() + time);
}

TEST_F(BackstopsTest, LondonBeatRunsTheTimeoutAtFivePastMidnightLocalTime) {
  using namespace std::chrono;
  BackstopOptions o;
  o.timezone = BeatTimezone::europe_london;
  make(o);
  auto due = [this](TimePoint created) { return backstops->timeout_due(created); };
  // Winter: 00:05 UTC. Summer: 00:05 BST, 23:05 UTC the day before.
  EXPECT_EQ(due(utc(2026y / January / 1, 10h)), utc(2026y / January / 5, 5min));
  EXPECT_EQ(due(utc(2026y / July / 1, 10h)), utc(2026y / July / 4, 23h + 5min));
  // Summer time ends at 01:00 UTC on Sunday 25 October 2026 and starts on Sunday 29 March.
  EXPECT_EQ(due(utc(2026y / October / 21, 12h)), utc(2026y / October / 24, 23h + 5min));
  EXPECT_EQ(due(utc(2026y / October / 21, 23h + 30min)), utc(2026y / October / 26, 5min));
  EXPECT_EQ(due(utc(2026y / March / 26, 0h)), utc(2026y / March / 29, 5min));
  EXPECT_EQ(due(utc(2026y / March / 26, 1h)), utc(2026y / March / 29, 23h + 5min));
  // UTC, today's beat: 00:05 UTC all year.
  make({});
  EXPECT_EQ(due(utc(2026y / July / 1, 10h)), utc(2026y / July / 5, 5min));
}

TEST_F(BackstopsTest, ADayStartingElsewhereMovesEveryTick) {
  backstops->start_day_at(day0() + 7h + 3min);
  // The beat's 00:05 is 07:08 UTC, its quarter hours fall at 3, 18, 33 and 48 minutes past.
  EXPECT_EQ(backstops->timeout_due(day0()), day0() + 72h + 7h + 8min);
  EXPECT_EQ(backstops->replay_due(day0()), day0() + 1h + 3min);
  create("stuck", day0() + 10min, store::status::kCreated);
  clock.run_until(day0() + 1h + 18min);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].second, day0() + 1h + 18min);
}

TEST_F(BackstopsTest, OptionsThatCannotRunAreRefused) {
  auto refused = [this](BackstopOptions o) {
    EXPECT_THROW(Backstops(*store, clock, logger, metrics, o), std::invalid_argument);
  };
  BackstopOptions o;
  o.replay_every = 7min;
  refused(o);
  o = {};
  o.sending_timeout = {};
  refused(o);
  o = {};
  o.timeout_time_of_day = 24h;
  refused(o);
  o = {};
  o.replay_age_limit = 30min;
  refused(o);
}

}  // namespace
}  // namespace notify::delivery
