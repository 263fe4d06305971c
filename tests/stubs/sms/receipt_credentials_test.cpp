// Receipt URLs with credentials, as today's Notify sends them (notifications-api 2336be8b8,
// b16f8afc9): both stubs accept "user:pass@" in receipt/delurl, post the receipt to the URL
// without it and with Basic auth, and journal neither the password nor the raw userinfo.
#include "sms_fixture.hpp"

#include "notify/stubs/journal.hpp"
#include "notify/transport/http.hpp"
#include "notify/transport/server.hpp"

namespace notify::stubs::testing {
namespace {

using nlohmann::json;

constexpr const char* kCredentialUrl = "http://notify:s3cret@127.0.0.1:9999/notifications/sms/x";
constexpr const char* kBasic = "Basic bm90aWZ5OnMzY3JldA==";  // notify:s3cret

// Every journal entry as the control API would show it.
std::string journal_text(StubHost& host) {
  std::string out;
  for (const auto& e : host.journal().query(JournalQuery{})) out += to_json(e).dump() + "\n";
  return out;
}

JournalQuery direction(const char* d) {
  JournalQuery q;
  q.direction = d;
  return q;
}

transport::Request firetext_send(const std::string& receipt) {
  transport::Request r;
  r.method = "POST";
  r.target = "/api/sendsms/json";
  r.headers.set("Content-Type", "application/x-www-form-urlencoded");
  r.body = "apiKey=k&from=GOVUK&to=447700900123&message=Hi&reference=r1&receipt=" +
           transport::url_encode(receipt);
  return r;
}

transport::Request mmg_send(const json& delurl) {
  transport::Request r;
  r.method = "POST";
  r.target = "/jsonv2a/api.php";
  r.headers.set("Content-Type", "application/json");
  r.headers.set("Authorization", "Basic bm90aWZ5LXNpbTptbWc=");
  r.body = json{{"reqType", "BULK"}, {"MSISDN", "447700900123"}, {"msg", "Hi"},
                {"sender", "GOVUK"}, {"cid", "r1"},           {"delurl", delurl}}
               .dump();
  return r;
}

class FiretextCredentialsTest : public SmsTest {
 protected:
  FiretextCredentialsTest() : SmsTest(make_firetext_stub()) {}
  transport::Response through_host(transport::Request request) {
    transport::Response out;
    host_.handle(std::move(request), [&out](transport::Reply r) { out = std::move(r.response); });
    clock_.run_for(std::chrono::milliseconds(1));
    return out;
  }
};

class MmgCredentialsTest : public SmsTest {
 protected:
  MmgCredentialsTest() : SmsTest(make_mmg_stub()) {}
  transport::Response through_host(transport::Request request) {
    transport::Response out;
    host_.handle(std::move(request), [&out](transport::Reply r) { out = std::move(r.response); });
    clock_.run_for(std::chrono::milliseconds(1));
    return out;
  }
};

TEST_F(FiretextCredentialsTest, ReceiptGoesWithBasicAuthAndWithoutUserinfo) {
  auto answer = through_host(firetext_send(kCredentialUrl));
  EXPECT_EQ(json::parse(answer.body)["code"], 0) << answer.body;
  deliver_all();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].target, "/notifications/sms/x");
  EXPECT_EQ(received_[0].headers.get_or("Authorization", ""), kBasic);
  EXPECT_EQ(form(received_[0].body)["reference"], "r1");
}

TEST_F(FiretextCredentialsTest, TheJournalMasksThePassword) {
  through_host(firetext_send(kCredentialUrl));
  deliver_all();
  const std::string text = journal_text(host_);
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  auto out = host_.journal().query(direction("out"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].target, "http://notify:****@127.0.0.1:9999/notifications/sms/x");
  EXPECT_EQ(out[0].outcome, "ok");
  auto in = host_.journal().query(direction("in"));
  ASSERT_EQ(in.size(), 1u);
  EXPECT_NE(in[0].request_body.find("notify%3A****%40127.0.0.1"), std::string::npos)
      << in[0].request_body;
}

TEST_F(FiretextCredentialsTest, AReceiptAnswered401IsAFailedCallback) {
  callbacks_.route("127.0.0.1:9998", [](transport::Request, transport::Responder done) {
    transport::Reply reply;
    reply.response.status = 401;
    reply.response.body = R"({"result": "error"})";
    done(std::move(reply));
  });
  through_host(firetext_send("http://notify:wrong@127.0.0.1:9998/notifications/sms/firetext"));
  deliver_all();
  auto out = host_.journal().query(direction("out"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, 401);
  EXPECT_EQ(out[0].outcome, "status:401");
}

TEST_F(FiretextCredentialsTest, MalformedUserinfoIsCode7) {
  for (const char* bad : {"https://:pass@h/r", "https://u:p%zz@h/r", "https://u:p@ss@h/r",
                          "https://u p:x@h/r", "https://u:x@/r"}) {
    auto answer = call(firetext_send(bad));
    auto body = json::parse(answer.response.body);
    EXPECT_EQ(body["code"], 7) << bad;
    EXPECT_EQ(body["description"], "Invalid 'receipt': an absolute URL is needed") << bad;
  }
}

TEST_F(FiretextCredentialsTest, TheConfiguredDefaultUrlMayCarryCredentials) {
  configure(R"({"receipts": {"callback_url": "http://u:p@127.0.0.1:9999/default"}})");
  transport::Request r = firetext_send("");
  r.body = "apiKey=k&from=GOVUK&to=447700900123&message=Hi&reference=r1";
  call(r);
  deliver_all();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].target, "/default");
  EXPECT_EQ(received_[0].headers.get_or("Authorization", ""), "Basic dTpw");
}

TEST_F(MmgCredentialsTest, DelurlWithCredentialsGoesAsBasicAuth) {
  auto answer = through_host(mmg_send(kCredentialUrl));
  EXPECT_EQ(answer.status, 200) << answer.body;
  deliver_all();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].target, "/notifications/sms/x");
  EXPECT_EQ(received_[0].headers.get_or("Authorization", ""), kBasic);
  EXPECT_EQ(json::parse(received_[0].body)["CID"], "r1");
  const std::string text = journal_text(host_);
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
}

TEST_F(MmgCredentialsTest, MalformedUserinfoIsError205) {
  for (const char* bad : {"https://:pass@h/r", "https://u:p%4@h/r", "https://u:p@ss@h/r"}) {
    auto answer = call(mmg_send(bad));
    EXPECT_EQ(answer.response.status, 400) << bad;
    auto body = json::parse(answer.response.body);
    EXPECT_EQ(body["Error"], 205) << bad;
    EXPECT_EQ(body["Description"], "Invalid delurl: an absolute URL is needed") << bad;
  }
}

}  // namespace
}  // namespace notify::stubs::testing
