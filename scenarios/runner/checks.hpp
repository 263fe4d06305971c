// Expectation checks and the run report, shared by both modes.
#pragma once

#include "notify/scenarios/runner.hpp"
#include "world.hpp"

namespace notify::scenarios {

/// Evaluates every expectation of the scenario against the world after the run.
std::vector<CheckResult> check_expectations(const World& world);
/// The deterministic part of the report: statuses, notifications, journal (with its entries'
/// bodies when `journal_bodies`), firings, metrics, the stubs' state.
nlohmann::json build_report(const World& world, bool journal_bodies = true);
/// Fills a run's checks, verdict and report from the world, in either mode.
void finish_run(RunResult& result, const World& world, bool journal_bodies = true);

}  // namespace notify::scenarios
