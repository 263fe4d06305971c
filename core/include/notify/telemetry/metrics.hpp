// Metrics with Notify's names, kept in process for scenario expectations: StatsD counters and
// timings (clients.ses.request-time, ...; optionally sent over UDP) up to mid-2026, and today's
// OpenTelemetry instruments (provider.request.duration, ...). The format says which the core
// records where the two differ.
#pragma once

#include "notify/telemetry/otel.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
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

  /// Which names the core records where Notify's two eras differ; statsd unless set.
  void set_format(MetricsFormat format) { format_ = format; }
  MetricsFormat format() const { return format_; }
  bool otel() const { return format_ == MetricsFormat::otel; }

  /// One recording on an OTel instrument declared in otel.hpp (histogram: a sample; counter: an
  /// increment; gauge: the new value). An undeclared name is a programmer error.
  void record(std::string_view instrument, double value, const Attributes& attributes);
  /// The same with string attributes by reference, sorted by key (an unsorted list is sorted
  /// first): once the set has been seen, no allocation and no Attributes to build.
  void record_strings(std::string_view instrument, double value,
                      std::initializer_list<AttributeRef> attributes);
  /// An instrument and attribute set resolved once, for a caller that records it repeatedly;
  /// it stays valid for the Metrics' lifetime, across reset().
  struct OtelHandle {
    std::uint32_t index = 0;
  };
  OtelHandle otel_handle(std::string_view instrument, const Attributes& attributes);
  void record(OtelHandle handle, double value);
  /// Every OTel instrument recorded so far, by name.
  OtelSnapshot otel_snapshot() const;
  /// Called after each OTel recording, outside the lock, on the recording thread (a load run
  /// puts the receipt durations in its report this way). One observer; empty removes it.
  using OtelObserver =
      std::function<void(std::string_view instrument, double value, const Attributes& attributes)>;
  void observe_otel(OtelObserver observer);
  /// Clears every in-process value; a StatsD destination stays.
  void reset();

 private:
  struct Sink;
  struct OtelStore;
  mutable std::mutex mutex_;
  std::map<std::string, std::int64_t> counters_;
  std::map<std::string, TimingStats> timings_;
  std::map<std::string, double> gauges_;
  std::unique_ptr<OtelStore> otel_;
  OtelObserver observer_;
  MetricsFormat format_ = MetricsFormat::statsd;
  std::unique_ptr<Sink> sink_;

  void send_locked(const std::string& name, double value, const char* type);
  // Records on entry `index` and, when there is an observer, calls it after unlocking `lock`.
  void record_locked(std::uint32_t index, std::string_view instrument, double value,
                     std::unique_lock<std::mutex>& lock);
};

}  // namespace notify::telemetry
