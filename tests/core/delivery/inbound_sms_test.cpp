// Inbound SMS at Notify's receive routes: Basic auth as Notify checks it (401 and 403 with
// Notify's answers), each provider's fields read as Notify reads them, the inbound table, and
// Notify's answers for numbers no service has.
#include "notify/delivery/inbound_sms.hpp"

#include "notify/runtime/clock.hpp"
#include "notify/transport/userinfo.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace notify::delivery {
namespace {

using nlohmann::json;

class InboundSmsTest : public ::testing::Test {
 protected:
  InboundSmsTest() {
    InboundSmsOptions o;
    o.auth["firetext"].passwords = {"testkey", "otherkey"};
    o.auth["mmg"] = {{"username"}, {"testkey"}};
    o.numbers = {"07700900000"};
    add_inbound_sms(router_, *store_, clock_, rng_, logger_, metrics_, o);
  }

  transport::Response post(std::string_view path, std::string body, std::string content_type,
                           std::string authorization) {
    transport::Request r;
    r.method = "POST";
    r.target = std::string(path);
    r.headers.set("Content-Type", content_type);
    if (!authorization.empty()) r.headers.set("Authorization", authorization);
    r.body = std::move(body);
    transport::Response out;
    router_.handler()(std::move(r), [&out](transport::Reply reply) { out = reply.response; });
    return out;
  }
  transport::Response firetext(std::string body,
                               std::string auth = transport::basic_authorization("notify", "testkey")) {
    return post(kFiretextInboundPath, std::move(body), "application/x-www-form-urlencoded", auth);
  }
  transport::Response mmg(const json& body,
                          std::string auth = transport::basic_authorization("username", "testkey")) {
    return post(kMmgInboundPath, body.dump(), "application/json", auth);
  }

  runtime::VirtualClock clock_;
  runtime::Rng rng_{7};
  telemetry::Logger logger_{clock_};
  telemetry::Metrics metrics_;
  std::unique_ptr<store::Store> store_ = store::open_sqlite_store(":memory:");
  ReceiptRouter router_;
};

constexpr const char* kFiretextForm =
    "source=07999999999&destination=447700900000&message=this is a message&time=2017-01-01 12:00:00";

TEST_F(InboundSmsTest, FiretextMessageIsStoredAndAnsweredOk) {
  auto r = firetext(kFiretextForm);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ok\"}\n");
  auto all = store_->list_inbound_sms();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].provider, "firetext");
  EXPECT_EQ(all[0].notify_number, "07700900000");
  EXPECT_EQ(all[0].user_number, "447999999999");
  EXPECT_EQ(all[0].content, "this is a message");
  EXPECT_EQ(all[0].provider_reference, "");
  ASSERT_TRUE(all[0].provider_date.has_value());
  EXPECT_EQ(runtime::format_iso8601(*all[0].provider_date), "2017-01-01T12:00:00.000Z");
  EXPECT_EQ(metrics_.counter("inbound_sms.firetext"), 1);
}

TEST_F(InboundSmsTest, MmgMessageIsDecodedAsNotifyDecodesIt) {
  json body = {{"ID", "1234"},
               {"MSISDN", "447700900855"},
               {"Message", "x+%2B+y+%F0%9F%93%A9+1\\n2"},
               {"Number", "447700900000"},
               {"DateRecieved", "2017-05-21+11%3A56%3A11"}};
  auto r = mmg(body);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ok\"}\n");
  auto all = store_->list_inbound_sms();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].content, "x + y \xF0\x9F\x93\xA9 1\n2");
  EXPECT_EQ(all[0].provider_reference, "1234");
  EXPECT_EQ(all[0].user_number, "447700900855");
  EXPECT_EQ(runtime::format_iso8601(*all[0].provider_date), "2017-05-21T11:56:11.000Z");
}

TEST_F(InboundSmsTest, AnUnparseableTimeIsNow) {
  json body = {{"ID", "1"}, {"MSISDN", "447700900855"}, {"Message", "hi"},
               {"Number", "07700900000"}, {"DateRecieved", "13-05-2020 08%3A37%3A43"}};
  EXPECT_EQ(mmg(body).status, 200);
  auto all = store_->list_inbound_sms();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].provider_date, clock_.now());
}

TEST_F(InboundSmsTest, AuthAsNotifyChecksIt) {
  // No header: 401 with Notify's answer; wrong user or password: 403.
  auto none = firetext(kFiretextForm, "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.body,
            "{\"message\":\"Unauthorized: authentication token must be provided\","
            "\"result\":\"error\"}\n");
  EXPECT_EQ(none.headers.get_or("WWW-Authenticate", ""), "Bearer");
  auto wrong = firetext(kFiretextForm, transport::basic_authorization("notify", "wrong"));
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(wrong.body,
            "{\"message\":\"Forbidden: invalid authentication token provided\","
            "\"result\":\"error\"}\n");
  EXPECT_EQ(firetext(kFiretextForm, transport::basic_authorization("other", "testkey")).status, 403);
  EXPECT_EQ(firetext(kFiretextForm, transport::basic_authorization("notify", "otherkey")).status,
            200);
  json body = {{"ID", "1"}, {"MSISDN", "447700900855"}, {"Message", "hi"}, {"Number", "07700900000"}};
  EXPECT_EQ(mmg(body, "").status, 401);
  EXPECT_EQ(mmg(body, transport::basic_authorization("username", "wrong")).status, 403);
  EXPECT_EQ(mmg(body, transport::basic_authorization("notify", "testkey")).status, 403);
  EXPECT_EQ(mmg(body, "Bearer testkey").status, 403);  // werkzeug reads it, with no user name
  EXPECT_EQ(mmg(body, "Basic !!!").status, 401);
  EXPECT_EQ(store_->list_inbound_sms().size(), 1u) << "only the Firetext message with otherkey";
}

TEST_F(InboundSmsTest, NumbersNoServiceHasAreAcknowledgedNotStored) {
  auto f = firetext("source=07999999999&destination=07111111111&message=m&time=2017-01-01 12:00:00");
  EXPECT_EQ(f.status, 200);
  EXPECT_EQ(f.body, "{\"status\":\"ok\"}\n");
  json body = {{"ID", "1"}, {"MSISDN", "447700900855"}, {"Message", "hi"}, {"Number", "447111111111"}};
  auto m = mmg(body);
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.body, "RECEIVED");
  EXPECT_TRUE(store_->list_inbound_sms().empty());
}

TEST_F(InboundSmsTest, MalformedBodiesGetFlasksAnswers) {
  const std::string bad_request =
      "{\"message\":\"The browser (or proxy) sent a request that this server could not "
      "understand.\",\"result\":\"error\"}\n";
  auto missing = firetext("source=07999999999&message=m&time=2017-01-01 12:00:00");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body, bad_request);
  EXPECT_EQ(firetext("destination=07700900000&message=m").status, 400);
  // MMG's body is read before its auth: not JSON is a 400 even without credentials.
  auto not_json = post(kMmgInboundPath, "{nope", "application/json", "");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.body, bad_request);
  EXPECT_EQ(post(kMmgInboundPath, "{}", "text/plain", "").status, 500);
  auto no_number = mmg(json{{"ID", "1"}, {"MSISDN", "447700900855"}, {"Message", "hi"}});
  EXPECT_EQ(no_number.status, 500);
  EXPECT_EQ(no_number.body, "{\"message\":\"Internal server error\",\"result\":\"error\"}\n");
  EXPECT_EQ(mmg(json::array()).status, 500);
  transport::Request get;
  get.method = "GET";
  get.target = std::string(kFiretextInboundPath);
  transport::Response out;
  router_.handler()(get, [&out](transport::Reply r) { out = r.response; });
  EXPECT_EQ(out.status, 405);
  EXPECT_TRUE(store_->list_inbound_sms().empty());
}

TEST(FormatMmgMessage, AsNotifysTable) {
  EXPECT_EQ(format_mmg_message("abc"), "abc");
  EXPECT_EQ(format_mmg_message(""), "");
  EXPECT_EQ(format_mmg_message("lots+of+words"), "lots of words");
  EXPECT_EQ(format_mmg_message("%F0%9F%93%A9+%F0%9F%93%A9"), "\xF0\x9F\x93\xA9 \xF0\x9F\x93\xA9");
  EXPECT_EQ(format_mmg_message("x+%2B+y"), "x + y");
  EXPECT_EQ(format_mmg_message("1\\n2"), "1\n2");
  EXPECT_EQ(format_mmg_message("\\'\"\\'"), "'\"'");
  EXPECT_EQ(format_mmg_message("\x79 \\x79 \\\\x79"), "y y \\x79");
  EXPECT_EQ(strip_leading_forty_four("447700900000"), "07700900000");
  EXPECT_EQ(strip_leading_forty_four("07700900000"), "07700900000");
}

}  // namespace
}  // namespace notify::delivery
