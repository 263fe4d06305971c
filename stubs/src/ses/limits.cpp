#include "limits.hpp"

#include <algorithm>
#include <chrono>

namespace notify::stubs::ses {

namespace {

using std::chrono::duration_cast;

constexpr std::int64_t kMinutesPerDay = 24 * 60;
constexpr std::int64_t kIntervalsKept = 14 * 24 * 4;  // two weeks of 15-minute intervals

std::int64_t minute_of(runtime::TimePoint t) {
  return duration_cast<std::chrono::minutes>(t.time_since_epoch()).count();
}

std::int64_t interval_of(runtime::TimePoint t) {
  return duration_cast<std::chrono::minutes>(t.time_since_epoch()).count() / 15;
}

}  // namespace

void SendRateLimiter::configure(double rate, runtime::TimePoint now) {
  rate_ = rate;
  tokens_ = rate;
  last_ = now;
}

void SendRateLimiter::refill(runtime::TimePoint now) {
  if (now <= last_) return;
  double seconds = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(rate_, tokens_ + seconds * rate_);
  last_ = now;
}

bool SendRateLimiter::try_acquire(std::uint64_t recipients, runtime::TimePoint now) {
  if (rate_ <= 0) return true;
  refill(now);
  // A bucket smaller than one token (rates under 1/s) still admits one message per 1/rate s.
  double needed = std::min(1.0, rate_);
  if (tokens_ + 1e-9 < needed) return false;
  tokens_ -= static_cast<double>(std::max<std::uint64_t>(recipients, 1));
  return true;
}

void RollingQuota::expire(runtime::TimePoint now) const {
  std::int64_t oldest = minute_of(now) - kMinutesPerDay;
  while (!buckets_.empty() && buckets_.front().first <= oldest) buckets_.pop_front();
}

void RollingQuota::add(std::uint64_t recipients, runtime::TimePoint now) {
  expire(now);
  std::int64_t m = minute_of(now);
  if (!buckets_.empty() && buckets_.back().first >= m) {
    buckets_.back().second += recipients;
  } else {
    buckets_.emplace_back(m, recipients);
  }
}

std::uint64_t RollingQuota::sent_last_24_hours(runtime::TimePoint now) const {
  expire(now);
  std::uint64_t sum = 0;
  for (const auto& [minute, n] : buckets_) sum += n;
  return sum;
}

SendDataPoint& SendStatistics::at(runtime::TimePoint now) {
  std::int64_t i = interval_of(now);
  while (!points_.empty() && points_.begin()->first <= i - kIntervalsKept) {
    points_.erase(points_.begin());
  }
  auto [it, inserted] = points_.try_emplace(i);
  if (inserted) {
    it->second.timestamp = runtime::TimePoint(std::chrono::minutes(i * 15));
  }
  return it->second;
}

std::vector<SendDataPoint> SendStatistics::points(runtime::TimePoint now) const {
  std::int64_t first = interval_of(now) - kIntervalsKept;
  std::vector<SendDataPoint> out;
  for (const auto& [i, p] : points_) {
    if (i > first) out.push_back(p);
  }
  return out;
}

}  // namespace notify::stubs::ses
