// The MMG stub's wire format: its JSON request, Basic auth, answers and errors, and the JSON
// receipts it posts to delurl.
#include "sms_fixture.hpp"

namespace notify::stubs::testing {
namespace {

using nlohmann::json;

constexpr const char* kCid = "8cb4d946-9e12-49ae-bd84-da6493b85dca";

class MmgTest : public SmsTest {
 protected:
  MmgTest() : SmsTest(make_mmg_stub()) {}

  static transport::Request send(json body, std::string path = "/jsonv2a/api.php",
                                 std::string auth = "Basic bm90aWZ5LXNpbTptbWc=") {
    transport::Request r;
    r.method = "POST";
    r.target = std::move(path);
    r.headers.set("Content-Type", "application/json");
    if (!auth.empty()) r.headers.set("Authorization", auth);
    r.body = body.is_string() ? body.get<std::string>() : body.dump();
    return r;
  }
  static json notify_body(const std::string& to = "447700900123") {
    return {{"reqType", "BULK"}, {"MSISDN", to}, {"msg", "Hello there"},
            {"sender", "GOVUK"}, {"cid", kCid},  {"multi", true}};
  }
  static json body_json(const StubAnswer& a) { return json::parse(a.response.body); }
};

TEST_F(MmgTest, AcceptsNotifysJsonAndAnswersItsReference) {
  auto a = call(send(notify_body()));
  EXPECT_EQ(a.response.status, 200);
  auto j = body_json(a);
  ASSERT_TRUE(j["reference"].is_string()) << a.response.body;
  EXPECT_EQ(j["reference"].get<std::string>().size(), 8u);
  EXPECT_EQ(a.reference, kCid);  // journaled under the client's reference, as receipts are keyed
  EXPECT_EQ(a.outcome, "ok");
  auto info = stub_.describe(send(notify_body()));
  EXPECT_EQ(info.operation, "SendSms");
  EXPECT_EQ(info.recipient, "447700900123");
}

TEST_F(MmgTest, NotifysStubPathAnswersAsTheGoStub) {
  auto j = body_json(call(send(notify_body(), "/mmg")));
  EXPECT_TRUE(j["Reference"].is_number()) << j.dump();
}

TEST_F(MmgTest, ErrorsAre400WithMmgsErrorShape) {
  struct Case {
    transport::Request request;
    int code;
  };
  json no_msisdn = notify_body();
  no_msisdn.erase("MSISDN");
  json bad_type = notify_body();
  bad_type["reqType"] = "SINGLE";
  json bad_multi = notify_body();
  bad_multi["multi"] = "yes";
  json long_single = notify_body();
  long_single["multi"] = false;
  long_single["msg"] = std::string(161, 'a');
  json bad_delurl = notify_body();
  bad_delurl["delurl"] = "nope";
  // Present with the wrong type: named as invalid, not reported missing or read as empty.
  json fraction = notify_body();
  fraction["MSISDN"] = 447700900123.5;
  json msg_object = notify_body();
  msg_object["msg"] = {{"text", "hi"}};
  json cid_list = notify_body();
  cid_list["cid"] = {1, 2};
  std::vector<Case> cases = {
      {send(notify_body(), "/jsonv2a/api.php", ""), 206},
      {send(notify_body(), "/jsonv2a/api.php", "Bearer x"), 206},
      {send(json("{nope")), 201},
      {send(json("[1, 2]")), 201},
      {send(no_msisdn), 202},
      {send(bad_type), 205},
      {send(notify_body("12")), 203},
      {send(bad_multi), 205},
      {send(long_single), 204},
      {send(bad_delurl), 205},
      {send(fraction), 203},
      {send(msg_object), 205},
      {send(cid_list), 205},
  };
  for (const auto& c : cases) {
    auto a = call(c.request);
    EXPECT_EQ(a.response.status, 400) << c.request.body;
    auto j = body_json(a);
    EXPECT_EQ(j["Error"], c.code) << a.response.body;
    EXPECT_TRUE(j["Description"].is_string());
  }
  EXPECT_EQ(body_json(call(send(notify_body(), "/jsonv2a/api.php", "")))["Description"],
            "Invalid username or password");
}

TEST_F(MmgTest, StrictModeAcceptsOnlyTheConfiguredKey) {
  configure(R"({"api_keys": ["c2VjcmV0"]})");
  EXPECT_EQ(call(send(notify_body(), "/jsonv2a/api.php", "Basic c2VjcmV0")).response.status, 200);
  EXPECT_EQ(call(send(notify_body(), "/jsonv2a/api.php", "Basic b3RoZXI=")).response.status, 400);
}

TEST_F(MmgTest, NamedErrors) {
  EXPECT_EQ(body_json(call(send(notify_body()), kMmgError))["Error"], 299);
  EXPECT_EQ(body_json(call(send(notify_body()), kMmgAuth))["Error"], 206);
  EXPECT_EQ(call(send(notify_body()), kMmgHttp500).response.status, 500);
  EXPECT_EQ(call(send(notify_body()), kMmgHttp503).response.status, 503);
  auto t = call(send(notify_body()), kMmgBadJson);
  EXPECT_EQ(t.response.status, 200);
  EXPECT_EQ(t.response.body, "Success 100, 42");
}

TEST_F(MmgTest, ReceiptIsJsonToDelurl) {
  json body = notify_body();
  body["delurl"] = kReceiptUrl;
  auto a = call(send(body));
  deliver_all();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].target, "/notifications/sms/x");
  EXPECT_EQ(received_[0].headers.get_or("Content-Type", ""), "application/json");
  auto r = json::parse(received_[0].body);
  EXPECT_EQ(r["status"], "3");
  EXPECT_EQ(r["substatus"], "5");
  EXPECT_EQ(r["CID"], kCid);
  EXPECT_EQ(r["MSISDN"], "447700900123");
  EXPECT_EQ(r["reference"], body_json(a)["reference"]);
  EXPECT_EQ(r["deliverytime"].get<std::string>().size(), 19u);
}

TEST_F(MmgTest, TestNumbersAndNamedReceiptOutcomes) {
  configure(std::string(R"({"receipts": {"callback_url": ")") + kDefaultUrl + "\"}}");
  call(send(notify_body("447700900003")));
  call(send(notify_body("447700900002")), "");
  call(send(notify_body()), kMmgReceiptTemporary);
  deliver_all();
  ASSERT_EQ(received_.size(), 3u);
  std::multiset<std::string> statuses;
  for (const auto& r : received_) {
    auto j = json::parse(r.body);
    statuses.insert(j["status"].get<std::string>() + "/" + j["substatus"].get<std::string>());
  }
  EXPECT_EQ(statuses, (std::multiset<std::string>{"4/27", "4/27", "2/1"}));
}

TEST_F(MmgTest, InvalidUtf8InTheRequestGetsAnErrorNotACrash) {
  // Found by fuzz_edge: the number, echoed in the error, was not valid UTF-8 and the JSON
  // answer could not be written.
  std::string body =
      R"({"reqType":"BULK","MSISDN":"4477009\xff00002","msg":"Hi","sender":"GOVUK","cid":"r2"})";
  body.replace(body.find("\\xff"), 4, "\xff");
  auto a = call(send(json(body)));
  EXPECT_GE(a.response.status, 200);
  EXPECT_TRUE(json::accept(a.response.body));
  // And a path with bytes that are not UTF-8, echoed in the not-found answer.
  std::string path = "/jsonv2a/a";
  path += static_cast<char>(0xd3);
  path += '\0';
  auto b = call(send(notify_body(), path));
  EXPECT_GE(b.response.status, 400);
  EXPECT_TRUE(json::accept(b.response.body));
}

}  // namespace
}  // namespace notify::stubs::testing
