// The system clock for wire mode: wall time from std::chrono::system_clock, timers as
// steady_timers on the caller's io_context (so a wall-clock jump does not stretch a timeout).
#include "notify/runtime/assert.hpp"
#include "notify/runtime/clock.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unordered_map>

namespace notify::runtime {

namespace {

// Shared with the timer handlers so that a handler still queued on the io_context after the
// clock is destroyed finds the state gone (a weak_ptr) instead of a dangling clock.
struct TimerTable {
  TimerId next_id = 1;
  std::unordered_map<TimerId, std::shared_ptr<boost::asio::steady_timer>> timers;
  std::unordered_map<TimerId, std::function<void()>> callbacks;
};

class SystemClock final : public Clock {
 public:
  explicit SystemClock(boost::asio::io_context& io)
      : io_(io), table_(std::make_shared<TimerTable>()) {}

  ~SystemClock() override {
    for (auto& [id, timer] : table_->timers) timer->cancel();
  }

  TimePoint now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }

  TimerId schedule_after(Duration delay, std::function<void()> fn) override {
    NOTIFY_ASSERT(fn != nullptr);
    if (delay < Duration::zero()) delay = Duration::zero();
    TimerId id = table_->next_id++;
    auto timer = std::make_shared<boost::asio::steady_timer>(io_);
    timer->expires_after(std::chrono::duration_cast<boost::asio::steady_timer::duration>(delay));
    table_->timers.emplace(id, timer);
    table_->callbacks.emplace(id, std::move(fn));
    std::weak_ptr<TimerTable> weak = table_;
    timer->async_wait([weak, id, timer](const boost::system::error_code&) {
      auto table = weak.lock();
      if (!table) return;
      // The callback table, not the error code, says whether the timer is live: a timer
      // cancelled after it expired still completes with success.
      auto node = table->callbacks.extract(id);
      table->timers.erase(id);
      if (node.empty()) return;
      std::function<void()> fn = std::move(node.mapped());
      fn();
    });
    return id;
  }

  bool cancel(TimerId id) override {
    auto it = table_->timers.find(id);
    if (it == table_->timers.end()) return false;
    it->second->cancel();
    table_->timers.erase(it);
    return table_->callbacks.erase(id) > 0;
  }

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<TimerTable> table_;
};

}  // namespace

std::unique_ptr<Clock> make_system_clock(boost::asio::io_context& io) {
  return std::make_unique<SystemClock>(io);
}

}  // namespace notify::runtime
