// Notify's broadcast tasks on a virtual clock with a scripted Lambda.
#include "notify/delivery/broadcast_tasks.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace notify::delivery {
namespace {

using broadcast::InvokeResult;

class ScriptedLambda final : public broadcast::LambdaClient {
 public:
  explicit ScriptedLambda(runtime::Clock& clock) : clock_(clock) {}
  void invoke(const std::string& name, const nlohmann::json& payload,
              std::function<void(InvokeResult)> done) override {
    calls.push_back({name, payload, clock_.now()});
    InvokeResult r;
    if (fail_first > 0) {
      --fail_first;
      r = failure;
    }
    clock_.post([done = std::move(done), r] { done(r); });
  }
  struct Call {
    std::string name;
    nlohmann::json payload;
    runtime::TimePoint at;
  };
  std::vector<Call> calls;
  int fail_first = 0;
  InvokeResult failure{InvokeResult::Kind::failed, 200, "FunctionError", ""};

 private:
  runtime::Clock& clock_;
};

class BroadcastTasksTest : public ::testing::Test {
 protected:
  BroadcastTasks& tasks(BroadcastConfig config = {}) {
    tasks_ = std::make_unique<BroadcastTasks>(*store_, clock_, rng_, cbc_, metrics_, logger_,
                                              std::move(config));
    return *tasks_;
  }

  std::string event(const std::string& message, const std::string& type) {
    if (!messages_.contains(message)) {
      messages_.insert(message);
      store_->insert_broadcast_message({message, "broadcasting", "Flood", clock_.now()});
    }
    BroadcastEventContent c;
    c.description = "Flood warning";
    c.areas = nlohmann::json::parse(R"([{"polygon": [[51.1, -1.2], [51.1, 1.2], [51.7, 1.2], [51.1, -1.2]]}])");
    c.finishes_at = clock_.now() + std::chrono::hours(4);
    std::string id = message + "-" + type + "-" + std::to_string(++n_);
    store_->insert_broadcast_event({id, message, type, c.to_json().dump(), clock_.now()});
    return id;
  }

  void settle() {
    while (clock_.step()) {
    }
  }

  std::map<std::string, std::string> statuses() {
    std::map<std::string, std::string> out;
    for (const auto& pm : store_->list_broadcast_provider_messages())
      out[pm.broadcast_event_id + "/" + pm.provider] = pm.status;
    return out;
  }

  runtime::VirtualClock clock_;
  runtime::Rng rng_{3};
  std::unique_ptr<store::Store> store_ = store::open_sqlite_store(":memory:");
  telemetry::Metrics metrics_;
  telemetry::Logger logger_{clock_};
  ScriptedLambda lambda_{clock_};
  broadcast::CbcProxyClient cbc_{lambda_, metrics_, logger_};
  std::unique_ptr<BroadcastTasks> tasks_;
  std::set<std::string> messages_;
  int n_ = 0;
};

TEST_F(BroadcastTasksTest, AnAlertReachesEveryProviderAndIsAcknowledged) {
  auto& t = tasks();
  auto e = event("m", "alert");
  t.send_broadcast_event(e);
  settle();
  auto s = statuses();
  ASSERT_EQ(s.size(), 4U);
  for (const auto& [k, v] : s) EXPECT_EQ(v, broadcast_status::kReturnedAck) << k;
  EXPECT_EQ(lambda_.calls.size(), 4U);
  auto vodafone = store_->find_broadcast_provider_message(e, "vodafone");
  ASSERT_TRUE(vodafone);
  EXPECT_EQ(vodafone->message_number, 1);
  EXPECT_FALSE(store_->find_broadcast_provider_message(e, "ee")->message_number);
  EXPECT_EQ(t.in_flight(), 0U);
}

TEST_F(BroadcastTasksTest, TheAllowListNarrowsTheProviders) {
  BroadcastConfig c;
  c.allowed_broadcast_provider = "o2";
  tasks(c).send_broadcast_event(event("m", "alert"));
  settle();
  ASSERT_EQ(lambda_.calls.size(), 1U);
  EXPECT_EQ(lambda_.calls[0].name, "o2-1-proxy");
}

TEST_F(BroadcastTasksTest, DisabledWritesNothingAndInvokesNothing) {
  BroadcastConfig c;
  c.cbc_proxy_enabled = false;
  auto& t = tasks(c);
  t.send_broadcast_event(event("m", "alert"));
  t.trigger_link_tests();
  t.send_canary();
  settle();
  EXPECT_TRUE(store_->list_broadcast_provider_messages().empty());
  EXPECT_TRUE(lambda_.calls.empty());
}

TEST_F(BroadcastTasksTest, RetriesAfterOneTwoFourSecondsThenSucceeds) {
  BroadcastConfig c;
  c.enabled_cbcs = {"ee"};
  lambda_.fail_first = 6;  // three attempts, both Lambdas each
  auto start = clock_.now();
  tasks(c).send_broadcast_event(event("m", "alert"));
  settle();
  ASSERT_EQ(lambda_.calls.size(), 7U);
  EXPECT_EQ(lambda_.calls[2].at - start, std::chrono::seconds(1));
  EXPECT_EQ(lambda_.calls[4].at - start, std::chrono::seconds(3));
  EXPECT_EQ(lambda_.calls[6].at - start, std::chrono::seconds(7));
  EXPECT_EQ(lambda_.calls[6].name, "ee-1-proxy");
  EXPECT_EQ(metrics_.counter("broadcast.retry.ee"), 3);
  EXPECT_EQ(statuses().begin()->second, broadcast_status::kReturnedAck);
}

TEST_F(BroadcastTasksTest, TheRetryDelayIsCappedAt240Seconds) {
  BroadcastConfig c;
  c.enabled_cbcs = {"ee"};
  lambda_.fail_first = 2 * 10;
  tasks(c).send_broadcast_event(event("m", "alert"));
  settle();
  ASSERT_EQ(lambda_.calls.size(), 21U);
  EXPECT_EQ(lambda_.calls[18].at - lambda_.calls[16].at, std::chrono::seconds(240));
  EXPECT_EQ(lambda_.calls[20].at - lambda_.calls[18].at, std::chrono::seconds(240));
}

TEST_F(BroadcastTasksTest, AnUnhandledErrorIsNotRetriedAndLeavesSending) {
  BroadcastConfig c;
  c.enabled_cbcs = {"three"};
  lambda_.fail_first = 1;
  lambda_.failure = {InvokeResult::Kind::unhandled, 0, "EndpointConnectionError", ""};
  tasks(c).send_broadcast_event(event("m", "alert"));
  settle();
  EXPECT_EQ(lambda_.calls.size(), 1U);
  EXPECT_EQ(statuses().begin()->second, broadcast_status::kSending);
  EXPECT_EQ(metrics_.counter("broadcast.unhandled.three"), 1);
}

TEST_F(BroadcastTasksTest, CancelReferencesEarlierProviderMessagesAndUpdateInvokesNothing) {
  BroadcastConfig c;
  c.enabled_cbcs = {"vodafone"};
  auto& t = tasks(c);
  auto alert = event("m", "alert");
  t.send_broadcast_event(alert);
  settle();
  clock_.run_until(clock_.now() + std::chrono::minutes(1));
  t.send_broadcast_event(event("m", "update"));
  settle();
  EXPECT_EQ(lambda_.calls.size(), 1U);  // the update is a no-op
  clock_.run_until(clock_.now() + std::chrono::minutes(1));
  t.send_broadcast_event(event("m", "cancel"));
  settle();
  ASSERT_EQ(lambda_.calls.size(), 2U);
  const auto& p = lambda_.calls[1].payload;
  EXPECT_EQ(p["message_type"], "cancel");
  ASSERT_EQ(p["references"].size(), 2U);
  EXPECT_EQ(p["references"][0]["message_id"], store_->find_broadcast_provider_message(alert, "vodafone")->id);
  EXPECT_EQ(p["references"][0]["message_number"], "00000001");
  EXPECT_EQ(p["message_number"], "00000003");
}

TEST_F(BroadcastTasksTest, ACancelBeforeTheAlertIsAcknowledgedIsAnIntegrityError) {
  BroadcastConfig c;
  c.enabled_cbcs = {"ee"};
  lambda_.fail_first = 2;
  auto& t = tasks(c);
  t.send_broadcast_event(event("m", "alert"));
  clock_.run_until(clock_.now() + std::chrono::milliseconds(500));  // the first retry is at 1 s
  t.send_broadcast_event(event("m", "cancel"));
  settle();
  EXPECT_EQ(metrics_.counter("broadcast.integrity-error.ee"), 1);
}

TEST_F(BroadcastTasksTest, ASuspendedServiceSendsNothing) {
  BroadcastConfig c;
  c.service_active = false;
  tasks(c).send_broadcast_event(event("m", "alert"));
  settle();
  EXPECT_TRUE(lambda_.calls.empty());
  EXPECT_EQ(metrics_.counter("broadcast.integrity-error.ee"), 1);
}

TEST_F(BroadcastTasksTest, LinkTestsInvokeBothLambdasOfEveryProvider) {
  auto& t = tasks();
  t.trigger_link_tests();
  settle();
  ASSERT_EQ(lambda_.calls.size(), 8U);
  EXPECT_EQ(lambda_.calls[0].payload["message_type"], "test");
  EXPECT_EQ(metrics_.counter("cbc-proxy.link-test.vodafone-2-proxy.ok"), 1);
  EXPECT_EQ(t.in_flight(), 0U);
}

// Emergency Alerts: four routes, the route advisor fed by link tests, returned-error entries.
class EmergencyAlertsTasksTest : public BroadcastTasksTest {
 protected:
  EmergencyAlertsTasksTest() {
    broadcast::ProxyOptions o;
    o.routing = broadcast::Routing::four_routes;
    o.failover_on_connection_errors = true;
    o.error_payload = broadcast::ErrorPayload::json_decode_error;
    o.advised_route = [this](const std::string& mno) { return tasks_->advised_route(mno); };
    ea_ = std::make_unique<broadcast::CbcProxyClient>(lambda_, metrics_, logger_, o);
  }
  BroadcastTasks& ea_tasks() {
    BroadcastConfig c;
    c.record_errors = true;
    c.route_advisor = true;
    tasks_ = std::make_unique<BroadcastTasks>(*store_, clock_, rng_, *ea_, metrics_, logger_, c);
    return *tasks_;
  }
  std::vector<std::string> routes_called() const {
    std::vector<std::string> out;
    for (const auto& c : lambda_.calls)
      out.push_back(c.name + "/" + c.payload.value("cbc_target", std::string()));
    return out;
  }
  std::unique_ptr<broadcast::CbcProxyClient> ea_;
};

TEST_F(EmergencyAlertsTasksTest, ALinkTestsFirstWorkingRouteBecomesTheAdviceAndSendsTryItFirst) {
  auto& t = ea_tasks();
  lambda_.fail_first = 1;  // ee-1-proxy/cbc_a fails; the rest work
  t.trigger_link_tests();
  settle();
  EXPECT_EQ(lambda_.calls.size(), 16U);
  EXPECT_EQ(t.in_flight(), 0U);
  auto ee = store_->get_route_advice("ee");
  ASSERT_TRUE(ee);
  EXPECT_EQ(ee->proxy, "ee-1-proxy");
  EXPECT_EQ(ee->target, "cbc_b") << "the first route that worked; later successes are < 30 s on";
  EXPECT_EQ(store_->list_route_advice_history().size(), 4U);
  // Within 30 s nothing changes the advice; after, the next success does.
  clock_.run_for(std::chrono::seconds(31));
  t.trigger_link_tests();
  settle();
  EXPECT_EQ(store_->get_route_advice("ee")->target, "cbc_a");
  EXPECT_EQ(store_->list_route_advice_history().size(), 8U);

  store_->set_route_advice({"o2", "o2-2-proxy", "cbc_b", clock_.now()});
  lambda_.calls.clear();
  t.send_broadcast_event(event("m", "alert"));
  settle();
  std::vector<std::string> o2;
  for (const auto& r : routes_called())
    if (r.rfind("o2", 0) == 0) o2.push_back(r);
  EXPECT_EQ(o2, std::vector<std::string>{"o2-2-proxy/cbc_b"});
}

TEST_F(EmergencyAlertsTasksTest, EveryFailureIsAReturnedErrorAndAResendIsAllowed) {
  auto& t = ea_tasks();
  lambda_.fail_first = 16;  // every route of every operator, once
  auto e = event("m", "alert");
  t.send_broadcast_event(e);
  clock_.run_for(std::chrono::milliseconds(500));  // the first run; its retry waits 1 s
  EXPECT_EQ(lambda_.calls.size(), 16U);
  EXPECT_EQ(statuses().at(e + "/ee"), broadcast_status::kReturnedError);
  EXPECT_EQ(metrics_.counter("broadcast.provider-message.returned-error.ee"), 1);
  settle();  // the retry is acknowledged
  EXPECT_EQ(statuses().at(e + "/ee"), broadcast_status::kReturnedAck);
  std::vector<std::string> ee;
  for (const auto& c : store_->list_broadcast_provider_message_status_history())
    if (c.id == store_->find_broadcast_provider_message(e, "ee")->id) ee.push_back(c.status);
  EXPECT_EQ(ee, (std::vector<std::string>{"sending", "returned-error", "returned-ack"}));
}

TEST_F(EmergencyAlertsTasksTest, RedeliveredEveryTenSecondsThenDeadLettered) {
  BroadcastConfig c;
  c.record_errors = true;
  c.queue_retries = true;
  c.allowed_broadcast_provider = "ee";
  tasks_ = std::make_unique<BroadcastTasks>(*store_, clock_, rng_, *ea_, metrics_, logger_, c);
  lambda_.fail_first = 1000;
  const auto start = clock_.now();
  auto e = event("m", "alert");
  tasks_->send_broadcast_event(e);
  settle();
  ASSERT_EQ(lambda_.calls.size(), 12U) << "three receives, four routes each";
  for (std::size_t run = 0; run < 3; ++run)
    EXPECT_EQ(lambda_.calls[4 * run].at - start, std::chrono::seconds(10) * static_cast<int>(run));
  EXPECT_EQ(statuses().at(e + "/ee"), broadcast_status::kReturnedErrorRetryExhausted);
  EXPECT_EQ(clock_.now() - start, std::chrono::seconds(30)) << "the watcher, 10 s after the last";
  // An entry for every failure, each with upstream's error_detail; none for the others.
  std::vector<std::string> history, details;
  for (const auto& h : store_->list_broadcast_provider_message_status_history()) {
    history.push_back(h.status);
    details.push_back(h.error_detail);
  }
  EXPECT_EQ(history, (std::vector<std::string>{"sending", "returned-error", "returned-error",
                                               "returned-error",
                                               "returned-error-retry-exhausted"}));
  const std::string detail =
      R"x({"exception":"CBCProxyRetryableException('ee-1-proxy and ee-2-proxy lambdas failed')"})x";
  EXPECT_EQ(details, (std::vector<std::string>{"", detail, detail, detail, ""}));
  EXPECT_EQ(metrics_.counter("broadcast.dead-letter.ee"), 1);
  EXPECT_EQ(tasks_->in_flight(), 0U);
}

TEST_F(BroadcastTasksTest, AFailedCanaryIsLoud) {
  auto& t = tasks();
  lambda_.fail_first = 1;
  lambda_.failure = {InvokeResult::Kind::failed, 403, "UnrecognizedClientException", ""};
  t.send_canary();
  settle();
  EXPECT_EQ(lambda_.calls.at(0).name, "canary");
  EXPECT_EQ(metrics_.counter("cbc-proxy.canary.failed"), 1);
  bool logged = false;
  for (const auto& r : logger_.records())
    logged = logged || (r.level == LogLevel::error &&
                        r.message.find("canary failed") != std::string::npos);
  EXPECT_TRUE(logged);
}

}  // namespace
}  // namespace notify::delivery
