// deliver_email in virtual time: success, the non-retryable path, send-rate throttling, the
// 48-retry schedule and connection failures (notifications-api app/celery/provider_tasks.py).
#include "delivery_fixture.hpp"

namespace notify::delivery {
namespace {

using namespace std::chrono_literals;
using email::testing::ses_error;
using email::testing::ses_success;
using testing::DeliveryFixture;

constexpr const char* kId = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

using EmailDeliveryTest = DeliveryFixture;

TEST_F(EmailDeliveryTest, SuccessStoresSendingWithReference) {
  ses->script = {ses_success("0100018a-aaaa-bbbb-cccc-000000000001-000000")};
  create(kId);
  clock.run_for(2s);  // total-time runs from created_at
  deliver(kId);
  EXPECT_EQ(delivery->in_flight(), 1u);
  clock.run();

  auto n = get(kId);
  EXPECT_EQ(n.status, "sending");
  EXPECT_EQ(n.provider, "ses");
  EXPECT_EQ(n.reference, "0100018a-aaaa-bbbb-cccc-000000000001-000000");
  EXPECT_EQ(n.attempts, 1);
  ASSERT_TRUE(n.sent_at.has_value());
  EXPECT_EQ(*n.sent_at, start() + 2s);
  EXPECT_EQ(done_statuses, std::vector<std::string>{"sending"});
  EXPECT_EQ(delivery->in_flight(), 0u);
  auto total = metrics.timing_stats("email.live-key.total-time");
  EXPECT_EQ(total.count, 1u);
  EXPECT_DOUBLE_EQ(total.sum_ms, 2000.0);
  EXPECT_EQ(metrics.counter("clients.ses.success"), 1);
  EXPECT_EQ(clock.pending(), 0u);
}

TEST_F(EmailDeliveryTest, KeyTypeNamesTheTotalTimeMetric) {
  delivery = std::make_unique<EmailDelivery>(*store, clock, *client, metrics, logger,
                                             EmailDeliveryOptions{48, 300s, "test-key"});
  ses->script = {ses_success("m-1")};
  create(kId);
  deliver(kId);
  clock.run();
  EXPECT_EQ(metrics.timing_stats("email.test-key.total-time").count, 1u);
  EXPECT_EQ(metrics.timing_stats("email.live-key.total-time").count, 0u);
}

TEST_F(EmailDeliveryTest, HeaderTooLongFailsAtOnceWithoutRetry) {
  ses->script = {ses_error(400, "InvalidParameterValue", "Header too long: 'Subject'")};
  create(kId);
  deliver(kId);
  clock.run();

  EXPECT_EQ(ses->received.size(), 1u);
  auto n = get(kId);
  EXPECT_EQ(n.status, "technical-failure");
  EXPECT_EQ(n.failure_reason, "Header too long: 'Subject'");
  EXPECT_EQ(n.attempts, 1);
  EXPECT_EQ(clock.pending(), 0u);
  EXPECT_EQ(delivery->in_flight(), 0u);
  EXPECT_EQ(done_statuses, std::vector<std::string>{"technical-failure"});
  auto errors = logs_at(LogLevel::error);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message,
            std::string("Email notification ") + kId + " failed: Header too long: 'Subject'");
  EXPECT_TRUE(logs_at(LogLevel::warning).empty());
  EXPECT_EQ(metrics.counter("clients.ses.error"), 1);
}

TEST_F(EmailDeliveryTest, SendRateThrottlingRetriesEvery300SecondsWithWarnings) {
  auto throttle = ses_error(400, "Throttling", "Maximum sending rate exceeded.");
  ses->script = {throttle, throttle, throttle, ses_success("m-4")};
  create(kId);
  deliver(kId);
  clock.run();

  ASSERT_EQ(request_times.size(), 4u);
  EXPECT_EQ(request_times[0], start());
  EXPECT_EQ(request_times[1], start() + 300s);
  EXPECT_EQ(request_times[2], start() + 600s);
  EXPECT_EQ(request_times[3], start() + 900s);
  auto n = get(kId);
  EXPECT_EQ(n.status, "sending");
  EXPECT_EQ(n.reference, "m-4");
  EXPECT_EQ(n.attempts, 4);
  auto warnings = logs_at(LogLevel::warning);
  ASSERT_EQ(warnings.size(), 3u);
  for (const auto& w : warnings) {
    EXPECT_EQ(w.message,
              std::string("RETRY: Email notification ") + kId + " was rate limited by SES");
  }
  EXPECT_TRUE(logs_at(LogLevel::error).empty());
  EXPECT_EQ(done_statuses, std::vector<std::string>{"sending"});
}

TEST_F(EmailDeliveryTest, DailyQuotaThrottlingIsRetriedAtErrorLevel) {
  ses->script = {ses_error(400, "Throttling", "Daily message quota exceeded."), ses_success("m")};
  create(kId);
  deliver(kId);
  clock.run();
  EXPECT_EQ(get(kId).status, "sending");
  auto errors = logs_at(LogLevel::error);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, std::string("RETRY: Email notification ") + kId + " failed");
  EXPECT_TRUE(logs_at(LogLevel::warning).empty());
}

TEST_F(EmailDeliveryTest, AlwaysFailingGivesTechnicalFailureAfter49Attempts) {
  ses->script = {ses_error(500, "InternalFailure", "Internal failure.")};
  create(kId);
  deliver(kId);
  clock.run();

  ASSERT_EQ(request_times.size(), 49u);
  for (std::size_t i = 0; i < request_times.size(); ++i) {
    EXPECT_EQ(request_times[i], start() + 300s * static_cast<int>(i)) << i;
  }
  auto n = get(kId);
  EXPECT_EQ(n.status, "technical-failure");
  EXPECT_EQ(n.attempts, 49);
  EXPECT_EQ(n.updated_at, start() + 48 * 300s);
  EXPECT_EQ(clock.now(), start() + 48 * 300s);
  EXPECT_EQ(clock.pending(), 0u);
  EXPECT_EQ(delivery->in_flight(), 0u);
  EXPECT_EQ(done_statuses, std::vector<std::string>{"technical-failure"});

  auto errors = logs_at(LogLevel::error);
  ASSERT_EQ(errors.size(), 50u);
  EXPECT_EQ(errors[0].message, std::string("RETRY: Email notification ") + kId + " failed");
  EXPECT_EQ(errors.back().message,
            std::string("RETRY FAILED: Max retries reached. The task send_email_to_provider "
                        "failed for notification ") +
                kId + ". Notification has been updated to technical-failure");
  EXPECT_EQ(errors.back().at, start() + 48 * 300s);
}

TEST_F(EmailDeliveryTest, ConnectionRefusedIsRetried) {
  ses->script = {ses_success("m-2")};
  transport.set_refusing(testing::kSesAuthority, true);
  clock.schedule_after(100s, [this] { transport.set_refusing(testing::kSesAuthority, false); });
  create(kId);
  deliver(kId);
  clock.run();

  ASSERT_EQ(request_times.size(), 1u);  // the refused attempt never reached the handler
  EXPECT_EQ(request_times[0], start() + 300s);
  auto n = get(kId);
  EXPECT_EQ(n.status, "sending");
  EXPECT_EQ(n.attempts, 2);
  EXPECT_EQ(metrics.counter("clients.ses.error"), 1);
  EXPECT_EQ(logs_at(LogLevel::error).size(), 1u);
}

// With botocore's retries (Notify's default) a throttle that clears within the SDK's attempts
// never reaches the task: one task attempt, three requests, no RETRY line.
TEST_F(EmailDeliveryTest, BotocoreAbsorbsAShortThrottleBurst) {
  use_sdk_retries();
  auto throttle = ses_error(400, "Throttling", "Maximum sending rate exceeded.");
  ses->script = {throttle, throttle, ses_success("m-3")};
  create(kId);
  deliver(kId);
  clock.run();

  ASSERT_EQ(request_times.size(), 3u);
  // Legacy backoff: rand() * 2^(n-1) s after the n-th failed attempt.
  EXPECT_LT(request_times[1] - request_times[0], 1s);
  EXPECT_LT(request_times[2] - request_times[1], 2s);
  auto n = get(kId);
  EXPECT_EQ(n.status, "sending");
  EXPECT_EQ(n.reference, "m-3");
  EXPECT_EQ(n.attempts, 1);
  EXPECT_TRUE(logs_at(LogLevel::warning).empty());
  EXPECT_TRUE(logs_at(LogLevel::error).empty());
  EXPECT_EQ(metrics.counter("clients.ses.error"), 0);
  EXPECT_EQ(metrics.counter("clients.ses.success"), 1);
  ASSERT_EQ(metrics.timing_stats("clients.ses.request-time").count, 1u);
  using Ms = std::chrono::duration<double, std::milli>;
  EXPECT_DOUBLE_EQ(metrics.timing_stats("clients.ses.request-time").sum_ms,
                   Ms(request_times[2] - start()).count());
}

// A throttle that outlasts botocore's five attempts reaches the task as one failure, which
// retries 300 s after the fifth request.
TEST_F(EmailDeliveryTest, ThrottlingThatOutlastsBotocoreReachesTheTaskOnce) {
  use_sdk_retries();
  auto throttle = ses_error(400, "Throttling", "Maximum sending rate exceeded.");
  ses->script = {throttle, throttle, throttle, throttle, throttle, ses_success("m-6")};
  create(kId);
  deliver(kId);
  clock.run();

  ASSERT_EQ(request_times.size(), 6u);
  EXPECT_LT(request_times[4] - request_times[0], 15s);
  EXPECT_EQ(request_times[5], request_times[4] + 300s);
  auto n = get(kId);
  EXPECT_EQ(n.status, "sending");
  EXPECT_EQ(n.attempts, 2);
  EXPECT_EQ(logs_at(LogLevel::warning).size(), 1u);
  EXPECT_EQ(metrics.counter("clients.ses.error"), 1);
}

// An answer botocore does not retry reaches the task at once, as before.
TEST_F(EmailDeliveryTest, BotocoreDoesNotRetryInvalidParameterValue) {
  use_sdk_retries();
  ses->script = {ses_error(400, "InvalidParameterValue", "Header too long: 'Subject'")};
  create(kId);
  deliver(kId);
  clock.run();
  EXPECT_EQ(request_times.size(), 1u);
  EXPECT_EQ(get(kId).status, "technical-failure");
}

TEST_F(EmailDeliveryTest, OnlyCreatedNotificationsAreSent) {
  create(kId);
  ASSERT_TRUE(store->update_status(kId, "sending", clock.now(), "ses", "earlier"));
  deliver(kId);
  clock.run();
  EXPECT_TRUE(ses->received.empty());
  EXPECT_EQ(done_statuses, std::vector<std::string>{"sending"});
  EXPECT_EQ(get(kId).reference, "earlier");
  EXPECT_EQ(get(kId).attempts, 0);
}

TEST_F(EmailDeliveryTest, MissingNotificationIsRetriedThenFails) {
  delivery = std::make_unique<EmailDelivery>(*store, clock, *client, metrics, logger,
                                             EmailDeliveryOptions{2, 10s, "live-key"});
  deliver("no-such-id");
  clock.run();
  EXPECT_TRUE(ses->received.empty());
  EXPECT_EQ(clock.now(), start() + 20s);
  EXPECT_EQ(done_statuses, std::vector<std::string>{"technical-failure"});
}

TEST_F(EmailDeliveryTest, DestroyingTheTaskCancelsPendingRetries) {
  ses->script = {ses_error(503, "ServiceUnavailable", "")};
  create(kId);
  deliver(kId);
  clock.run_for(1s);
  EXPECT_EQ(ses->received.size(), 1u);
  EXPECT_EQ(clock.pending(), 1u);
  delivery.reset();
  EXPECT_EQ(clock.pending(), 0u);
  clock.run();
  EXPECT_EQ(ses->received.size(), 1u);
}

TEST_F(EmailDeliveryTest, AnswerArrivingAfterDestructionIsIgnored) {
  auto slow = ses_success("m-1");
  slow.delay = 5s;
  ses->script = {slow};
  create(kId);
  deliver(kId);
  clock.run_for(1s);
  delivery.reset();
  clock.run();
  EXPECT_EQ(get(kId).status, "created");
  EXPECT_TRUE(done_statuses.empty());
}

TEST_F(EmailDeliveryTest, ManyNotificationsInterleave) {
  auto throttle = ses_error(400, "Throttling", "Maximum sending rate exceeded.");
  ses->script = {throttle, throttle, ses_success("m")};
  for (int i = 0; i < 5; ++i) create("n-" + std::to_string(i));
  for (int i = 0; i < 5; ++i) deliver("n-" + std::to_string(i));
  EXPECT_EQ(delivery->in_flight(), 5u);
  clock.run();
  EXPECT_EQ(delivery->in_flight(), 0u);
  EXPECT_EQ(store->count_by_status("sending"), 5u);
  EXPECT_EQ(done_statuses.size(), 5u);
}

}  // namespace
}  // namespace notify::delivery
