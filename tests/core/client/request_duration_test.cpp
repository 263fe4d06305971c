// provider.request.duration as Notify's @record_request_duration records it for each client:
// one recording per call, error.type the class Notify's client raises, no StatsD names.
#include "notify/email/email_client.hpp"
#include "support/client_fixture.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace notify::client {
namespace {

using telemetry::AttributeValue;

transport::Reply reply(int status, std::string body) {
  transport::Reply r;
  r.response.status = status;
  r.response.headers.set("Content-Type", "application/json");
  r.response.body = std::move(body);
  return r;
}

// Recordings of provider.request.duration under exactly `provider` and `error_type` ("" = none).
std::uint64_t recordings(const telemetry::Metrics& metrics, const std::string& provider,
                         const std::string& error_type) {
  auto snapshot = metrics.otel_snapshot();
  auto it = snapshot.find("provider.request.duration");
  if (it == snapshot.end()) return 0;
  std::uint64_t n = 0;
  for (const auto& [attributes, point] : it->second.points) {
    std::optional<std::string> p, e;
    for (const auto& [k, v] : attributes) {
      if (k == "provider.name") p = std::get<std::string>(v);
      if (k == "error.type") e = std::get<std::string>(v);
    }
    if (p == provider && e.value_or("") == error_type) n += point.count;
  }
  return n;
}

struct RequestDurationTest : notify::testing::ClientFixture {
  std::vector<transport::Reply> script;
  RequestDurationTest() {
    metrics.set_format(telemetry::MetricsFormat::otel);
    transport.route("provider.test:80", [this](transport::Request, transport::Responder respond) {
      auto r = script.empty() ? reply(200, "{}") : script.front();
      if (!script.empty()) script.erase(script.begin());
      respond(std::move(r));
    });
  }
};

TEST_F(RequestDurationTest, SesStubCallsAreRecordedWithTheStubsExceptionClass) {
  auto client =
      email::make_ses_stub_client(transport, clock, metrics, logger, "http://provider.test:80/ses");
  script = {reply(200, R"({"MessageId": "m-1"})"), reply(500, "oops")};
  for (int i = 0; i < 2; ++i) {
    client->send_email(email::EmailMessage{}, [](email::EmailResult) {});
    clock.run();
  }
  EXPECT_EQ(recordings(metrics, "ses_stub", ""), 1u);
  EXPECT_EQ(
      recordings(metrics, "ses_stub", "app.clients.email.aws_ses_stub.AwsSesStubClientException"),
      1u);
  EXPECT_TRUE(metrics.counters().empty());  // no clients.ses_stub.success/error
  EXPECT_TRUE(metrics.timings().empty());
  // An unreachable stub is a call that raised too.
  transport.set_refusing("provider.test:80", true);
  client->send_email(email::EmailMessage{}, [](email::EmailResult) {});
  clock.run();
  EXPECT_EQ(
      recordings(metrics, "ses_stub", "app.clients.email.aws_ses_stub.AwsSesStubClientException"),
      2u);
}

TEST_F(RequestDurationTest, StatsdFormatKeepsTheOldNames) {
  metrics.set_format(telemetry::MetricsFormat::statsd);
  auto client =
      email::make_ses_stub_client(transport, clock, metrics, logger, "http://provider.test:80/ses");
  script = {reply(200, R"({"MessageId": "m-1"})")};
  client->send_email(email::EmailMessage{}, [](email::EmailResult) {});
  clock.run();
  EXPECT_EQ(metrics.counter("clients.ses_stub.success"), 1);
  EXPECT_TRUE(metrics.otel_snapshot().empty());
}

TEST(EmailErrorType, MatchesAwsSesPyClasses) {
  auto throttled = email::classify_ses_v2_error(429, "TooManyRequestsException", "slow down");
  EXPECT_EQ(email::email_error_type("clients.ses", throttled),
            "app.clients.email.aws_ses.AwsSesClientThrottlingSendRateException");
  auto invalid = email::classify_ses_error(400, "InvalidParameterValue", "Header too long");
  EXPECT_EQ(email::email_error_type("clients.ses", invalid),
            "app.clients.email.EmailClientNonRetryableException");
  auto other = email::classify_ses_error(500, "InternalFailure", "boom");
  EXPECT_EQ(email::email_error_type("clients.ses", other),
            "app.clients.email.aws_ses.AwsSesClientException");
}

}  // namespace
}  // namespace notify::client
