// The Prometheus page's text: the OTel instruments (encode_prometheus) and the StatsD names
// mapped as the Prometheus statsd_exporter's default mapping does (github.com/prometheus/
// statsd_exporter: names escaped to [a-zA-Z0-9_], timers observed in seconds into a summary).
#include "notify/telemetry/prometheus.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

namespace notify::telemetry {

namespace {

// Prometheus spells the special values +Inf, -Inf and NaN.
std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc{} ? std::string(buffer, end) : "0";
}

// One StatsD-derived family: the names it came from (for HELP) and its value.
struct Family {
  std::string sources;
  double value = 0;  // counter: sum; gauge: last
  double sum_s = 0;  // timer
  std::uint64_t count = 0;
};

void add_source(Family& f, const std::string& name) {
  f.sources += (f.sources.empty() ? "" : ", ") + name;
}

}  // namespace

std::string statsd_prometheus_name(std::string_view statsd_name) {
  std::string out;
  out.reserve(statsd_name.size() + 1);
  if (!statsd_name.empty() && std::isdigit(static_cast<unsigned char>(statsd_name.front())))
    out += '_';
  for (char c : statsd_name) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) != 0 || c == '_' ? c : '_';
  }
  return out;
}

std::string prometheus_text(const Metrics& metrics) {
  const OtelSnapshot otel = metrics.otel_snapshot();
  std::string out = encode_prometheus(otel);
  std::set<std::string> taken;
  for (const auto& [name, series] : otel) {
    const std::string base = prometheus_name(*series.spec);
    taken.insert(base);
    if (series.spec->kind == InstrumentKind::histogram) {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) taken.insert(base + suffix);
    }
  }

  std::map<std::string, Family> counters, timers, gauges;
  for (const auto& [name, value] : metrics.counters()) {
    Family& f = counters[statsd_prometheus_name(name)];
    add_source(f, name);
    f.value += static_cast<double>(value);
  }
  for (const auto& [name, stats] : metrics.timings()) {
    Family& f = timers[statsd_prometheus_name(name)];
    add_source(f, name);
    f.sum_s += stats.sum_ms / 1000;
    f.count += stats.count;
  }
  for (const auto& [name, value] : metrics.gauges()) {
    Family& f = gauges[statsd_prometheus_name(name)];
    add_source(f, name);
    f.value = value;
  }

  // A name claims its family once; a later claim of another type would make the page invalid.
  auto claim = [&taken](const std::string& name, std::initializer_list<const char*> suffixes) {
    if (taken.count(name) != 0) return false;
    for (const char* suffix : suffixes) {
      if (taken.count(name + suffix) != 0) return false;
    }
    taken.insert(name);
    for (const char* suffix : suffixes) taken.insert(name + suffix);
    return true;
  };
  for (const auto& [name, f] : counters) {
    if (!claim(name, {})) continue;
    out += "# HELP " + name + " StatsD counter " + f.sources + "\n";
    out += "# TYPE " + name + " counter\n";
    out += name + " " + number(f.value) + "\n";
  }
  for (const auto& [name, f] : timers) {
    if (!claim(name, {"_sum", "_count"})) continue;
    out += "# HELP " + name + " StatsD timer " + f.sources + ", in seconds\n";
    out += "# TYPE " + name + " summary\n";
    out += name + "_sum " + number(f.sum_s) + "\n";
    out += name + "_count " + std::to_string(f.count) + "\n";
  }
  for (const auto& [name, f] : gauges) {
    if (!claim(name, {})) continue;
    out += "# HELP " + name + " StatsD gauge " + f.sources + "\n";
    out += "# TYPE " + name + " gauge\n";
    out += name + " " + number(f.value) + "\n";
  }
  return out;
}

}  // namespace notify::telemetry
