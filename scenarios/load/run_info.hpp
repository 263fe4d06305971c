// What every load run, through the core or to the stubs alone, writes about itself beside its
// measurements: when and where it ran, and how long its timeline's intervals are.
#pragma once

#include <string>

namespace notify::load {

/// The timeline keeps at most about this many intervals: each holds a 188 KB histogram.
inline constexpr double kMaxTimelineIntervals = 300;

/// Now in ISO 8601, UTC ("2026-11-29T22:00:00Z"), for run.started_at.
std::string iso_now();
/// The driver's host name, for run.host.
std::string host_name();
/// The length of a timeline interval for a run expected to last `expected_s`: 1 s, or longer
/// so that the timeline stays within kMaxTimelineIntervals.
double timeline_interval_s(double expected_s);

}  // namespace notify::load
