// Seeded chaos runs: from one seed, a random workload over every channel that takes part and a
// random fault timeline over every registered service and fault kind (connection faults,
// provider errors, delays, lost/late/duplicate callbacks, windows, flapping); the run is then
// judged by invariants that hold whatever the faults, not by scripted expectations. A failing
// seed replays byte for byte in sim mode and shrinks to a minimal scenario file.
#pragma once

#include "notify/scenarios/runner.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace notify::scenarios {

struct ChaosOptions {
  std::int64_t duration_ms = 30 * 60 * 1000;  // simulated time over which work and faults spread
  std::size_t notifications_max = 40;         // per channel
  std::size_t faults_max = 6;
  std::vector<std::string> channels;  // empty: every channel with a chaos workload
  Mode mode = Mode::sim;
  /// The upstream profile every generated scenario names (its "profile" key).
  std::string profile = "notify-2026-08+emergency-alerts-2026-08";
};

/// The scenario file a seed generates (a real scenario: `notify-sim run` takes it as it is).
nlohmann::json generate_chaos_scenario(std::uint64_t seed, const ChaosOptions& options);

struct InvariantViolation {
  std::string invariant;  // "all_final", "never_lost", "attempts_bounded", ...
  std::string detail;
};

/// The invariants a run must keep, checked on its result (see docs/reliability.md).
std::vector<InvariantViolation> check_invariants(const nlohmann::json& scenario,
                                                 const RunResult& result);

struct ChaosOutcome {
  std::uint64_t seed = 0;
  nlohmann::json scenario;
  RunResult result;
  std::vector<InvariantViolation> violations;
  bool passed() const { return violations.empty(); }
};

/// Generates, runs and checks one seed.
ChaosOutcome run_chaos_seed(std::uint64_t seed, const ChaosOptions& options);

/// Drops faults, then notifications, while the run still breaks an invariant; returns the
/// smallest failing scenario found (the input itself when nothing can go).
nlohmann::json shrink_chaos_scenario(const nlohmann::json& failing, const ChaosOptions& options);

}  // namespace notify::scenarios
