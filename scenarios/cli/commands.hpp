// The notify-sim subcommands. Each returns the process exit code: 0 success, 1 a scenario or
// check failed, 2 bad input (configuration, scenario file, arguments).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace notify::cli {

struct ServeArgs {
  std::optional<std::string> config;
  std::string bind = "127.0.0.1";
  std::uint16_t port = 4566;
  std::uint16_t admin_port = 4567;
  std::string admin_bind = "127.0.0.1";
  std::optional<std::string> admin_token;
  bool no_ui = false;  // the console (docs/console.md) off: the admin port serves the API alone
  std::size_t max_connections = 1024;
  std::int64_t idle_timeout_ms = 60'000;
  std::optional<std::string> callback_url;
  /// SES events' destination: "http", "celery-sqs" or "both" (stubs.ses.events.destination).
  std::optional<std::string> ses_events;
  std::optional<std::string> ready_file;
  std::optional<std::string> profile;  // main() fills it from --profile or NOTIFY_SIM_PROFILE
  std::uint64_t seed = 1;  // main() fills it from --seed, or draws a fresh one per start
  /// For embedding: called on serve's thread once it listens, with a function that stops it
  /// (callable from any thread), as SIGTERM does.
  std::function<void(std::function<void()> stop)> on_ready;
};

struct RunArgs {
  std::vector<std::string> paths;
  std::optional<std::uint64_t> seed;
  std::uint64_t seeds = 1;
  std::string mode = "sim";
  /// Overrides each scenario's "profile" key; unset: the key, else NOTIFY_SIM_PROFILE.
  std::optional<std::string> profile;
  std::optional<std::string> junit;
  std::optional<std::string> json;
  bool json_bodies = false;  // keep the journal's request and response bodies in --json
  std::optional<std::string> statsd;
  std::optional<std::string> otlp_endpoint;
  /// HOST:PORT: serve the core's metrics at /metrics there while the runs last (wire mode).
  std::optional<std::string> metrics_listen;
  bool verbose = false;
  bool quiet = false;
};

struct LoadArgs {
  // The defaults of the options only --target core takes; unset there, they apply.
  static constexpr const char* kDefaultMix = "email=70,sms=29,broadcast=1";
  static constexpr std::int64_t kDefaultRetryDelayMs = 100;
  static constexpr std::int64_t kDefaultDrainMs = 10'000;

  std::string target = "core";       // "core": through the sending core; "stub": requests to a stub
  double rate = 1000;                // arrivals (or requests) per second, open loop
  std::optional<double> duration_s;  // default 10 s, unless count is given
  std::optional<std::size_t> count;
  std::string arrivals = "constant";  // or "poisson"
  std::optional<std::string> faults;  // a JSON file of fault rules
  std::size_t connections = 16;       // keep-alive connections (per provider host for core)
  std::string operation;  // --target stub: a stub's load operation; empty: the first registered
  std::optional<std::string> json;
  std::optional<std::string> html;
  std::optional<std::string> baseline;
  double max_regression_pct = 10;
  std::uint64_t seed = 1;
  // --target core only; set for --target stub, each is a one-line error naming it.
  std::optional<std::string> mix;
  std::optional<std::int64_t> retry_delay_ms;
  std::optional<std::int64_t> drain_ms;
  std::optional<std::uint16_t> receipt_port;
  std::optional<std::string> metrics_listen;  // HOST:PORT of the core's /metrics page
  std::optional<std::string> profile;  // else NOTIFY_SIM_PROFILE (through getenv), else the default
  std::string version;
  /// For embedding and tests: where the progress line and the summary go, and whether that is
  /// a terminal (unset: isatty). The progress line is written only to a terminal.
  std::FILE* out = stdout;
  std::optional<bool> tty;
  /// Unset: the process environment.
  std::function<std::optional<std::string>(const std::string&)> getenv;
};

struct ChaosArgs {
  std::optional<std::uint64_t> seed;  // one seed
  std::uint64_t first = 1;            // with --seeds: seeds first .. first+seeds-1
  std::uint64_t seeds = 100;
  std::vector<std::string> channels;  // empty: every channel that takes part
  double duration_s = 1800;           // simulated time over which work and faults spread
  std::string mode = "sim";
  std::optional<std::string> profile;  // else NOTIFY_SIM_PROFILE, else the default
  std::optional<std::string> json;
  bool shrink = true;
  std::string out_dir = ".";
  std::int64_t watchdog_s = 120;
};

int serve(const ServeArgs& args);
int chaos(const ChaosArgs& args);
int run(const RunArgs& args);
int validate(const std::vector<std::string>& paths);
/// The profiles a command runs, family by family: `command_line`'s, else `scenario_key`'s, else
/// NOTIFY_SIM_PROFILE's, else the family's default; the combination's name. Throws scenarios::ScenarioError naming an unknown one and the known ones.
std::string resolve_profile(const std::optional<std::string>& command_line,
                            const std::optional<std::string>& scenario_key = std::nullopt);
/// Checks one scenario or serve configuration file; `what` gets its summary or the error.
bool check_json_file(const std::string& path, std::string& what);

/// `validate` for any mix of scenario, serve configuration, CAP 1.2 and IBAG files
/// (broadcast_cmd.cpp).
struct ValidateArgs {
  std::vector<std::string> paths;
  std::string profile = "oasis";
  bool json = false;
  /// PEM certificate whose key must have signed each broadcast document.
  std::optional<std::string> verify_signature;
};
int validate_any(const ValidateArgs& args);

struct RenderArgs {
  std::string payload;                // file, or "-" for standard input
  std::optional<std::string> format;  // overrides the payload's message_format
  std::optional<std::string> now;     // link-test clock, e.g. 2021-07-19T10:00:00Z
  std::string generator = "notify-2023";  // notify-2023 or emergency-alerts
  std::optional<std::string> sign_key;    // PEM private key: sign the document (with sign_cert)
  std::optional<std::string> sign_cert;   // PEM certificate of that key
};
int render(const RenderArgs& args);
int load(const LoadArgs& args);

/// `report merge` and `report html` (report_cmd.cpp): load reports written by `load --json`.
struct ReportArgs {
  std::vector<std::string> inputs;
  std::optional<std::string> json;  // merge: the merged report (neither: JSON on stdout)
  std::optional<std::string> html;
};
int report_merge(const ReportArgs& args);
int report_html(const ReportArgs& args);
/// `report compare`: exit 1 when p99 dispatch latency or throughput regressed past the limit.
struct ReportCompareArgs {
  std::string baseline;
  std::string current;
  double max_regression_pct = 10;
};
int report_compare(const ReportCompareArgs& args);

}  // namespace notify::cli
