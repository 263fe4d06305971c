// Today's Notify's OpenTelemetry instruments and their two encodings. The instrument table is
// app/otel_metrics/{provider,notification,service_callback}.py at notifications-api 8ea236603;
// provider.request.duration's buckets are notifications_utils.semconv's
// HTTP_DURATION_HISTOGRAM_BUCKETS, the OTel HTTP semantic-convention bounds (5 ms to 10 s).
#include "notify/telemetry/otel.hpp"

#include "notify/runtime/assert.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace notify::telemetry {

namespace {

constexpr std::array<double, 14> kHttpDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                                         0.5,   0.75, 1,     2.5,  5,     7.5, 10};
// SEND_DURATION_HISTOGRAM_BUCKETS: 50 ms to 10 minutes.
constexpr std::array<double, 13> kSendDurationBuckets = {0.05, 0.1, 0.2, 0.5, 1,   2,  5,
                                                         10,   30,  60,  120, 300, 600};
// DELIVER_DURATION_HISTOGRAM_BUCKETS: 1 s to 30 h, for both deliver and callback durations.
constexpr std::array<double, 15> kDeliverDurationBuckets = {
    1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 18000, 36000, 108000};

constexpr std::array<InstrumentSpec, 10> kInstruments = {{
    {"provider.request.duration", InstrumentKind::histogram, "s",
     "Duration of (HTTP) requests to providers", kHttpDurationBuckets},
    {"provider.sms.legacy.not_delivered_within",
     InstrumentKind::gauge,
     "1",
     "Proportion of SMS messages sent in the last time_window.evaluation seconds that were not "
     "delivered within time_window.delivery seconds",
     {}},
    {"provider.priority", InstrumentKind::gauge, "1", "Observed priority value of a Provider", {}},
    {"provider.updated_at",
     InstrumentKind::gauge,
     "s",
     "Unix epoch timestamp of Provider's last update",
     {}},
    {"provider.info", InstrumentKind::gauge, "1", "Observed metadata values of a Provider", {}},
    {"notification.sms.internationals",
     InstrumentKind::counter,
     "{notification}",
     "Number of international text messages sent",
     {}},
    {"notification.send.duration", InstrumentKind::histogram, "s",
     "Elapsed time between notification creation and sending to provider", kSendDurationBuckets},
    {"notification.callback.duration", InstrumentKind::histogram, "s",
     "Elapsed time between notification creation datetime and receipt of a callback from the "
     "provider",
     kDeliverDurationBuckets},
    {"notification.deliver.duration", InstrumentKind::histogram, "s",
     "Elapsed time between notification creation datetime and delivery datetime reported by "
     "provider",
     kDeliverDurationBuckets},
    {"service_callback.forward.duration", InstrumentKind::histogram, "s",
     "Elapsed time between provider receipt and start of service callback attempt",
     kSendDurationBuckets},
}};

nlohmann::json any_value(const AttributeValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return {{"stringValue", *s}};
  if (const auto* b = std::get_if<bool>(&value)) return {{"boolValue", *b}};
  // OTLP JSON writes 64-bit integers as decimal strings.
  return {{"intValue", std::to_string(std::get<std::int64_t>(value))}};
}

nlohmann::json key_values(const Attributes& attributes) {
  auto out = nlohmann::json::array();
  for (const auto& [key, value] : attributes)
    out.push_back({{"key", key}, {"value", any_value(value)}});
  return out;
}

std::string number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc{} ? std::string(buffer, end) : "0";
}

std::string label_text(const AttributeValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  return std::to_string(std::get<std::int64_t>(value));
}

std::string sanitize(std::string_view name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

// Prometheus label values escape backslash, double quote and newline.
std::string labels(const Attributes& attributes, const std::string& extra = {}) {
  std::string out;
  for (const auto& [key, value] : attributes) {
    out += out.empty() ? "{" : ",";
    out += sanitize(key) + "=\"";
    for (char c : label_text(value)) {
      if (c == '\\' || c == '"') out += '\\';
      out += c == '\n' ? 'n' : c;
    }
    out += '"';
  }
  if (!extra.empty()) out += (out.empty() ? "{" : ",") + extra;
  if (!out.empty()) out += '}';
  return out;
}

nlohmann::json data_point(const InstrumentSpec& spec, const Attributes& attributes,
                          const OtelPoint& point, const std::string& start,
                          const std::string& now) {
  nlohmann::json p = {
      {"attributes", key_values(attributes)}, {"startTimeUnixNano", start}, {"timeUnixNano", now}};
  if (spec.kind == InstrumentKind::histogram) {
    p["count"] = std::to_string(point.count);
    p["sum"] = point.sum;
    p["min"] = point.min;
    p["max"] = point.max;
    auto counts = nlohmann::json::array();
    for (auto c : point.bucket_counts) counts.push_back(std::to_string(c));
    p["bucketCounts"] = counts;
    p["explicitBounds"] = std::vector<double>(spec.bounds.begin(), spec.bounds.end());
  } else if (spec.kind == InstrumentKind::counter) {
    p["asInt"] = std::to_string(static_cast<std::int64_t>(point.value));
  } else {
    p["asDouble"] = point.value;
  }
  return p;
}

}  // namespace

bool parse_metrics_format(std::string_view text, MetricsFormat& out) {
  if (text == "statsd") {
    out = MetricsFormat::statsd;
    return true;
  }
  if (text == "otel") {
    out = MetricsFormat::otel;
    return true;
  }
  return false;
}

std::string_view to_string(MetricsFormat format) {
  return format == MetricsFormat::otel ? "otel" : "statsd";
}

Attributes make_attributes(std::initializer_list<std::pair<std::string, AttributeValue>> pairs) {
  Attributes out(pairs);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

const InstrumentSpec* find_instrument(std::string_view name) {
  for (const auto& spec : kInstruments) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::span<const InstrumentSpec> instruments() { return kInstruments; }

void record_point(const InstrumentSpec& spec, OtelPoint& point, double value) {
  switch (spec.kind) {
    case InstrumentKind::histogram: {
      if (point.bucket_counts.empty()) point.bucket_counts.assign(spec.bounds.size() + 1, 0);
      point.min = point.count == 0 ? value : std::min(point.min, value);
      point.max = point.count == 0 ? value : std::max(point.max, value);
      point.count += 1;
      point.sum += value;
      // A bucket holds values up to and including its upper bound.
      auto bucket = std::lower_bound(spec.bounds.begin(), spec.bounds.end(), value);
      point.bucket_counts[static_cast<std::size_t>(bucket - spec.bounds.begin())] += 1;
      break;
    }
    case InstrumentKind::counter:
      point.count += 1;
      point.value += value;
      break;
    case InstrumentKind::gauge:
      point.count += 1;
      point.value = value;
      break;
  }
}

std::string encode_otlp_json(const OtelSnapshot& snapshot, std::uint64_t start_unix_ns,
                             std::uint64_t now_unix_ns, std::string_view service_name) {
  const std::string start = std::to_string(start_unix_ns);
  const std::string now = std::to_string(now_unix_ns);
  auto metrics = nlohmann::json::array();
  for (const auto& [name, series] : snapshot) {
    const InstrumentSpec& spec = *series.spec;
    auto points = nlohmann::json::array();
    for (const auto& [attributes, point] : series.points)
      points.push_back(data_point(spec, attributes, point, start, now));
    nlohmann::json metric = {
        {"name", name}, {"unit", spec.unit}, {"description", spec.description}};
    // AGGREGATION_TEMPORALITY_CUMULATIVE is 2; gauges carry no temporality.
    if (spec.kind == InstrumentKind::histogram) {
      metric["histogram"] = {{"dataPoints", points}, {"aggregationTemporality", 2}};
    } else if (spec.kind == InstrumentKind::counter) {
      metric["sum"] = {
          {"dataPoints", points}, {"aggregationTemporality", 2}, {"isMonotonic", true}};
    } else {
      metric["gauge"] = {{"dataPoints", points}};
    }
    metrics.push_back(std::move(metric));
  }
  nlohmann::json resource = {
      {"attributes", key_values({{"service.name", std::string(service_name)}})}};
  nlohmann::json scope = {{"scope", {{"name", "notify-sim"}}}, {"metrics", metrics}};
  nlohmann::json body = {
      {"resourceMetrics",
       nlohmann::json::array(
           {{{"resource", resource}, {"scopeMetrics", nlohmann::json::array({scope})}}})}};
  return body.dump();
}

std::string prometheus_name(const InstrumentSpec& spec) {
  std::string name = sanitize(spec.name);
  if (spec.unit == "s") {
    name += "_seconds";
  } else if (spec.unit == "1" && spec.kind == InstrumentKind::gauge) {
    name += "_ratio";
  }
  if (spec.kind == InstrumentKind::counter) name += "_total";
  return name;
}

std::string encode_prometheus(const OtelSnapshot& snapshot) {
  std::string out;
  for (const auto& [name, series] : snapshot) {
    const InstrumentSpec& spec = *series.spec;
    const std::string base = prometheus_name(spec);
    const char* type = spec.kind == InstrumentKind::histogram ? "histogram"
                       : spec.kind == InstrumentKind::counter ? "counter"
                                                              : "gauge";
    out += "# HELP " + base + " " + std::string(spec.description) + "\n";
    out += "# TYPE " + base + " " + type + "\n";
    for (const auto& [attributes, point] : series.points) {
      if (spec.kind != InstrumentKind::histogram) {
        out += base + labels(attributes) + " " + number(point.value) + "\n";
        continue;
      }
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i <= spec.bounds.size(); ++i) {
        cumulative += i < point.bucket_counts.size() ? point.bucket_counts[i] : 0;
        double le = i < spec.bounds.size() ? spec.bounds[i] : INFINITY;
        out += base + "_bucket" + labels(attributes, "le=\"" + number(le) + "\"") + " " +
               std::to_string(cumulative) + "\n";
      }
      out += base + "_sum" + labels(attributes) + " " + number(point.sum) + "\n";
      out += base + "_count" + labels(attributes) + " " + std::to_string(point.count) + "\n";
    }
  }
  return out;
}

}  // namespace notify::telemetry
