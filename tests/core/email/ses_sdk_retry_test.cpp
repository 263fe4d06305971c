// botocore's legacy retries inside one SES send_email call, in virtual time: which answers are
// sent again, how many attempts, the backoff's bounds and seed, and what Notify's metrics see.
#include "fake_ses.hpp"
#include "notify/client/botocore_retry.hpp"
#include "notify/email/email_client.hpp"
#include "support/client_fixture.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>

namespace notify::email {
namespace {

using namespace std::chrono_literals;
using testing::FakeSes;
using testing::ses_error;
using testing::ses_success;
using testing::ses_v2_error;
using testing::ses_v2_success;
using Ms = std::chrono::duration<double, std::milli>;

TEST(BotocoreLegacyRetries, RetryableSetIsRetryJsonDefault) {
  for (int status : {429, 500, 502, 503, 504, 509}) {
    EXPECT_TRUE(client::botocore_legacy_retries(status, "")) << status;
    EXPECT_TRUE(client::botocore_legacy_retries(status, "AnyCode")) << status;
  }
  for (const char* code :
       {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException"}) {
    EXPECT_TRUE(client::botocore_legacy_retries(400, code)) << code;
    // Code and status must both match.
    EXPECT_FALSE(client::botocore_legacy_retries(403, code)) << code;
  }
  // Codes other policies or other services retry, but not __default__ in legacy mode.
  for (const char* code :
       {"LimitExceededException", "TooManyRequestsException", "RequestLimitExceeded",
        "ProvisionedThroughputExceededException", "InvalidParameterValue", "BadRequestException",
        "MessageRejected", "\n  Throttling\n", "throttling"}) {
    EXPECT_FALSE(client::botocore_legacy_retries(400, code)) << code;
  }
  for (int status : {200, 301, 403, 404, 408, 501, 505}) {
    EXPECT_FALSE(client::botocore_legacy_retries(status, "")) << status;
  }
}

TEST(BotocoreLegacyRetries, DelayIsRandTimesTwoToTheAttemptsLessOne) {
  runtime::Rng rng(7);
  runtime::Rng same(7);
  for (int attempts = 1; attempts <= 4; ++attempts) {
    double bound_s = std::pow(2.0, attempts - 1);
    for (int i = 0; i < 200; ++i) {
      auto d = client::botocore_legacy_delay(rng, attempts);
      EXPECT_GE(d, runtime::Duration::zero());
      EXPECT_LT(std::chrono::duration<double>(d).count(), bound_s);
      // The same seed gives the same delays.
      EXPECT_EQ(d, client::botocore_legacy_delay(same, attempts));
    }
  }
}

struct SdkRetryTest : notify::testing::ClientFixture {
  std::shared_ptr<FakeSes> ses = std::make_shared<FakeSes>();
  std::vector<runtime::TimePoint> request_times;
  runtime::Rng rng{42};
  std::unique_ptr<EmailClient> client;

  SdkRetryTest() {
    auto handler = FakeSes::handler(ses);
    transport.route("ses.test:4566",
                    [this, handler](transport::Request r, transport::Responder respond) {
                      request_times.push_back(clock.now());
                      handler(std::move(r), std::move(respond));
                    });
    make({});
  }

  void make(SesClientOptions options) {
    options.endpoint_url = "http://ses.test:4566";
    client = make_ses_client(transport, clock, rng, metrics, logger, options);
  }

  static EmailMessage message() {
    EmailMessage m;
    m.source = "from@notifications.example";
    m.to = {"to@example.com"};
    m.subject = "s";
    m.body = "b";
    return m;
  }

  EmailResult send() {
    std::optional<EmailResult> result;
    client->send_email(message(), [&](EmailResult r) { result = std::move(r); });
    clock.run();
    EXPECT_TRUE(result.has_value());
    return result ? *result : EmailResult(Failure{});
  }
};

struct RetryRow {
  const char* name;
  SesApi api;
  transport::Reply reply;
  std::size_t requests;  // with the legacy default: 5 when retried, 1 when not
};

void PrintTo(const RetryRow& row, std::ostream* os) { *os << row.name; }

class SdkRetries : public SdkRetryTest, public ::testing::WithParamInterface<RetryRow> {};

TEST_P(SdkRetries, RetryOnlyWhatBotocoreRetries) {
  const auto& row = GetParam();
  SesClientOptions o;
  o.api = row.api;
  make(o);
  ses->script = {row.reply};
  auto result = send();
  ASSERT_FALSE(result);
  EXPECT_EQ(ses->received.size(), row.requests) << row.name;
  // Notify sees one call: one error outcome however many attempts botocore made.
  EXPECT_GE(metrics.counter("clients.ses.error"), 1);
  EXPECT_LE(metrics.counter("clients.ses.error"), 2);
}

transport::Reply plain(int status, std::string body) {
  transport::Reply reply;
  reply.response.status = status;
  reply.response.body = std::move(body);
  return reply;
}

INSTANTIATE_TEST_SUITE_P(
    Legacy, SdkRetries,
    ::testing::Values(
        RetryRow{"v1 send rate", SesApi::v1,
                 ses_error(400, "Throttling", "Maximum sending rate exceeded."), 5},
        RetryRow{"v1 daily quota", SesApi::v1,
                 ses_error(400, "Throttling", "Daily message quota exceeded."), 5},
        RetryRow{"v1 throttling exception", SesApi::v1,
                 ses_error(400, "ThrottlingException", "Rate exceeded"), 5},
        RetryRow{"v1 internal failure", SesApi::v1, ses_error(500, "InternalFailure", "x"), 5},
        RetryRow{"v1 service unavailable", SesApi::v1, ses_error(503, "ServiceUnavailable", "x"),
                 5},
        RetryRow{"v1 502 empty", SesApi::v1, plain(502, ""), 5},
        RetryRow{"v1 504 html", SesApi::v1, plain(504, "<html>gateway</html>"), 5},
        RetryRow{"v1 invalid parameter", SesApi::v1,
                 ses_error(400, "InvalidParameterValue", "Header too long: 'Subject'"), 1},
        RetryRow{"v1 message rejected", SesApi::v1, ses_error(400, "MessageRejected", "x"), 1},
        RetryRow{"v1 padded throttling code", SesApi::v1,
                 testing::xml_reply(400,
                                    "<ErrorResponse><Error><Code> Throttling </Code>"
                                    "</Error></ErrorResponse>"),
                 1},
        RetryRow{"v1 403 not xml", SesApi::v1, plain(403, "denied"), 1},
        RetryRow{"v1 200 without result", SesApi::v1, testing::xml_reply(200, "<R/>"), 1},
        RetryRow{"v2 too many requests", SesApi::v2,
                 ses_v2_error(429, "TooManyRequestsException", "Maximum sending rate exceeded."),
                 5},
        RetryRow{"v2 limit exceeded", SesApi::v2, ses_v2_error(400, "LimitExceededException", "x"),
                 1},
        RetryRow{"v2 bad request", SesApi::v2,
                 ses_v2_error(400, "BadRequestException", "Header too long: 'Subject'"), 1},
        RetryRow{"v2 internal", SesApi::v2, ses_v2_error(500, "InternalFailure", "x"), 5},
        RetryRow{"v2 200 not json", SesApi::v2, plain(200, "ok"), 1}),
    [](const auto& info) {
      std::string name = info.param.name;
      for (auto& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST_F(SdkRetryTest, FiveAttemptsWithLegacyBackoffThenOneErrorForNotify) {
  ses->script = {ses_error(400, "Throttling", "Maximum sending rate exceeded.")};
  auto result = send();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "Throttling");
  EXPECT_TRUE(is_send_rate_throttling(result.error()));
  ASSERT_EQ(request_times.size(), 5u);
  for (std::size_t n = 1; n < request_times.size(); ++n) {
    auto gap = request_times[n] - request_times[n - 1];
    EXPECT_GE(gap, runtime::Duration::zero()) << n;
    EXPECT_LT(Ms(gap).count(), 1000.0 * std::pow(2.0, static_cast<double>(n) - 1)) << n;
  }
  // Send-rate throttling counts once, whatever botocore did underneath.
  EXPECT_EQ(metrics.counter("clients.ses.error"), 1);
  EXPECT_EQ(metrics.timing_stats("clients.ses.request-time").count, 0u);
  EXPECT_EQ(clock.pending(), 0u);
}

TEST_F(SdkRetryTest, BackoffIsReproducibleFromTheSeed) {
  ses->script = {ses_error(503, "ServiceUnavailable", "x")};
  (void)send();
  auto first = request_times;
  request_times.clear();
  rng = runtime::Rng(42);
  clock.run_for(1h);
  auto base = clock.now();
  (void)send();
  ASSERT_EQ(first.size(), 5u);
  ASSERT_EQ(request_times.size(), 5u);
  for (std::size_t n = 0; n < 5; ++n) {
    EXPECT_EQ(first[n] - first[0], request_times[n] - base) << n;
  }
}

TEST_F(SdkRetryTest, EachAttemptIsSignedAfresh) {
  ses->script = {ses_error(500, "InternalFailure", "x"), ses_success("m-1")};
  ASSERT_TRUE(send());
  ASSERT_EQ(ses->received.size(), 2u);
  for (const auto& r : ses->received) {
    EXPECT_EQ(r.headers.get("X-Amz-Date"),
              runtime::format_amz_date(request_times[&r - ses->received.data()]));
    EXPECT_EQ(aws::verify_request(r, aws::Credentials{}.secret_access_key), "");
  }
}

TEST_F(SdkRetryTest, OffMakesOneAttempt) {
  SesClientOptions o;
  o.sdk_retry_mode = client::SdkRetryMode::off;
  make(o);
  ses->script = {ses_error(503, "ServiceUnavailable", "x")};
  ASSERT_FALSE(send());
  EXPECT_EQ(ses->received.size(), 1u);
}

TEST_F(SdkRetryTest, MaxAttemptsIsAnOption) {
  SesClientOptions o;
  o.sdk_max_attempts = 2;
  make(o);
  ses->script = {ses_error(503, "ServiceUnavailable", "x")};
  ASSERT_FALSE(send());
  EXPECT_EQ(ses->received.size(), 2u);
  o.sdk_max_attempts = 0;
  EXPECT_THROW(make(o), std::invalid_argument);
}

TEST_F(SdkRetryTest, NoResponseIsRetriedAndCountedOnce) {
  transport.set_refusing("ses.test:4566", true);
  auto result = send();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "connection_refused");
  EXPECT_EQ(metrics.counter("clients.ses.error"), 1);
  // Five attempts, four backoffs, all under 1 + 2 + 4 + 8 s.
  EXPECT_LT(clock.now() - runtime::VirtualClock::default_start(), 15s);
  EXPECT_GT(clock.now(), runtime::VirtualClock::default_start());
}

TEST_F(SdkRetryTest, AHangIsRetriedAfterEachTimeOut) {
  transport::Reply hang;
  hang.action = transport::ConnectionAction::hang;
  ses->script = {hang, hang, ses_success("m-3")};
  auto result = send();
  ASSERT_TRUE(result);
  EXPECT_EQ(ses->received.size(), 3u);
  // Each hang waits out the 60 s read time-out before botocore tries again.
  EXPECT_GE(request_times[1] - request_times[0], 60s);
  EXPECT_GE(request_times[2] - request_times[1], 60s);
}

// request-time is Notify's timer around the whole call; raw-request-time (v1's boto3 hooks)
// runs from the first attempt's request to the last attempt's response. Both once per call.
TEST_F(SdkRetryTest, TimingsCoverTheWholeCallOncePerSuccess) {
  auto slow = [](transport::Reply r) {
    r.delay = 100ms;
    return r;
  };
  ses->script = {slow(ses_error(400, "Throttling", "Maximum sending rate exceeded.")),
                 slow(ses_error(500, "InternalFailure", "x")), slow(ses_success("m-1"))};
  ASSERT_TRUE(send());
  ASSERT_EQ(request_times.size(), 3u);
  auto total = Ms(clock.now() - runtime::VirtualClock::default_start()).count();
  EXPECT_DOUBLE_EQ(total, Ms(request_times[2] - request_times[0]).count() + 100.0);
  auto request_time = metrics.timing_stats("clients.ses.request-time");
  auto raw = metrics.timing_stats("clients.ses.raw-request-time");
  ASSERT_EQ(request_time.count, 1u);
  ASSERT_EQ(raw.count, 1u);
  EXPECT_DOUBLE_EQ(request_time.sum_ms, total);
  EXPECT_DOUBLE_EQ(raw.sum_ms, total);
  EXPECT_GT(raw.sum_ms, 300.0);  // three answers of 100 ms plus two backoffs
  EXPECT_EQ(metrics.counter("clients.ses.success"), 1);
  EXPECT_EQ(metrics.counter("clients.ses.error"), 0);
  // botocore's own debug lines, one per retry.
  std::size_t debug = 0;
  for (const auto& r : logger.records()) {
    if (r.level == LogLevel::debug && r.message.find("botocore: retry needed") == 0) ++debug;
  }
  EXPECT_EQ(debug, 2u);
}

TEST_F(SdkRetryTest, V2ReportsNoRawRequestTime) {
  SesClientOptions o;
  o.api = SesApi::v2;
  make(o);
  auto reply = ses_v2_success("m-1");
  reply.delay = 100ms;
  ses->script = {reply};
  ASSERT_TRUE(send());
  EXPECT_EQ(metrics.timing_stats("clients.ses.request-time").count, 1u);
  EXPECT_EQ(metrics.timing_stats("clients.ses.raw-request-time").count, 0u);
}

TEST_F(SdkRetryTest, PendingRetriesStopWithTheClient) {
  ses->script = {ses_error(503, "ServiceUnavailable", "x")};
  bool called = false;
  client->send_email(message(), [&](EmailResult) { called = true; });
  // The answer, not yet the backoff after it.
  clock.run_for(runtime::Duration::zero());
  ASSERT_EQ(ses->received.size(), 1u);
  client.reset();
  clock.run();
  EXPECT_EQ(ses->received.size(), 1u);
  EXPECT_FALSE(called);
}

TEST_F(SdkRetryTest, AnAnswerInFlightWhenTheClientGoesIsHandedBack) {
  auto reply = ses_error(503, "ServiceUnavailable", "x");
  reply.delay = 1s;
  ses->script = {reply};
  std::optional<EmailResult> result;
  client->send_email(message(), [&](EmailResult r) { result = std::move(r); });
  clock.run_for(1ms);
  client.reset();
  clock.run();
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(*result);
  EXPECT_EQ(ses->received.size(), 1u);
}

}  // namespace
}  // namespace notify::email
