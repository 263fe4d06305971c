#include "run_info.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace notify::load {

std::string iso_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

double timeline_interval_s(double expected_s) {
  return std::max(1.0, std::ceil(expected_s / kMaxTimelineIntervals));
}

report::Interval& interval_at(std::vector<report::Interval>& timeline,
                              std::chrono::steady_clock::time_point start, double interval_s,
                              std::chrono::steady_clock::time_point t) {
  const double s = t < start ? 0 : std::chrono::duration<double>(t - start).count();
  const auto i = static_cast<std::size_t>(s / interval_s);
  while (timeline.size() <= i) {
    timeline.emplace_back();
    timeline.back().start_s = static_cast<double>(timeline.size() - 1) * interval_s;
  }
  return timeline[i];
}

void record_schedule(report::RunInfo& run, std::size_t count,
                     std::chrono::steady_clock::time_point start,
                     std::chrono::steady_clock::time_point last_submit,
                     std::chrono::steady_clock::time_point last_due) {
  const double span_s = std::chrono::duration<double>(last_submit - start).count();
  run.achieved_rate =
      count > 1 && span_s > 0 ? static_cast<double>(count - 1) / span_s : run.asked_rate;
  run.duration_s = std::chrono::duration<double>(last_due - start).count();
}

}  // namespace notify::load
