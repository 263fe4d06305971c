// Inbound SMS from the Firetext and MMG stubs: POST /inbound on the control API has the named
// stub post a message from a handset to Notify's inbound route, in the provider's format and
// with the Basic auth of the configured URL; bad messages get errors naming the field.
#include "sms_fixture.hpp"

#include "notify/stubs/journal.hpp"
#include "notify/transport/server.hpp"

namespace notify::stubs::testing {
namespace {

using nlohmann::json;

constexpr const char* kInboundConfig =
    R"({"inbound": {"url": "http://notify:pw@127.0.0.1:9999/notifications/sms/receive/x"}})";

class InboundTest : public ::testing::Test {
 protected:
  InboundTest() : callbacks_(clock_) {
    host_.add(make_firetext_stub());
    host_.add(make_mmg_stub());
    callbacks_.route("127.0.0.1:9999", [this](transport::Request r, transport::Responder done) {
      received_.push_back(std::move(r));
      transport::Reply reply;
      reply.response.status = 200;
      reply.response.body = "{\"status\":\"ok\"}\n";
      done(std::move(reply));
    });
    host_.set_outbound_transport(&callbacks_);
    for (auto* s : host_.stubs()) {
      auto e = s->configure(json::parse(kInboundConfig));
      EXPECT_FALSE(e.has_value());
    }
  }

  transport::Response control(const std::string& method, const std::string& body) {
    transport::Request r;
    r.method = method;
    r.target = "/inbound";
    r.body = body;
    transport::Response out;
    host_.handle_control(std::move(r), [&out](transport::Reply reply) { out = reply.response; });
    return out;
  }

  runtime::VirtualClock clock_;
  transport::InProcessTransport callbacks_;
  std::vector<transport::Request> received_;
  StubHost host_{clock_, HostOptions{{}, 42}};
};

TEST_F(InboundTest, FiretextPostsNotifysFormWithBasicAuth) {
  auto r = control("POST", R"({"provider": "firetext", "from": "447700900123",
                               "to": "447700900000", "text": "Yes please & thanks",
                               "time": "2026-07-01 10:00:00"})");
  EXPECT_EQ(r.status, 202) << r.body;
  clock_.run();
  ASSERT_EQ(received_.size(), 1u);
  const auto& got = received_[0];
  EXPECT_EQ(got.target, "/notifications/sms/receive/x");
  EXPECT_EQ(got.headers.get_or("Authorization", ""), "Basic bm90aWZ5OnB3");
  EXPECT_EQ(got.headers.get_or("Content-Type", ""), "application/x-www-form-urlencoded");
  EXPECT_EQ(got.body,
            "source=447700900123&destination=447700900000&message=Yes+please+%26+thanks"
            "&time=2026-07-01+10%3A00%3A00");
  JournalQuery q;
  q.operation = "Inbound";
  auto entries = host_.journal().query(q);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].direction, "out");
  EXPECT_EQ(entries[0].outcome, "ok");
  EXPECT_EQ(entries[0].target, "http://notify:****@127.0.0.1:9999/notifications/sms/receive/x");
}

TEST_F(InboundTest, MmgPostsItsJsonWithEncodedStrings) {
  auto r = control("POST", R"({"provider": "mmg", "from": "447700900123", "to": "447700900000",
                               "text": "x + y"})");
  EXPECT_EQ(r.status, 202) << r.body;
  clock_.run();
  ASSERT_EQ(received_.size(), 1u);
  auto body = json::parse(received_[0].body);
  EXPECT_EQ(received_[0].headers.get_or("Content-Type", ""), "application/json");
  EXPECT_EQ(body["MSISDN"], "447700900123");
  EXPECT_EQ(body["Number"], "447700900000");
  EXPECT_EQ(body["Message"], "x+%2B+y");
  EXPECT_EQ(body["ID"].get<std::string>().size(), 8u);
  // Now on the virtual clock, in UTC, encoded as Notify's docstring shows.
  EXPECT_EQ(body["DateRecieved"], "2026-01-01+00%3A00%3A00");
}

TEST_F(InboundTest, BadMessagesNameTheField) {
  struct Case {
    const char* body;
    const char* field;
  };
  for (const Case& c : {Case{R"({"from": "447700900123", "to": "1", "text": "t"})", "provider"},
                        Case{R"({"provider": "ses", "from": "447700900123", "to": "1",
                                 "text": "t"})", "provider"},
                        Case{R"({"provider": "mmg", "to": "1", "text": "t"})", "from"},
                        Case{R"({"provider": "mmg", "from": "12", "to": "1", "text": "t"})",
                             "from"},
                        Case{R"({"provider": "mmg", "from": "447700900123", "to": "+44",
                                 "text": "t"})", "to"},
                        Case{R"({"provider": "mmg", "from": "447700900123", "to": "1",
                                 "text": ""})", "text"},
                        Case{R"({"provider": "firetext", "from": "447700900123", "to": "1",
                                 "text": "t", "time": "tomorrow"})", "time"},
                        Case{R"({"provider": "firetext", "from": "447700900123", "to": "1",
                                 "text": "t", "colour": "red"})", "colour"},
                        Case{R"([1])", "body"}}) {
    auto r = control("POST", c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(json::parse(r.body).value("field", ""), c.field) << r.body;
  }
  EXPECT_EQ(control("GET", "").status, 405);
  EXPECT_EQ(control("POST", "{nope").status, 400);
  clock_.run();
  EXPECT_TRUE(received_.empty());
}

TEST_F(InboundTest, AStubWithoutAnInboundUrlSaysSo) {
  for (auto* s : host_.stubs()) {
    auto e = s->configure(json::parse(R"({"inbound": {"url": ""}})"));
    EXPECT_FALSE(e.has_value());
  }
  auto r = control("POST", R"({"provider": "mmg", "from": "447700900123", "to": "1", "text": "t"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("stubs.mmg.inbound.url"), std::string::npos) << r.body;
  auto bad = host_.stubs()[0]->configure(json::parse(R"({"inbound": {"url": "http://:x@h/"}})"));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field, "inbound.url");
}

}  // namespace
}  // namespace notify::stubs::testing
