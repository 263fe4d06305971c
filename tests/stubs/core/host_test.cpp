// StubHost's edge: routing, each fault action reaching the Reply, journaling and counters.
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
using test::edge;
using test::FakeStub;
using test::make_request;
using transport::ConnectionAction;

class HostTest : public ::testing::Test {
 protected:
  HostTest() : host_(clock_, HostOptions{.journal = {.capacity = 100, .body_bytes_max = 64}}) {
    fake_ = static_cast<FakeStub*>(&host_.add(std::make_unique<FakeStub>()));
    other_ = static_cast<FakeStub*>(&host_.add(std::make_unique<FakeStub>("mmg", "/other")));
  }

  void add_rule(const std::string& text) {
    auto rule = parse_fault_rule(json::parse(text), "rule", host_.faults().known_errors());
    ASSERT_TRUE(rule.has_value()) << rule.error().to_string();
    ASSERT_TRUE(host_.faults().add(*rule));
  }

  JournalEntry last_entry() {
    auto all = host_.journal().query({});
    EXPECT_FALSE(all.empty());
    return all.empty() ? JournalEntry{} : all.back();
  }

  runtime::VirtualClock clock_;
  StubHost host_;
  FakeStub* fake_ = nullptr;
  FakeStub* other_ = nullptr;
};

TEST_F(HostTest, AttachesStubsWithTheirOwnRngAndRegistersErrors) {
  EXPECT_EQ(fake_->attached_, 1);
  EXPECT_EQ(&fake_->services().clock(), &clock_);
  EXPECT_NE(&fake_->services().rng(), &other_->services().rng());
  EXPECT_EQ(host_.faults().known_errors(), (std::set<std::string>{"fake.boom"}));
  EXPECT_EQ(host_.find("mmg"), other_);
  EXPECT_EQ(host_.find("cbc"), nullptr);
}

TEST_F(HostTest, StubRngsDependOnlyOnTheSeedAndTheServiceName) {
  runtime::VirtualClock clock;
  StubHost again(clock, HostOptions{});
  auto& other = again.add(std::make_unique<FakeStub>("mmg", "/other"));
  auto& rng = static_cast<FakeStub&>(other).services().rng();
  // Same seed, same service, different order of adding: same stream.
  EXPECT_EQ(rng.next_u64(), other_->services().rng().next_u64());
}

TEST_F(HostTest, AnswersAndJournalsANormalRequest) {
  clock_.run_for(1500ms);
  auto reply = edge(host_, make_request("POST", "/fake/send?op=SendEmail", "a@example.com"));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->action, ConnectionAction::respond);
  EXPECT_EQ(reply->response.status, 200);
  EXPECT_EQ(reply->delay, 0ns);
  auto e = last_entry();
  EXPECT_EQ(e.seq, 1u);
  EXPECT_EQ(e.service, "ses");
  EXPECT_EQ(e.operation, "SendEmail");
  EXPECT_EQ(e.recipient, "a@example.com");
  EXPECT_EQ(e.reference, "ref-1");
  EXPECT_EQ(e.method, "POST");
  EXPECT_EQ(e.target, "/fake/send?op=SendEmail");
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(e.outcome, "ok");
  EXPECT_EQ(e.at, runtime::VirtualClock::default_start() + 1500ms);
  EXPECT_EQ(e.response_body, R"({"id":"ref-1"})");
}

TEST_F(HostTest, UnknownRouteIs404JournaledAsEdge) {
  auto reply = edge(host_, make_request("GET", "/nowhere?x=1"));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->response.status, 404);
  EXPECT_EQ(json::parse(reply->response.body)["message"], "no stub serves GET /nowhere");
  EXPECT_EQ(reply->response.headers.get_or("Content-Type", ""), "application/json");
  auto e = last_entry();
  EXPECT_EQ(e.service, "edge");
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(host_.journal().counters().by_service["edge"], 1u);
}

TEST_F(HostTest, ErrorActionIsRenderedByTheStub) {
  add_rule(R"({"id": "boom", "match": {"service": "ses"},
               "action": {"type": "error", "name": "fake.boom"}})");
  auto reply = edge(host_, make_request("POST", "/fake/send", "a@example.com"));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->action, ConnectionAction::respond);
  EXPECT_EQ(reply->response.status, 503);
  auto e = last_entry();
  EXPECT_EQ(e.outcome, "error:fake.boom");
  EXPECT_EQ(e.status, 503);
  EXPECT_EQ(e.faults, std::vector<std::string>{"boom"});
  // The other service is untouched.
  EXPECT_EQ(edge(host_, make_request("POST", "/other/send"))->response.status, 200);
}

TEST_F(HostTest, DelayActionReachesTheReply) {
  add_rule(R"({"action": {"type": "delay", "ms": 200}})");
  auto reply = edge(host_, make_request("POST", "/fake/send"));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->action, ConnectionAction::respond);
  EXPECT_EQ(reply->response.status, 200);
  EXPECT_EQ(reply->delay, 200ms);
  EXPECT_EQ(last_entry().outcome, "ok");
}

struct ConnectionCase {
  const char* type;
  ConnectionAction action;
  const char* outcome;
};

class HostConnectionTest : public HostTest, public ::testing::WithParamInterface<ConnectionCase> {};

TEST_P(HostConnectionTest, ConnectionActionReachesTheReply) {
  const auto& c = GetParam();
  add_rule(std::string(R"({"id": "f", "action": {"type": ")") + c.type + R"("}})");
  add_rule(R"({"action": {"type": "delay", "ms": 30}})");
  auto reply = edge(host_, make_request("POST", "/fake/send"));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->action, c.action);
  EXPECT_EQ(reply->delay, 30ms);
  auto e = last_entry();
  EXPECT_EQ(e.outcome, c.outcome);
  EXPECT_EQ(e.status, 0);
  EXPECT_EQ(e.faults.size(), 2u);
  if (c.action == ConnectionAction::truncate) {
    // A truncated answer is the stub's normal one, cut short by the server.
    EXPECT_EQ(reply->response.status, 200);
    EXPECT_EQ(reply->response.body, R"({"id":"ref-1"})");
    EXPECT_EQ(e.reference, "ref-1");
  } else {
    EXPECT_EQ(fake_->handled_, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Actions, HostConnectionTest,
    ::testing::Values(ConnectionCase{"refuse", ConnectionAction::refuse, "refused"},
                      ConnectionCase{"reset", ConnectionAction::reset, "reset"},
                      ConnectionCase{"hang", ConnectionAction::hang, "hung"},
                      ConnectionCase{"truncate", ConnectionAction::truncate, "truncated"}),
    [](const auto& info) { return std::string(info.param.type); });

TEST_F(HostTest, PrecedenceHoldsThroughTheHost) {
  add_rule(R"({"action": {"type": "error", "name": "fake.boom"}})");
  add_rule(R"({"action": {"type": "hang"}, "trigger": {"first": 1}})");
  EXPECT_EQ(edge(host_, make_request("POST", "/fake/a"))->action, ConnectionAction::hang);
  auto second = edge(host_, make_request("POST", "/fake/a"));
  EXPECT_EQ(second->action, ConnectionAction::respond);
  EXPECT_EQ(second->response.status, 503);
  EXPECT_EQ(host_.faults().fired_count(), 3u);
}

TEST_F(HostTest, BodiesAreTruncatedInTheJournal) {
  auto reply = edge(host_, make_request("POST", "/fake/send", std::string(1000, 'x')));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(last_entry().request_body.size(), 64u);
}

TEST_F(HostTest, RefusalChangeIsCalledOnRequestsAndRuleChanges) {
  int calls = 0;
  host_.on_refusal_change([&] { ++calls; });
  add_rule(R"({"match": {"service": "ses"}, "action": {"type": "refuse"}})");
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(host_.faults().refuses_service("ses"));
  edge(host_, make_request("POST", "/fake/send"));
  EXPECT_EQ(calls, 2);
}

TEST_F(HostTest, ResetClearsEverythingAndRestartsSequences) {
  add_rule(R"({"action": {"type": "delay", "ms": 1}})");
  edge(host_, make_request("POST", "/fake/send"));
  edge(host_, make_request("POST", "/fake/send"));
  host_.reset();
  EXPECT_EQ(host_.journal().size(), 0u);
  EXPECT_TRUE(host_.faults().rules().empty());
  EXPECT_EQ(fake_->resets_, 1);
  edge(host_, make_request("POST", "/fake/send"));
  EXPECT_EQ(last_entry().seq, 1u);
  EXPECT_EQ(last_entry().reference, "ref-1");
}

TEST_F(HostTest, MetricsCountRequestsFaultsAndOutcomes) {
  add_rule(R"({"action": {"type": "error", "name": "fake.boom"}, "trigger": {"every": 2}})");
  for (int i = 0; i < 4; ++i) edge(host_, make_request("POST", "/fake/send"));
  edge(host_, make_request("GET", "/nowhere"));
  const std::string text = host_.prometheus_metrics();
  using ::testing::HasSubstr;
  EXPECT_THAT(text, HasSubstr("# TYPE notify_sim_requests_total counter\n"));
  EXPECT_THAT(text, HasSubstr("notify_sim_requests_total{service=\"ses\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("notify_sim_requests_total{service=\"mmg\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("notify_sim_requests_total{service=\"edge\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("notify_sim_faults_fired_total{service=\"ses\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("notify_sim_responses_total{service=\"ses\",outcome=\"ok\"} 2\n"));
  EXPECT_THAT(
      text,
      HasSubstr("notify_sim_responses_total{service=\"ses\",outcome=\"error:fake.boom\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE notify_sim_journal_entries gauge\n"));
  EXPECT_THAT(text, HasSubstr("notify_sim_journal_entries 5\n"));
  EXPECT_THAT(text, HasSubstr("notify_sim_journal_dropped_total 0\n"));
  EXPECT_THAT(text, HasSubstr("# HELP notify_sim_faults_fired_total "));
}

}  // namespace
}  // namespace notify::stubs
