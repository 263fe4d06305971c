// Provider priorities: the 10-point moves, their quiet periods and bounds, the slow-delivery
// check and the drift back to the resting points, on the virtual clock.
#include "sms_fixture.hpp"

namespace notify::delivery {
namespace {

using namespace std::chrono_literals;
using testing::SmsFixture;
using SmsProvidersTest = SmsFixture;

TEST_F(SmsProvidersTest, StartsAtTheRestingPoints) {
  EXPECT_EQ(priorities->priorities(), (std::map<std::string, int>{{"firetext", 49}, {"mmg", 51}}));
  EXPECT_EQ(metrics.gauge_value("sms.provider-priority.mmg"), 51);
}

TEST_F(SmsProvidersTest, AFailureMovesTenPointsUnlessAChangeWasWithinAMinute) {
  EXPECT_TRUE(priorities->on_send_failure("mmg"));
  EXPECT_EQ(priorities->priorities(), (std::map<std::string, int>{{"firetext", 59}, {"mmg", 41}}));
  clock.run_for(59s);
  EXPECT_FALSE(priorities->on_send_failure("mmg"));
  EXPECT_FALSE(priorities->on_send_failure("firetext"));
  clock.run_for(1s);
  EXPECT_TRUE(priorities->on_send_failure("firetext"));
  EXPECT_EQ(priorities->priorities(), (std::map<std::string, int>{{"firetext", 49}, {"mmg", 51}}));
  ASSERT_EQ(priorities->history().size(), 2u);
  EXPECT_EQ(priorities->history()[1].at - priorities->history()[0].at, 60s);
}

TEST_F(SmsProvidersTest, PrioritiesStayBetweenZeroAndAHundred) {
  SmsProviderOptions o = every_failure();
  o.initial = {{"firetext", 5}, {"mmg", 95}};
  make_delivery(o);
  EXPECT_TRUE(priorities->on_send_failure("firetext"));
  EXPECT_EQ(priorities->priorities(), (std::map<std::string, int>{{"firetext", 0}, {"mmg", 100}}));
  clock.run_for(1min);
  EXPECT_TRUE(priorities->on_send_failure("firetext")) << "clamped, but still a change";
  EXPECT_EQ(priorities->priorities(), (std::map<std::string, int>{{"firetext", 0}, {"mmg", 100}}));
  for (int i = 0; i < 200; ++i) EXPECT_EQ(priorities->choose(), "mmg");
}

TEST_F(SmsProvidersTest, DriftsBackTenPointsAnHourAfterAnHourWithoutChange) {
  SmsProviderOptions o = every_failure();
  o.initial = {{"firetext", 9}, {"mmg", 91}};
  make_delivery(o);
  priorities->start();
  clock.run_for(4h);
  std::vector<long> minutes;
  std::vector<int> firetext_points;
  for (const auto& change : priorities->history()) {
    EXPECT_EQ(change.reason, "rebalance");
    minutes.push_back(std::chrono::duration_cast<std::chrono::minutes>(
                          change.at - runtime::VirtualClock::default_start())
                          .count());
    firetext_points.push_back(change.priorities.at("firetext"));
  }
  // The first check, 5 minutes in, finds no change ever; each move is itself a change, so the
  // next waits an hour. mmg stops at 51, firetext at 49.
  EXPECT_EQ(minutes, (std::vector<long>{5, 65, 125, 185}));
  EXPECT_EQ(firetext_points, (std::vector<int>{19, 29, 39, 49}));
  EXPECT_EQ(priorities->priorities(), (std::map<std::string, int>{{"firetext", 49}, {"mmg", 51}}));
  clock.run_for(2h);
  EXPECT_EQ(priorities->history().size(), 4u) << "at rest, nothing moves";
}

TEST_F(SmsProvidersTest, AFailureHoldsOffTheDriftForAnHour) {
  priorities->start();
  clock.run_for(10min);
  EXPECT_TRUE(priorities->on_send_failure("mmg"));  // 59 / 41 at minute 10
  clock.run_for(59min);
  EXPECT_EQ(priorities->priority("mmg"), 41) << "every rebalance until minute 69 is too soon";
  clock.run_for(1min);
  EXPECT_EQ(priorities->priority("mmg"), 51) << "minute 70: an hour without change";
}

// Puts an SMS notification in the store as sent by `provider` `sent_ago` ago, and delivered
// `took` after it was sent (or still sending when took is negative).
void add_sent(SmsFixture& f, const std::string& provider, runtime::Duration sent_ago,
              runtime::Duration took) {
  store::Notification n;
  n.id = f.rng.uuid4();
  n.type = "sms";
  n.recipient = testing::kPhone;
  n.created_at = f.clock.now() - sent_ago;
  n.sent_at = n.created_at;
  n.provider = provider;
  if (took < runtime::Duration::zero()) {
    n.status = "sending";
    n.updated_at = *n.sent_at;
  } else {
    n.status = "delivered";
    n.updated_at = *n.sent_at + took;
  }
  ASSERT_TRUE(f.store->insert_notification(n));
}

TEST_F(SmsProvidersTest, ASlowProviderLosesPriorityWhenTheOtherIsNot) {
  clock.run_for(1h);
  // firetext: 2 of 10 slow (20 % >= 15 %): one delivered after 5 min, one still sending 6 min on.
  for (int i = 0; i < 8; ++i) add_sent(*this, "firetext", 2min, 30s);
  add_sent(*this, "firetext", 10min, 5min);
  add_sent(*this, "firetext", 6min, -1s);
  // mmg: 1 of 10 slow (10 %).
  for (int i = 0; i < 9; ++i) add_sent(*this, "mmg", 2min, 10s);
  add_sent(*this, "mmg", 7min, -1s);
  // Outside the 15-minute window, and failures: not counted.
  for (int i = 0; i < 20; ++i) add_sent(*this, "mmg", 20min, 10min);
  EXPECT_EQ(priorities->check_slow_delivery(), std::vector<std::string>{"firetext"});
  EXPECT_EQ(priorities->priorities(), (std::map<std::string, int>{{"firetext", 39}, {"mmg", 61}}));
  EXPECT_TRUE(logged("Slow delivery notifications detected for provider firetext (2 of 10"));
  // Within the 5-minute quiet period nothing moves again.
  clock.run_for(4min);
  EXPECT_TRUE(priorities->check_slow_delivery().empty());
}

TEST_F(SmsProvidersTest, NothingMovesWhenBothOrNeitherAreSlow) {
  EXPECT_TRUE(priorities->check_slow_delivery().empty()) << "no messages at all";
  add_sent(*this, "firetext", 10min, 6min);
  add_sent(*this, "mmg", 10min, 6min);
  EXPECT_TRUE(priorities->check_slow_delivery().empty()) << "both slow";
  EXPECT_EQ(priorities->history().size(), 0u);
}

TEST_F(SmsProvidersTest, AProviderWithoutMessagesCountsAsFast) {
  add_sent(*this, "firetext", 10min, 6min);
  EXPECT_EQ(priorities->check_slow_delivery(), std::vector<std::string>{"firetext"});
}

TEST_F(SmsProvidersTest, TheSlowCheckRunsEveryMinuteOnTheClock) {
  priorities->start();
  clock.run_for(30s);
  add_sent(*this, "mmg", 6min, -1s);
  add_sent(*this, "firetext", 1min, 1s);
  clock.run_for(29s);
  EXPECT_EQ(priorities->priority("mmg"), 51);
  clock.run_for(1s);
  EXPECT_EQ(priorities->priority("mmg"), 41);
  priorities->stop();
  EXPECT_EQ(clock.pending(), 0u);
}

TEST_F(SmsProvidersTest, OptionsThatCannotWorkAreRefused) {
  auto make = [&](SmsProviderOptions o) {
    SmsProviderPriorities p(clock, runtime::Rng(1), *store, logger, metrics, std::move(o));
  };
  SmsProviderOptions three;
  three.resting_points["other"] = 0;
  EXPECT_THROW(make(three), std::invalid_argument);
  SmsProviderOptions unknown;
  unknown.initial = {{"textlocal", 10}};
  EXPECT_THROW(make(unknown), std::invalid_argument);
  SmsProviderOptions high;
  high.initial = {{"mmg", 101}};
  EXPECT_THROW(make(high), std::invalid_argument);
  SmsProviderOptions no_client;
  no_client.resting_points = {{"firetext", 50}, {"textlocal", 50}};
  EXPECT_THROW(make_delivery(no_client), std::invalid_argument);
}

}  // namespace
}  // namespace notify::delivery
