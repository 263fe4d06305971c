// ScaledClock: scenario time running `scale` times faster than a base clock, so a wire-mode run
// can keep Notify's 300-second retry delay in the scenario and still finish in seconds. Every
// component of the run (core, stubs, fault windows) reads this one clock, so their timings stay
// consistent with each other; only real network latency is magnified.
#pragma once

#include "notify/runtime/clock.hpp"

namespace notify::scenarios {

class ScaledClock final : public runtime::Clock {
 public:
  ScaledClock(runtime::Clock& base, double scale)
      : base_(base), scale_(scale), origin_(base.now()) {}

  runtime::TimePoint now() const override {
    auto real = base_.now() - origin_;
    return origin_ + runtime::Duration(static_cast<runtime::Duration::rep>(
                         static_cast<double>(real.count()) * scale_));
  }
  runtime::TimerId schedule_after(runtime::Duration delay, std::function<void()> fn) override {
    return base_.schedule_after(runtime::Duration(static_cast<runtime::Duration::rep>(
                                    static_cast<double>(delay.count()) / scale_)),
                                std::move(fn));
  }
  bool cancel(runtime::TimerId id) override { return base_.cancel(id); }

 private:
  runtime::Clock& base_;
  double scale_;
  runtime::TimePoint origin_;
};

}  // namespace notify::scenarios
