// OpenTelemetry instruments as today's Notify declares them (app/otel_metrics/): their names,
// kinds, units and bucket bounds, the values recorded under each attribute set, and the two ways
// they leave the process: OTLP/HTTP JSON (POST /v1/metrics) and the Prometheus text format.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace notify::telemetry {

/// Which names the core's metrics carry: Notify's StatsD names (2021 to mid-2026) or today's
/// OpenTelemetry instruments (notifications-api 971d80af6 removed StatsD).
enum class MetricsFormat { statsd, otel };

/// "statsd" | "otel"; anything else is nullopt-like: returns false and leaves `out` alone.
bool parse_metrics_format(std::string_view text, MetricsFormat& out);
std::string_view to_string(MetricsFormat format);

/// An attribute value as the OTel Python SDK keeps it: str, bool or int.
using AttributeValue = std::variant<std::string, bool, std::int64_t>;
/// Attributes sorted by key, so equal sets compare equal whatever order they were built in.
using Attributes = std::vector<std::pair<std::string, AttributeValue>>;

/// Sorts by key; the one place an attribute set is normalised.
Attributes make_attributes(std::initializer_list<std::pair<std::string, AttributeValue>> pairs);

/// A string attribute named by reference, for a recording that need not build an Attributes set
/// (Metrics::record_strings); the same set as a std::string AttributeValue under `key`.
struct AttributeRef {
  std::string_view key;
  std::string_view value;
};

enum class InstrumentKind { histogram, counter, gauge };

struct InstrumentSpec {
  std::string_view name;
  InstrumentKind kind;
  std::string_view unit;
  std::string_view description;
  std::span<const double> bounds;  // histograms only
};

/// The instruments Notify declares, in app/otel_metrics/ order. nullptr for any other name.
const InstrumentSpec* find_instrument(std::string_view name);
std::span<const InstrumentSpec> instruments();

/// One attribute set's accumulated value. For a histogram: count, sum, min, max and one count
/// per bucket (bounds.size() + 1); for a counter the sum; for a gauge the last value.
struct OtelPoint {
  std::uint64_t count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;
  double value = 0;
  std::vector<std::uint64_t> bucket_counts;
};

struct OtelSeries {
  const InstrumentSpec* spec = nullptr;
  std::map<Attributes, OtelPoint> points;
};

using OtelSnapshot = std::map<std::string, OtelSeries, std::less<>>;

/// Adds one recording to `point` under `spec`'s rules (histogram: bucket by upper bound,
/// inclusive, as the SDK does).
void record_point(const InstrumentSpec& spec, OtelPoint& point, double value);

/// The ExportMetricsServiceRequest for `snapshot` in the OTLP JSON encoding: cumulative
/// temporality from `start_unix_ns`; 64-bit integers as strings; a resource carrying
/// service.name = `service_name`.
std::string encode_otlp_json(const OtelSnapshot& snapshot, std::uint64_t start_unix_ns,
                             std::uint64_t now_unix_ns, std::string_view service_name);

/// The Prometheus text exposition of `snapshot` with the OTel-to-Prometheus name mapping:
/// dots become underscores, the unit is appended (`_seconds`, `_ratio` for "1" on gauges),
/// counters end `_total`, histograms give `_bucket{le=...}`, `_sum` and `_count`.
std::string encode_prometheus(const OtelSnapshot& snapshot);

/// The Prometheus name of an instrument ("provider.request.duration" ->
/// "provider_request_duration_seconds").
std::string prometheus_name(const InstrumentSpec& spec);

}  // namespace notify::telemetry
