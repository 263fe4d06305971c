// notify-sim load: an open-loop load driver. Work arrives on a schedule whatever the system under
// test does, and each latency is measured from the moment its arrival was due, so a stall shows
// up in the percentiles instead of silently slowing the test (coordinated omission).
// --target core (scenarios/load) drives the sending core; --target stub sends one stub request
// per arrival and measures the stubs alone.
#include "commands.hpp"
#include "notify/load/core_load.hpp"
#include "notify/load/progress.hpp"
#include "notify/report/load_report.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/transport/clients.hpp"
#include "notify/transport/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include <unistd.h>

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

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr || *v == 0) return std::nullopt;
  return std::string(v);
}

std::size_t arrivals_in(const LoadArgs& args) {
  if (args.count && args.duration_s)
    throw std::invalid_argument("--duration and --count: give one of them, not both");
  if (args.count) {
    if (*args.count == 0) throw std::invalid_argument("--count 0: expected at least 1");
    if (*args.count > kMaxRequests)
      throw std::invalid_argument("--count " + std::to_string(*args.count) + ": at most " +
                                  std::to_string(kMaxRequests));
    return *args.count;
  }
  const double duration = args.duration_s.value_or(10);
  const auto total = static_cast<std::size_t>(std::llround(args.rate * duration));
  if (total == 0) throw std::invalid_argument("--rate x --duration gives no arrival to send");
  if (total > kMaxRequests)
    throw std::invalid_argument("--rate x --duration is " + std::to_string(total) +
                                " arrivals; at most " + std::to_string(kMaxRequests));
  return total;
}

std::string read_file(const std::string& path, const char* option) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(std::string(option) + " " + path + ": cannot be read");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json read_json_file(const std::string& path, const char* option) {
  auto j = nlohmann::json::parse(read_file(path, option), nullptr, false);
  if (j.is_discarded())
    throw std::invalid_argument(std::string(option) + " " + path + ": not valid JSON");
  return j;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error(path + ": cannot be written");
}

int load_core(const LoadArgs& args) {
  if (!args.operation.empty())
    throw std::invalid_argument("--operation " + args.operation +
                                ": only for --target stub; through the core, --mix says what "
                                "is sent");
  load::CoreLoadOptions o;
  o.count = arrivals_in(args);
  o.rate = args.rate;
  o.arrivals = load::parse_arrival_kind(args.arrivals);
  o.mix = load::parse_mix(args.mix, load::core_channels());
  o.seed = args.seed;
  o.connections = args.connections;
  if (args.retry_delay_ms < 0 || args.retry_delay_ms > 600'000)
    throw std::invalid_argument("--retry-delay-ms " + std::to_string(args.retry_delay_ms) +
                                ": expected 0 to 600000");
  o.retry_delay = std::chrono::milliseconds(args.retry_delay_ms);
  o.drain = std::chrono::milliseconds(args.drain_ms);
  o.receipt_port = args.receipt_port;
  o.version = args.version;
  o.getenv = args.getenv ? args.getenv : process_env;
  if (args.faults) {
    o.faults = read_json_file(*args.faults, "--faults");
    o.faults_file = *args.faults;
  }
  // The baseline is read before the run, so a bad file does not cost a run.
  std::optional<report::LoadReport> baseline;
  if (args.baseline) {
    if (args.max_regression_pct < 0)
      throw std::invalid_argument("--max-regression " + std::to_string(args.max_regression_pct) +
                                  ": expected a percentage >= 0");
    try {
      baseline = report::from_json(read_json_file(*args.baseline, "--baseline"));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("--baseline " + *args.baseline + ": " + e.what());
    }
  }

  const bool tty = args.tty ? *args.tty : isatty(fileno(args.out)) != 0;
  load::ProgressLine line(args.out, tty);
  o.on_progress = [&line](const load::Progress& p) { line.update(p); };
  load::ThreadTimes times;
  report::LoadReport r = load::run_core_load(o, &times);
  line.finish();
  std::fputs(load::summary_text(r).c_str(), args.out);
  // Which thread limits the rate: a thread near 100% busy is the bottleneck; both well below it
  // with latencies still high means the machine did not give them the CPU.
  if (times.wall_s > 0)
    std::fprintf(args.out,
                 "cpu: core thread %.2f s (%.0f%% of %.1f s), stubs thread %.2f s (%.0f%%)\n",
                 times.core_cpu_s, 100 * times.core_cpu_s / times.wall_s, times.wall_s,
                 times.stubs_cpu_s, 100 * times.stubs_cpu_s / times.wall_s);
  std::fflush(args.out);
  std::int64_t arrivals = 0, unfinished = 0;
  for (const auto& series : r.series) {
    // A broadcast arrival counts in each of its four operators' series.
    arrivals += series.channel == "broadcast" ? 0 : series.arrivals;
    unfinished += series.unfinished;
  }
  if (unfinished > 0)
    std::fprintf(stderr,
                 "notify-sim load: %lld notifications were unfinished %.1f s after the last "
                 "arrival (%lld email and SMS arrived): the core did not keep up with %.1f/s "
                 "here; the percentiles cover only those accepted\n",
                 static_cast<long long>(unfinished), static_cast<double>(args.drain_ms) / 1000,
                 static_cast<long long>(arrivals), r.run.asked_rate);
  if (r.run.achieved_rate < 0.9 * r.run.asked_rate)
    std::fprintf(stderr,
                 "notify-sim load: arrivals were submitted at %.1f/s of the %.1f/s asked: this "
                 "machine cannot schedule that rate, and the latencies include the backlog\n",
                 r.run.achieved_rate, r.run.asked_rate);

  if (args.json) write_file(*args.json, report::to_json(r).dump(2) + "\n");
  if (args.html) write_file(*args.html, report::render_html(r));
  if (baseline) {
    bool regressed = false;
    for (const auto& g : report::compare(*baseline, r, args.max_regression_pct)) {
      std::fprintf(args.out, "gate: %s\n", report::describe(g).c_str());
      regressed = regressed || g.regressed;
    }
    if (regressed) return 1;
  }
  return 0;
}

}  // namespace

int load(const LoadArgs& args) {
  if (args.target == "core") return load_core(args);
  if (args.target != "stub")
    throw std::invalid_argument("--target " + args.target + ": expected \"core\" or \"stub\"");
  const auto total = arrivals_in(args);
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

  // External stubs: serve's edge, which routes every service, as AWS_ENDPOINT_URL names it.
  std::unique_ptr<EmbeddedStubs> embedded;
  std::string base;
  if (auto edge = (args.getenv ? args.getenv : process_env)("AWS_ENDPOINT_URL")) {
    base = *edge;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (auto u = transport::parse_url(base); !u)
      throw std::invalid_argument("AWS_ENDPOINT_URL " + base + ": not an http URL");
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
  const double duration_s = static_cast<double>(total) / args.rate;
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
                           {"duration_s", duration_s},
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
              done, base.c_str(), operation->name.c_str(), args.rate, duration_s, args.connections);
  std::printf("asked %.1f req/s, achieved %.1f req/s\n", args.rate,
              report["achieved_rate"].get<double>());
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
