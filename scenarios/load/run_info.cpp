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

}  // namespace notify::load
