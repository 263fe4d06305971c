#include "scaled_clock.hpp"

#include <algorithm>
#include <utility>

namespace notify::scenarios {

ScaledClock::ScaledClock(runtime::Clock& base, double scale)
    : base_(base), scale_(scale), origin_(base.now()) {}

ScaledClock::~ScaledClock() {
  for (auto& [id, timer] : timers_) base_.cancel(timer.base_id);
}

runtime::TimePoint ScaledClock::now() const {
  auto real = base_.now() - origin_;
  return origin_ + skipped_ +
         runtime::Duration(
             static_cast<runtime::Duration::rep>(static_cast<double>(real.count()) * scale_));
}

runtime::Duration ScaledClock::to_base(runtime::Duration scenario) const {
  return runtime::Duration(
      static_cast<runtime::Duration::rep>(static_cast<double>(scenario.count()) / scale_));
}

void ScaledClock::arm(runtime::TimerId id, Timer& timer) {
  auto delay = std::max(runtime::Duration::zero(), timer.deadline - now());
  timer.base_id = base_.schedule_after(to_base(delay), [this, id] {
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    auto fn = std::move(it->second.fn);
    timers_.erase(it);
    fn();
  });
}

runtime::TimerId ScaledClock::schedule_after(runtime::Duration delay, std::function<void()> fn) {
  const auto id = next_id_++;
  auto& timer = timers_[id];
  timer.deadline = now() + std::max(runtime::Duration::zero(), delay);
  timer.order = id;
  timer.fn = std::move(fn);
  arm(id, timer);
  return id;
}

bool ScaledClock::cancel(runtime::TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return false;
  base_.cancel(it->second.base_id);
  timers_.erase(it);
  return true;
}

std::optional<runtime::TimePoint> ScaledClock::next_deadline() const {
  std::optional<runtime::TimePoint> next;
  for (const auto& [id, timer] : timers_)
    if (!next || timer.deadline < *next) next = timer.deadline;
  return next;
}

runtime::Duration ScaledClock::advance_to(runtime::TimePoint t) {
  const auto step = t - now();
  if (step <= runtime::Duration::zero()) return runtime::Duration::zero();
  skipped_ += step;
  // Re-arm in (deadline, order) so that timers due together still fire in scheduling order.
  std::vector<std::pair<std::pair<runtime::TimePoint, std::uint64_t>, runtime::TimerId>> order;
  order.reserve(timers_.size());
  for (auto& [id, timer] : timers_) {
    base_.cancel(timer.base_id);
    order.push_back({{timer.deadline, timer.order}, id});
  }
  std::sort(order.begin(), order.end());
  for (const auto& [key, id] : order) arm(id, timers_.at(id));
  return step;
}

}  // namespace notify::scenarios
