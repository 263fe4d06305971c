// notify-sim load --target stub: an open-loop load run of the provider stubs alone. Each arrival
// is one request of a stub's load operation (SES v1 SendEmail, a Firetext send, a Lambda
// Invoke, ...), sent on its schedule over keep-alive connections whatever the stub is doing, to
// embedded stubs or to serve's edge. Latencies run from each request's scheduled arrival to its
// answer, so a stalled stub shows up (no coordinated omission). The result is the same
// LoadReport a run through the core writes, with target "stub".
#pragma once

#include "notify/load/arrivals.hpp"
#include "notify/load/core_load.hpp"
#include "notify/report/load_report.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace notify::load {

/// The longest run: its arrivals (count / rate) span at most this long, as --duration allows.
inline constexpr double kMaxStubLoadDurationS = 3600;

struct StubLoadOptions {
  /// A stub's load operation ("ses-v1", "firetext", "lambda-invoke", ...); empty: the first
  /// registered.
  std::string operation;
  double rate = 1000;     // requests per second
  std::size_t count = 0;  // requests in the run
  ArrivalKind arrivals = ArrivalKind::constant;
  std::uint64_t seed = 1;        // Poisson arrivals and the embedded stubs' randomness
  std::size_t connections = 16;  // keep-alive connections to the stub
  /// Fault rules ({"faults": [...]} or an array) for the run: in the embedded stubs' fault
  /// engine, or POSTed to the control API NOTIFY_SIM_ADMIN_URL names and deleted afterwards.
  std::optional<nlohmann::json> faults;
  std::string faults_file;  // for error messages and the report
  /// Reads an environment variable: AWS_ENDPOINT_URL names serve's edge; unset, the run starts
  /// embedded stubs on free loopback ports.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  /// Limits on each request; one that passes them counts as a failed request, by its error.
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds read_timeout{30'000};
  /// Once a second, from the driver's thread.
  std::function<void(const Progress&)> on_progress;
  std::string version;
  std::string profile;  // the upstream profile, for the report
};

/// The registered load operations' names, comma separated, for messages.
std::string stub_load_operations();

/// Runs the load and returns what it measured: one series (channel: the stub's service, e.g.
/// "ses"; provider: the operation, e.g. "ses-v1") whose errors count each failed request by
/// kind ("http 503", or the transport error, "connection refused"). `times` gets the driver's
/// thread as core_cpu_s. Throws std::invalid_argument for options or environment that cannot
/// work (one line, naming the value).
report::LoadReport run_stub_load(const StubLoadOptions& options, ThreadTimes* times = nullptr);

}  // namespace notify::load
