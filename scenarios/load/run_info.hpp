// What every load run, through the core or to the stubs alone, writes about itself beside its
// measurements: when and where it ran, and how long its timeline's intervals are.
#pragma once

#include "notify/report/load_report.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

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

/// The timeline interval a time falls in, from the run's start; the intervals up to it are added
/// (empty) when missing, and a time before the start counts in the first.
report::Interval& interval_at(std::vector<report::Interval>& timeline,
                              std::chrono::steady_clock::time_point start, double interval_s,
                              std::chrono::steady_clock::time_point t);

/// What a run's options say about it in report.run: the target, schedule, connections, fault
/// file, version and seed, with the time and host it starts on. `Options` is CoreLoadOptions or
/// StubLoadOptions, which name these fields alike.
template <class Options>
report::RunInfo describe_run(const Options& o, std::string target) {
  report::RunInfo run;
  run.target = std::move(target);
  run.arrivals = std::string(to_string(o.arrivals));
  run.asked_rate = o.rate;
  run.connections = static_cast<std::int64_t>(o.connections);
  run.faults = o.faults_file;
  run.started_at = iso_now();
  run.host = host_name();
  run.version = o.version;
  run.profile = o.profile;
  run.seed = o.seed;
  return run;
}

/// How the schedule went, from the run's first due time: the achieved rate is `count` arrivals
/// over the time it took to send them (the asked rate when on schedule; a driver that could not
/// keep up sends late and it falls), the duration the time to the last one due.
void record_schedule(report::RunInfo& run, std::size_t count,
                     std::chrono::steady_clock::time_point start,
                     std::chrono::steady_clock::time_point last_submit,
                     std::chrono::steady_clock::time_point last_due);

}  // namespace notify::load
