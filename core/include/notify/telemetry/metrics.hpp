// Metrics with Notify's names (clients.ses.request-time, clients.ses.success, ...), kept in
// process for scenario expectations and optionally sent as StatsD over UDP.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace notify::telemetry {

struct TimingStats {
  std::uint64_t count = 0;
  double sum_ms = 0;
  double max_ms = 0;
};

/// Thread-safe.
class Metrics {
 public:
  Metrics();
  ~Metrics();

  void incr(const std::string& name, std::int64_t n = 1);
  void timing(const std::string& name, std::chrono::nanoseconds elapsed);
  void gauge(const std::string& name, double value);

  std::int64_t counter(const std::string& name) const;  // 0 if never incremented
  TimingStats timing_stats(const std::string& name) const;
  std::map<std::string, std::int64_t> counters() const;
  std::map<std::string, TimingStats> timings() const;
  /// Last value set for a gauge; 0 if never set.
  double gauge_value(const std::string& name) const;
  std::map<std::string, double> gauges() const;

  /// Sends every metric from now on as StatsD ("name:1|c", "name:12.5|ms", "name:3|g") to
  /// host:port over UDP, with an optional prefix ("notify."). Throws std::invalid_argument
  /// for an address that does not parse.
  void send_statsd_to(const std::string& host, std::uint16_t port, std::string prefix = {});
  /// Stops sending StatsD (in-process values are kept).
  void stop_statsd();
  /// The StatsD line for one metric, as sent. Characters StatsD reserves in names (':', '|',
  /// '@', newlines) become '_'; the value is written in its shortest exact form.
  static std::string statsd_line(const std::string& name, double value, const char* type);

  /// Clears every in-process value; a StatsD destination stays.
  void reset();

 private:
  struct Sink;
  mutable std::mutex mutex_;
  std::map<std::string, std::int64_t> counters_;
  std::map<std::string, TimingStats> timings_;
  std::map<std::string, double> gauges_;
  std::unique_ptr<Sink> sink_;

  void send_locked(const std::string& name, double value, const char* type);
};

}  // namespace notify::telemetry
