// A provider that exists only in this test, registered with one call, goes everywhere a built-in
// one does: serve's banner, /health and ready file, fault rules with its named errors, config
// validation in scenario and serve files; and it calls another stub through the host (faulted,
// journaled with its parent) and answers late, in process and on sockets.
#include "commands.hpp"
#include "notify/scenarios/scenario.hpp"
#include "notify/stubs/edge.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/transport/clients.hpp"
#include "serve_config.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace notify {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// "relay": answers POST /relay by calling the SES stub's /ses contract on its own listener, then
// answers `delay_ms` later with what it got. "relay.refused" makes it answer 502 at once.
class RelayStub final : public stubs::Stub {
 public:
  std::string_view service() const override { return "relay"; }
  bool accepts(const transport::Request& r) const override { return r.path() == "/relay"; }
  stubs::RequestInfo describe(const transport::Request&) const override {
    return {"relay", "", "", "Relay", ""};
  }
  stubs::StubAnswer handle(const stubs::Call&) override { return answer(502, "not relayed"); }
  void handle_async(const stubs::Call& call, stubs::Answer done) override {
    if (call.error == "relay.refused") return done(answer(502, "relay.refused"));
    transport::Request out;
    out.method = "POST";
    out.target = services_->listener_url("ses").value_or("http://nowhere.invalid") + "/ses";
    out.body = "id=relayed";
    services_->send(call.seq, {"ses", "", "", "StubSend", ""}, std::move(out), {},
                    [this, done = std::move(done)](transport::SendResult r) {
                      int status = r ? r->status : 599;
                      services_->clock().schedule_after(delay_, [status, done] {
                        done(answer(200, "upstream " + std::to_string(status)));
                      });
                    });
  }
  bool answers_later() const override { return true; }
  std::vector<std::string> error_names() const override { return {"relay.refused"}; }
  std::optional<stubs::FieldError> configure(const json& config) override {
    try {
      stubs::Fields f(config, "");
      if (auto ms = f.integer("delay_ms", 0)) delay_ = std::chrono::milliseconds(*ms);
      f.no_others();
    } catch (const stubs::ConfigError& e) {
      return e.error();
    }
    return std::nullopt;
  }

 private:
  static stubs::StubAnswer answer(int status, std::string body) {
    stubs::StubAnswer a;
    a.response.status = status;
    a.response.body = std::move(body);
    a.outcome = status == 200 ? "ok" : "error:" + a.response.body;
    return a;
  }
  runtime::Duration delay_ = 250ms;
};

// The one call a provider needs.
const bool registered = [] {
  stubs::StubSpec spec;
  spec.service = "relay";
  spec.title = "Relay test stub";
  spec.make = [] { return std::make_unique<RelayStub>(); };
  spec.routes = {{"POST", "/relay", "relays to SES's /ses"}};
  spec.env = [](const std::string& base) {
    return std::vector<stubs::EnvVar>{{"RELAY_URL", base + "/relay"}};
  };
  stubs::registry().add(std::move(spec));
  return true;
}();

std::string config_error(const json& j) {
  try {
    cli::parse_serve_config(j, "serve.json");
  } catch (const scenarios::ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(TestProvider, ConfigBlocksAndFaultNamesAreCheckedInServeAndScenarioFiles) {
  ASSERT_TRUE(registered);
  EXPECT_EQ(config_error({{"stubs", {{"relay", {{"delay_ms", "soon"}}}}}}),
            "serve.json: stubs.relay.delay_ms: expected a whole number, got \"soon\"");
  EXPECT_EQ(
      config_error({{"stubs", {{"relay", {{"delay_ms", 5}}}}},
                    {"faults", {{{"action", {{"type", "error"}, {"name", "relay.refused"}}}}}}}),
      "");
  try {
    scenarios::parse_scenario({{"name", "n"}, {"stubs", {{"relay", {{"bogus", 1}}}}}}, "s.json");
    ADD_FAILURE() << "a bad relay block was accepted";
  } catch (const scenarios::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("s.json: stubs.relay.bogus: expected one of the known"),
              std::string::npos)
        << e.what();
  }
}

// Sends POST /relay to the shared edge and checks the late answer, the outbound call and the
// journal; `run` drives the clock until `done()` or gives up.
void check_relay(stubs::StubHost& host, transport::HttpTransport& client, const std::string& edge,
                 const std::function<bool(const std::function<bool()>&)>& run) {
  auto send = [&](std::optional<transport::SendResult>& out) {
    transport::Request q;
    q.method = "POST";
    q.target = edge + "/relay";
    client.send(std::move(q), {}, [&out](transport::SendResult r) { out = std::move(r); });
  };
  std::optional<transport::SendResult> first;
  const auto started = host.clock().now();
  send(first);
  ASSERT_TRUE(run([&] { return first.has_value(); }));
  ASSERT_TRUE(*first) << first->error().message();
  EXPECT_EQ((*first)->body, "upstream 200");
  EXPECT_GE(host.clock().now() - started, 250ms);  // answered late, on the run's clock

  // Journal: the relay's request, its outbound call and the SES stub's entry for it.
  auto entries = host.journal().query({});
  ASSERT_EQ(entries.size(), 3u);
  const auto relay_seq = std::find_if(entries.begin(), entries.end(), [](const auto& e) {
                           return e.service == "relay";
                         })->seq;
  std::size_t linked = 0;
  for (const auto& e : entries) {
    if (e.service == "ses") {
      EXPECT_EQ(e.parent, relay_seq);
      ++linked;
    }
  }
  EXPECT_EQ(linked, 2u);  // direction "out" at the relay and "in" at SES

  // A fault on the SES stub meets the relay's outbound call; one on the relay is its own error.
  ASSERT_TRUE(host.faults().add(*stubs::parse_fault_rule(
      {{"match", {{"service", "ses"}}},
       {"action", {{"type", "error"}, {"name", "ses.service_unavailable"}}}})));
  std::optional<transport::SendResult> second;
  send(second);
  ASSERT_TRUE(run([&] { return second.has_value(); }));
  ASSERT_TRUE(*second);
  EXPECT_EQ((*second)->body.rfind("upstream 5", 0), 0u) << (*second)->body;
  auto relay_rule =
      stubs::parse_fault_rule({{"match", {{"service", "relay"}}},
                               {"action", {{"type", "error"}, {"name", "relay.refused"}}}},
                              "rule", host.faults().vocabulary());
  ASSERT_TRUE(relay_rule) << relay_rule.error().to_string();
  ASSERT_TRUE(host.faults().add(*relay_rule));
  std::optional<transport::SendResult> third;
  send(third);
  ASSERT_TRUE(run([&] { return third.has_value(); }));
  ASSERT_TRUE(*third);
  EXPECT_EQ((*third)->status, 502);
}

TEST(TestProvider, CallsOutAndAnswersLateInSimMode) {
  runtime::VirtualClock clock;
  transport::InProcessTransport net(clock);
  stubs::StubHost host(clock, {});
  for (const auto& spec : stubs::registry().all()) host.add(spec.make());
  host.set_outbound_transport(&net);
  auto backend = stubs::make_inprocess_edge(net);
  stubs::Edge edge(host, clock, *backend, 1s, [] { return false; });
  edge.open(stubs::registry());
  check_relay(host, net, edge.url(), [&](const std::function<bool()>& done) {
    while (!done() && clock.step()) {
    }
    return done();
  });
}

TEST(TestProvider, CallsOutAndAnswersLateOnSockets) {
  boost::asio::io_context io;
  auto clock = runtime::make_system_clock(io);
  auto client = transport::make_beast_client(io);
  stubs::StubHost host(*clock, {});
  for (const auto& spec : stubs::registry().all()) host.add(spec.make());
  host.set_outbound_transport(client.get());
  auto backend = stubs::make_socket_edge(io, {});
  stubs::Edge edge(host, *clock, *backend, 100ms, [] { return false; });
  edge.open(stubs::registry());
  check_relay(host, *client, edge.url(), [&](const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (io.stopped()) io.restart();
      io.run_one_for(deadline - std::chrono::steady_clock::now());
    }
    return done();
  });
  edge.stop();
}

TEST(TestProvider, AppearsInServesBannerHealthAndReadyFile) {
  auto dir = std::filesystem::temp_directory_path() /
             ("notify-sim-provider-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  cli::ServeArgs args;
  args.port = 0;
  args.admin_port = 0;
  args.ready_file = (dir / "ready.json").string();
  std::function<void()> stop;
  std::mutex m;
  std::condition_variable ready;
  args.on_ready = [&](std::function<void()> s) {
    std::lock_guard lock(m);
    stop = std::move(s);
    ready.notify_all();
  };
  ::testing::internal::CaptureStdout();
  int code = -1;
  std::thread server([&] { code = cli::serve(args); });
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(ready.wait_for(lock, 10s, [&] { return stop != nullptr; }));
  }
  json file = json::parse(std::ifstream(*args.ready_file));
  EXPECT_EQ(file["env"]["RELAY_URL"], file["edge_url"].get<std::string>() + "/relay");
  EXPECT_TRUE(file["listeners"].contains("relay"));

  boost::asio::io_context io;
  auto client = transport::make_beast_client(io);
  std::optional<transport::SendResult> health;
  transport::Request q;
  q.method = "GET";
  q.target = file["admin_url"].get<std::string>() + "/health";
  client->send(q, {}, [&](transport::SendResult r) { health = std::move(r); });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!health && std::chrono::steady_clock::now() < deadline) io.run_one_for(100ms);
  ASSERT_TRUE(health && *health);
  json h = json::parse((*health)->body);
  EXPECT_NE(std::find(h["services"].begin(), h["services"].end(), "relay"), h["services"].end());
  EXPECT_EQ(h["env"]["RELAY_URL"], file["env"]["RELAY_URL"]);

  stop();
  server.join();
  std::string banner = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 0);
  EXPECT_NE(banner.find("Relay test stub (relay)"), std::string::npos) << banner;
  EXPECT_NE(banner.find("export RELAY_URL="), std::string::npos) << banner;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace notify
