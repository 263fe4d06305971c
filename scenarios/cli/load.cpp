// notify-sim load: an open-loop load driver. Requests leave on a fixed schedule whatever the
// server does, and each latency is measured from the moment its request was due, so a stalled
// server shows up in the percentiles instead of silently slowing the test (coordinated
// omission).
#include "commands.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/transport/clients.hpp"
#include "notify/transport/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

namespace notify::cli {
namespace {

constexpr std::size_t kMaxRequests = 5'000'000;  // bounds the latency record's memory

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

// Embedded stubs for a self-contained run, on their own thread so the driver does not steal
// the server's event loop. Limits are off: a load test measures the stub, not SES's quota.
struct EmbeddedStubs {
  boost::asio::io_context io;
  std::unique_ptr<runtime::Clock> clock = runtime::make_system_clock(io);
  stubs::StubHost host{*clock, {}};
  std::unique_ptr<transport::HttpServer> server;
  std::thread thread;

  EmbeddedStubs() {
    for (const auto& spec : stubs::registry().all()) {
      auto& stub = host.add(spec.make());
      if (auto error = stub.configure(spec.load_config))
        throw std::runtime_error("embedded stub: " + error->under(spec.service).to_string());
    }
    server = transport::HttpServer::start(io, {},
                                          [this](transport::Request q, transport::Responder done) {
                                            host.handle(std::move(q), std::move(done));
                                          });
    thread = std::thread([this] { io.run(); });
  }
  ~EmbeddedStubs() {
    server->stop();
    io.stop();
    thread.join();
  }
};

}  // namespace

int load(const LoadArgs& args) {
  const auto total = static_cast<std::size_t>(args.rate * args.duration_s);
  if (total == 0) throw std::invalid_argument("--rate x --duration gives no request to send");
  if (total > kMaxRequests)
    throw std::invalid_argument("--rate x --duration is " + std::to_string(total) +
                                " requests; at most " + std::to_string(kMaxRequests));

  const stubs::LoadOperation* operation = nullptr;
  if (args.operation.empty()) {
    for (const auto& spec : stubs::registry().all()) {
      if (operation == nullptr && !spec.load_operations.empty())
        operation = &spec.load_operations.front();
    }
  } else {
    operation = stubs::registry().find_load_operation(args.operation);
  }
  if (operation == nullptr) {
    std::string known;
    for (const auto& spec : stubs::registry().all())
      for (const auto& op : spec.load_operations) known += (known.empty() ? "" : ", ") + op.name;
    throw std::invalid_argument("--operation " + args.operation + ": expected one of " + known);
  }

  std::unique_ptr<EmbeddedStubs> embedded;
  std::string base;
  if (args.target) {
    base = *args.target;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (auto u = transport::parse_url(base); !u)
      throw std::invalid_argument("--target " + base + ": not an http URL");
  } else {
    embedded = std::make_unique<EmbeddedStubs>();
    base = "http://" + embedded->server->address();
  }

  boost::asio::io_context io;
  transport::ClientOptions copt;
  copt.max_connections_per_host = args.connections;
  auto client = transport::make_beast_client(io, copt);
  std::vector<double> latency_ms;
  latency_ms.reserve(total);
  std::map<std::string, std::size_t> outcomes;
  std::size_t done = 0, sent = 0;

  const auto start = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  const auto period = std::chrono::duration<double>(1.0 / args.rate);
  transport::SendOptions sopt;
  sopt.connect_timeout = std::chrono::milliseconds(5000);
  sopt.read_timeout = std::chrono::milliseconds(30000);

  boost::asio::steady_timer timer(io);
  std::function<void()> pump = [&] {
    auto now = std::chrono::steady_clock::now();
    // Send every request that is due; the schedule never waits for answers (open loop).
    while (sent < total) {
      auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             period * static_cast<double>(sent));
      if (due > now) {
        timer.expires_at(due);
        timer.async_wait([&](boost::system::error_code ec) {
          if (!ec) pump();
        });
        return;
      }
      ++sent;
      client->send(operation->request(base, sent), sopt, [&, due](transport::SendResult r) {
        auto end = std::chrono::steady_clock::now();
        latency_ms.push_back(std::chrono::duration<double, std::milli>(end - due).count());
        if (!r)
          ++outcomes["error:" + r.error().message()];
        else
          ++outcomes[std::to_string(r->status)];
        if (++done == total) io.stop();
      });
    }
  };
  timer.expires_at(start);
  timer.async_wait([&](boost::system::error_code ec) {
    if (!ec) pump();
  });
  io.run();
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::sort(latency_ms.begin(), latency_ms.end());
  nlohmann::json report = {{"target", base},
                           {"operation", operation->name},
                           {"rate_requested", args.rate},
                           {"duration_s", args.duration_s},
                           {"connections", args.connections},
                           {"requests", done},
                           {"achieved_rate", static_cast<double>(done) / wall_s},
                           {"outcomes", outcomes},
                           {"latency_ms",
                            {{"p50", percentile(latency_ms, 50)},
                             {"p90", percentile(latency_ms, 90)},
                             {"p99", percentile(latency_ms, 99)},
                             {"p99_9", percentile(latency_ms, 99.9)},
                             {"max", latency_ms.empty() ? 0.0 : latency_ms.back()}}}};
  std::printf("notify-sim load: %zu requests to %s (%s) at %.0f/s over %.1f s, %zu connections\n",
              done, base.c_str(), operation->name.c_str(), args.rate, args.duration_s,
              args.connections);
  std::printf("achieved %.1f req/s\n", report["achieved_rate"].get<double>());
  for (const auto& [k, v] : outcomes) std::printf("  %-40s %zu\n", k.c_str(), v);
  std::printf(
      "latency (ms, from the scheduled send time): p50 %.3f  p90 %.3f  p99 %.3f  "
      "p99.9 %.3f  max %.3f\n",
      percentile(latency_ms, 50), percentile(latency_ms, 90), percentile(latency_ms, 99),
      percentile(latency_ms, 99.9), latency_ms.empty() ? 0.0 : latency_ms.back());
  if (args.json) {
    std::ofstream out(*args.json);
    out << report.dump(2) << "\n";
    if (!out) throw std::runtime_error(*args.json + ": cannot be written");
  }
  bool all_ok = outcomes.size() == 1 && outcomes.count("200");
  return all_ok ? 0 : 1;
}

}  // namespace notify::cli
