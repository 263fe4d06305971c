// Runner: wires the core and the stubs together for one scenario and one seed, runs it in
// simulated time (in-process, deterministic) or on real sockets, and checks the expectations.
#pragma once

#include "notify/scenarios/scenario.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace notify::client {
class MetricsPage;
}

namespace notify::scenarios {

enum class Mode { sim, wire };

struct RunOptions {
  Mode mode = Mode::sim;
  std::uint64_t seed = 1;
  bool verbose = false;  // print the core's log lines to stderr
  /// "host:port": also send the core's metrics as StatsD over UDP there.
  std::string statsd;
  /// An OTLP/HTTP metrics URL ("http://127.0.0.1:4318/v1/metrics"): the core's OpenTelemetry
  /// instruments are exported there every `otlp_interval` of the run's clock (wire mode) and
  /// once when the run ends (both modes). Empty: no export.
  std::string otlp_endpoint;
  std::chrono::milliseconds otlp_interval{60'000};
  std::string otlp_service_name = "notify-sim";
  /// When set, the run's core metrics are shown on this page (GET /metrics) while it runs, and
  /// its last values stay there until the next run attaches.
  client::MetricsPage* metrics_page = nullptr;
  /// Keep each journal entry's request and response bodies in the report (false: empty, as
  /// chaos runs, which never read them, keep them).
  bool journal_bodies = true;
};

struct CheckResult {
  std::string what;  // "statuses.delivered", "journal[0]", ...
  bool passed = false;
  std::string expected;
  std::string actual;
};

struct RunResult {
  std::string scenario;
  std::string file;
  Mode mode = Mode::sim;
  std::uint64_t seed = 0;
  std::string profile;  // the upstream profile it ran under
  bool passed = false;
  std::string error;  // set when the run itself could not complete
  std::vector<CheckResult> checks;
  double elapsed_real_ms = 0;       // wall time of the run (not part of the deterministic JSON)
  std::int64_t elapsed_sim_ms = 0;  // scenario time at the end
  nlohmann::json report;            // statuses, counts, journal, firings, metrics
  std::string reproduce;            // the command that reproduces this run
};

RunResult run_scenario(const Scenario& scenario, const RunOptions& options);

std::string_view to_string(Mode mode);

/// JSON for a set of results. Deterministic for sim runs: no wall-clock times.
nlohmann::json results_to_json(const std::vector<RunResult>& results);
/// JUnit XML (one testsuite, one testcase per scenario and seed).
std::string results_to_junit(const std::vector<RunResult>& results);

}  // namespace notify::scenarios
