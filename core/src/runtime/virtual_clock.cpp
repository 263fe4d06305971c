// VirtualClock: a timer queue ordered by (due time, creation sequence). Time moves only when the
// owner runs the queue, so a four-hour retry schedule takes milliseconds and two runs with the
// same inputs fire their timers in exactly the same order.
#include "notify/runtime/assert.hpp"
#include "notify/runtime/clock.hpp"

#include <queue>
#include <unordered_map>
#include <vector>

namespace notify::runtime {

namespace {

struct Entry {
  TimePoint due;
  TimerId id;  // ids grow with creation, so they double as the tie-break sequence
};

// std::priority_queue is a max-heap: "greater" puts the earliest (due, id) on top.
struct Later {
  bool operator()(const Entry& a, const Entry& b) const {
    if (a.due != b.due) return a.due > b.due;
    return a.id > b.id;
  }
};

}  // namespace

struct VirtualClock::Impl {
  TimePoint now;
  TimerId next_id = 1;
  std::priority_queue<Entry, std::vector<Entry>, Later> queue;
  // Live timers only. A cancelled timer leaves its queue entry behind; it is skipped when it
  // reaches the top, which keeps cancel() O(1).
  std::unordered_map<TimerId, std::function<void()>> callbacks;

  // Drops cancelled entries from the top so that queue.top(), if any, is a live timer.
  void skip_cancelled() {
    while (!queue.empty() && !callbacks.contains(queue.top().id)) queue.pop();
  }
};

VirtualClock::VirtualClock(TimePoint start) : impl_(std::make_unique<Impl>()) {
  impl_->now = start;
}

VirtualClock::~VirtualClock() = default;

TimePoint VirtualClock::default_start() {
  // 2026-01-01T00:00:00Z: 20454 days after the epoch.
  return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::days(20454)));
}

TimePoint VirtualClock::now() const { return impl_->now; }

TimerId VirtualClock::schedule_after(Duration delay, std::function<void()> fn) {
  NOTIFY_ASSERT(fn != nullptr);
  if (delay < Duration::zero()) delay = Duration::zero();
  TimerId id = impl_->next_id++;
  impl_->queue.push(Entry{impl_->now + delay, id});
  impl_->callbacks.emplace(id, std::move(fn));
  return id;
}

bool VirtualClock::cancel(TimerId id) { return impl_->callbacks.erase(id) > 0; }

bool VirtualClock::step() {
  impl_->skip_cancelled();
  if (impl_->queue.empty()) return false;
  Entry top = impl_->queue.top();
  impl_->queue.pop();
  auto node = impl_->callbacks.extract(top.id);
  // Time never goes backwards, even for a timer that was due before a run_until() deadline.
  if (top.due > impl_->now) impl_->now = top.due;
  // The callback is moved out before it runs, so it may schedule or cancel freely.
  std::function<void()> fn = std::move(node.mapped());
  fn();
  return true;
}

std::size_t VirtualClock::run(std::size_t limit) {
  std::size_t fired = 0;
  while (fired < limit && step()) ++fired;
  return fired;
}

std::size_t VirtualClock::run_until(TimePoint deadline) {
  std::size_t fired = 0;
  for (;;) {
    impl_->skip_cancelled();
    if (impl_->queue.empty() || impl_->queue.top().due > deadline) break;
    step();
    ++fired;
  }
  if (deadline > impl_->now) impl_->now = deadline;
  return fired;
}

std::size_t VirtualClock::pending() const { return impl_->callbacks.size(); }

}  // namespace notify::runtime
