// ScaledClock: scenario time running `scale` times faster than a base clock, so a wire-mode run
// can keep Notify's 300-second retry delay in the scenario and still finish in seconds. Every
// component of the run (core, stubs, fault windows) reads this one clock, so their timings stay
// consistent with each other; only real network latency is magnified.
//
// It can also skip ahead: when its owner knows that nothing is in flight, advance_to() moves
// scenario time to the next timer at once, as if the idle stretch had passed at any speed. Timers
// keep their scenario deadlines across a skip. Single-threaded, as the wire run is.
#pragma once

#include "notify/runtime/clock.hpp"

#include <map>
#include <optional>

namespace notify::scenarios {

class ScaledClock final : public runtime::Clock {
 public:
  ScaledClock(runtime::Clock& base, double scale);
  ~ScaledClock() override;

  runtime::TimePoint now() const override;
  runtime::TimerId schedule_after(runtime::Duration delay, std::function<void()> fn) override;
  bool cancel(runtime::TimerId id) override;

  /// The scenario time of the earliest pending timer, if any.
  std::optional<runtime::TimePoint> next_deadline() const;
  /// Moves scenario time forward to `t` (never back) and re-arms every pending timer for its
  /// unchanged scenario deadline. Returns how far time moved.
  runtime::Duration advance_to(runtime::TimePoint t);
  /// The scenario time skipped so far.
  runtime::Duration skipped() const { return skipped_; }

 private:
  struct Timer {
    runtime::TimePoint deadline;
    std::uint64_t order;  // keeps timers due at the same instant in scheduling order
    runtime::TimerId base_id;
    std::function<void()> fn;
  };
  runtime::Duration to_base(runtime::Duration scenario) const;
  void arm(runtime::TimerId id, Timer& timer);

  runtime::Clock& base_;
  double scale_;
  runtime::TimePoint origin_;
  runtime::Duration skipped_{0};
  runtime::TimerId next_id_ = 1;
  std::map<runtime::TimerId, Timer> timers_;
};

}  // namespace notify::scenarios
