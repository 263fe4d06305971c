// deliver_sms: provider choice, failover, the retry schedule and the statuses it leaves.
#include "sms_fixture.hpp"

namespace notify::delivery {
namespace {

using namespace std::chrono_literals;
using testing::SmsFixture;
using SmsDeliveryTest = SmsFixture;

TEST_F(SmsDeliveryTest, SendsThroughTheChosenProviderAndStoresSending) {
  make_delivery(only("mmg"));
  clock.run_for(2s);
  auto id = create_and_deliver();
  EXPECT_EQ(delivery->in_flight(), 1u);
  clock.run();
  auto n = get(id);
  EXPECT_EQ(n.status, "sending");
  EXPECT_EQ(n.provider, "mmg");
  EXPECT_EQ(n.reference, id);
  EXPECT_EQ(n.attempts, 1);
  EXPECT_EQ(n.sent_at, clock.now());
  EXPECT_EQ(done_statuses, std::vector<std::string>{"sending"});
  EXPECT_EQ(delivery->in_flight(), 0u);
  ASSERT_EQ(mmg->received.size(), 1u);
  EXPECT_NE(mmg->received[0].body.find("\"cid\": \"" + id + "\""), std::string::npos);
  EXPECT_EQ(metrics.timing_stats("sms.total-time").count, 1u);
  EXPECT_EQ(metrics.timing_stats("sms.live-key.total-time").count, 1u);
  EXPECT_TRUE(firetext->received.empty());
}

TEST_F(SmsDeliveryTest, InternationalMessagesAreSent) {
  make_delivery(only("firetext"));
  auto id = create_and_deliver(true);
  clock.run();
  EXPECT_EQ(get(id).status, "sent");
  EXPECT_TRUE(get(id).sent_at.has_value());
  EXPECT_EQ(done_statuses, std::vector<std::string>{"sent"});
}

TEST_F(SmsDeliveryTest, AFailureLowersThePriorityAndRetriesAtOnceElsewhere) {
  SmsProviderOptions o = every_failure();
  o.initial = {{"firetext", 10}, {"mmg", 0}};
  make_delivery(o);
  firetext->script = {sms::testing::json_reply(500, "{}")};
  auto id = create_and_deliver();
  clock.run();
  EXPECT_EQ(requests, (std::vector<std::string>{"firetext@0", "mmg@0"}));
  EXPECT_EQ(priorities->priority("firetext"), 0);
  EXPECT_EQ(priorities->priority("mmg"), 10);
  auto n = get(id);
  EXPECT_EQ(n.status, "sending");
  EXPECT_EQ(n.provider, "mmg");
  EXPECT_EQ(n.attempts, 2);
  ASSERT_EQ(priorities->history().size(), 1u);
  EXPECT_EQ(priorities->history()[0].reason, "send failure on firetext");
  auto warnings = logs_at(LogLevel::warning);
  EXPECT_TRUE(logged("SMS notification delivery for id: " + id + " failed (500)"));
  EXPECT_TRUE(logged("Adjusting provider priority - firetext going from 10 to 0"));
  EXPECT_TRUE(logs_at(LogLevel::error).empty()) << "provider errors are warnings";
}

TEST_F(SmsDeliveryTest, RetriesAtOnceThenEvery300SecondsThenTechnicalFailure) {
  transport.set_refusing(sms::testing::kFiretextAuthority, true);
  transport.set_refusing(sms::testing::kMmgAuthority, true);
  auto id = create_and_deliver();
  clock.run();
  auto n = get(id);
  EXPECT_EQ(n.status, "technical-failure");
  EXPECT_EQ(n.attempts, 49) << "the first try and 48 retries";
  EXPECT_EQ(seconds(), 47 * 300) << "retry 1 at once, retries 2-48 300 s apart";
  EXPECT_EQ(done_statuses, std::vector<std::string>{"technical-failure"});
  EXPECT_NE(n.failure_reason.find("Max retries reached; last error connection_refused"),
            std::string::npos)
      << n.failure_reason;
  EXPECT_TRUE(
      logged("RETRY FAILED: Max retries reached. The task send_sms_to_provider failed "
             "for notification " +
             id));
  EXPECT_EQ(metrics.counter("clients.firetext.error") + metrics.counter("clients.mmg.error"), 49);
  // The immediate retry falls inside the first failure's one-minute quiet period; every later
  // failure is 300 s after the last change and moves priorities again.
  EXPECT_EQ(priorities->history().size(), 48u);
  for (const auto& [name, p] : priorities->priorities()) {
    EXPECT_GE(p, 0);
    EXPECT_LE(p, 100);
  }
}

TEST_F(SmsDeliveryTest, AProviderAtZeroGetsNothing) {
  make_delivery(only("mmg"));
  for (int i = 0; i < 50; ++i) create_and_deliver();
  clock.run();
  EXPECT_EQ(mmg->received.size(), 50u);
  EXPECT_TRUE(firetext->received.empty());
  EXPECT_EQ(store->count_by_status("sending"), 50u);
}

TEST_F(SmsDeliveryTest, ChoiceIsWeightedByPriorityAndReproducibleFromTheSeed) {
  auto draw = [&](std::uint64_t seed) {
    SmsProviderPriorities p(clock, runtime::Rng(seed).fork("sms.providers"), *store, logger,
                            metrics);
    std::string picks;
    for (int i = 0; i < 4000; ++i) picks += p.choose().value() == "mmg" ? 'm' : 'f';
    return picks;
  };
  auto a = draw(7);
  EXPECT_EQ(a, draw(7));
  EXPECT_NE(a, draw(8));
  double mmg_share = static_cast<double>(std::count(a.begin(), a.end(), 'm')) / a.size();
  EXPECT_NEAR(mmg_share, 0.51, 0.03);
}

TEST_F(SmsDeliveryTest, EveryProviderAtZeroIsRetriedAsAnError) {
  SmsProviderOptions o = every_failure();
  o.initial = {{"firetext", 0}, {"mmg", 0}};
  make_delivery(o, SmsDeliveryOptions{RetryPolicy{2, 300s, 0s}});
  auto id = create_and_deliver();
  clock.run();
  EXPECT_EQ(get(id).status, "technical-failure");
  EXPECT_EQ(get(id).attempts, 0);
  EXPECT_TRUE(requests.empty());
  EXPECT_TRUE(logged("failed (no_active_provider)"));
  EXPECT_EQ(logs_at(LogLevel::error).size(), 4u) << "3 failed attempts and RETRY FAILED";
}

TEST_F(SmsDeliveryTest, AReceiptThatOvertakesTheAnswerKeepsItsStatus) {
  make_delivery(only("mmg"));
  mmg->script = {sms::testing::mmg_ok(10s)};
  auto id = create_and_deliver();
  clock.run_for(1s);
  auto answer = post(kMmgReceiptPath, R"({"status": "3", "substatus": "5", "CID": ")" + id +
                                          R"(", "MSISDN": "447700900123"})");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(get(id).status, "delivered");
  clock.run();
  auto n = get(id);
  EXPECT_EQ(n.status, "delivered");
  EXPECT_EQ(n.provider, "mmg");
  EXPECT_EQ(n.reference, id);
  EXPECT_EQ(done_statuses, std::vector<std::string>{"delivered"});
}

// Found by `notify-sim chaos --seed 426`: Firetext's "pending" receipt overtook the answer to
// the send, and the answer then took the notification back from pending to sending.
TEST_F(SmsDeliveryTest, APendingReceiptThatOvertakesTheAnswerIsNotUndone) {
  make_delivery(only("firetext"));
  firetext->script = {sms::testing::firetext_ok(10s)};
  auto id = create_and_deliver();
  clock.run_for(1s);
  auto answer = post(kFiretextReceiptPath, "status=2&reference=" + id + "&mobile=447700900123");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(get(id).status, "pending");
  clock.run();
  auto n = get(id);
  EXPECT_EQ(n.status, "pending");
  EXPECT_EQ(n.provider, "firetext");
  EXPECT_EQ(n.reference, id);
  EXPECT_EQ(done_statuses, std::vector<std::string>{"pending"});
  std::vector<std::string> statuses;
  for (const auto& c : store->list_notification_status_history()) statuses.push_back(c.status);
  EXPECT_EQ(statuses, (std::vector<std::string>{"created", "pending"}));
}

TEST_F(SmsDeliveryTest, ANotificationNoLongerCreatedIsNotSent) {
  auto id = create();
  ASSERT_TRUE(store->update_status(id, "sending", clock.now(), "mmg", id));
  delivery->deliver(id, message(), [this](const std::string& s) { done_statuses.push_back(s); });
  clock.run();
  EXPECT_TRUE(requests.empty());
  EXPECT_EQ(done_statuses, std::vector<std::string>{"sending"});
}

TEST_F(SmsDeliveryTest, AnAnswerAfterTheTaskOwnerHasGoneIsIgnored) {
  mmg->script = {sms::testing::mmg_ok(5s)};
  make_delivery(only("mmg"));
  auto id = create_and_deliver();
  clock.run_for(1s);
  delivery.reset();
  clock.run();
  EXPECT_EQ(get(id).status, "created");
  EXPECT_TRUE(done_statuses.empty());
}

}  // namespace
}  // namespace notify::delivery
