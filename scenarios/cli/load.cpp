// notify-sim load: an open-loop load driver. Work arrives on a schedule whatever the system under
// test does, and each latency is measured from the moment its arrival was due, so a stall shows
// up in the percentiles instead of silently slowing the test (coordinated omission).
// --target core drives the sending core, --target stub sends one stub request per arrival and
// measures the stubs alone; both run in scenarios/load and return the same LoadReport, which this
// file prints, writes and gates.
#include "commands.hpp"
#include "metrics_listen.hpp"
#include "notify/load/core_load.hpp"
#include "notify/load/progress.hpp"
#include "notify/load/stub_load.hpp"
#include "notify/profiles/profiles.hpp"
#include "notify/report/load_report.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include <unistd.h>

namespace notify::cli {
namespace {

// Bounds the core's per-arrival record (a few dozen bytes each); a stub run keeps nothing per
// request and is bounded by its duration instead (load::kMaxStubLoadDurationS).
constexpr std::size_t kMaxCoreArrivals = 5'000'000;

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr || *v == 0) return std::nullopt;
  return std::string(v);
}

std::size_t arrivals_in(const LoadArgs& args, std::size_t max_arrivals) {
  if (args.count && args.duration_s)
    throw std::invalid_argument("--duration and --count: give one of them, not both");
  if (args.count) {
    if (*args.count == 0) throw std::invalid_argument("--count 0: expected at least 1");
    if (*args.count > max_arrivals)
      throw std::invalid_argument("--count " + std::to_string(*args.count) + ": at most " +
                                  std::to_string(max_arrivals));
    return *args.count;
  }
  const double duration = args.duration_s.value_or(10);
  const auto total = static_cast<std::size_t>(std::llround(args.rate * duration));
  if (total == 0) throw std::invalid_argument("--rate x --duration gives no arrival to send");
  if (total > max_arrivals)
    throw std::invalid_argument("--rate x --duration is " + std::to_string(total) +
                                " arrivals; at most " + std::to_string(max_arrivals));
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

// An output that cannot be written would be found out only after the whole run: refuse it first.
void check_writable(const std::optional<std::string>& path, const char* option) {
  if (!path) return;
  namespace fs = std::filesystem;
  const fs::path file(*path);
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw std::invalid_argument(std::string(option) + " " + *path + ": directory " + dir.string() +
                                " does not exist; expected a file in an existing directory");
  }
  if (fs::is_directory(file, ec)) {
    throw std::invalid_argument(std::string(option) + " " + *path +
                                ": is a directory; expected a file name");
  }
  const bool exists = fs::exists(file, ec);
  if (access(exists ? file.c_str() : dir.c_str(), W_OK) != 0) {
    throw std::invalid_argument(std::string(option) + " " + *path + ": " +
                                (exists ? "file" : "directory " + dir.string()) +
                                " is not writable");
  }
}

// Read before the run, so that a bad file does not cost a run.
std::optional<report::LoadReport> read_baseline(const LoadArgs& args) {
  check_writable(args.json, "--json");
  check_writable(args.html, "--html");
  if (!args.baseline) return std::nullopt;
  if (args.max_regression_pct < 0)
    throw std::invalid_argument("--max-regression " + std::to_string(args.max_regression_pct) +
                                ": expected a percentage >= 0");
  try {
    return report::from_json(read_json_file(*args.baseline, "--baseline"));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("--baseline " + *args.baseline + ": " + e.what());
  }
}

// What both targets print once the run is over: the summary and where the CPU went.
void print_summary(const LoadArgs& args, const report::LoadReport& r,
                   const load::ThreadTimes& times) {
  std::fputs(load::summary_text(r).c_str(), args.out);
  // Which thread limits the rate: a thread near 100% busy is the bottleneck; both well below it
  // with latencies still high means the machine did not give them the CPU.
  if (times.wall_s > 0)
    std::fprintf(args.out,
                 "cpu: %s thread %.2f s (%.0f%% of %.1f s), stubs thread %.2f s (%.0f%%)\n",
                 r.run.target == "stub" ? "driver" : "core", times.core_cpu_s,
                 100 * times.core_cpu_s / times.wall_s, times.wall_s, times.stubs_cpu_s,
                 100 * times.stubs_cpu_s / times.wall_s);
  std::fflush(args.out);
}

// Then, for both: the rate warning, the files and the gate's lines. Returns whether the gate
// regressed.
bool write_and_gate(const LoadArgs& args, const report::LoadReport& r,
                    const std::optional<report::LoadReport>& baseline) {
  if (r.run.achieved_rate < 0.9 * r.run.asked_rate)
    std::fprintf(stderr,
                 "notify-sim load: arrivals were submitted at %.1f/s of the %.1f/s asked: this "
                 "machine cannot schedule that rate, and the latencies include the backlog\n",
                 r.run.achieved_rate, r.run.asked_rate);
  if (args.json) write_file(*args.json, report::to_json(r).dump(2) + "\n");
  if (args.html) write_file(*args.html, report::render_html(r));
  bool regressed = false;
  if (baseline) {
    for (const auto& g : report::compare(*baseline, r, args.max_regression_pct)) {
      std::fprintf(args.out, "gate: %s\n", report::describe(g).c_str());
      regressed = regressed || g.regressed;
    }
  }
  return regressed;
}

// The options both targets take alike from the command line. The fault file is read before the
// baseline, so a bad one is named first.
template <class Options>
void common_options(const LoadArgs& args, Options& o) {
  o.version = args.version;
  o.getenv = args.getenv ? args.getenv : process_env;
  // --profile, else NOTIFY_SIM_PROFILE, else the default; an unknown one is invalid_argument.
  const auto environment = o.getenv(profiles::kProfileEnv);
  try {
    o.profile = profiles::resolve({{args.profile, "--profile"}, {environment, profiles::kProfileEnv}})
                    .name;
  } catch (const profiles::ProfileError& e) {
    throw std::invalid_argument(e.what());
  }
  if (args.faults) {
    o.faults = read_json_file(*args.faults, "--faults");
    o.faults_file = *args.faults;
  }
}

// Either target's run, with the progress line on a terminal only and the summary once it is done.
template <class Options>
report::LoadReport run_with_progress(const LoadArgs& args, Options& o,
                                     report::LoadReport (*run)(const Options&,
                                                               load::ThreadTimes*)) {
  const bool tty = args.tty ? *args.tty : isatty(fileno(args.out)) != 0;
  load::ProgressLine line(args.out, tty);
  o.on_progress = [&line](const load::Progress& p) { line.update(p); };
  load::ThreadTimes times;
  report::LoadReport r = run(o, &times);
  line.finish();
  print_summary(args, r, times);
  return r;
}

int load_core(const LoadArgs& args) {
  if (!args.operation.empty())
    throw std::invalid_argument("--operation " + args.operation +
                                ": only for --target stub; through the core, --mix says what "
                                "is sent");
  load::CoreLoadOptions o;
  o.count = arrivals_in(args, kMaxCoreArrivals);
  o.rate = args.rate;
  o.arrivals = load::parse_arrival_kind(args.arrivals);
  o.mix = load::parse_mix(args.mix.value_or(LoadArgs::kDefaultMix), load::core_channels());
  o.seed = args.seed;
  o.connections = args.connections;
  const std::int64_t retry_delay_ms = args.retry_delay_ms.value_or(LoadArgs::kDefaultRetryDelayMs);
  if (retry_delay_ms < 0 || retry_delay_ms > 600'000)
    throw std::invalid_argument("--retry-delay-ms " + std::to_string(retry_delay_ms) +
                                ": expected 0 to 600000");
  o.retry_delay = std::chrono::milliseconds(retry_delay_ms);
  const std::int64_t drain_ms = args.drain_ms.value_or(LoadArgs::kDefaultDrainMs);
  o.drain = std::chrono::milliseconds(drain_ms);
  o.receipt_port = args.receipt_port.value_or(0);
  common_options(args, o);
  o.core_options = profiles::core_options(profiles::find(o.profile, "--profile"), {});
  const auto baseline = read_baseline(args);
  // Started once every input has been checked, so that bad input prints nothing on stdout.
  client::MetricsPage page;
  std::unique_ptr<MetricsListener> listener;
  if (args.metrics_listen) {
    listener = std::make_unique<MetricsListener>(*args.metrics_listen, page);
    o.metrics_page = &page;
    std::fprintf(args.out, "metrics: %s\n", listener->url().c_str());
    std::fflush(args.out);
  }
  report::LoadReport r = run_with_progress(args, o, &load::run_core_load);
  std::int64_t arrivals = 0, unfinished = 0, accepted = 0, all_arrivals = 0;
  for (const auto& series : r.series) {
    // A broadcast arrival counts in each of its four operators' series.
    arrivals += series.channel == "broadcast" ? 0 : series.arrivals;
    unfinished += series.unfinished;
    accepted += series.accepted;
    all_arrivals += series.arrivals;
  }
  if (unfinished > 0)
    std::fprintf(stderr,
                 "notify-sim load: %lld notifications were unfinished %.1f s after the last "
                 "arrival (%lld email and SMS arrived): the core did not keep up with %.1f/s "
                 "here; the percentiles cover only those accepted\n",
                 static_cast<long long>(unfinished), static_cast<double>(drain_ms) / 1000,
                 static_cast<long long>(arrivals), r.run.asked_rate);
  // A run in which nothing got through measured nothing: it is a failure, not a fast run.
  const bool none_accepted = all_arrivals > 0 && accepted == 0;
  if (none_accepted)
    std::fprintf(stderr,
                 "notify-sim load: no notification was accepted (%lld arrivals): there is no "
                 "latency to report; see failed attempts by kind above\n",
                 static_cast<long long>(all_arrivals));
  const bool regressed = write_and_gate(args, r, baseline);
  return regressed || none_accepted ? 1 : 0;
}

int load_stub(const LoadArgs& args) {
  // Through the stubs alone nothing is retried, mixed or receipted: these would be ignored.
  const char* core_only = args.mix              ? "--mix"
                          : args.retry_delay_ms ? "--retry-delay-ms"
                          : args.drain_ms       ? "--drain-ms"
                          : args.receipt_port   ? "--receipt-port"
                          : args.metrics_listen ? "--metrics-listen"
                                                : nullptr;
  if (core_only != nullptr)
    throw std::invalid_argument(std::string(core_only) +
                                ": only for --target core; --target stub sends one request of "
                                "--operation per arrival and waits for every answer");
  load::StubLoadOptions o;
  // A stub run keeps nothing per request; run_stub_load bounds it by its duration.
  o.count = arrivals_in(args, std::numeric_limits<std::size_t>::max());
  o.rate = args.rate;
  o.arrivals = load::parse_arrival_kind(args.arrivals);
  o.operation = args.operation;
  o.seed = args.seed;
  o.connections = args.connections;
  common_options(args, o);
  const auto baseline = read_baseline(args);
  report::LoadReport r = run_with_progress(args, o, &load::run_stub_load);
  std::int64_t requests = 0, failed = 0;
  for (const auto& series : r.series) {
    requests += series.arrivals;
    failed += series.failed + series.unfinished;
  }
  if (failed > 0)
    std::fprintf(stderr,
                 "notify-sim load: %lld of %lld requests were not answered 2xx (failed attempts "
                 "by kind above)\n",
                 static_cast<long long>(failed), static_cast<long long>(requests));
  const bool regressed = write_and_gate(args, r, baseline);
  return regressed || failed > 0 ? 1 : 0;
}

}  // namespace

int load(const LoadArgs& args) {
  if (args.target == "core") return load_core(args);
  if (args.target == "stub") return load_stub(args);
  throw std::invalid_argument("--target " + args.target + ": expected \"core\" or \"stub\"");
}

}  // namespace notify::cli
