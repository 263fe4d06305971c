// The SES stub client (SES_STUB_URL) and Notify's choice between it and the real client.
#include "fake_ses.hpp"
#include "notify/email/email_client.hpp"
#include "support/client_fixture.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace notify::email {
namespace {

using testing::FakeSes;

transport::Reply json_reply(int status, std::string body) {
  transport::Reply reply;
  reply.response.status = status;
  reply.response.headers.set("Content-Type", "application/json");
  reply.response.body = std::move(body);
  return reply;
}

struct StubClientTest : notify::testing::ClientFixture {
  std::shared_ptr<FakeSes> stub = std::make_shared<FakeSes>();
  std::unique_ptr<EmailClient> client;

  StubClientTest() {
    transport.route("stub.test:6301", FakeSes::handler(stub));
    client = make_ses_stub_client(transport, clock, metrics, logger, "http://stub.test:6301/ses");
  }

  EmailResult send() {
    EmailMessage m;
    m.source = "from@example.com";
    m.to = {"jane@example.com"};
    m.subject = "s";
    m.body = "b";
    std::optional<EmailResult> result;
    client->send_email(m, [&](EmailResult r) { result = std::move(r); });
    clock.run();
    EXPECT_TRUE(result.has_value());
    return result ? *result : EmailResult(Failure{});
  }
};

TEST_F(StubClientTest, PostsDummyFormAndReadsMessageId) {
  stub->script = {json_reply(200, R"({"MessageId": "5b4c4f1e-6a4e-4f55-9b4f-2b8e1d2c3a4b"})")};
  auto result = send();
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, "5b4c4f1e-6a4e-4f55-9b4f-2b8e1d2c3a4b");
  ASSERT_EQ(stub->received.size(), 1u);
  EXPECT_EQ(stub->received[0].method, "POST");
  EXPECT_EQ(stub->received[0].target, "/ses");
  EXPECT_EQ(stub->received[0].body, "id=dummy-data");
  EXPECT_EQ(stub->received[0].headers.get("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_FALSE(stub->received[0].headers.contains("Authorization"));
  EXPECT_EQ(client->name(), "ses");
  EXPECT_EQ(client->metrics_name(), "clients.ses_stub");
  EXPECT_EQ(metrics.counter("clients.ses_stub.success"), 1);
  EXPECT_EQ(metrics.timing_stats("clients.ses_stub.request-time").count, 1u);
  EXPECT_EQ(metrics.timing_stats("clients.ses_stub.raw-request-time").count, 0u);
  EXPECT_EQ(logger.records().at(0).message, "AWS SES stub request finished in 0.0");
}

TEST_F(StubClientTest, EveryFailureIsRetryable) {
  for (auto reply :
       {json_reply(500, "{}"), json_reply(400, R"({"MessageId":"x"})"), json_reply(200, "not json"),
        json_reply(200, R"({"Id":"x"})"), json_reply(200, R"({"MessageId":7})")}) {
    stub->script = {reply};
    auto result = send();
    ASSERT_FALSE(result) << reply.response.status << " " << reply.response.body;
    EXPECT_TRUE(result.error().retryable());
    EXPECT_EQ(result.error().level, LogLevel::error);
  }
  EXPECT_EQ(metrics.counter("clients.ses_stub.error"), 5);
  EXPECT_EQ(metrics.counter("clients.ses_stub.success"), 0);

  transport.unroute("stub.test:6301");
  auto refused = send();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "connection_refused");
  EXPECT_TRUE(refused.error().retryable());
}

TEST(EmailClientChoice, StubWhenUrlIsSetExceptInProduction) {
  runtime::VirtualClock clock;
  transport::InProcessTransport transport{clock};
  telemetry::Metrics metrics;
  telemetry::Logger logger{clock};
  runtime::Rng rng{1};
  SesClientOptions ses;
  ses.endpoint_url = "https://email.eu-west-1.amazonaws.com";

  auto real = make_email_client({}, transport, clock, rng, metrics, logger, ses);
  EXPECT_EQ(real->metrics_name(), "clients.ses");

  EmailClientChoice stub_choice{std::string("http://stub.test:6301/ses"), "development"};
  auto stub = make_email_client(stub_choice, transport, clock, rng, metrics, logger, ses);
  EXPECT_EQ(stub->metrics_name(), "clients.ses_stub");
  EXPECT_EQ(stub->name(), "ses");

  EmailClientChoice production{std::string("http://stub.test:6301/ses"), "production"};
  EXPECT_THROW(make_email_client(production, transport, clock, rng, metrics, logger, ses),
               std::invalid_argument);
}

}  // namespace
}  // namespace notify::email
