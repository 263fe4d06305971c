// Clock: the only way code in core reads the time or waits. Two implementations: the system
// clock (timers on an io_context, for wire mode) and the virtual clock (a timer queue that runs
// a four-hour retry schedule in milliseconds and always fires in the same order).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace notify::runtime {

using Duration = std::chrono::nanoseconds;
/// Wall-clock time. Virtual clocks start at a fixed instant, so timestamps are reproducible.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Duration>;
using TimerId = std::uint64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  /// Current time on this clock.
  virtual TimePoint now() const = 0;
  /// Runs `fn` once, `delay` from now (a negative delay counts as zero). Returns an id for
  /// cancel(). Timers due at the same instant fire in the order they were scheduled.
  virtual TimerId schedule_after(Duration delay, std::function<void()> fn) = 0;
  /// Cancels a pending timer. Returns false when it already fired or was cancelled.
  virtual bool cancel(TimerId id) = 0;
  /// Runs `fn` as soon as possible, after the current callback returns.
  void post(std::function<void()> fn) { schedule_after(Duration::zero(), std::move(fn)); }
};

/// A clock whose time moves only when its owner runs it. Single-threaded.
class VirtualClock final : public Clock {
 public:
  /// The default start is 2026-01-01T00:00:00Z.
  explicit VirtualClock(TimePoint start = default_start());
  ~VirtualClock() override;

  TimePoint now() const override;
  TimerId schedule_after(Duration delay, std::function<void()> fn) override;
  bool cancel(TimerId id) override;

  /// Fires due timers in (time, creation order) until none is left or `limit` timers fired.
  /// Returns the number fired.
  std::size_t run(std::size_t limit = SIZE_MAX);
  /// Fires every timer due at or before `deadline`, then sets the time to `deadline`.
  std::size_t run_until(TimePoint deadline);
  std::size_t run_for(Duration d) { return run_until(now() + d); }
  /// Fires the earliest timer, if any. Returns false when the queue is empty.
  bool step();
  std::size_t pending() const;

  static TimePoint default_start();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The system clock, with timers on `io`. Call it from the thread that runs `io`.
std::unique_ptr<Clock> make_system_clock(boost::asio::io_context& io);

/// RFC 3339 / ISO 8601 in UTC with milliseconds: 2026-01-01T00:00:00.000Z.
std::string format_iso8601(TimePoint t);
/// 20260101T000000Z, as SigV4 wants it.
std::string format_amz_date(TimePoint t);

}  // namespace notify::runtime
