#include "notify/load/progress.hpp"

#include <algorithm>
#include <cstdarg>

namespace notify::load {
namespace {

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

double ms(std::int64_t us) { return static_cast<double>(us) / 1000.0; }

// p50, p99, p99.9 and max; "-" when nothing was measured, since 0.000 would read as a figure.
std::string dispatch_columns(const telemetry::LatencyHistogram& d) {
  if (d.count() == 0) return format("%9s %9s %9s %9s", "-", "-", "-", "-");
  return format("%9.3f %9.3f %9.3f %9.3f", ms(d.percentile(50)), ms(d.percentile(99)),
                ms(d.percentile(99.9)), ms(d.max()));
}

}  // namespace

std::string progress_text(const Progress& p) {
  return format("%6.1f s  %lld/%lld arrived  %.0f/s  p99 %.3f ms  accepted %lld  errors %lld",
                p.elapsed_s, static_cast<long long>(p.arrivals), static_cast<long long>(p.total),
                p.rate, ms(p.p99_us), static_cast<long long>(p.accepted),
                static_cast<long long>(p.errors));
}

void ProgressLine::update(const Progress& p) {
  if (!tty_) return;
  // Trailing spaces wipe what a longer earlier line left.
  std::fprintf(out_, "\r%s    ", progress_text(p).c_str());
  std::fflush(out_);
  written_ = true;
}

void ProgressLine::finish() {
  if (!tty_ || !written_) return;
  std::fputc('\n', out_);
  std::fflush(out_);
  written_ = false;
}

std::string summary_text(const report::LoadReport& r) {
  std::string out;
  out += format("rate: asked %.1f/s, achieved %.1f/s over %.1f s (%s arrivals, target %s%s%s)\n",
                r.run.asked_rate, r.run.achieved_rate, r.run.duration_s, r.run.arrivals.c_str(),
                r.run.target.c_str(), r.run.profile.empty() ? "" : ", profile ",
                r.run.profile.c_str());
  // The name columns widen for long names (a stub run's "lambda-invoke") so the figures align.
  int channel_w = 10, provider_w = 9;
  for (const auto& s : r.series) {
    channel_w = std::max(channel_w, static_cast<int>(s.channel.size()));
    provider_w = std::max(provider_w, static_cast<int>(s.provider.size()));
  }
  out += format("%-*s %-*s %9s %9s %7s %7s %8s %7s %9s %9s %9s %9s %9s %9s\n", channel_w, "channel",
                provider_w, "provider", "arrivals", "accepted", "failed", "unfin.", "retries",
                "failov.", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "e2e p50", "e2e p99");
  telemetry::LatencyHistogram all;
  std::int64_t errors = 0;
  for (const auto& s : r.series) {
    all.merge(s.dispatch);
    for (const auto& [k, v] : s.errors) errors += v;
    const auto& d = s.dispatch;
    const auto& e = s.end_to_end;
    // A channel without delivery receipts (broadcast) has no end-to-end figure: "-", not 0.
    const std::string e2e = e.count() == 0 ? format("%9s %9s", "-", "-")
                                           : format("%9.1f %9.1f", ms(e.percentile(50)),
                                                    ms(e.percentile(99)));
    out += format("%-*s %-*s %9lld %9lld %7lld %7lld %8lld %7lld %s %s\n", channel_w,
                  s.channel.c_str(), provider_w, s.provider.c_str(),
                  static_cast<long long>(s.arrivals), static_cast<long long>(s.accepted),
                  static_cast<long long>(s.failed), static_cast<long long>(s.unfinished),
                  static_cast<long long>(s.retries), static_cast<long long>(s.failovers),
                  dispatch_columns(d).c_str(), e2e.c_str());
  }
  out += format("%-*s %9s %9lld %39s %s\n", channel_w + 1 + provider_w, "all", "",
                static_cast<long long>(all.count()), "", dispatch_columns(all).c_str());
  if (errors > 0) {
    out += format("failed attempts: %lld\n", static_cast<long long>(errors));
    for (const auto& s : r.series)
      for (const auto& [k, v] : s.errors)
        out += format("  %-40s %lld\n", k.c_str(), static_cast<long long>(v));
  }
  if (r.by_fault_class.size() > 1 ||
      (r.by_fault_class.size() == 1 && !r.by_fault_class.contains("none"))) {
    out += "dispatch by the first fault met (ms):\n";
    for (const auto& [k, h] : r.by_fault_class)
      out += format("  %-16s %9lld  p50 %9.3f  p99 %9.3f  max %9.3f\n", k.c_str(),
                    static_cast<long long>(h.count()), ms(h.percentile(50)), ms(h.percentile(99)),
                    ms(h.max()));
  }
  return out;
}

}  // namespace notify::load
