// The Firetext and MMG clients: what they send, and what they make of each kind of answer.
#include "notify/sms/sms_client.hpp"
#include "fake_provider.hpp"
#include "support/client_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>

namespace notify::sms {
namespace {

using namespace std::chrono_literals;
using testing::FakeProvider;
using testing::json_reply;

struct SmsClientTest : notify::testing::ClientFixture {
  std::shared_ptr<FakeProvider> firetext = std::make_shared<FakeProvider>();
  std::shared_ptr<FakeProvider> mmg = std::make_shared<FakeProvider>();
  std::unique_ptr<SmsClient> firetext_client;
  std::unique_ptr<SmsClient> mmg_client;

  SmsClientTest() {
    transport.route(testing::kFiretextAuthority, FakeProvider::handler(firetext));
    transport.route(testing::kMmgAuthority, FakeProvider::handler(mmg));
    firetext_client = make_firetext_client(transport, clock, metrics, logger, firetext_options());
    mmg_client = make_mmg_client(transport, clock, metrics, logger, mmg_options());
  }

  static FiretextClientOptions firetext_options() {
    FiretextClientOptions o;
    o.url = testing::kFiretextUrl;
    o.api_key = "ft-key";
    o.international_api_key = "ft-intl-key";
    o.receipt_url = "http://core.test:6011/notifications/sms/firetext";
    return o;
  }
  static MmgClientOptions mmg_options() {
    MmgClientOptions o;
    o.url = testing::kMmgUrl;
    o.api_key = "bW1nOnNlY3JldA==";
    o.receipt_url = "http://core.test:6011/notifications/sms/mmg";
    return o;
  }

  static SmsMessage message() {
    SmsMessage m;
    m.to = "+447700900123";
    m.content = "Your code is 123456";
    m.reference = "8f4c1b8e-0f7a-4e2c-9d55-2b1f3c4d5e6f";
    return m;
  }

  SmsResult send(SmsClient& client, const SmsMessage& m = message()) {
    std::optional<SmsResult> result;
    client.send_sms(m, [&](SmsResult r) { result = std::move(r); });
    clock.run();
    EXPECT_TRUE(result.has_value());
    return result ? *result : SmsResult(Failure{});
  }
};

TEST_F(SmsClientTest, FiretextPostsNotifysFormFields) {
  firetext->script = {testing::firetext_ok()};
  ASSERT_TRUE(send(*firetext_client));
  ASSERT_EQ(firetext->received.size(), 1u);
  const auto& r = firetext->received[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/sendsms/json");
  EXPECT_EQ(r.headers.get("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_FALSE(r.headers.contains("Authorization"));
  auto form = transport::parse_form(r.body);
  ASSERT_TRUE(form);
  std::vector<std::pair<std::string, std::string>> expected = {
      {"apiKey", "ft-key"},
      {"from", "GOVUK"},
      {"to", "447700900123"},
      {"message", "Your code is 123456"},
      {"reference", "8f4c1b8e-0f7a-4e2c-9d55-2b1f3c4d5e6f"},
      {"receipt", "http://core.test:6011/notifications/sms/firetext"}};
  EXPECT_EQ(*form, expected);
}

TEST_F(SmsClientTest, FiretextUsesTheInternationalKeyAndTheGivenSender) {
  auto m = message();
  m.to = "+12025550123";
  m.international = true;
  m.sender = "Council";
  auto options = firetext_options();
  options.receipt_url.clear();
  auto form = transport::parse_form(build_firetext_body(m, options));
  ASSERT_TRUE(form);
  ASSERT_EQ(form->size(), 5u) << "no receipt field without a receipt URL";
  EXPECT_EQ((*form)[0], (std::pair<std::string, std::string>{"apiKey", "ft-intl-key"}));
  EXPECT_EQ((*form)[1], (std::pair<std::string, std::string>{"from", "Council"}));
  EXPECT_EQ((*form)[2], (std::pair<std::string, std::string>{"to", "12025550123"}));
}

TEST_F(SmsClientTest, FiretextSuccessRecordsNotifysMetricsAndLines) {
  firetext->script = {testing::firetext_ok(250ms)};
  auto result = send(*firetext_client);
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, message().reference);
  EXPECT_EQ(firetext_client->name(), "firetext");
  EXPECT_EQ(firetext_client->metrics_name(), "clients.firetext");
  EXPECT_EQ(metrics.counter("clients.firetext.success"), 1);
  EXPECT_EQ(metrics.counter("clients.firetext.error"), 0);
  EXPECT_EQ(metrics.timing_stats("clients.firetext.request-time").count, 1u);
  EXPECT_DOUBLE_EQ(metrics.timing_stats("clients.firetext.request-time").sum_ms, 250.0);
  EXPECT_EQ(metrics.timing_stats("clients.firetext.raw-request-time").count, 1u);
  auto records = logger.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].message,
            "API POST request succeeded on http://firetext.test:443/api/sendsms/json response "
            "status_code 200");
  EXPECT_EQ(records[1].message,
            "Firetext request for 8f4c1b8e-0f7a-4e2c-9d55-2b1f3c4d5e6f finished in 0.25");
}

TEST_F(SmsClientTest, FiretextSucceedsOnlyWithCodeZero) {
  struct Case {
    transport::Reply reply;
    std::string code;
    LogLevel level;
  };
  std::vector<Case> cases = {
      {json_reply(200, R"({"code": 1, "description": "Some kind of error"})"), "firetext_code_1",
       LogLevel::warning},
      {json_reply(200, R"({"code": "0"})"), "firetext_code_\"0\"", LogLevel::warning},
      {json_reply(200, "SMS successfully queued"), "bad_response", LogLevel::warning},
      {json_reply(200, R"({"description": "no code"})"), "bad_response", LogLevel::error},
      {json_reply(200, "[0]"), "bad_response", LogLevel::error},
      {json_reply(500, R"({"code": 0})"), "500", LogLevel::warning},
      {json_reply(401, R"({"code": 1, "description": "Invalid apiKey"})"), "401",
       LogLevel::warning},
      {json_reply(302, ""), "302", LogLevel::warning},
  };
  for (const auto& c : cases) {
    firetext->script = {c.reply};
    auto result = send(*firetext_client);
    ASSERT_FALSE(result) << c.reply.response.body;
    EXPECT_EQ(result.error().code, c.code);
    EXPECT_EQ(result.error().retry, Retry::failover) << c.code;
    EXPECT_EQ(result.error().level, c.level) << c.code;
  }
  for (auto ok : {R"({"code": 0})", R"({"code": 0.0, "description": "x"})"}) {
    firetext->script = {json_reply(200, ok)};
    EXPECT_TRUE(send(*firetext_client)) << ok;
  }
  EXPECT_EQ(metrics.counter("clients.firetext.error"), static_cast<std::int64_t>(cases.size()));
  EXPECT_EQ(metrics.counter("clients.firetext.success"), 2);
  // Notify's `finally` times every request, failed or not.
  EXPECT_EQ(metrics.timing_stats("clients.firetext.request-time").count, cases.size() + 2);
  // The fake answers at once: a transport time of zero means "not measured", and is not sent.
  EXPECT_EQ(metrics.timing_stats("clients.firetext.raw-request-time").count, 0u);
}

TEST_F(SmsClientTest, HttpErrorIsLoggedWithItsStatus) {
  firetext->script = {json_reply(503, "<html>Service Unavailable</html>")};
  auto result = send(*firetext_client);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, FailureKind::provider_5xx);
  EXPECT_EQ(result.error().message,
            "Code 503 text <html>Service Unavailable</html> exception 503 Service Unavailable");
  auto records = logger.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].level, LogLevel::warning);
  EXPECT_EQ(records[0].message,
            "API POST request failed on http://firetext.test:443/api/sendsms/json response "
            "status_code 503");
  EXPECT_EQ(records[1].message,
            "Firetext request for 8f4c1b8e-0f7a-4e2c-9d55-2b1f3c4d5e6f finished in 0.0");

  mmg->script = {json_reply(429, "{}")};
  auto throttled = send(*mmg_client);
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().kind, FailureKind::throttled);
  mmg->script = {
      json_reply(400, R"({"Error": 206, "Description": "Invalid username or password"})")};
  auto rejected = send(*mmg_client);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().kind, FailureKind::rejected_4xx);
  EXPECT_EQ(rejected.error().retry, Retry::failover);
}

TEST_F(SmsClientTest, MmgPostsNotifysJsonWithBasicAuth) {
  mmg->script = {testing::mmg_ok()};
  auto m = message();
  m.to = "447700900123";
  m.content = "Caf\xc3\xa9 \"open\"";
  ASSERT_TRUE(send(*mmg_client, m));
  ASSERT_EQ(mmg->received.size(), 1u);
  const auto& r = mmg->received[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/jsonv2a/api.php");
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(r.headers.get("Authorization"), "Basic bW1nOnNlY3JldA==");
  EXPECT_EQ(r.body, R"({"reqType": "BULK", "MSISDN": "447700900123", "msg": "Caf\u00e9 \"open\"", )"
                    R"("sender": "GOVUK", "cid": "8f4c1b8e-0f7a-4e2c-9d55-2b1f3c4d5e6f", )"
                    R"("multi": true, "delurl": "http://core.test:6011/notifications/sms/mmg"})");
  EXPECT_EQ(mmg_client->name(), "mmg");
  EXPECT_EQ(mmg_client->metrics_name(), "clients.mmg");
  EXPECT_EQ(metrics.counter("clients.mmg.success"), 1);
  EXPECT_EQ(metrics.timing_stats("clients.mmg.request-time").count, 1u);
  EXPECT_EQ(logger.records().back().message,
            "MMG request for 8f4c1b8e-0f7a-4e2c-9d55-2b1f3c4d5e6f finished in 0.0");

  auto options = mmg_options();
  options.receipt_url.clear();
  EXPECT_EQ(build_mmg_body(m, options).find("delurl"), std::string::npos);
}

TEST_F(SmsClientTest, MmgNeedsOnlyA2xxJsonAnswer) {
  for (auto body : {R"({"Reference": 12345678})", R"({"reference": "42"})", "[]", "7"}) {
    mmg->script = {json_reply(200, body)};
    EXPECT_TRUE(send(*mmg_client)) << body;
  }
  for (auto body : {"Success 100, 42", "", "{"}) {
    mmg->script = {json_reply(200, body)};
    auto result = send(*mmg_client);
    ASSERT_FALSE(result) << body;
    EXPECT_EQ(result.error().code, "bad_response");
    EXPECT_EQ(result.error().retry, Retry::failover);
  }
  EXPECT_EQ(metrics.counter("clients.mmg.success"), 4);
  EXPECT_EQ(metrics.counter("clients.mmg.error"), 3);
}

TEST_F(SmsClientTest, BadUrlsAreRefusedAtConstruction) {
  auto f = firetext_options();
  f.url = "firetext.co.uk/api";
  EXPECT_THROW(make_firetext_client(transport, clock, metrics, logger, f), std::invalid_argument);
  auto m = mmg_options();
  m.url = "";
  EXPECT_THROW(make_mmg_client(transport, clock, metrics, logger, m), std::invalid_argument);
}

}  // namespace
}  // namespace notify::sms
