// The SES v1 client against a fake SES on the in-process transport: the exact request, the
// answers botocore would parse, and the metrics and log lines Notify emits.
#include "fake_ses.hpp"
#include "notify/aws/sigv4.hpp"
#include "notify/email/email_client.hpp"
#include "support/client_fixture.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace notify::email {
namespace {

using namespace std::chrono_literals;
using testing::FakeSes;
using testing::ses_error;
using testing::ses_success;
using testing::xml_reply;

struct SesClientTest : notify::testing::ClientFixture {
  std::shared_ptr<FakeSes> ses = std::make_shared<FakeSes>();
  runtime::Rng rng{1};
  std::unique_ptr<EmailClient> client;

  SesClientTest() {
    transport.route("ses.test:4566", FakeSes::handler(ses));
    SesClientOptions options;
    options.endpoint_url = "http://ses.test:4566";
    client = make_ses_client(transport, clock, rng, metrics, logger, options);
  }

  static EmailMessage message() {
    EmailMessage m;
    m.source = "\"Service\" <from@notifications.example>";
    m.to = {
        "to@b\xC3\xBC"
        "cher.example"};
    m.subject = "Caf\xC3\xA9 & more +1";
    m.body = "Hi\nthere";
    m.html_body = "<p>Hi</p>";
    m.reply_to = {"r1@example.com", "r2@example.com"};
    return m;
  }

  EmailResult send(const EmailMessage& m = message()) {
    std::optional<EmailResult> result;
    client->send_email(m, [&](EmailResult r) { result = std::move(r); });
    clock.run();
    EXPECT_TRUE(result.has_value());
    return result ? *result : EmailResult(Failure{});
  }
};

TEST_F(SesClientTest, RequestBodyIsExact) {
  ses->script = {ses_success("m-1")};
  send();
  ASSERT_EQ(ses->received.size(), 1u);
  const auto& request = ses->received[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/");
  EXPECT_EQ(request.headers.get("Content-Type"),
            "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(request.body,
            "Action=SendEmail&Version=2010-12-01"
            "&Source=%22Service%22+%3Cfrom%40notifications.example%3E"
            "&Destination.ToAddresses.member.1=to%40xn--bcher-kva.example"
            "&Message.Subject.Data=Caf%C3%A9+%26+more+%2B1"
            "&Message.Subject.Charset=UTF-8"
            "&Message.Body.Text.Data=Hi%0Athere"
            "&Message.Body.Html.Data=%3Cp%3EHi%3C%2Fp%3E"
            "&ReplyToAddresses.member.1=r1%40example.com"
            "&ReplyToAddresses.member.2=r2%40example.com");
}

TEST_F(SesClientTest, HtmlAndReplyToAreLeftOutWhenEmpty) {
  EmailMessage m;
  m.source = "a@example.com";
  m.to = {"b@example.com", "c@example.com"};
  m.subject = "s";
  m.body = "b";
  EXPECT_EQ(build_send_email_body(m),
            "Action=SendEmail&Version=2010-12-01&Source=a%40example.com"
            "&Destination.ToAddresses.member.1=b%40example.com"
            "&Destination.ToAddresses.member.2=c%40example.com"
            "&Message.Subject.Data=s&Message.Subject.Charset=UTF-8&Message.Body.Text.Data=b");
}

TEST_F(SesClientTest, RequestIsSignedForSesAndVerifies) {
  ses->script = {ses_success("m-1")};
  send();
  ASSERT_EQ(ses->received.size(), 1u);
  const auto& request = ses->received[0];
  auto auth = aws::parse_authorization(request.headers.get_or("Authorization", ""));
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->service, "ses");
  EXPECT_EQ(auth->region, "eu-west-1");
  EXPECT_EQ(auth->date, "20260101");
  EXPECT_EQ(auth->signed_headers, "content-type;host;x-amz-date");
  EXPECT_EQ(request.headers.get("X-Amz-Date"), "20260101T000000Z");
  EXPECT_EQ(aws::verify_request(request, aws::Credentials{}.secret_access_key), "");
}

TEST_F(SesClientTest, EndpointWithPathPostsToThatPath) {
  transport.route("ses.test:4567", FakeSes::handler(ses));
  SesClientOptions options;
  options.endpoint_url = "http://ses.test:4567/prefix";
  auto prefixed = make_ses_client(transport, clock, rng, metrics, logger, options);
  ses->script = {ses_success("m-1")};
  prefixed->send_email(message(), [](EmailResult) {});
  clock.run();
  ASSERT_EQ(ses->received.size(), 1u);
  EXPECT_EQ(ses->received[0].target, "/prefix");
}

TEST_F(SesClientTest, BadEndpointIsAConfigurationError) {
  SesClientOptions options;
  options.endpoint_url = "email.eu-west-1.amazonaws.com";
  EXPECT_THROW(make_ses_client(transport, clock, rng, metrics, logger, options),
               std::invalid_argument);
}

TEST_F(SesClientTest, SuccessReturnsMessageIdWithMetricsAndLog) {
  auto reply = ses_success("0100018a1b2c3d4e-11111111-2222-3333-4444-555555555555-000000");
  reply.delay = 250ms;
  ses->script = {reply};
  auto result = send();
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, "0100018a1b2c3d4e-11111111-2222-3333-4444-555555555555-000000");
  EXPECT_EQ(client->name(), "ses");
  EXPECT_EQ(client->metrics_name(), "clients.ses");
  EXPECT_EQ(metrics.counter("clients.ses.success"), 1);
  EXPECT_EQ(metrics.counter("clients.ses.error"), 0);
  EXPECT_EQ(metrics.timing_stats("clients.ses.request-time").count, 1u);
  EXPECT_DOUBLE_EQ(metrics.timing_stats("clients.ses.request-time").sum_ms, 250.0);
  EXPECT_EQ(metrics.timing_stats("clients.ses.raw-request-time").count, 1u);
  auto records = logger.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].level, LogLevel::info);
  EXPECT_EQ(records[0].message, "AWS SES request finished in 0.25");
}

TEST_F(SesClientTest, RawRequestTimeOnlyWhenTheTransportMeasuredIt) {
  ses->script = {ses_success("m-1")};
  ASSERT_TRUE(send());
  EXPECT_EQ(metrics.timing_stats("clients.ses.request-time").count, 1u);
  EXPECT_EQ(metrics.timing_stats("clients.ses.raw-request-time").count, 0u);
  EXPECT_EQ(logger.records().at(0).message, "AWS SES request finished in 0.0");
}

TEST_F(SesClientTest, SuccessParsingIgnoresRootAndNamespace) {
  ses->script = {xml_reply(200,
                           "<X><SendEmailResult><MessageId>m-2</MessageId>"
                           "</SendEmailResult></X>")};
  auto result = send();
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, "m-2");
}

struct AnswerRow {
  const char* name;
  transport::Reply reply;
  const char* code;
  const char* message;
  FailureKind kind;
  bool retry;
  LogLevel level;
  int error_metrics;  // Notify's generic ClientError branch counts twice
};

// Printed by name, so ctest lists the row and not its bytes.
void PrintTo(const AnswerRow& row, std::ostream* os) { *os << row.name; }

class SesAnswers : public SesClientTest, public ::testing::WithParamInterface<AnswerRow> {};

TEST_P(SesAnswers, AreClassified) {
  const auto& row = GetParam();
  ses->script = {row.reply};
  auto result = send();
  ASSERT_FALSE(result) << row.name;
  const auto& error = result.error();
  EXPECT_EQ(error.code, row.code) << row.name;
  EXPECT_EQ(error.message, row.message) << row.name;
  EXPECT_EQ(error.kind, row.kind) << row.name;
  EXPECT_EQ(error.retryable(), row.retry) << row.name;
  EXPECT_EQ(error.level, row.level) << row.name;
  EXPECT_EQ(metrics.counter("clients.ses.error"), row.error_metrics) << row.name;
  EXPECT_EQ(metrics.counter("clients.ses.success"), 0) << row.name;
  EXPECT_EQ(metrics.timing_stats("clients.ses.request-time").count, 0u) << row.name;
}

transport::Reply plain(int status, std::string body) {
  transport::Reply reply;
  reply.response.status = status;
  reply.response.body = std::move(body);
  return reply;
}

INSTANTIATE_TEST_SUITE_P(
    Botocore, SesAnswers,
    ::testing::Values(
        AnswerRow{"header too long",
                  ses_error(400, "InvalidParameterValue", "Header too long: 'Subject'"),
                  "InvalidParameterValue", "Header too long: 'Subject'", FailureKind::rejected_4xx,
                  false, LogLevel::error, 1},
        AnswerRow{"send rate", ses_error(400, "Throttling", "Maximum sending rate exceeded."),
                  "Throttling", "Maximum sending rate exceeded.", FailureKind::throttled, true,
                  LogLevel::warning, 1},
        AnswerRow{"daily quota", ses_error(400, "Throttling", "Daily message quota exceeded."),
                  "Throttling", "Daily message quota exceeded.", FailureKind::throttled, true,
                  LogLevel::error, 2},
        AnswerRow{"message rejected",
                  ses_error(400, "MessageRejected",
                            "Email address is not verified. The "
                            "following identities failed the check in region EU-WEST-1: "
                            "from@example.com"),
                  "MessageRejected",
                  "Email address is not verified. The following identities failed the check in "
                  "region EU-WEST-1: <email>",
                  FailureKind::rejected_4xx, true, LogLevel::error, 2},
        AnswerRow{"internal failure", ses_error(500, "InternalFailure", "oops"), "InternalFailure",
                  "oops", FailureKind::provider_5xx, true, LogLevel::error, 2},
        AnswerRow{"500 empty", plain(500, ""), "500", "Internal Server Error",
                  FailureKind::provider_5xx, true, LogLevel::error, 2},
        AnswerRow{"503 html", plain(503, "<html><body>down</body></html>"), "503",
                  "Service Unavailable", FailureKind::provider_5xx, true, LogLevel::error, 2},
        AnswerRow{"502 json", plain(502, "{\"message\":\"bad gateway\"}"), "502", "Bad Gateway",
                  FailureKind::provider_5xx, true, LogLevel::error, 2},
        AnswerRow{"403 empty", plain(403, ""), "ResponseParserError",
                  "SES answered 403 with a body that is not an ErrorResponse",
                  FailureKind::rejected_4xx, true, LogLevel::error, 1},
        AnswerRow{"padded code",
                  xml_reply(400,
                            "<ErrorResponse><Error><Code>\n  Throttling\n</Code><Message>"
                            "Maximum sending rate exceeded.</Message></Error>"
                            "</ErrorResponse>"),
                  "\n  Throttling\n", "Maximum sending rate exceeded.", FailureKind::rejected_4xx,
                  true, LogLevel::error, 2},
        AnswerRow{"200 without result", xml_reply(200, "<SendEmailResponse/>"), "bad_response",
                  "SES answered 200 without SendEmailResult/MessageId", FailureKind::provider_5xx,
                  true, LogLevel::error, 1},
        AnswerRow{"200 error body",
                  xml_reply(200,
                            "<ErrorResponse><Error><Code>Throttling</Code></Error>"
                            "</ErrorResponse>"),
                  "bad_response", "SES answered 200 without SendEmailResult/MessageId",
                  FailureKind::provider_5xx, true, LogLevel::error, 1},
        AnswerRow{"200 truncated", xml_reply(200, "<SendEmailResponse><SendEmailResult>"),
                  "bad_response", "SES answered 200 with a body that is not XML",
                  FailureKind::provider_5xx, true, LogLevel::error, 1}),
    [](const auto& info) {
      std::string name = info.param.name;
      for (auto& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST_F(SesClientTest, ConnectionRefusedIsATransportError) {
  transport.unroute("ses.test:4566");
  auto result = send();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, FailureKind::transport);
  EXPECT_EQ(result.error().code, "connection_refused");
  EXPECT_TRUE(result.error().retryable());
  EXPECT_EQ(metrics.counter("clients.ses.error"), 1);
}

TEST_F(SesClientTest, HangIsATimeout) {
  transport::Reply hang;
  hang.action = transport::ConnectionAction::hang;
  ses->script = {hang};
  auto result = send();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, FailureKind::timeout);
  EXPECT_TRUE(result.error().retryable());
}

TEST_F(SesClientTest, ClientMayBeDestroyedWithARequestInFlight) {
  ses->script = {ses_success("m-1")};
  bool called = false;
  client->send_email(message(), [&](EmailResult r) { called = r.has_value(); });
  client.reset();
  clock.run();
  EXPECT_TRUE(called);
}

}  // namespace
}  // namespace notify::email
