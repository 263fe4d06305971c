// What a load run measured, in one shape for the JSON file, the HTML report, merging runs from
// several drivers, and the regression gate. Latencies are LatencyHistograms in microseconds.
//
// The JSON form is versioned (kSchemaVersion); docs/load-report.md describes every field.
#pragma once

#include "notify/telemetry/histogram.hpp"

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace notify::report {

inline constexpr int kSchemaVersion = 1;
inline constexpr const char* kSchemaName = "notify-sim/load-report";
/// Every histogram holds a fixed 188 KB in memory, so reading and merging bound how many there
/// are. A load run lasts at most 3600 s: one-second intervals fit.
inline constexpr std::size_t kMaxSeries = 256;
inline constexpr std::size_t kMaxFaultClasses = 256;
inline constexpr std::size_t kMaxTimelineIntervals = 3600;

/// One channel through one provider ("email"/"ses", "sms"/"firetext", "broadcast"/"ee", ...).
struct Series {
  std::string channel;
  std::string provider;
  /// From a notification's scheduled arrival to the provider stub accepting it (the answer the
  /// core counted as success), whatever retries and failovers it took on the way.
  telemetry::LatencyHistogram dispatch;
  /// From scheduled arrival to the delivery receipt reaching the core.
  telemetry::LatencyHistogram end_to_end;
  /// Today's Notify's notification.deliver.duration: the provider's delivery time (Firetext
  /// `time`, MMG `deliverytime`, SES `delivery.timestamp`) minus the notification's created_at.
  telemetry::LatencyHistogram deliver;
  /// notification.callback.duration: the receipt's arrival at the core minus created_at.
  telemetry::LatencyHistogram callback;
  std::int64_t arrivals = 0;   // notifications scheduled for this series
  std::int64_t accepted = 0;   // accepted by the provider
  std::int64_t failed = 0;     // ended in a final failure status
  std::int64_t unfinished = 0; // neither when the run ended
  std::int64_t retries = 0;    // attempts beyond the first
  std::int64_t failovers = 0;  // switches to another provider or AZ
  std::int64_t receipts = 0;   // delivery receipts received
  std::map<std::string, std::int64_t> errors;  // failed attempts by kind ("ses.throttling", ...)

  bool operator==(const Series&) const = default;
};

/// One slice of the run's wall-clock time (interval_s long), for the charts over time.
struct Interval {
  double start_s = 0;  // from the run's start
  telemetry::LatencyHistogram dispatch;
  std::int64_t arrivals = 0;
  std::int64_t accepted = 0;
  std::int64_t errors = 0;
  /// The core's notification.deliver.duration and .callback.duration recorded in the interval
  /// (when the receipt reached the core), every email and SMS series together.
  telemetry::LatencyHistogram deliver;
  telemetry::LatencyHistogram callback;

  bool operator==(const Interval&) const = default;
};

struct RunInfo {
  std::string target = "core";      // "core" or "stub"
  std::string arrivals = "constant";  // "constant" or "poisson"
  double asked_rate = 0;            // notifications (or requests) per second asked for
  double achieved_rate = 0;         // scheduled-and-sent per second actually reached
  double duration_s = 0;
  std::map<std::string, double> mix;  // channel -> share in percent
  std::int64_t connections = 0;
  std::string faults;      // the --faults file, empty when none
  std::string started_at;  // ISO 8601, UTC
  std::string host;        // the driver's host name
  std::string version;     // notify-sim version
  std::string profile;     // the upstream profile the core ran (docs/profiles.md)
  std::uint64_t seed = 0;
  /// A merged report: one entry per input ("host started_at" or the file name).
  std::vector<std::string> sources;

  bool operator==(const RunInfo&) const = default;
};

struct LoadReport {
  /// The schema version the report was read from (from_json) or is written in (kSchemaVersion).
  int schema_version = kSchemaVersion;
  RunInfo run;
  double interval_s = 1.0;
  std::vector<Series> series;
  /// Dispatch latency by the class of fault a notification met on its way ("none",
  /// "connection", "provider-error", "throttling", "latency", ...).
  std::map<std::string, telemetry::LatencyHistogram> by_fault_class;
  std::vector<Interval> timeline;

  /// Every series' dispatch histogram merged.
  telemetry::LatencyHistogram total_dispatch() const;

  bool operator==(const LoadReport&) const = default;
};

nlohmann::json to_json(const LoadReport& report);
/// Reads a report written by to_json. Throws std::invalid_argument naming the field and what is
/// wrong ("series[2].dispatch: counts: expected an array"), or the schema version it cannot read.
LoadReport from_json(const nlohmann::json& j);

/// One report from several runs (each driver hit its own serve): histograms and counts add,
/// rates add, the timelines are aligned on each run's start. Throws std::invalid_argument when
/// given nothing or reports of different schema versions.
LoadReport merge(const std::vector<LoadReport>& reports);

/// A self-contained HTML page (no network access): SVG charts of latency over time, the
/// percentile curve, throughput over time and errors over time, and a table per channel and
/// provider.
std::string render_html(const LoadReport& report);

/// The gate: p99 dispatch latency and achieved throughput of `current` against `baseline`.
struct Regression {
  std::string metric;  // "p99_dispatch_us" or "throughput"
  std::string unit;    // "us" or "/s": the unit of baseline and current
  double baseline = 0;
  double current = 0;
  double change_pct = 0;  // positive = worse; 0 when there is nothing to compare against
  double limit_pct = 0;   // the max_regression_pct it was judged by
  bool regressed = false;
  /// Why the numbers alone do not tell the story ("baseline has no accepted notifications"),
  /// empty otherwise.
  std::string note;
};
/// p99 dispatch latency (higher is worse) first, then throughput (lower is worse). A metric
/// regresses when change_pct > max_regression_pct. A baseline of zero cannot give a percentage:
/// the metric is not judged and says so in `note`, except that a current run with no dispatch
/// latencies at all against a baseline that had some regresses.
std::vector<Regression> compare(const LoadReport& baseline, const LoadReport& current,
                                double max_regression_pct);
/// One line for a person: "p99 dispatch latency: 12.4 ms -> 15.1 ms (+21.8%, limit +10%):
/// REGRESSED".
std::string describe(const Regression& r);

/// "850 µs", "12.4 ms", "3.20 s": a latency in microseconds in the unit its magnitude calls for.
std::string format_latency_us(double us);

}  // namespace notify::report
