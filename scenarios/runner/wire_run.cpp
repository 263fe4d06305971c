// Wire mode: the same world on real sockets. Stubs and the receipt endpoint listen on
// 127.0.0.1 port 0, the core sends through the Beast client, and the scenario's clock runs
// time_scale times faster than the system clock.
#include "checks.hpp"
#include "notify/scenarios/runner.hpp"
#include "notify/transport/clients.hpp"
#include "notify/transport/server.hpp"
#include "scaled_clock.hpp"
#include "world.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace notify::scenarios {

RunResult run_wire(const Scenario& scenario, const RunOptions& options) {
  RunResult r;
  boost::asio::io_context io;
  auto system_clock = runtime::make_system_clock(io);
  ScaledClock clock(*system_clock, scenario.wire.time_scale);
  auto client = transport::make_beast_client(io);
  World world(scenario, options.seed, clock);
  world.transport_time_scale = scenario.wire.time_scale;
  if (options.verbose) world.logger.add_sink(telemetry::Logger::stderr_sink(LogLevel::debug));
  if (!options.statsd.empty()) world.send_statsd_to(options.statsd);

  // Fault delays are on the scenario's clock; the server waits in real time.
  const double scale = scenario.wire.time_scale;
  auto edge = transport::HttpServer::start(
      io, {}, [&world, scale](transport::Request q, transport::Responder done) {
        world.host.handle(std::move(q), [scale, done = std::move(done)](transport::Reply r) {
          r.delay = std::chrono::duration_cast<std::chrono::nanoseconds>(r.delay / scale);
          done(std::move(r));
        });
      });
  auto receipts = transport::HttpServer::start(
      io, {}, world.receipts.handler());
  // A refuse rule on the whole SES service closes the edge listener: a real refused connect.
  // A closed listener sees no requests, so the end of a refuse rule's time window is noticed by
  // the tick below as well as by the host's callback.
  auto check_refusal = [&world, &edge] {
    bool refuse = world.host.faults().refuses_service("ses");
    if (edge->accepting() == refuse) edge->set_accepting(!refuse);
  };
  world.host.on_refusal_change(check_refusal);
  world.connect("http://" + edge->address(),
                "http://" + receipts->address() + "/notifications/email/ses", *client, *client);
  world.schedule();

  // Poll for the end on a short real-time tick; the run is bounded by wire.timeout.
  const auto deadline = std::chrono::steady_clock::now() + scenario.wire.timeout;
  bool timed_out = false;
  boost::asio::steady_timer tick(io);
  std::function<void()> check = [&] {
    check_refusal();
    if (world.settled() || std::chrono::steady_clock::now() >= deadline) {
      timed_out = !world.settled();
      edge->stop();
      receipts->stop();
      io.stop();
      return;
    }
    tick.expires_after(std::chrono::milliseconds(5));
    tick.async_wait([&](boost::system::error_code) { check(); });
  };
  check();
  io.run();
  if (timed_out && scenario.expect.all_final)
    r.error = "the run did not settle within the wire time-out of " +
              std::to_string(scenario.wire.timeout.count()) + " ms";
  r.elapsed_sim_ms = 0;
  r.checks = check_expectations(world);
  r.passed = r.error.empty();
  for (const auto& c : r.checks) r.passed = r.passed && c.passed;
  r.report = build_report(world);
  return r;
}

}  // namespace notify::scenarios
