// Synthetic load runs for the report's tests, the headless-browser check and the screenshot in
// docs/benchmarks.md: a seeded stream of notifications, each with its latencies and what it met
// on the way, and a recorder that turns any part of that stream into a LoadReport the way the
// load driver does.
#pragma once

#include "notify/report/load_report.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace notify::report::testing {

struct Event {
  std::size_t series = 0;  // index into kSampleSeries
  double arrival_s = 0;    // scheduled arrival, from the run's start
  std::int64_t dispatch_us = 0;
  std::int64_t end_to_end_us = 0;  // 0: no receipt
  bool accepted = false;
  bool failed = false;  // neither: unfinished
  std::int64_t retries = 0;
  std::int64_t failovers = 0;
  std::vector<std::string> errors;  // one kind per failed attempt
  std::string fault_class = "none";
};

struct SampleSeries {
  const char* channel;
  const char* provider;
};
inline constexpr SampleSeries kSampleSeries[] = {
    {"email", "ses"}, {"sms", "firetext"}, {"sms", "mmg"}};

struct SampleOptions {
  std::uint64_t seed = 1;
  double rate = 400;  // notifications per second
  double duration_s = 120;
  double interval_s = 1;
};

/// A run with a Firetext throttling storm (40 s to 55 s: retries and failovers to MMG) and a slow
/// SES (80 s to 90 s), in order of arrival.
std::vector<Event> sample_events(const SampleOptions& options);

/// Records events as a driver does; the report's run info says what `options` asked for.
class Recorder {
 public:
  explicit Recorder(const SampleOptions& options, std::string host = "driver-1");
  void record(const Event& e);
  /// The report, with achieved_rate from the arrivals recorded.
  LoadReport report() const;

 private:
  SampleOptions options_;
  LoadReport report_;
};

/// sample_events recorded into one report.
LoadReport sample_report(const SampleOptions& options = {});

}  // namespace notify::report::testing
