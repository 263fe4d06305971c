// Wire mode: the same world on real sockets. Stubs and the receipt endpoint listen on
// 127.0.0.1 port 0, the core sends through the Beast client, and the scenario's clock runs
// time_scale times faster than the system clock.
#include "checks.hpp"
#include "notify/client/metrics_page.hpp"
#include "notify/scenarios/runner.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/transport/clients.hpp"
#include "notify/transport/server.hpp"
#include "otlp.hpp"
#include "scaled_clock.hpp"
#include "world.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace notify::scenarios {
namespace {

// Counts the requests a transport has sent and not yet had answered. Every request the world
// sends goes through it (the core's and the stubs' callbacks alike), so a count of zero means no
// socket holds work that could change the world. The OTLP exporter's go around it: they change
// nothing in the run.
class CountingTransport final : public transport::HttpTransport {
 public:
  explicit CountingTransport(transport::HttpTransport& inner) : inner_(inner) {}
  void send(transport::Request request, transport::SendOptions options,
            transport::SendHandler done) override {
    ++in_flight_;
    inner_.send(std::move(request), std::move(options),
                [this, done = std::move(done)](transport::SendResult result) {
                  --in_flight_;
                  done(std::move(result));
                });
  }
  std::size_t in_flight() const { return in_flight_; }

 private:
  transport::HttpTransport& inner_;
  std::size_t in_flight_ = 0;
};

}  // namespace

RunResult run_wire(const Scenario& scenario, const RunOptions& options) {
  RunResult r;
  boost::asio::io_context io;
  auto system_clock = runtime::make_system_clock(io);
  ScaledClock clock(*system_clock, scenario.wire.time_scale);
  auto beast = transport::make_beast_client(io);
  CountingTransport counted(*beast);
  World world(scenario, options.seed, clock);
  client::MetricsPage::Attached on_page(options.metrics_page, world.metrics);
  world.transport_time_scale = scenario.wire.time_scale;
  if (options.verbose) world.logger.add_sink(telemetry::Logger::stderr_sink(LogLevel::debug));
  if (!options.statsd.empty()) world.send_statsd_to(options.statsd);

  stubs::SocketEdgeOptions edge_options;
  edge_options.time_scale = scenario.wire.time_scale;
  auto backend = stubs::make_socket_edge(io, edge_options);
  // A closed listener is looked at again every 100 ms of real time until the run settles.
  const auto recheck = std::chrono::duration_cast<runtime::Duration>(
      std::chrono::milliseconds(100) * scenario.wire.time_scale);
  stubs::Edge edge(world.host, clock, *backend, recheck, [&world] { return !world.settled(); });
  edge.open(stubs::registry());
  auto receipts = transport::HttpServer::start(io, {}, world.receipts.handler());
  world.connect(edge, "http://" + receipts->address(), counted, counted);
  // The scenario's day starts now, as a simulated run's starts at its virtual midnight, so the
  // backstops tick at the same scenario times in both modes.
  world.backstops->start_day_at(clock.now());
  world.schedule();
  const auto run_start = clock.now();
  std::unique_ptr<client::OtlpExporter> exporter;
  if (!options.otlp_endpoint.empty()) {
    exporter = std::make_unique<client::OtlpExporter>(clock, *beast, world.metrics, world.logger,
                                                      otlp_options(options));
    exporter->start();
  }

  // Poll for the end on a short real-time tick; the run is bounded by wire.timeout.
  const auto deadline = std::chrono::steady_clock::now() + scenario.wire.timeout;
  const auto horizon = run_start + scenario.horizon;
  bool timed_out = false;
  boost::asio::steady_timer tick(io);
  std::function<void()> check = [&] {
    // Settled, and no stub is waiting on an answer it will journal.
    const bool done = world.settled() && world.host.outbound_in_flight() == 0;
    bool skipped = false;
    if (!done && scenario.wire.skip_idle && counted.in_flight() == 0 &&
        world.host.outbound_in_flight() == 0) {
      // Nothing is on a socket and nothing is due: the next timer is the next thing that can
      // happen, so scenario time goes straight to it (never past the horizon).
      auto next = clock.next_deadline();
      if (next && *next > clock.now() && *next <= horizon)
        skipped = clock.advance_to(*next) > runtime::Duration::zero();
    }
    if (done || std::chrono::steady_clock::now() >= deadline) {
      timed_out = !done;
      if (exporter) exporter->stop();
      edge.stop();
      receipts->stop();
      io.stop();
      return;
    }
    // After a skip the timer it reached is due at once; look again as soon as it has run.
    tick.expires_after(std::chrono::milliseconds(skipped ? 0 : 5));
    tick.async_wait([&](boost::system::error_code) { check(); });
  };
  check();
  io.run();
  if (timed_out && scenario.expect.all_final)
    r.error = "the run did not settle within the wire time-out of " +
              std::to_string(scenario.wire.timeout.count()) + " ms";
  r.elapsed_sim_ms = 0;
  finish_run(r, world, options.journal_bodies);
  if (scenario.wire.skip_idle)
    r.report["wire_skipped_ms"] =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock.skipped()).count();
  if (exporter) {
    auto problem = export_otlp_now(world.metrics, options, run_start, clock.now());
    r.report["otlp_export"] = problem.empty() ? "sent" : problem;
  }
  return r;
}

}  // namespace notify::scenarios
