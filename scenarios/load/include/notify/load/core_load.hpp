// notify-sim load --target core: an open-loop load run through the sending core. Notifications
// arrive on their schedule whatever the core is doing; each is stored and handed to its
// channel's delivery task (the same EmailDelivery, SmsDelivery and BroadcastTasks the scenarios
// run), which sends it through its client, SigV4 and the Beast transport to a provider stub on
// loopback, with Notify's retries and failovers on a shortened delay. Latencies run from each
// notification's scheduled arrival, so a stalled core shows up (no coordinated omission).
#pragma once

#include "notify/load/arrivals.hpp"
#include "notify/report/load_report.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace notify::client {
class MetricsPage;
}

namespace notify::load {

/// The channels a core load run can drive, in the order `--mix` lists them.
const std::vector<std::string>& core_channels();

/// What the live progress line shows; sent once a second from the core's thread.
struct Progress {
  double elapsed_s = 0;
  std::int64_t arrivals = 0;
  std::int64_t total = 0;  // arrivals the run will make
  double rate = 0;         // arrivals per second so far
  std::int64_t accepted = 0;
  std::int64_t p99_us = 0;  // dispatch, over everything accepted so far
  std::int64_t errors = 0;  // failed attempts so far
};

struct CoreLoadOptions {
  double rate = 2000;     // arrivals per second
  std::size_t count = 0;  // arrivals in the run
  ArrivalKind arrivals = ArrivalKind::constant;
  Mix mix{{"email", 100}};
  std::uint64_t seed = 1;
  std::size_t connections = 64;  // keep-alive connections per provider host
  /// The wait before a retry, for every channel (Notify: 300 s for email and SMS, up to 240 s for
  /// broadcasts); short, so that a faulted run finishes.
  std::chrono::milliseconds retry_delay{100};
  int max_retries = 48;
  /// How long after the last arrival the run waits for notifications still on their way.
  std::chrono::milliseconds drain{10'000};
  /// Fault rules ({"faults": [...]} or an array), applied to the stubs for the run.
  std::optional<nlohmann::json> faults;
  std::string faults_file;  // for the report and error messages
  /// Reads an environment variable; external stubs are used when their variables are set.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  /// The core's receipt endpoint port (0: any free port); with external stubs, SES events reach
  /// the core only when serve's --callback-url points here.
  std::uint16_t receipt_port = 0;
  std::function<void(const Progress&)> on_progress;
  /// When set, the core's metrics are shown on this page (GET /metrics) during the run, and its
  /// last values after it.
  client::MetricsPage* metrics_page = nullptr;
  std::string version;
  /// The upstream profile, for the report, and the core options it gives (docs/profiles.md):
  /// the SMS settings, the SES API and the metrics format are read from them.
  std::string profile;
  std::map<std::string, std::string> core_options;
};

/// Where the run's CPU went, to tell which thread limits the rate: CPU seconds of the core's
/// thread and of the embedded stubs' thread (0 with external stubs) over the run's wall time.
struct ThreadTimes {
  double wall_s = 0;
  double core_cpu_s = 0;
  double stubs_cpu_s = 0;
};

/// Runs the load and returns what it measured. Throws std::invalid_argument for options or
/// environment that cannot work (one line, naming the value).
report::LoadReport run_core_load(const CoreLoadOptions& options, ThreadTimes* times = nullptr);

}  // namespace notify::load
