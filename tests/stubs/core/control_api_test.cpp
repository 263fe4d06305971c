// The control API through StubHost::handle_control, without sockets.
#include "fake_stub.hpp"

#include "notify/runtime/clock.hpp"
#include "notify/stubs/host.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace notify::stubs {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::FakeStub;
using test::make_request;
using ::testing::HasSubstr;

class ControlApiTest : public ::testing::Test {
 protected:
  ControlApiTest() : host_(clock_, HostOptions{}) {
    host_.add(std::make_unique<FakeStub>());
    host_.add(std::make_unique<FakeStub>("mmg", "/other"));
  }

  // Sends a control request that must be answered at once; returns status and parsed body.
  std::pair<int, json> send(std::string method, std::string target, std::string body = {}) {
    auto reply =
        test::control(host_, make_request(std::move(method), std::move(target), std::move(body)));
    EXPECT_TRUE(reply.has_value());
    if (!reply) return {0, json()};
    last_ = *reply;
    if (reply->response.headers.get_or("Content-Type", "") != "application/json") {
      return {reply->response.status, json()};
    }
    return {reply->response.status, json::parse(reply->response.body)};
  }

  void edge(std::string target, std::string body = {}) {
    ASSERT_TRUE(test::edge(host_, make_request("POST", std::move(target), std::move(body))));
  }

  runtime::VirtualClock clock_;
  StubHost host_;
  transport::Reply last_;
};

TEST_F(ControlApiTest, HealthListsServices) {
  auto [status, body] = send("GET", "/health");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["services"], json::parse(R"(["ses", "mmg"])"));
}

TEST_F(ControlApiTest, HealthGivesTheClockTriggerWindowsRead) {
  clock_.run_for(1500ms);
  auto [status, body] = send("GET", "/health");
  EXPECT_EQ(body["clock"]["since_start_ms"], 1500);
  EXPECT_EQ(body["clock"]["now"], "2026-01-01T00:00:01.500Z");
  send("POST", "/reset");
  std::tie(status, body) = send("GET", "/health");
  EXPECT_EQ(body["clock"]["since_start_ms"], 0);
}

TEST_F(ControlApiTest, AWindowThatHasClosedIsRefusedAndARelativeOneStartsNow) {
  clock_.run_for(90s);
  auto [status, body] = send("POST", "/faults", R"({"action": {"type": "refuse"},
                                                    "trigger": {"until_ms": 60000}})");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["field"], "trigger.until_ms");
  EXPECT_THAT(body["error"].get<std::string>(), HasSubstr("already at 90000 ms"));
  EXPECT_TRUE(host_.faults().rules().empty());

  std::tie(status, body) = send("POST", "/faults", R"({"id": "soon",
      "action": {"type": "error", "name": "fake.boom"},
      "trigger": {"after_ms": 1000, "for_ms": 2000}})");
  ASSERT_EQ(status, 201);
  std::tie(status, body) = send("GET", "/faults/soon");
  EXPECT_EQ(body["trigger"], json::parse(R"({"from_ms": 91000.0, "until_ms": 93000.0})"));
  // Fires from 1 s after it was posted, for 2 s.
  edge("/fake/send", "a@example.com");
  clock_.run_for(1500ms);
  edge("/fake/send", "b@example.com");
  clock_.run_for(2s);
  edge("/fake/send", "c@example.com");
  std::tie(status, body) = send("GET", "/journal");
  ASSERT_EQ(body["entries"].size(), 3u);
  EXPECT_EQ(body["entries"][0]["outcome"], "ok");
  EXPECT_EQ(body["entries"][1]["outcome"], "error:fake.boom");
  EXPECT_EQ(body["entries"][2]["outcome"], "ok");
}

TEST_F(ControlApiTest, AJournalFilterOnAServiceThatIsNotLoadedIsRefused) {
  auto [status, body] = send("GET", "/journal?service=sms");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["field"], "service");
  EXPECT_THAT(body["error"].get<std::string>(), HasSubstr("unknown service \"sms\""));
  std::tie(status, body) = send("GET", "/journal/wait?service=sesv2&timeout_ms=0");
  EXPECT_EQ(status, 400);
  EXPECT_THAT(body["error"].get<std::string>(), HasSubstr("did you mean \"ses\"?"));
}

TEST_F(ControlApiTest, AddListReplaceDeleteRules) {
  auto [status, body] = send("POST", "/faults",
                             R"({"id": "boom", "action": {"type": "error", "name": "fake.boom"}})");
  EXPECT_EQ(status, 201);
  EXPECT_EQ(body["ids"], json::array({"boom"}));

  std::tie(status, body) = send("POST", "/faults",
                                R"({"faults": [{"action": {"type": "delay", "ms": 5}},
                                               {"id": "h", "action": {"type": "hang"}}]})");
  EXPECT_EQ(status, 201);
  EXPECT_EQ(body["ids"], json::array({"rule-1", "h"}));

  std::tie(status, body) = send("POST", "/faults", R"([{"id": "r", "action": {"type": "reset"}}])");
  EXPECT_EQ(status, 201);

  edge("/fake/send");
  std::tie(status, body) = send("GET", "/faults");
  EXPECT_EQ(status, 200);
  ASSERT_EQ(body["faults"].size(), 4u);
  EXPECT_EQ(body["faults"][0]["id"], "boom");
  EXPECT_EQ(body["fired_count"], 4);
  ASSERT_EQ(body["firings"].size(), 4u);
  EXPECT_EQ(body["firings"][0]["rule_id"], "boom");
  EXPECT_EQ(body["firings"][0]["request_seq"], 1);

  std::tie(status, body) = send("PUT", "/faults/h", R"({"action": {"type": "truncate"}})");
  EXPECT_EQ(status, 200);
  std::tie(status, body) = send("GET", "/faults/h");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["action"]["type"], "truncate");

  std::tie(status, body) = send("PUT", "/faults/h", R"({"id": "x", "action": {"type": "hang"}})");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["field"], "id");
  std::tie(status, body) = send("PUT", "/faults/nope", R"({"action": {"type": "hang"}})");
  EXPECT_EQ(status, 404);

  std::tie(status, body) = send("DELETE", "/faults/h");
  EXPECT_EQ(status, 200);
  std::tie(status, body) = send("DELETE", "/faults/h");
  EXPECT_EQ(status, 404);
  EXPECT_EQ(host_.faults().rules().size(), 3u);

  std::tie(status, body) = send("DELETE", "/faults");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["deleted"], 3);
  EXPECT_TRUE(host_.faults().rules().empty());
}

TEST_F(ControlApiTest, BadRulesAre400NamingTheField) {
  auto [status, body] = send("POST", "/faults",
                             R"({"faults": [{"action": {"type": "refuse"}},
                                            {"action": {"type": "error", "name": "fake.bam"}}]})");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["field"], "faults[1].action.name");
  EXPECT_THAT(body["error"].get<std::string>(), HasSubstr("\"fake.boom\""));
  EXPECT_TRUE(host_.faults().rules().empty());  // nothing of a bad list is added

  std::tie(status, body) = send("POST", "/faults", R"({"match": {"service": "smtp"},
                                                       "action": {"type": "refuse"}})");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["field"], "match.service");

  std::tie(status, body) = send("POST", "/faults", R"({"action": {"type": "refuse"},)");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["field"], "body");
  EXPECT_THAT(body["error"].get<std::string>(), HasSubstr("malformed JSON"));

  std::tie(status, body) = send("POST", "/faults", R"("refuse")");
  EXPECT_EQ(status, 400);

  send("POST", "/faults", R"({"id": "a", "action": {"type": "refuse"}})");
  std::tie(status, body) = send("POST", "/faults",
                                R"([{"id": "b", "action": {"type": "refuse"}},
                                    {"id": "a", "action": {"type": "reset"}}])");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["field"], "faults[1].id");
  EXPECT_EQ(host_.faults().rules().size(), 1u);
}

TEST_F(ControlApiTest, JournalQueries) {
  edge("/fake/send", "a@example.com");
  clock_.run_for(1s);
  edge("/other/send", "447700900000");
  edge("/fake/send", "b@example.com");

  auto [status, body] = send("GET", "/journal");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["entries"].size(), 3u);
  EXPECT_EQ(body["recorded"], 3);
  EXPECT_EQ(body["dropped"], 0);

  std::tie(status, body) = send("GET", "/journal?service=ses&recipient=b%40example.com");
  ASSERT_EQ(body["entries"].size(), 1u);
  EXPECT_EQ(body["entries"][0]["seq"], 3);
  EXPECT_EQ(body["entries"][0]["at"], "2026-01-01T00:00:01.000Z");

  std::tie(status, body) = send("GET", "/journal?since_ms=500&limit=1");
  ASSERT_EQ(body["entries"].size(), 1u);
  EXPECT_EQ(body["entries"][0]["seq"], 3);

  std::tie(status, body) = send("GET", "/journal?reference=ref-1&service=ses");
  ASSERT_EQ(body["entries"].size(), 1u);
  EXPECT_EQ(body["entries"][0]["recipient"], "a@example.com");

  std::tie(status, body) = send("GET", "/journal?since_ms=soon");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["field"], "since_ms");
  std::tie(status, body) = send("GET", "/journal?colour=red");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["field"], "colour");
  std::tie(status, body) = send("GET", "/journal?service=ses&service=mmg");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["field"], "service");
}

TEST_F(ControlApiTest, JournalWaitAnswersWhenEntriesArrive) {
  std::optional<transport::Reply> reply;
  host_.handle_control(make_request("GET", "/journal/wait?service=ses&count=2&timeout_ms=1000"),
                       [&](transport::Reply r) { reply = std::move(r); });
  EXPECT_FALSE(reply.has_value());
  edge("/fake/send");
  edge("/other/send");
  EXPECT_FALSE(reply.has_value());
  edge("/fake/send");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->response.status, 200);
  auto body = json::parse(reply->response.body);
  EXPECT_EQ(body["matched"], true);
  EXPECT_EQ(body["entries"].size(), 2u);
  clock_.run_for(2s);  // the time-out must not answer a second time
  EXPECT_EQ(reply->response.status, 200);
}

TEST_F(ControlApiTest, JournalWaitTimesOutWith408OnTheClock) {
  std::optional<transport::Reply> reply;
  int calls = 0;
  host_.handle_control(
      make_request("POST", "/journal/wait", R"({"service": "mmg", "timeout_ms": 250})"),
      [&](transport::Reply r) {
        reply = std::move(r);
        ++calls;
      });
  edge("/fake/send");
  clock_.run_for(249ms);
  EXPECT_FALSE(reply.has_value());
  clock_.run_for(1ms);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->response.status, 408);
  auto body = json::parse(reply->response.body);
  EXPECT_EQ(body["matched"], false);
  EXPECT_TRUE(body["entries"].empty());
  edge("/other/send");
  EXPECT_EQ(calls, 1);
}

TEST_F(ControlApiTest, JournalWaitValidatesCountAndTimeout) {
  auto [status, body] = send("GET", "/journal/wait?timeout_ms=60001");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["field"], "timeout_ms");
  std::tie(status, body) = send("GET", "/journal/wait?count=0");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["field"], "count");
  std::tie(status, body) = send("DELETE", "/journal/wait");
  EXPECT_EQ(status, 405);
}

TEST_F(ControlApiTest, ResetClearsJournalAndFaults) {
  send("POST", "/faults", R"({"action": {"type": "delay", "ms": 1}})");
  edge("/fake/send");
  auto [status, body] = send("POST", "/reset");
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(host_.faults().rules().empty());
  std::tie(status, body) = send("GET", "/journal");
  EXPECT_TRUE(body["entries"].empty());
  EXPECT_EQ(body["recorded"], 0);
}

TEST_F(ControlApiTest, MetricsAreprometheusText) {
  send("POST", "/faults", R"({"action": {"type": "error", "name": "fake.boom"}})");
  edge("/fake/send");
  auto [status, body] = send("GET", "/metrics");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(last_.response.headers.get_or("Content-Type", ""), "text/plain; version=0.0.4");
  const auto& text = last_.response.body;
  EXPECT_THAT(text, HasSubstr("notify_sim_requests_total{service=\"ses\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("notify_sim_faults_fired_total{service=\"ses\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("notify_sim_journal_entries 1\n"));
  EXPECT_THAT(text, HasSubstr("notify_sim_journal_dropped_total 0\n"));
  EXPECT_THAT(
      text, HasSubstr("notify_sim_responses_total{service=\"ses\",outcome=\"error:fake.boom\"} 1"));
}

TEST_F(ControlApiTest, UnknownPathIs404AndWrongMethodIs405) {
  auto [status, body] = send("GET", "/fault");
  EXPECT_EQ(status, 404);
  EXPECT_THAT(body["error"].get<std::string>(), HasSubstr("unknown control path GET /fault"));

  std::tie(status, body) = send("POST", "/health");
  EXPECT_EQ(status, 405);
  EXPECT_EQ(last_.response.headers.get_or("Allow", ""), "GET");
  std::tie(status, body) = send("PATCH", "/faults");
  EXPECT_EQ(status, 405);
  EXPECT_EQ(last_.response.headers.get_or("Allow", ""), "GET, POST, DELETE");
  std::tie(status, body) = send("GET", "/reset");
  EXPECT_EQ(status, 405);
}

TEST_F(ControlApiTest, ATokenIsRequiredOnEveryCallOnceSet) {
  host_.set_control_token("s3cret");
  EXPECT_EQ(send("GET", "/health").first, 401);
  EXPECT_EQ(last_.response.headers.get_or("WWW-Authenticate", ""), "Bearer");
  auto wrong = make_request("POST", "/reset");
  wrong.headers.set("Authorization", "Bearer guess");
  EXPECT_EQ(test::control(host_, wrong)->response.status, 401);
  auto right = make_request("GET", "/health");
  right.headers.set("Authorization", "Bearer s3cret");
  EXPECT_EQ(test::control(host_, right)->response.status, 200);
}

}  // namespace
}  // namespace notify::stubs
