// The SES v2 client (sesv2 SendEmail over REST-JSON) against a fake SES: the exact request and
// its signature, every answer the v2 API gives read as botocore reads it, and Notify's
// classification of it, as Notify has it and as fixed.
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
using testing::json_reply;
using testing::ses_v2_error;
using testing::ses_v2_success;

struct SesV2ClientTest : notify::testing::ClientFixture {
  std::shared_ptr<FakeSes> ses = std::make_shared<FakeSes>();
  runtime::Rng rng{1};
  std::unique_ptr<EmailClient> client;

  SesV2ClientTest() {
    transport.route("ses.test:4566", FakeSes::handler(ses));
    make(client::SdkRetryMode::legacy, SesV2BadRequest::as_notify);
  }

  void make(client::SdkRetryMode mode, SesV2BadRequest bad_request,
            std::string endpoint = "http://ses.test:4566") {
    SesClientOptions options;
    options.endpoint_url = std::move(endpoint);
    options.api = SesApi::v2;
    options.sdk_retry_mode = mode;
    options.v2_bad_request = bad_request;
    client = make_ses_client(transport, clock, rng, metrics, logger, options);
  }

  static EmailMessage message() {
    EmailMessage m;
    m.source = "\"Service\" <from@notifications.example>";
    m.to = {
        "to@b\xC3\xBC"
        "cher.example"};
    m.subject = "Caf\xC3\xA9 \"quoted\"";
    m.body = "Hi\nthere";
    m.html_body = "<p>Hi</p>";
    m.reply_to = {"r1@example.com"};
    m.headers = {{"List-Unsubscribe", "<https://example.gov.uk/unsubscribe/1>"},
                 {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
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

TEST_F(SesV2ClientTest, RequestIsSesV2SendEmail) {
  ses->script = {ses_v2_success("m-1")};
  ASSERT_TRUE(send());
  ASSERT_EQ(ses->received.size(), 1u);
  const auto& request = ses->received[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/v2/email/outbound-emails");
  EXPECT_EQ(request.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(request.body,
            "{\"FromEmailAddress\": \"\\\"Service\\\" <from@notifications.example>\", "
            "\"Destination\": {\"ToAddresses\": [\"to@xn--bcher-kva.example\"], "
            "\"CcAddresses\": [], \"BccAddresses\": []}, "
            "\"Content\": {\"Simple\": {\"Subject\": {\"Data\": \"Caf\\u00e9 \\\"quoted\\\"\"}, "
            "\"Body\": {\"Text\": {\"Data\": \"Hi\\nthere\"}, "
            "\"Html\": {\"Data\": \"<p>Hi</p>\"}}, "
            "\"Headers\": [{\"Name\": \"List-Unsubscribe\", "
            "\"Value\": \"<https://example.gov.uk/unsubscribe/1>\"}, "
            "{\"Name\": \"List-Unsubscribe-Post\", \"Value\": \"List-Unsubscribe=One-Click\"}]}}, "
            "\"ReplyToAddresses\": [\"r1@example.com\"]}");
}

TEST_F(SesV2ClientTest, EmptyListsAndHtmlAreStillSent) {
  EmailMessage m;
  m.source = "a@example.com";
  m.to = {"b@example.com"};
  m.subject = "s";
  m.body = "b";
  EXPECT_EQ(build_send_email_v2_body(m),
            "{\"FromEmailAddress\": \"a@example.com\", \"Destination\": {\"ToAddresses\": "
            "[\"b@example.com\"], \"CcAddresses\": [], \"BccAddresses\": []}, \"Content\": "
            "{\"Simple\": {\"Subject\": {\"Data\": \"s\"}, \"Body\": {\"Text\": {\"Data\": "
            "\"b\"}, \"Html\": {\"Data\": \"\"}}, \"Headers\": []}}, \"ReplyToAddresses\": []}");
}

TEST_F(SesV2ClientTest, RequestIsSignedForSesAndVerifies) {
  ses->script = {ses_v2_success("m-1")};
  ASSERT_TRUE(send());
  const auto& request = ses->received.at(0);
  auto auth = aws::parse_authorization(request.headers.get_or("Authorization", ""));
  ASSERT_TRUE(auth);
  // SES v2's signing name is "ses", like v1's (endpoint prefix "email").
  EXPECT_EQ(auth->service, "ses");
  EXPECT_EQ(auth->region, "eu-west-1");
  EXPECT_EQ(auth->signed_headers, "content-type;host;x-amz-date");
  EXPECT_EQ(aws::verify_request(request, aws::Credentials{}.secret_access_key), "");
}

TEST_F(SesV2ClientTest, EndpointPathPrefixesTheOperation) {
  transport.route("ses.test:4567", FakeSes::handler(ses));
  make(client::SdkRetryMode::legacy, SesV2BadRequest::as_notify, "http://ses.test:4567/prefix/");
  ses->script = {ses_v2_success("m-1")};
  ASSERT_TRUE(send());
  EXPECT_EQ(ses->received.at(0).target, "/prefix/v2/email/outbound-emails");
}

TEST_F(SesV2ClientTest, SuccessReturnsMessageIdWithMetricsAndLog) {
  auto reply = ses_v2_success("0100018a1b2c3d4e-11111111-2222-3333-4444-555555555555-000000");
  reply.delay = 250ms;
  ses->script = {reply};
  auto result = send();
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, "0100018a1b2c3d4e-11111111-2222-3333-4444-555555555555-000000");
  EXPECT_EQ(client->name(), "ses");
  EXPECT_EQ(metrics.counter("clients.ses.success"), 1);
  EXPECT_DOUBLE_EQ(metrics.timing_stats("clients.ses.request-time").sum_ms, 250.0);
  EXPECT_EQ(logger.records().at(0).message, "AWS SES request finished in 0.25");
}

struct V2Row {
  const char* name;
  transport::Reply reply;
  const char* code;
  const char* message;
  FailureKind kind;
  bool retry_as_notify;  // Notify's deliver_email retries it
  bool retry_fixed;
  LogLevel level;
  int error_metrics;            // as Notify counts them (its generic branch counts twice)
  std::size_t legacy_requests;  // what botocore's legacy mode sends
};

void PrintTo(const V2Row& row, std::ostream* os) { *os << row.name; }

class SesV2Answers : public SesV2ClientTest, public ::testing::WithParamInterface<V2Row> {
 protected:
  void check(SesV2BadRequest mode, client::SdkRetryMode sdk) {
    const auto& row = GetParam();
    make(sdk, mode);
    ses->script = {row.reply};
    auto result = send();
    ASSERT_FALSE(result) << row.name;
    const auto& error = result.error();
    const bool fixed = mode == SesV2BadRequest::fixed;
    EXPECT_EQ(error.code, row.code) << row.name;
    EXPECT_EQ(error.message, row.message) << row.name;
    EXPECT_EQ(error.kind, row.kind) << row.name;
    EXPECT_EQ(error.retryable(), fixed ? row.retry_fixed : row.retry_as_notify) << row.name;
    EXPECT_EQ(error.level, row.level) << row.name;
    // The fix makes BadRequestException a non-retryable branch, which counts once.
    int errors = fixed && row.retry_as_notify && !row.retry_fixed ? 1 : row.error_metrics;
    EXPECT_EQ(metrics.counter("clients.ses.error"), errors) << row.name;
    EXPECT_EQ(metrics.counter("clients.ses.success"), 0) << row.name;
    EXPECT_EQ(ses->received.size(),
              sdk == client::SdkRetryMode::off ? std::size_t{1} : row.legacy_requests)
        << row.name;
  }
};

TEST_P(SesV2Answers, AsNotifyWithoutSdkRetries) {
  check(SesV2BadRequest::as_notify, client::SdkRetryMode::off);
}
TEST_P(SesV2Answers, AsNotifyWithLegacyRetries) {
  check(SesV2BadRequest::as_notify, client::SdkRetryMode::legacy);
}
TEST_P(SesV2Answers, Fixed) { check(SesV2BadRequest::fixed, client::SdkRetryMode::legacy); }

transport::Reply raw(int status, std::string body, std::string error_type = "") {
  transport::Reply reply;
  reply.response.status = status;
  reply.response.body = std::move(body);
  if (!error_type.empty()) reply.response.headers.set("x-amzn-ErrorType", error_type);
  return reply;
}

constexpr auto kError = LogLevel::error;
constexpr auto k4xx = FailureKind::rejected_4xx;
constexpr auto k5xx = FailureKind::provider_5xx;

INSTANTIATE_TEST_SUITE_P(
    RestJson, SesV2Answers,
    ::testing::Values(
        V2Row{"bad request header too long",
              ses_v2_error(400, "BadRequestException", "Header too long: 'Subject'"),
              "BadRequestException", "Header too long: 'Subject'", k4xx, true, false, kError, 2, 1},
        V2Row{"too many requests",
              ses_v2_error(429, "TooManyRequestsException", "Maximum sending rate exceeded."),
              "TooManyRequestsException", "Maximum sending rate exceeded.", FailureKind::throttled,
              true, true, LogLevel::warning, 1, 5},
        V2Row{"limit exceeded", ses_v2_error(400, "LimitExceededException", "Too many."),
              "LimitExceededException", "Too many.", k4xx, true, true, kError, 2, 1},
        V2Row{"account suspended",
              ses_v2_error(400, "AccountSuspendedException", "Sending is restricted."),
              "AccountSuspendedException", "Sending is restricted.", k4xx, true, true, kError, 2,
              1},
        V2Row{"sending paused", ses_v2_error(400, "SendingPausedException", "Paused."),
              "SendingPausedException", "Paused.", k4xx, true, true, kError, 2, 1},
        V2Row{"message rejected",
              ses_v2_error(400, "MessageRejected",
                           "Email address is not verified. The following identities failed the "
                           "check in region EU-WEST-2: from@example.com"),
              "MessageRejected",
              "Email address is not verified. The following identities failed the check in "
              "region EU-WEST-2: <email>",
              k4xx, true, true, kError, 2, 1},
        V2Row{"mail from not verified",
              ses_v2_error(400, "MailFromDomainNotVerifiedException", "Not verified."),
              "MailFromDomainNotVerifiedException", "Not verified.", k4xx, true, true, kError, 2,
              1},
        V2Row{"not found", ses_v2_error(404, "NotFoundException", "No such resource."),
              "NotFoundException", "No such resource.", k4xx, true, true, kError, 2, 1},
        V2Row{"internal failure json", ses_v2_error(500, "InternalFailure", "oops"),
              "InternalFailure", "oops", k5xx, true, true, kError, 2, 5},
        V2Row{"503 empty", raw(503, ""), "503", "Service Unavailable", k5xx, true, true, kError, 2,
              5},
        V2Row{"502 html", raw(502, "  <html><body>bad</body></html>"), "502", "Bad Gateway", k5xx,
              true, true, kError, 2, 5},
        V2Row{"504 json without code", raw(504, "{\"message\": \"late\"}"), "504", "late", k5xx,
              true, true, kError, 2, 5},
        V2Row{"error body not json", raw(400, "plain text error", "BadRequestException"),
              "BadRequestException", "plain text error", k4xx, true, false, kError, 2, 1},
        V2Row{"400 without code", raw(400, "{\"message\": \"what\"}"), "400", "what", k4xx, true,
              true, kError, 2, 1},
        V2Row{"code in __type", raw(400, "{\"__type\": \"com.amazonaws.sesv2#MessageRejected\"}"),
              "MessageRejected", "", k4xx, true, true, kError, 2, 1},
        V2Row{"code in body, capital Message",
              raw(400, "{\"code\": \"SendingPausedException\", \"Message\": \"capital M\"}"),
              "SendingPausedException", "capital M", k4xx, true, true, kError, 2, 1},
        V2Row{"header with a colon suffix",
              raw(400, "{\"message\": \"m\"}",
                  "MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/"),
              "MessageRejected", "m", k4xx, true, true, kError, 2, 1},
        V2Row{"header with a namespace",
              raw(400, "{\"message\": \"m\"}", "com.amazonaws.sesv2#MessageRejected"),
              "com.amazonaws.sesv2#MessageRejected", "m", k4xx, true, true, kError, 2, 1},
        V2Row{"notify's dead branch", ses_v2_error(400, "InvalidParameterValue", "x"),
              "InvalidParameterValue", "x", k4xx, false, false, kError, 1, 1},
        V2Row{"200 not json", json_reply(200, "<html>ok</html>"), "bad_response",
              "SES answered 200 with a body that is not JSON", k5xx, true, true, kError, 1, 1},
        V2Row{"200 without message id", json_reply(200, "{}"), "bad_response",
              "SES answered 200 without a MessageId", k5xx, true, true, kError, 1, 1}),
    [](const auto& info) {
      std::string name = info.param.name;
      for (auto& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(SesV2Classification, OnlyBadRequestChangesWithTheFix) {
  auto notify = classify_ses_v2_error(400, "BadRequestException", "Header too long: 'Subject'");
  EXPECT_TRUE(notify.retryable());
  auto fixed = classify_ses_v2_error(400, "BadRequestException", "Header too long: 'Subject'",
                                     SesV2BadRequest::fixed);
  EXPECT_FALSE(fixed.retryable());
  EXPECT_EQ(fixed.kind, FailureKind::rejected_4xx);
  for (const char* code : {"MessageRejected", "TooManyRequestsException", "NotFoundException"}) {
    EXPECT_EQ(classify_ses_v2_error(400, code, "m").retryable(),
              classify_ses_v2_error(400, code, "m", SesV2BadRequest::fixed).retryable())
        << code;
  }
  // Any TooManyRequestsException is send-rate throttling to Notify's v2 client, whatever the
  // message; v1's Throttling still needs the exact send-rate message.
  EXPECT_TRUE(is_send_rate_throttling(
      classify_ses_v2_error(429, "TooManyRequestsException", "Daily message quota exceeded.")));
  EXPECT_FALSE(is_send_rate_throttling(
      classify_ses_error(400, "Throttling", "Daily message quota exceeded.")));
}

}  // namespace
}  // namespace notify::email
