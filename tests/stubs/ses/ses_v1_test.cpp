#include "ses_fixture.hpp"

#include <regex>

namespace notify::stubs::testing {
namespace {

const std::regex kMessageId(
    "0100[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000");

TEST_F(SesTest, SendEmailAnswersTheExactXmlBotocoreNeeds) {
  auto a = call(form_post(send_email_body()));
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_EQ(a.outcome, "ok");
  EXPECT_TRUE(std::regex_match(a.reference, kMessageId)) << a.reference;
  std::string rid(a.response.headers.get_or("x-amzn-RequestId", ""));
  ASSERT_FALSE(rid.empty());
  EXPECT_EQ(a.response.headers.get_or("Content-Type", ""), "text/xml");
  EXPECT_EQ(a.response.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<SendEmailResponse xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\">"
            "<SendEmailResult><MessageId>" +
                a.reference +
                "</MessageId></SendEmailResult>"
                "<ResponseMetadata><RequestId>" +
                rid + "</RequestId></ResponseMetadata></SendEmailResponse>\n");
}

TEST_F(SesTest, SendEmailAcceptsDisplayNamesCcBccAndReplyTo) {
  auto a = call(form_post(
      "Action=SendEmail&Version=2010-12-01&Source=%22Sender+Name%22+%3Ca%40example.com%3E"
      "&Destination.ToAddresses.member.1=to%40example.com"
      "&Destination.CcAddresses.member.1=cc1%40example.com"
      "&Destination.CcAddresses.member.2=cc2%40example.com"
      "&Message.Subject.Data=Caf%C3%A9+%26+more+%2B1&Message.Subject.Charset=UTF-8"
      "&Message.Body.Html.Data=%3Cp%3EHi%3C%2Fp%3E&ReplyToAddresses.member.1=r%40example.com"
      "&ConfigurationSetName=cs1&Tags.member.1.Name=campaign&Tags.member.1.Value=c1"));
  EXPECT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_EQ(stub_.counters().accepted_recipients, 3u);
}

TEST_F(SesTest, SendRawEmailTakesRecipientsFromDestinationsOrHeaders) {
  // From: sender@example.com / To: to@example.com / Subject: t / body
  const std::string raw =
      "RnJvbTogc2VuZGVyQGV4YW1wbGUuY29tDQpUbzogdG9AZXhhbXBsZS5jb20NClN1YmplY3Q6IHQNCg0KYm9keQ0K";
  auto a =
      call(form_post("Action=SendRawEmail&Version=2010-12-01&Source=sender%40example.com"
                     "&Destinations.member.1=to%40example.com&RawMessage.Data=" +
                     raw));
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_NE(a.response.body.find("<SendRawEmailResponse xmlns="), std::string::npos);
  EXPECT_NE(a.response.body.find("<SendRawEmailResult><MessageId>" + a.reference),
            std::string::npos);
  auto b = call(form_post("Action=SendRawEmail&RawMessage.Data=" + raw));
  EXPECT_EQ(b.response.status, 200) << b.response.body;
  EXPECT_EQ(stub_.describe(form_post("Action=SendRawEmail&RawMessage.Data=" + raw)).recipient,
            "to@example.com");
}

TEST_F(SesTest, GetSendQuotaReportsTheRealCounters) {
  ASSERT_EQ(call(form_post(send_email_body())).response.status, 200);
  auto a = call(form_post("Action=GetSendQuota&Version=2010-12-01"));
  ASSERT_EQ(a.response.status, 200);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(a.response.body.c_str()));
  auto r = doc.child("GetSendQuotaResponse").child("GetSendQuotaResult");
  ASSERT_TRUE(r) << a.response.body;
  EXPECT_STREQ(r.child_value("SentLast24Hours"), "1.0");
  EXPECT_STREQ(r.child_value("Max24HourSend"), "50000.0");
  EXPECT_STREQ(r.child_value("MaxSendRate"), "14.0");
  // The quota rolls: a day later the send no longer counts.
  clock_.run_for(std::chrono::hours(24) + std::chrono::minutes(2));
  a = call(form_post("Action=GetSendQuota&Version=2010-12-01"));
  doc.load_string(a.response.body.c_str());
  EXPECT_STREQ(
      doc.child("GetSendQuotaResponse").child("GetSendQuotaResult").child_value("SentLast24Hours"),
      "0.0");
}

TEST_F(SesTest, GetSendStatisticsListsDataPoints) {
  ASSERT_EQ(call(form_post(send_email_body())).response.status, 200);
  ASSERT_EQ(call(form_post(send_email_body())).response.status, 200);
  auto a = call(form_post("Action=GetSendStatistics&Version=2010-12-01"));
  ASSERT_EQ(a.response.status, 200);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(a.response.body.c_str()));
  auto points = doc.child("GetSendStatisticsResponse")
                    .child("GetSendStatisticsResult")
                    .child("SendDataPoints");
  auto member = points.child("member");
  ASSERT_TRUE(member) << a.response.body;
  EXPECT_STREQ(member.child_value("DeliveryAttempts"), "2");
  EXPECT_STREQ(member.child_value("Timestamp"), "2026-01-01T00:00:00.000Z");
  EXPECT_STREQ(member.child_value("Bounces"), "0");
}

TEST_F(SesTest, GetWithQueryStringWorks) {
  transport::Request r;
  r.method = "GET";
  r.target = "/?Action=GetSendQuota&Version=2010-12-01";
  EXPECT_TRUE(stub_.accepts(r));
  EXPECT_EQ(call(r).response.status, 200);
}

TEST_F(SesTest, ActionErrors) {
  expect_v1_error(call(form_post("Action=DeleteIdentity&Identity=x")), 400, "InvalidAction",
                  "The action DeleteIdentity is not valid for this web service.");
  expect_v1_error(call(form_post("Version=2010-12-01&Source=a%40b.com")), 400, "MissingAction",
                  "The request must contain the parameter Action.");
}

TEST_F(SesTest, MissingParametersAreNamed) {
  expect_v1_error(call(form_post("Action=SendEmail&Destination.ToAddresses.member.1=a%40b.com"
                                 "&Message.Subject.Data=x&Message.Body.Text.Data=y")),
                  400, "MissingParameter", "The request must contain the parameter Source.");
  expect_v1_error(call(form_post("Action=SendEmail&Source=a%40b.com"
                                 "&Message.Subject.Data=x&Message.Body.Text.Data=y")),
                  400, "MissingParameter", "The request must contain the parameter Destination.");
  expect_v1_error(call(form_post("Action=SendEmail&Source=a%40b.com"
                                 "&Destination.ToAddresses.member.1=a%40b.com"
                                 "&Message.Body.Text.Data=y")),
                  400, "MissingParameter",
                  "The request must contain the parameter Message.Subject.Data.");
  expect_v1_error(call(form_post("Action=SendRawEmail&Source=a%40b.com")), 400, "MissingParameter",
                  "The request must contain the parameter RawMessage.Data.");
}

TEST_F(SesTest, InvalidAddressesGetSesMessages) {
  struct Case {
    const char* encoded;
    const char* message;
  };
  for (const Case& c : {Case{"nobody", "Missing final '@domain'"}, Case{"a%40", "Missing domain"},
                        Case{"%40example.com", "Missing local name"},
                        Case{"a+b%40example.com", "Local address contains control or whitespace"},
                        Case{"a%40exa+mple.com", "Domain contains control or whitespace"},
                        Case{"a%28b%40example.com", "Local address contains illegal character"},
                        Case{"a%40b%40example.com", "Local address contains illegal character"},
                        Case{"x+%3Ca%40example.com", "Missing '>'"},
                        Case{"a%40example.com%2C+b%40example.com", "Illegal address"},
                        Case{"a%40ex%C3%A9mple.com", "Domain contains illegal character"},
                        Case{"a%40example..com", "Domain contains dot-dot"}}) {
    SCOPED_TRACE(c.encoded);
    expect_v1_error(call(form_post(send_email_body(c.encoded))), 400, "InvalidParameterValue",
                    c.message);
  }
  auto a =
      call(form_post("Action=SendEmail&Source=bad&Destination.ToAddresses.member.1=a%40b.com"
                     "&Message.Subject.Data=x&Message.Body.Text.Data=y"));
  expect_v1_error(a, 400, "InvalidParameterValue", "Missing final '@domain'");
}

TEST_F(SesTest, RecipientLimits) {
  std::string body =
      "Action=SendEmail&Source=a%40b.com&Message.Subject.Data=x"
      "&Message.Body.Text.Data=y";
  for (int i = 1; i <= 51; ++i) {
    body += "&Destination.ToAddresses.member." + std::to_string(i) + "=r" + std::to_string(i) +
            "%40example.com";
  }
  expect_v1_error(call(form_post(body)), 400, "InvalidParameterValue",
                  "Recipient count exceeds 50.");
  expect_v1_error(call(form_post("Action=SendEmail&Source=a%40b.com&Destination.ToAddresses="
                                 "&Message.Subject.Data=x&Message.Body.Text.Data=y")),
                  400, "MessageRejected", "There are no recipients specified.");
}

TEST_F(SesTest, HeaderTooLongNamesTheHeader) {
  std::string subject(998, 'x');
  EXPECT_EQ(call(form_post(send_email_body("to%40example.com", subject))).response.status, 200);
  expect_v1_error(call(form_post(send_email_body("to%40example.com", subject + "x"))), 400,
                  "InvalidParameterValue", "Header too long: 'Subject'");
  // Raw mail: every header line counts, and the error names the header.
  std::string raw = "From: a@example.com\r\nTo: b@example.com\r\nX-Long: " + std::string(995, 'y') +
                    "\r\n\r\nbody\r\n";
  auto encode = [](const std::string& s) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < s.size(); i += 3) {
      unsigned n = static_cast<unsigned char>(s[i]) << 16;
      if (i + 1 < s.size()) n |= static_cast<unsigned char>(s[i + 1]) << 8;
      if (i + 2 < s.size()) n |= static_cast<unsigned char>(s[i + 2]);
      out += t[(n >> 18) & 63];
      out += t[(n >> 12) & 63];
      out += i + 1 < s.size() ? t[(n >> 6) & 63] : '=';
      out += i + 2 < s.size() ? t[n & 63] : '=';
    }
    std::string enc;
    for (char c : out)
      enc += c == '+'   ? std::string("%2B")
             : c == '/' ? "%2F"
             : c == '=' ? "%3D"
                        : std::string(1, c);
    return enc;
  };
  expect_v1_error(call(form_post("Action=SendRawEmail&RawMessage.Data=" + encode(raw))), 400,
                  "InvalidParameterValue", "Header too long: 'X-Long'");
  auto ok = "From: a@example.com\r\nTo: b@example.com\r\nSubject: short\r\n\r\nbody\r\n";
  EXPECT_EQ(call(form_post("Action=SendRawEmail&RawMessage.Data=" + encode(ok))).response.status,
            200);
  expect_v1_error(call(form_post("Action=SendRawEmail&RawMessage.Data=" +
                                 encode("To: b@example.com\r\n\r\nx"))),
                  400, "InvalidParameterValue", "Missing required header 'From'.");
  stub_.configure({{"header_line_limit", 10}});
  expect_v1_error(call(form_post(send_email_body("to%40example.com", "eleven-long"))), 400,
                  "InvalidParameterValue", "Header too long: 'Subject'");
}

TEST_F(SesTest, MessageTooLarge) {
  ASSERT_FALSE(stub_.configure({{"v1_message_bytes_max", 200}}));
  auto a = call(form_post(send_email_body("to%40example.com", std::string(150, 'x')) +
                          "&Message.Body.Html.Data=" + std::string(100, 'y')));
  EXPECT_EQ(a.response.status, 400);
  EXPECT_EQ(xml_error(a.response).code, "InvalidParameterValue");
  EXPECT_NE(xml_error(a.response).message.find("Message length is more than 200 bytes long"),
            std::string::npos);
}

TEST_F(SesTest, RateLimitBurstsThenThrottlesAndRefillsOnTheClock) {
  for (int i = 0; i < 14; ++i) {
    ASSERT_EQ(call(form_post(send_email_body())).response.status, 200) << i;
  }
  expect_v1_error(call(form_post(send_email_body())), 400, "Throttling",
                  "Maximum sending rate exceeded.");
  clock_.run_for(std::chrono::milliseconds(72));  // 1/14 s: one token back
  EXPECT_EQ(call(form_post(send_email_body())).response.status, 200);
  expect_v1_error(call(form_post(send_email_body())), 400, "Throttling",
                  "Maximum sending rate exceeded.");
  EXPECT_EQ(stub_.counters().throttled, 2u);
  // 0 = unlimited.
  ASSERT_FALSE(stub_.configure({{"max_send_rate", 0}}));
  for (int i = 0; i < 100; ++i) ASSERT_EQ(call(form_post(send_email_body())).response.status, 200);
}

TEST_F(SesTest, DailyQuotaCountsRecipients) {
  ASSERT_FALSE(stub_.configure({{"max_24_hour_send", 3}, {"max_send_rate", 0}}));
  EXPECT_EQ(call(form_post(send_email_body() + "&Destination.CcAddresses.member.1=c%40d.com"))
                .response.status,
            200);
  EXPECT_EQ(call(form_post(send_email_body())).response.status, 200);
  expect_v1_error(call(form_post(send_email_body())), 400, "Throttling",
                  "Daily message quota exceeded.");
  clock_.run_for(std::chrono::hours(25));
  EXPECT_EQ(call(form_post(send_email_body())).response.status, 200);
  ASSERT_FALSE(stub_.configure({{"max_24_hour_send", -1}}));
  auto q = call(form_post("Action=GetSendQuota"));
  EXPECT_NE(q.response.body.find("<Max24HourSend>-1.0</Max24HourSend>"), std::string::npos);
}

TEST_F(SesTest, FaultsRenderAsSesV1Errors) {
  expect_v1_error(call(form_post(send_email_body()), "ses.throttling"), 400, "Throttling",
                  "Maximum sending rate exceeded.");
  expect_v1_error(call(form_post(send_email_body()), "ses.daily_quota"), 400, "Throttling",
                  "Daily message quota exceeded.");
  expect_v1_error(call(form_post(send_email_body()), "ses.header_too_long"), 400,
                  "InvalidParameterValue", "Header too long: 'Subject'");
  auto rejected = call(form_post(send_email_body()), "ses.message_rejected");
  EXPECT_EQ(rejected.response.status, 400);
  EXPECT_EQ(xml_error(rejected.response).code, "MessageRejected");
  EXPECT_NE(xml_error(rejected.response).message.find("in region EU-WEST-2"), std::string::npos);
  auto unavailable = call(form_post(send_email_body()), "ses.service_unavailable");
  EXPECT_EQ(unavailable.response.status, 503);
  EXPECT_EQ(xml_error(unavailable.response).code, "ServiceUnavailable");
  EXPECT_EQ(xml_error(unavailable.response).type, "Receiver");
  auto internal = call(form_post("Action=GetSendQuota"), "ses.internal_failure");
  EXPECT_EQ(internal.response.status, 500);
  EXPECT_EQ(xml_error(internal.response).code, "InternalFailure");
  // Faults do not count against the quota.
  EXPECT_EQ(stub_.counters().accepted_messages, 0u);
}

TEST_F(SesTest, MalformedRequestsGetSesShapedErrors) {
  auto bad_escape = call(form_post("Action=SendEmail&Source=a%ZZb"));
  EXPECT_EQ(bad_escape.response.status, 400);
  EXPECT_EQ(xml_error(bad_escape.response).code, "InvalidQueryParameter");
  auto wrong_type = form_post(send_email_body());
  wrong_type.headers.set("Content-Type", "application/json");
  EXPECT_TRUE(stub_.accepts(wrong_type));
  auto a = call(wrong_type);
  EXPECT_EQ(a.response.status, 400);
  EXPECT_EQ(xml_error(a.response).code, "InvalidQueryParameter");
  EXPECT_NE(xml_error(a.response).message.find("application/json"), std::string::npos);
  transport::Request get;
  get.method = "GET";
  get.target = "/?Action=GetSendQuota%G";
  // The edge routes by accepts(): without it the request got the edge's generic 404.
  EXPECT_TRUE(stub_.accepts(get));
  auto g = call(get);
  EXPECT_EQ(g.response.status, 404);
  EXPECT_EQ(xml_error(g.response).code, "MalformedQueryString");
}

TEST_F(SesTest, AnotherApiVersionIsNoSuchVersion) {
  auto a = call(form_post("Action=GetSendQuota&Version=2099-01-01"));
  EXPECT_EQ(a.response.status, 400);
  EXPECT_EQ(xml_error(a.response).code, "NoSuchVersion");
  EXPECT_NE(xml_error(a.response).message.find("2099-01-01"), std::string::npos);
  EXPECT_EQ(call(form_post("Action=GetSendQuota")).response.status, 200);
}

TEST_F(SesTest, ErrorTextIsEscapedAndCompact) {
  auto a = call(form_post("Action=%3Cscript%3E%26"));
  EXPECT_EQ(a.response.status, 400);
  EXPECT_NE(a.response.body.find("The action &lt;script&gt;&amp; is not valid"), std::string::npos);
  EXPECT_EQ(xml_error(a.response).message,
            "The action <script>& is not valid for this web service.");
  // No whitespace inside any text node: botocore keeps it verbatim.
  EXPECT_EQ(a.response.body.find(">\n "), std::string::npos);
  EXPECT_EQ(a.response.body.find(" <"), std::string::npos);
}

TEST_F(SesTest, MalformedInputsNeverCrash) {
  const std::vector<std::string> bodies = {
      "",
      "=",
      "&&&",
      "Action",
      "Action=",
      "Action=SendEmail",
      "Action=SendRawEmail&RawMessage.Data=!!",
      "Action=SendRawEmail&RawMessage.Data=QQ",
      "Action=SendRawEmail&RawMessage.Data=%00%01",
      "Action=SendEmail&Destination.ToAddresses.member.0=a&Destination.ToAddresses.member.x=b",
      "Action=SendEmail&Destination.ToAddresses.member.99999999999999999999=a%40b.com",
      "Action=SendEmail&Source=%22unterminated%40x.com&Destination.ToAddresses.member.1=a%40b.com"
      "&Message.Subject.Data=x",
      "Action=SendEmail&Source=%3C%3E&Destination.ToAddresses.member.1=%40&Message.Subject.Data=",
      std::string(1, '\0') + "Action=GetSendQuota",
      "%",
      "%4",
      "Action=SendEmail%"};
  for (const auto& body : bodies) {
    SCOPED_TRACE(body);
    auto a = call(form_post(body));
    EXPECT_GE(a.response.status, 200);
    EXPECT_TRUE(a.response.headers.contains("x-amzn-RequestId"));
    if (a.response.status >= 300) {
      pugi::xml_document doc;
      EXPECT_TRUE(doc.load_string(a.response.body.c_str())) << a.response.body;
    }
  }
}

}  // namespace
}  // namespace notify::stubs::testing
