#include "ses_fixture.hpp"

namespace notify::stubs::testing {
namespace {

using nlohmann::json;

TEST_F(SesTest, V2SendEmailAnswersMessageId) {
  auto r = json_request("POST", "/v2/email/outbound-emails", v2_send_body());
  EXPECT_TRUE(stub_.accepts(r));
  EXPECT_EQ(stub_.describe(r).operation, "SendEmailV2");
  EXPECT_EQ(stub_.describe(r).recipient, "to@example.com");
  auto a = call(r);
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_EQ(a.response.headers.get_or("Content-Type", ""), "application/json");
  EXPECT_TRUE(a.response.headers.contains("x-amzn-RequestId"));
  EXPECT_EQ(json::parse(a.response.body), json({{"MessageId", a.reference}}));
}

TEST_F(SesTest, V2AcceptsRawTemplateHeadersAndUnknownMembers) {
  auto raw =
      call(json_request("POST", "/v2/email/outbound-emails",
                        R"({"Content": {"Raw": {"Data": )"
                        R"("RnJvbTogYUBleGFtcGxlLmNvbQ0KVG86IGJAZXhhbXBsZS5jb20NCg0KeA=="}}})"));
  EXPECT_EQ(raw.response.status, 200) << raw.response.body;
  auto tmpl = call(json_request("POST", "/v2/email/outbound-emails",
                                R"({"FromEmailAddress": "a@example.com",
          "Destination": {"ToAddresses": ["b@example.com"], "CcAddresses": []},
          "Content": {"Template": {"TemplateName": "t1", "TemplateData": "{\"name\": \"x\"}"}}})"));
  EXPECT_EQ(tmpl.response.status, 200) << tmpl.response.body;
  auto headers = call(json_request(
      "POST", "/v2/email/outbound-emails",
      R"({"FromEmailAddress": "a@example.com", "Destination": {"ToAddresses": ["b@example.com"]},
          "EndpointId": "ignored", "SomethingNew": {"x": 1},
          "Content": {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}},
                                 "Headers": [{"Name": "List-Unsubscribe", "Value": "<https://x>"}],
                                 "Attachments": []}}})"));
  EXPECT_EQ(headers.response.status, 200) << headers.response.body;
}

TEST_F(SesTest, V2Errors) {
  expect_v2_error(call(json_request("POST", "/v2/email/outbound-emails", "{not json")), 400,
                  "BadRequestException");
  expect_v2_error(call(json_request("POST", "/v2/email/outbound-emails", "[]")), 400,
                  "BadRequestException");
  expect_v2_error(call(json_request("POST", "/v2/email/outbound-emails", "{}")), 400,
                  "BadRequestException",
                  "1 validation error detected: Value null at 'content' failed to satisfy "
                  "constraint: Member must not be null");
  expect_v2_error(call(json_request("POST", "/v2/email/outbound-emails", v2_send_body("nobody"))),
                  400, "BadRequestException", "Missing final '@domain'");
  expect_v2_error(
      call(json_request(
          "POST", "/v2/email/outbound-emails",
          R"({"FromEmailAddress": "a@example.com", "Destination": {"ToAddresses": "b@example.com"},
                          "Content": {"Simple": {"Subject": {"Data": "s"}, "Body": {}}}})")),
      400, "BadRequestException");
  std::string long_subject = v2_send_body();
  long_subject.replace(long_subject.find("Hello"), 5, std::string(999, 's'));
  expect_v2_error(call(json_request("POST", "/v2/email/outbound-emails", long_subject)), 400,
                  "BadRequestException", "Header too long: 'Subject'");
  expect_v2_error(call(json_request("GET", "/v2/email/identities", "")), 404, "NotFoundException");
  expect_v2_error(call(json_request("GET", "/v2/email/outbound-emails", "")), 404,
                  "NotFoundException");
}

// A v2 SendEmail with these custom headers (Content.Simple.Headers, newer API only).
std::string v2_with_headers(const json& headers) {
  json body = {{"FromEmailAddress", "a@example.com"},
               {"Destination", {{"ToAddresses", json::array({"b@example.com"})}}},
               {"Content",
                {{"Simple",
                  {{"Subject", {{"Data", "s"}}},
                   {"Body", {{"Text", {{"Data", "t"}}}}},
                   {"Headers", headers}}}}}};
  return body.dump();
}

json n_headers(int n) {
  json headers = json::array();
  for (int i = 1; i <= n; ++i) {
    headers.push_back({{"Name", "X-Custom-" + std::to_string(i)}, {"Value", "v"}});
  }
  return headers;
}

TEST_F(SesTest, V2CustomHeadersAreAtMostFifteen) {
  EXPECT_EQ(call(json_request("POST", "/v2/email/outbound-emails", v2_with_headers(n_headers(15))))
                .response.status,
            200);
  expect_v2_error(
      call(json_request("POST", "/v2/email/outbound-emails", v2_with_headers(n_headers(16)))), 400,
      "BadRequestException",
      "1 validation error detected: Value at 'content.simple.headers' failed to satisfy "
      "constraint: Member must have length less than or equal to 15");
}

TEST_F(SesTest, V2CustomHeaderValuesArePrintableAscii) {
  EXPECT_EQ(call(json_request("POST", "/v2/email/outbound-emails",
                              v2_with_headers(json::array({{{"Name", "X-Ok"}, {"Value", " !\"#~ printable"}}}))))
                .response.status,
            200);
  const std::vector<std::string> bad_values = {"caf\xc3\xa9", "tab\there", "line\r\nX-Injected: 1",
                                               "del\x7f"};
  for (const auto& bad_value : bad_values) {
    json headers = json::array({json{{"Name", "X-Ok"}, {"Value", "fine"}},
                                json{{"Name", "X-Bad"}, {"Value", bad_value}}});
    expect_v2_error(
        call(json_request("POST", "/v2/email/outbound-emails", v2_with_headers(headers))), 400,
        "BadRequestException",
        "1 validation error detected: Value at 'content.simple.headers.2.member.value' failed "
        "to satisfy constraint: Member must satisfy regular expression pattern: [ -~]*");
  }
}

TEST_F(SesTest, V2ThrottlingIs429TooManyRequests) {
  ASSERT_FALSE(stub_.configure({{"max_send_rate", 1}}));
  EXPECT_EQ(call(json_request("POST", "/v2/email/outbound-emails", v2_send_body())).response.status,
            200);
  expect_v2_error(call(json_request("POST", "/v2/email/outbound-emails", v2_send_body())), 429,
                  "TooManyRequestsException", "Maximum sending rate exceeded.");
  clock_.run_for(std::chrono::seconds(1));
  EXPECT_EQ(call(json_request("POST", "/v2/email/outbound-emails", v2_send_body())).response.status,
            200);
}

TEST_F(SesTest, V2FaultsUseV2Shapes) {
  auto r = json_request("POST", "/v2/email/outbound-emails", v2_send_body());
  expect_v2_error(call(r, "ses.throttling"), 429, "TooManyRequestsException",
                  "Maximum sending rate exceeded.");
  expect_v2_error(call(r, "ses.header_too_long"), 400, "BadRequestException",
                  "Header too long: 'Subject'");
  expect_v2_error(call(r, "ses.message_rejected"), 400, "MessageRejected");
  expect_v2_error(call(r, "ses.service_unavailable"), 503, "ServiceUnavailable");
  expect_v2_error(call(r, "ses.internal_failure"), 500, "InternalFailure");
}

TEST_F(SesTest, V2GetAccountReportsQuota) {
  ASSERT_EQ(call(json_request("POST", "/v2/email/outbound-emails", v2_send_body())).response.status,
            200);
  auto r = json_request("GET", "/v2/email/account", "");
  EXPECT_EQ(stub_.describe(r).operation, "GetAccount");
  auto a = call(r);
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  auto j = json::parse(a.response.body);
  EXPECT_EQ(j["SendQuota"]["Max24HourSend"], 50000.0);
  EXPECT_EQ(j["SendQuota"]["MaxSendRate"], 14.0);
  EXPECT_EQ(j["SendQuota"]["SentLast24Hours"], 1.0);
  EXPECT_EQ(j["SendingEnabled"], true);
}

TEST_F(SesTest, StubContractAnswersMessageIdForAnyBody) {
  for (const char* method : {"POST", "GET"}) {
    transport::Request r;
    r.method = method;
    r.target = "/ses";
    r.headers.set("Content-Type", "application/x-www-form-urlencoded");
    r.body = std::string(method) == "POST" ? "id=dummy-data" : "";
    EXPECT_TRUE(stub_.accepts(r));
    EXPECT_EQ(stub_.describe(r).operation, "StubSend");
    auto a = call(r);
    ASSERT_EQ(a.response.status, 200);
    EXPECT_EQ(a.response.headers.get_or("Content-Type", ""), "application/json");
    EXPECT_TRUE(a.response.headers.contains("x-amzn-RequestId"));
    auto j = json::parse(a.response.body);
    EXPECT_EQ(j["MessageId"], a.reference);
    EXPECT_EQ(a.reference.size(), 36u);
  }
  transport::Request r;
  r.method = "POST";
  r.target = "/ses";
  auto e = call(r, "ses.throttling");
  EXPECT_EQ(e.response.status, 500);
  EXPECT_TRUE(json::parse(e.response.body).contains("message"));
}

TEST_F(SesTest, RoutingLeavesOtherServicesAlone) {
  transport::Request lambda;
  lambda.method = "POST";
  lambda.target = "/2015-03-31/functions/ok/invocations";
  lambda.body = "{}";
  EXPECT_FALSE(stub_.accepts(lambda));
  transport::Request sms = form_post("apiKey=x&to=447700900123&message=hi", "/firetext");
  EXPECT_FALSE(stub_.accepts(sms));
  transport::Request mmg = json_request("POST", "/mmg", "{}");
  EXPECT_FALSE(stub_.accepts(mmg));
  transport::Request bare;
  bare.method = "GET";
  bare.target = "/";
  EXPECT_FALSE(stub_.accepts(bare));
  transport::Request signed_json = json_request("POST", "/", "{}");
  signed_json.headers.set("Authorization",
                          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/eu-west-2/ses/"
                          "aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
  EXPECT_TRUE(stub_.accepts(signed_json));
  EXPECT_TRUE(stub_.accepts(form_post("Action=GetSendQuota")));
  EXPECT_EQ(stub_.describe(form_post(send_email_body())).operation, "SendEmail");
  EXPECT_EQ(stub_.describe(form_post(send_email_body())).recipient, "to@example.com");
  EXPECT_EQ(stub_.describe(form_post("Action=Nope")).operation, "Unknown");
  EXPECT_EQ(stub_.describe(form_post("%%%")).operation, "Unknown");
}

TEST_F(SesTest, PathPrefixServesV1AndV2BelowIt) {
  ASSERT_FALSE(stub_.configure({{"path_prefix", "/aws/ses"}}));
  EXPECT_TRUE(stub_.accepts(form_post("Action=GetSendQuota", "/aws/ses")));
  EXPECT_EQ(call(form_post("Action=GetSendQuota", "/aws/ses")).response.status, 200);
  auto v2 = json_request("POST", "/aws/ses/v2/email/outbound-emails", v2_send_body());
  EXPECT_TRUE(stub_.accepts(v2));
  EXPECT_EQ(call(v2).response.status, 200);
}

TEST_F(SesTest, ConfigureErrorsNameTheField) {
  EXPECT_EQ(stub_.configure({{"max_send_rate", "fast"}})->to_string(),
            "max_send_rate: expected a number of recipients per second >= 0 (0 = unlimited), "
            "got \"fast\"");
  EXPECT_NE(stub_.configure({{"events", {{"delay_ms", -1}}}})->to_string().find("events.delay_ms"),
            std::string::npos);
  EXPECT_NE(stub_.configure({{"events", {{"callback_url", "not a url"}}}})
                ->to_string()
                .find("events.callback_url"),
            std::string::npos);
  EXPECT_NE(stub_.configure({{"max_24_hour_send", -2}})->to_string().find("max_24_hour_send"),
            std::string::npos);
  EXPECT_NE(stub_.configure({{"bogus", 1}})->to_string().find("bogus: expected one of"),
            std::string::npos);
  EXPECT_NE(
      stub_.configure({{"strict_sigv4", {{"AKID", 1}}}})->to_string().find("strict_sigv4.AKID"),
      std::string::npos);
  // A failed configure changes nothing.
  EXPECT_EQ(stub_.configure({{"max_send_rate", 3}, {"region", 7}})->to_string().find("region"), 0u);
  EXPECT_EQ(stub_.options().limits.max_send_rate, 14.0);
  EXPECT_FALSE(stub_.configure({{"max_send_rate", 3},
                                {"region", "eu-west-1"},
                                {"events", {{"callback_url", kCallbackUrl}, {"delay_ms", 5}}}}));
  EXPECT_EQ(stub_.options().region, "eu-west-1");
  EXPECT_EQ(stub_.options().events.delay, std::chrono::milliseconds(5));
}

TEST_F(SesTest, MalformedV2InputsNeverCrash) {
  const std::vector<std::string> bodies = {
      "",
      "null",
      "1",
      "\"s\"",
      "{\"Content\": null}",
      "{\"Content\": []}",
      "{\"Content\": {\"Simple\": 1}}",
      "{\"Content\": {\"Raw\": {\"Data\": 5}}}",
      "{\"Content\": {\"Raw\": {\"Data\": \"!!\"}}}",
      "{\"Content\": {\"Raw\": {}}}",
      "{\"Content\": {\"Template\": {}}}",
      "{\"Content\": {\"Template\": {\"TemplateName\": \"t\", "
      "\"TemplateData\": \"{\"}}}",
      "{\"Content\": {\"Simple\": {}, \"Raw\": {}}}",
      "{\"Destination\": [], \"Content\": {\"Simple\": {\"Subject\": {\"Data\": 1}}}}",
      std::string("{\"a\":\"\xff\xfe\"}"),
      "{\"FromEmailAddress\": \"\xc3\"}"};
  for (const auto& body : bodies) {
    SCOPED_TRACE(body);
    auto r = json_request("POST", "/v2/email/outbound-emails", body);
    (void)stub_.describe(r);
    auto a = call(r);
    EXPECT_EQ(a.response.status, 400) << a.response.body;
    EXPECT_TRUE(json::accept(a.response.body)) << a.response.body;
  }
}

}  // namespace
}  // namespace notify::stubs::testing
