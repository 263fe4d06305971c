// The Firetext stub's wire format: what it accepts, how it answers in each format, its errors,
// and the receipts it posts.
#include "sms_fixture.hpp"

namespace notify::stubs::testing {
namespace {

using nlohmann::json;

class FiretextTest : public SmsTest {
 protected:
  FiretextTest() : SmsTest(make_firetext_stub()) {}

  static transport::Request send(std::string body, std::string path = "/api/sendsms/json") {
    transport::Request r;
    r.method = "POST";
    r.target = std::move(path);
    r.headers.set("Content-Type", "application/x-www-form-urlencoded");
    r.body = std::move(body);
    return r;
  }
  static std::string notify_body(const std::string& to = "447700900123",
                                 const std::string& extra = "") {
    return "apiKey=key&from=GOVUK&to=" + to +
           "&message=Hello+there&reference=8cb4d946-9e12-49ae-bd84-da6493b85dca" + extra;
  }
  static json body_json(const StubAnswer& a) { return json::parse(a.response.body); }
};

TEST_F(FiretextTest, AcceptsNotifysFormAndAnswersFiretextJson) {
  auto a = call(send(notify_body()));
  EXPECT_EQ(a.response.status, 200);
  EXPECT_EQ(a.response.headers.get_or("Content-Type", ""), "application/json");
  EXPECT_EQ(
      a.response.body,
      R"({"code": 0, "description": "SMS successfully queued", "responseData": 1, "data": []})");
  EXPECT_EQ(a.outcome, "ok");
  EXPECT_EQ(a.reference, "8cb4d946-9e12-49ae-bd84-da6493b85dca");
}

TEST_F(FiretextTest, DescribesTheSendWithItsNumber) {
  auto info = stub_.describe(send(notify_body()));
  EXPECT_EQ(info.service, "firetext");
  EXPECT_EQ(info.operation, "SendSms");
  EXPECT_EQ(info.recipient, "447700900123");
  EXPECT_EQ(stub_.describe(send("", "/api/other")).operation, "Unknown");
}

TEST_F(FiretextTest, EachPathAnswersInItsFormat) {
  EXPECT_EQ(call(send(notify_body(), "/api/sendsms")).response.body, "0:1 SMS successfully queued");
  EXPECT_EQ(call(send(notify_body(), "/api/sendsms/xml")).response.body,
            "<?xml version=\"1.0\"?>\n<response><status><code>0</code><description>SMS "
            "successfully queued</description></status><data responseData=\"1\"/></response>");
  EXPECT_EQ(call(send(notify_body(), "/firetext")).response.body,
            R"({"description":"SMS successfully queued","code":0})");
}

TEST_F(FiretextTest, GetWithAQueryStringIsAcceptedToo) {
  transport::Request r;
  r.method = "GET";
  r.target = "/api/sendsms/json?" + notify_body();
  EXPECT_EQ(body_json(call(r))["code"], 0);
}

TEST_F(FiretextTest, CommaSeparatedNumbersAreCounted) {
  auto a = call(send(notify_body("447700900123,447700900124")));
  EXPECT_EQ(body_json(a)["responseData"], 2);
}

TEST_F(FiretextTest, ErrorsAreFiretextCodesAtHttp200) {
  struct Case {
    std::string body;
    int code;
    std::string description;
  };
  std::vector<Case> cases = {
      {"from=GOVUK&to=447700900123&message=Hi", 2, "Authentication error: no apiKey given"},
      {"apiKey=k&to=447700900123&message=Hi", 3, "Missing parameter: from"},
      {"apiKey=k&from=GOVUK&message=Hi", 3, "Missing parameter: to"},
      {"apiKey=k&from=GOVUK&to=447700900123", 3, "Missing parameter: message"},
      {"apiKey=k&from=GOVUK&to=12345&message=Hi", 4, "Invalid 'to' number"},
      {"apiKey=k&from=GOVUK&to=44770090012x&message=Hi", 4, "Invalid 'to' number"},
      {"apiKey=k&from=AB&to=447700900123&message=Hi", 6,
       "Invalid 'from': 3 to 11 letters and digits, or a number"},
      {"apiKey=k&from=GOVUK&to=447700900123&message=" + std::string(613, 'a'), 5,
       "Message too long: at most 612 characters"},
      {"apiKey=k&from=GOVUK&to=447700900123&message=Hi&receipt=not-a-url", 7,
       "Invalid 'receipt': an absolute URL is needed"},
      {"apiKey=k&from=%ZZ", 7, "Invalid request encoding"},
  };
  for (const auto& c : cases) {
    auto a = call(send(c.body));
    EXPECT_EQ(a.response.status, 200) << c.body;
    auto j = body_json(a);
    EXPECT_EQ(j["code"], c.code) << c.body;
    EXPECT_EQ(j["description"], c.description) << c.body;
    EXPECT_EQ(a.outcome, "error:" + std::to_string(c.code));
  }
  EXPECT_TRUE(received_.empty());
}

TEST_F(FiretextTest, StrictModeAcceptsOnlyTheConfiguredKeys) {
  configure(R"({"api_keys": ["live-key", "international-key"]})");
  EXPECT_EQ(body_json(call(send("apiKey=live-key&from=GOVUK&to=447700900123&message=Hi")))["code"],
            0);
  EXPECT_EQ(body_json(call(
                send("apiKey=international-key&from=GOVUK&to=33612345678&message=Hi")))["code"],
            0);
  auto bad = body_json(call(send("apiKey=other&from=GOVUK&to=447700900123&message=Hi")));
  EXPECT_EQ(bad["code"], 2);
  EXPECT_EQ(bad["description"], "Authentication error: invalid apiKey");
  EXPECT_EQ(
      body_json(call(send("username=u&password=p&from=GOVUK&to=447700900123&message=Hi")))["code"],
      2);
}

TEST_F(FiretextTest, NamedErrorsAreRenderedAsFiretextWould) {
  auto e = call(send(notify_body()), kFiretextError);
  EXPECT_EQ(e.response.status, 200);
  EXPECT_EQ(body_json(e)["code"], 1);
  EXPECT_EQ(body_json(e)["description"], "Some kind of error");
  EXPECT_EQ(body_json(call(send(notify_body()), kFiretextAuth))["code"], 2);
  auto h = call(send(notify_body()), kFiretextHttp500);
  EXPECT_EQ(h.response.status, 500);
  EXPECT_EQ(call(send(notify_body()), kFiretextHttp503).response.status, 503);
  auto p = call(send(notify_body()), kFiretextBadJson);
  EXPECT_EQ(p.response.status, 200);
  EXPECT_TRUE(json::parse(p.response.body, nullptr, false).is_discarded());
  deliver_all();
  EXPECT_TRUE(received_.empty()) << "a failed send gets no receipt";
}

TEST_F(FiretextTest, UnknownPathGetsAFiretextError) {
  auto a = call(send("", "/api/sendsms/csv"));
  EXPECT_EQ(a.response.status, 404);
  EXPECT_EQ(body_json(a)["code"], 8);
}

TEST_F(FiretextTest, ReceiptGoesToTheRequestsUrlAsAForm) {
  call(send(
      notify_body("447700900123", std::string("&receipt=") + transport::url_encode(kReceiptUrl))));
  clock_.run_for(std::chrono::milliseconds(99));
  EXPECT_TRUE(received_.empty()) << "no receipt before the 100 ms minimum";
  deliver_all();
  ASSERT_EQ(received_.size(), 1u);
  const auto& r = received_[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/notifications/sms/x");
  EXPECT_EQ(r.headers.get_or("Content-Type", ""), "application/x-www-form-urlencoded");
  auto f = form(r.body);
  EXPECT_EQ(f["status"], "0");
  EXPECT_EQ(f["code"], "000");
  EXPECT_EQ(f["mobile"], "447700900123");
  EXPECT_EQ(f["reference"], "8cb4d946-9e12-49ae-bd84-da6493b85dca");
  EXPECT_EQ(f["time"].size(), 19u);
  EXPECT_EQ(f["time"].substr(0, 11), "2026-01-01 ");
}

TEST_F(FiretextTest, DefaultReceiptUrlOnlyWhenTheRequestNamesNone) {
  call(send(notify_body()));
  deliver_all();
  EXPECT_TRUE(received_.empty()) << "no URL anywhere: no receipt";
  configure(std::string(R"({"receipts": {"callback_url": ")") + kDefaultUrl + "\"}}");
  call(send(notify_body()));
  call(send(
      notify_body("447700900123", std::string("&receipt=") + transport::url_encode(kReceiptUrl))));
  deliver_all();
  ASSERT_EQ(received_.size(), 2u);
  std::set<std::string> targets = {received_[0].target, received_[1].target};
  EXPECT_EQ(targets, (std::set<std::string>{"/default", "/notifications/sms/x"}));
}

TEST_F(FiretextTest, TestNumbersPendingThenFailedAndPermanent) {
  configure(std::string(R"({"receipts": {"callback_url": ")") + kDefaultUrl + "\"}}");
  call(send(notify_body("447700900003")));
  deliver_all();
  ASSERT_EQ(received_.size(), 2u);
  EXPECT_EQ(form(received_[0].body)["status"], "2");
  EXPECT_EQ(form(received_[1].body)["status"], "1");
  received_.clear();
  call(send(notify_body("447700900002")));
  deliver_all();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(form(received_[0].body)["status"], "1");
  EXPECT_EQ(form(received_[0].body)["code"], "101");
}

TEST_F(FiretextTest, ReceiptFaultsOnTheSend) {
  configure(std::string(R"({"receipts": {"callback_url": ")") + kDefaultUrl +
            R"(", "delay": {"distribution": "fixed", "ms": 1000}, "reorder_ms": 5000}})");
  call(send(notify_body()), kFiretextReceiptDrop);
  deliver_all();
  EXPECT_TRUE(received_.empty());
  call(send(notify_body()), kFiretextReceiptDuplicate);
  deliver_all();
  EXPECT_EQ(received_.size(), 2u);
  received_.clear();
  call(send(notify_body()), kFiretextReceiptPermanent);
  deliver_all();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(form(received_[0].body)["status"], "1");
  received_.clear();
  // Reordered: the failure comes before the pending receipt.
  call(send(notify_body("447700900003")), kFiretextReceiptReorder);
  deliver_all();
  ASSERT_EQ(received_.size(), 2u);
  EXPECT_EQ(form(received_[0].body)["status"], "1");
  EXPECT_EQ(form(received_[1].body)["status"], "2");
  received_.clear();
  // A single receipt is held back by reorder_ms, so a later message's receipt overtakes it.
  call(send(notify_body("447700900123")), kFiretextReceiptReorder);
  call(send(notify_body("447700900124")));
  deliver_all();
  ASSERT_EQ(received_.size(), 2u);
  EXPECT_EQ(form(received_[0].body)["mobile"], "447700900124");
}

TEST_F(FiretextTest, ReceiptRulesDropDuplicateAndDelay) {
  configure(std::string(R"({"receipts": {"callback_url": ")") + kDefaultUrl +
            R"(", "delay": {"distribution": "fixed", "ms": 1000}}})");
  auto rule = parse_fault_rule(json::parse(
      R"({"id": "slow", "match": {"service": "firetext", "operation": "Receipt"},
          "action": {"type": "delay", "ms": 60000}})"));
  ASSERT_TRUE(rule);
  ASSERT_TRUE(host_.faults().add(*rule));
  call(send(notify_body()));
  clock_.run_for(std::chrono::seconds(60));
  EXPECT_TRUE(received_.empty());
  clock_.run_for(std::chrono::seconds(2));
  EXPECT_EQ(received_.size(), 1u);

  auto only = [&](const char* name) {
    host_.faults().clear();
    auto r = parse_fault_rule(
        json::parse(std::string(R"({"match": {"service": "firetext", "operation": "Receipt"},
                        "action": {"type": "error", "name": ")") +
                    name + "\"}}"));
    ASSERT_TRUE(r);
    ASSERT_TRUE(host_.faults().add(*r));
  };
  received_.clear();
  only(kFiretextReceiptDrop);
  call(send(notify_body()));
  deliver_all();
  EXPECT_TRUE(received_.empty());
  only(kFiretextReceiptDuplicate);
  call(send(notify_body()));
  deliver_all();
  EXPECT_EQ(received_.size(), 2u);
}

TEST_F(FiretextTest, ConfiguredNumbersGiveAGivenStatusAndCode) {
  configure(std::string(R"({"receipts": {"callback_url": ")") + kDefaultUrl +
            R"(", "numbers": {"900123": {"status": "1", "code": "201"}}}})");
  call(send(notify_body()));
  deliver_all();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(form(received_[0].body)["code"], "201");
}

TEST_F(FiretextTest, ResetDropsReceiptsNotYetSent) {
  configure(std::string(R"({"receipts": {"callback_url": ")") + kDefaultUrl + "\"}}");
  call(send(notify_body()));
  stub_.reset();
  deliver_all();
  EXPECT_TRUE(received_.empty());
}

TEST_F(FiretextTest, ConfigErrorsNameTheField) {
  auto check = [&](const std::string& text, const std::string& field) {
    auto e = stub_.configure(json::parse(text));
    ASSERT_TRUE(e.has_value()) << text;
    EXPECT_EQ(e->field, field) << e->to_string();
  };
  check(R"({"api_keys": [1]})", "api_keys[0]");
  check(R"({"receipts": {"callback_url": "nope"}})", "receipts.callback_url");
  check(R"({"receipts": {"delay": {"distribution": "poisson"}}})", "receipts.delay.distribution");
  check(R"({"receipts": {"delay": {"min_ms": 10, "max_ms": 5}}})", "receipts.delay.max_ms");
  check(R"({"receipts": {"numbers": {"12x": {"status": "1"}}}})", "receipts.numbers.12x");
  check(R"({"receipts": {"numbers": {"123": {"code": "1"}}}})", "receipts.numbers.123.status");
  check(R"({"reciepts": {}})", "reciepts");
}

}  // namespace
}  // namespace notify::stubs::testing
