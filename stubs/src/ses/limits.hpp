// SES's sending limits on the run's clock: the per-second send rate (a token bucket), the
// rolling 24-hour quota, and the 15-minute data points GetSendStatistics reports. All count
// recipients, as SES does (SES Developer Guide, "Service quotas in Amazon SES"). Not thread-safe:
// the stub holds its lock.
#pragma once

#include "notify/runtime/clock.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

namespace notify::stubs::ses {

/// A bucket holding up to one second of sending. A message is admitted while the bucket holds
/// at least one token and takes one per recipient, so a 50-recipient message can overdraw it
/// (SES lets short bursts exceed the rate) and the next message waits for the refill.
class SendRateLimiter {
 public:
  /// `rate` recipients per second; 0 = unlimited. Fills the bucket.
  void configure(double rate, runtime::TimePoint now);
  bool try_acquire(std::uint64_t recipients, runtime::TimePoint now);
  double rate() const { return rate_; }

 private:
  void refill(runtime::TimePoint now);

  double rate_ = 0;
  double tokens_ = 0;
  runtime::TimePoint last_{};
};

/// Recipients sent in the last 24 hours, in one-minute buckets (at most 1,441 kept).
class RollingQuota {
 public:
  void add(std::uint64_t recipients, runtime::TimePoint now);
  std::uint64_t sent_last_24_hours(runtime::TimePoint now) const;
  void clear() { buckets_.clear(); }

 private:
  void expire(runtime::TimePoint now) const;

  mutable std::deque<std::pair<std::int64_t, std::uint64_t>> buckets_;  // minute, recipients
};

struct SendDataPoint {
  runtime::TimePoint timestamp;  // start of the 15-minute interval
  std::uint64_t delivery_attempts = 0;
  std::uint64_t bounces = 0;
  std::uint64_t complaints = 0;
  std::uint64_t rejects = 0;
};

/// GetSendStatistics: 15-minute intervals over the last two weeks (at most 1,345 kept).
class SendStatistics {
 public:
  void add_attempts(std::uint64_t n, runtime::TimePoint now) { at(now).delivery_attempts += n; }
  void add_bounce(runtime::TimePoint now) { at(now).bounces += 1; }
  void add_complaint(runtime::TimePoint now) { at(now).complaints += 1; }
  void add_reject(runtime::TimePoint now) { at(now).rejects += 1; }
  std::vector<SendDataPoint> points(runtime::TimePoint now) const;
  void clear() { points_.clear(); }

 private:
  SendDataPoint& at(runtime::TimePoint now);
  std::map<std::int64_t, SendDataPoint> points_;  // by interval number since the epoch
};

}  // namespace notify::stubs::ses
