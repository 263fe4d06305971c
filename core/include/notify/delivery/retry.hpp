// The retry schedule every delivery task follows, on the Clock: Notify's Celery tasks retry a
// bounded number of times with a fixed countdown (email: 48 times, 300 s apart; SMS: the first
// retry at once, then 300 s apart). RetryTimers keeps the pending retries so that the task
// owner can cancel them all when it goes away.
#pragma once

#include "notify/outcome/errc.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/store/store.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace notify::delivery {

struct RetryPolicy {
  int max_retries = 48;
  runtime::Duration delay = std::chrono::seconds(300);
  /// The wait before the first retry; SMS retries at once on a new choice of provider.
  runtime::Duration first_delay = std::chrono::seconds(300);

  /// The wait before retry number `retry` (1-based).
  runtime::Duration delay_before(int retry) const { return retry <= 1 ? first_delay : delay; }
  /// True when a task that has already retried `retries` times may not retry again.
  bool exhausted(int retries) const { return retries >= max_retries; }

  /// A policy with the same delay before every retry, as deliver_email has.
  static RetryPolicy fixed(int max_retries, runtime::Duration delay) {
    return RetryPolicy{max_retries, delay, delay};
  }
};

/// Pending retries of one task owner. Each fires at most once; all are cancelled with the owner,
/// and a timer that fires after the owner has gone does nothing.
class RetryTimers {
 public:
  explicit RetryTimers(runtime::Clock& clock) : clock_(clock) {}
  ~RetryTimers() {
    for (auto id : pending_) clock_.cancel(id);
  }
  RetryTimers(const RetryTimers&) = delete;
  RetryTimers& operator=(const RetryTimers&) = delete;

  void after(runtime::Duration delay, std::function<void()> fn) {
    // The id is only known once schedule_after returns, so the callback reads it from a cell.
    auto id = std::make_shared<runtime::TimerId>(0);
    std::weak_ptr<int> alive = alive_;
    *id = clock_.schedule_after(delay, [this, alive, id, fn = std::move(fn)] {
      if (alive.expired()) return;
      pending_.erase(*id);
      fn();
    });
    pending_.insert(*id);
  }

  std::size_t pending() const { return pending_.size(); }

 private:
  runtime::Clock& clock_;
  std::set<runtime::TimerId> pending_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

/// How every delivery task's attempt starts, as Notify's send_*_to_provider does.
struct AttemptStart {
  /// The notification is not in the store: Notify raises NoResultFound inside the task's try
  /// block, so this is retried like any failure (the row may not be committed yet).
  std::optional<Failure> failure;
  /// The notification is no longer "created": another task got there first, and this one ends
  /// quietly with that status.
  std::optional<std::string> finished;
  runtime::TimePoint created_at;  // when neither: the notification's creation time
};

/// Notify's update_notification_status_by_id writes a status only over created, sending, pending
/// or sent. A task that gives up (technical-failure) after another one, or a receipt, already
/// made the notification final leaves it as it is: a replayed task can be failing while the
/// first one's message is delivered. The current status when it must stay, else nullopt.
inline std::optional<std::string> status_kept(store::Store& store, const std::string& id) {
  auto notification = store.get_notification(id);
  if (!notification) return std::nullopt;
  const std::string& s = notification->status;
  if (s == store::status::kCreated || s == store::status::kSending ||
      s == store::status::kPending || s == store::status::kSent)
    return std::nullopt;
  return s;
}

inline AttemptStart begin_attempt(store::Store& store, const std::string& id) {
  AttemptStart start;
  auto notification = store.get_notification(id);
  if (!notification) {
    Failure f;
    f.kind = FailureKind::invalid_request;
    f.retry = Retry::same;
    f.code = "not_found";
    f.message = "notification " + id + " is not in the store";
    start.failure = std::move(f);
  } else if (notification->status != store::status::kCreated) {
    start.finished = notification->status;
  } else {
    start.created_at = notification->created_at;
  }
  return start;
}

}  // namespace notify::delivery
