// The regression gate: a release's load run against the last good one.
#include "notify/report/load_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace notify::report {
namespace {

std::string fixed(double v, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

std::string signed_pct(double v) {
  return (v >= 0 ? "+" : "") + fixed(v, std::abs(v) < 10 ? 1 : 0) + "%";
}

std::string format_rate(double per_s) {
  return fixed(per_s, per_s < 10 ? 2 : per_s < 100 ? 1 : 0) + "/s";
}

}  // namespace

std::string format_latency_us(double us) {
  // Three significant digits in the largest unit that keeps the number at 1 or more.
  auto three = [](double v) { return fixed(v, v < 10 ? 2 : v < 100 ? 1 : 0); };
  // The thresholds sit where rounding would otherwise print "1000 ms".
  if (us < 999.5) return fixed(us, 0) + " µs";
  if (us < 999'500) return three(us / 1000) + " ms";
  return three(us / 1'000'000) + " s";
}

std::vector<Regression> compare(const LoadReport& baseline, const LoadReport& current,
                                double max_regression_pct) {
  std::vector<Regression> out;

  const auto base_dispatch = baseline.total_dispatch();
  const auto current_dispatch = current.total_dispatch();
  Regression latency{.metric = "p99_dispatch_us",
                     .unit = "us",
                     .baseline = static_cast<double>(base_dispatch.percentile(99)),
                     .current = static_cast<double>(current_dispatch.percentile(99)),
                     .limit_pct = max_regression_pct,
                     .regressed = false,
                     .note = {}};
  if (base_dispatch.count() == 0) {
    latency.note = "the baseline has no dispatch latencies; not judged";
  } else if (current_dispatch.count() == 0) {
    // A run in which nothing got through has no latency to be fast with.
    latency.regressed = true;
    latency.note = "the current run has no dispatch latencies: nothing was accepted";
  } else {
    // A p99 under the histogram's 1 µs resolution counts as 1 µs, so the ratio stays finite.
    latency.change_pct =
        (latency.current - latency.baseline) / std::max(latency.baseline, 1.0) * 100;
    latency.regressed = latency.change_pct > max_regression_pct;
  }
  out.push_back(latency);

  Regression throughput{.metric = "throughput",
                        .unit = "/s",
                        .baseline = baseline.run.achieved_rate,
                        .current = current.run.achieved_rate,
                        .limit_pct = max_regression_pct,
                        .regressed = false,
                        .note = {}};
  if (throughput.baseline <= 0) {
    throughput.note = "the baseline achieved no throughput; not judged";
  } else {
    throughput.change_pct = (throughput.baseline - throughput.current) / throughput.baseline * 100;
    throughput.regressed = throughput.change_pct > max_regression_pct;
  }
  out.push_back(throughput);
  return out;
}

std::string describe(const Regression& r) {
  const bool latency = r.unit == "us";
  auto value = [&](double v) { return latency ? format_latency_us(v) : format_rate(v); };
  std::string line = latency ? "p99 dispatch latency: " : "throughput: ";
  line += value(r.baseline) + " -> " + value(r.current);
  if (r.note.empty()) {
    const std::string change = r.change_pct >= 0 ? signed_pct(r.change_pct) + " worse"
                                                 : signed_pct(-r.change_pct).substr(1) + " better";
    line += " (" + change + ", limit " + signed_pct(r.limit_pct) + ")";
  } else {
    line += " (" + r.note + ")";
  }
  line += r.regressed ? ": REGRESSED" : ": ok";
  return line;
}

}  // namespace notify::report
