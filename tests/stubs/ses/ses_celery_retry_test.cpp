// The sender of SES events on SQS retries as the Lambda behind SES's SNS topic does: botocore's
// legacy mode inside one run, Lambda's asynchronous invocation retries between runs, and every
// send journaled, a retried one as "retry:<outcome>".
#include "celery.hpp"

#include "ses_fixture.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace notify::stubs::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSqsAuthority = "sqs.test:1";

class SesCeleryRetryTest : public SesTest {
 protected:
  SesCeleryRetryTest() {
    callbacks_.route(kSqsAuthority, [this](transport::Request r, transport::Responder done) {
      sends_.push_back({clock_.now(), std::move(r)});
      transport::Reply reply;
      if (answers_.empty()) {
        reply.response.status = 200;
        reply.response.body = "<SendMessageResponse/>";
      } else {
        reply.response = answers_.front();
        answers_.pop_front();
      }
      done(std::move(reply));
    });
    EXPECT_FALSE(
        stub_.configure({{"events",
                          {{"destination", "celery-sqs"},
                           {"delay_ms", 1000},
                           {"celery", {{"sqs_url", std::string("http://") + kSqsAuthority}}}}},
                         {"max_send_rate", 0}}));
  }

  // SQS's answer to a throttled SendMessage in the Query protocol.
  static transport::Response sqs_error(int status, const std::string& code) {
    transport::Response r;
    r.status = status;
    r.headers.set("Content-Type", "text/xml");
    r.body = "<ErrorResponse><Error><Type>Sender</Type><Code>" + code +
             "</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>";
    return r;
  }

  std::vector<std::string> event_outcomes() {
    JournalQuery q;
    q.operation = "Event";
    std::vector<std::string> out;
    for (const auto& e : host_.journal().query(q)) out.push_back(e.outcome);
    return out;
  }

  struct Send {
    runtime::TimePoint at;
    transport::Request request;
  };
  std::vector<Send> sends_;
  std::deque<transport::Response> answers_;
};

TEST_F(SesCeleryRetryTest, AThrottledSendIsRunAgainByLambdaAMinuteThenTwoMinutesLater) {
  // 400 RequestThrottled is not one botocore's legacy mode retries: each run sends once.
  answers_ = {sqs_error(400, "RequestThrottled"), sqs_error(400, "RequestThrottled")};
  const auto start = clock_.now();
  call(form_post(send_email_body("perm-fail%40simulator.notify")));
  clock_.run();
  ASSERT_EQ(sends_.size(), 3u);
  EXPECT_EQ(sends_[0].at - start, 1s);
  EXPECT_EQ(sends_[1].at - sends_[0].at, 60s);
  EXPECT_EQ(sends_[2].at - sends_[1].at, 120s);
  // Each run builds a new Celery task for the same event.
  EXPECT_NE(sends_[0].request.body, sends_[1].request.body);
  EXPECT_NE(sends_[1].request.body, sends_[2].request.body);
  EXPECT_EQ(event_outcomes(),
            (std::vector<std::string>{"retry:status:400", "retry:status:400", "ok"}));
  auto c = stub_.counters();
  EXPECT_EQ(c.events_sent, 3u);
  EXPECT_EQ(c.events_retried, 2u);
  EXPECT_EQ(c.events_failed, 0u);
  EXPECT_EQ(stub_.pending_events(), 0u);
  // The bounce is counted once, however many runs it took.
  auto stats = call(form_post("Action=GetSendStatistics"));
  EXPECT_NE(stats.response.body.find("<Bounces>1</Bounces>"), std::string::npos)
      << stats.response.body;
}

TEST_F(SesCeleryRetryTest, AServerErrorIsRetriedByTheSdkThenTheEventIsLostAfterThreeRuns) {
  for (int i = 0; i < 20; ++i) answers_.push_back(sqs_error(500, "InternalError"));
  call(form_post(send_email_body()));
  clock_.run();
  // Five sends a run (botocore's legacy max_attempts), three runs.
  ASSERT_EQ(sends_.size(), 15u);
  for (std::size_t run = 0; run < 3; ++run) {
    for (std::size_t i = 1; i < 5; ++i) {
      const auto& before = sends_[run * 5 + i - 1];
      const auto& now = sends_[run * 5 + i];
      // The same request again, after rand() * 2^(n-1) s.
      EXPECT_EQ(now.request.body, before.request.body) << run << " " << i;
      EXPECT_LT(now.at - before.at, std::chrono::seconds(1 << (i - 1))) << run << " " << i;
    }
    if (run > 0) {
      EXPECT_NE(sends_[run * 5].request.body, sends_[run * 5 - 1].request.body);
      EXPECT_EQ(sends_[run * 5].at - sends_[run * 5 - 1].at, std::chrono::minutes(run));
    }
  }
  auto outcomes = event_outcomes();
  ASSERT_EQ(outcomes.size(), 15u);
  for (std::size_t i = 0; i + 1 < outcomes.size(); ++i) EXPECT_EQ(outcomes[i], "retry:status:500");
  EXPECT_EQ(outcomes.back(), "status:500");  // the last send: the event is lost
  auto c = stub_.counters();
  EXPECT_EQ(c.events_retried, 14u);
  EXPECT_EQ(c.events_failed, 1u);
}

TEST_F(SesCeleryRetryTest, RetriesFollowTheConfiguredBounds) {
  ASSERT_FALSE(stub_.configure(
      {{"events", {{"celery", {{"sdk_attempts_max", 2}, {"invocation_retries", 0}}}}}}));
  for (int i = 0; i < 5; ++i) answers_.push_back(sqs_error(503, "ServiceUnavailable"));
  call(form_post(send_email_body()));
  clock_.run();
  EXPECT_EQ(sends_.size(), 2u);
  EXPECT_EQ(stub_.counters().events_failed, 1u);

  auto bad = stub_.configure({{"events", {{"celery", {{"invocation_retries", 3}}}}}});
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field, "events.celery.invocation_retries");
  bad = stub_.configure({{"events", {{"celery", {{"sdk_attempts_max", 0}}}}}});
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field, "events.celery.sdk_attempts_max");
}

TEST_F(SesCeleryRetryTest, NoAnswerIsRetriedAndResetCancelsAWaitingRetry) {
  ASSERT_FALSE(
      stub_.configure({{"events", {{"celery", {{"sqs_url", "http://127.0.0.1:1"}}}}}}));  // refused
  call(form_post(send_email_body()));
  clock_.run_for(1000ms);  // the first send, refused
  EXPECT_EQ(stub_.counters().events_retried, 1u);
  EXPECT_EQ(stub_.pending_events(), 1u);  // the retry waits on the clock
  host_.reset();
  EXPECT_EQ(stub_.pending_events(), 0u);
  clock_.run();
  EXPECT_TRUE(host_.journal().query({}).empty());
}

TEST_F(SesCeleryRetryTest, HttpEventsAreNotRetried) {
  callback_status_ = 500;
  ASSERT_FALSE(
      stub_.configure({{"events", {{"destination", "http"}, {"callback_url", kCallbackUrl}}}}));
  call(form_post(send_email_body()));
  clock_.run();
  EXPECT_EQ(received_.size(), 1u);
  EXPECT_EQ(event_outcomes(), (std::vector<std::string>{"status:500"}));
  EXPECT_EQ(stub_.counters().events_failed, 1u);
}

TEST(SesCelerySender, BotocoreLegacyRetriesForSqs) {
  auto answer = [](int status, std::string body, std::string header = {}) {
    transport::Response r;
    r.status = status;
    r.body = std::move(body);
    if (!header.empty()) r.headers.set("x-amzn-query-error", header);
    return transport::SendResult(std::move(r));
  };
  auto xml = [](const std::string& code) { return "<Error><Code>" + code + "</Code></Error>"; };
  EXPECT_TRUE(ses::botocore_legacy_retries(
      transport::SendResult(make_error_code(boost::system::errc::connection_refused))));
  EXPECT_TRUE(ses::botocore_legacy_retries(answer(500, xml("InternalError"))));
  EXPECT_TRUE(ses::botocore_legacy_retries(answer(503, "")));
  EXPECT_TRUE(ses::botocore_legacy_retries(answer(400, xml("Throttling"))));
  EXPECT_TRUE(ses::botocore_legacy_retries(answer(403, xml("RequestThrottled"))));
  EXPECT_FALSE(ses::botocore_legacy_retries(answer(400, xml("RequestThrottled"))));
  EXPECT_FALSE(ses::botocore_legacy_retries(
      answer(400, "{}", "RequestThrottled;Sender")));  // the JSON protocol's header
  EXPECT_TRUE(ses::botocore_legacy_retries(answer(400, "{}", "ThrottlingException;Sender")));
  EXPECT_FALSE(ses::botocore_legacy_retries(answer(403, xml("OverLimit"))));
  EXPECT_FALSE(
      ses::botocore_legacy_retries(answer(400, xml("AWS.SimpleQueueService.NonExistentQueue"))));
}

}  // namespace
}  // namespace notify::stubs::testing
