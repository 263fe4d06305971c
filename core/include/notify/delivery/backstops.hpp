// The two periodic tasks that keep a notification from staying open for ever, as Notify's
// Celery beat runs them (notifications-api app/config.py): replay-created-notifications puts
// email and SMS still "created" an hour after creation back on the delivery queue, at minutes
// 0, 15, 30 and 45 of every hour; timeout-sending-notifications turns email and SMS still
// "sending" or "pending" three days after creation into "temporary-failure", every night at
// 00:05 UTC. Both run on the Clock; a tick is only armed when some notification can be due at
// it, so a simulated run still ends when nothing else is left to do.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace notify::delivery {

/// Which notifications replay-created-notifications picks, and how it logs them.
enum class ReplayRule {
  /// notifications-api since 1a442c36b (Dec 2025): created_at in [now - age_limit, now - grace),
  /// one warning per notification re-sent.
  age_limited,
  /// 2388d3aa and before: created_at <= now - grace, however old; one info line per type.
  unbounded,
};

/// The timezone Celery beat reads its crontabs in: UTC since notifications-api 2bb09279b (Mar
/// 2023), Europe/London before, when the nightly time-out ran at 23:05 UTC in summer.
enum class BeatTimezone { utc, europe_london };

struct BackstopOptions {
  bool enabled = true;
  /// SENDING_NOTIFICATIONS_TIMEOUT_PERIOD: 259200 s.
  runtime::Duration sending_timeout = std::chrono::seconds(259200);
  /// timeout-sending-notifications runs daily at this time of day in the beat's timezone
  /// (crontab hour=0 minute=5).
  runtime::Duration timeout_time_of_day = std::chrono::minutes(5);
  BeatTimezone timezone = BeatTimezone::utc;
  /// dao_timeout_notifications' limit: the task updates this many at a time until none is left.
  std::size_t timeout_batch = 100'000;
  /// statsd timeout-sending.<provider> per notification timed out (c8cf057eb until 8a2f1d481).
  bool timeout_metric = false;
  /// A notification still "created" this long after creation is re-sent.
  runtime::Duration replay_grace = std::chrono::hours(1);
  /// replay-created-notifications runs at every multiple of this since midnight UTC (crontab
  /// minute "0, 15, 30, 45"). Must divide a day.
  runtime::Duration replay_every = std::chrono::minutes(15);
  ReplayRule replay_rule = ReplayRule::age_limited;
  /// notifications_not_yet_sent's age_limit (age_limited only): older ones are left alone.
  runtime::Duration replay_age_limit = std::chrono::hours(24 * 7);
};

class Backstops {
 public:
  /// Puts a notification back on its type's delivery queue: invokes the delivery task again.
  using Replay = std::function<void(const store::Notification&)>;

  /// Throws std::invalid_argument for options that cannot run (a non-positive period, a replay
  /// interval that does not divide a day, a time of day outside one day).
  Backstops(store::Store& store, runtime::Clock& clock, telemetry::Logger& logger,
            telemetry::Metrics& metrics, BackstopOptions options = {});
  /// Cancels the pending tick.
  ~Backstops();
  Backstops(const Backstops&) = delete;
  Backstops& operator=(const Backstops&) = delete;

  /// How notifications of `type` ("email", "sms") are put back on the queue. Without one, a
  /// notification of that type is never replayed.
  void set_replay(const std::string& type, Replay replay);
  /// The schedule's days start at `t`'s time of day instead of midnight UTC (call before the
  /// first watch()). A wire run's clock runs faster than real time from whenever it starts;
  /// starting its day there keeps its ticks where a simulated run, starting at midnight, has them.
  void start_day_at(runtime::TimePoint t);
  /// No tick is armed after `t` (a simulated run's horizon). Unset: no bound.
  void set_until(runtime::TimePoint t) { until_ = t; }
  /// Tells the backstops a notification was created at `created_at`: arms the tick at which it
  /// would first be replayed, if none earlier is armed.
  void watch(runtime::TimePoint created_at);

  /// timeout-sending-notifications, now. Returns how many notifications it timed out.
  std::size_t timeout_notifications();
  /// replay-created-notifications, now. Returns how many notifications it re-sent.
  std::size_t replay_created_notifications();

  /// The first replay tick at which a notification created at `created_at` is due, and the
  /// first timeout tick; both are what the schedule and the age rule give.
  runtime::TimePoint replay_due(runtime::TimePoint created_at) const;
  runtime::TimePoint timeout_due(runtime::TimePoint created_at) const;
  /// How many times a notification has been put back on the queue.
  std::size_t replays_of(const std::string& id) const {
    auto it = replay_counts_.find(id);
    return it == replay_counts_.end() ? 0 : it->second;
  }
  /// When the next tick is armed, if one is.
  std::optional<runtime::TimePoint> next_tick() const;

 private:
  void tick(runtime::TimePoint at);
  void arm(runtime::TimePoint at);
  void arm_next();
  bool is_replay_tick(runtime::TimePoint t) const;
  bool is_timeout_tick(runtime::TimePoint t) const;
  runtime::TimePoint timeout_tick_after(runtime::TimePoint t) const;
  runtime::TimePoint beat_timeout_tick_after(runtime::TimePoint t) const;  // in the beat's days

  store::Store& store_;
  runtime::Clock& clock_;
  telemetry::Logger& logger_;
  telemetry::Metrics& metrics_;
  BackstopOptions options_;
  std::map<std::string, Replay> replays_;
  std::map<std::string, std::size_t> replay_counts_;  // only notifications replayed at least once
  std::optional<runtime::TimePoint> until_;
  runtime::Duration shift_{};  // where the schedule's day starts, from midnight UTC
  std::optional<runtime::TimerId> timer_;
  runtime::TimePoint timer_at_{};
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace notify::delivery
