// replay-created-notifications (app/celery/scheduled_tasks.py) and timeout-sending-notifications
// (app/celery/nightly_tasks.py, app/dao/notifications_dao.py dao_timeout_notifications) on the
// Clock. Notify's beat runs them whether or not anything is due; here a tick is armed only for
// the first moment some stored notification can be due, which gives the same outcomes and lets
// a simulated run end.
#include "notify/delivery/backstops.hpp"

#include "notify/runtime/assert.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace notify::delivery {

namespace {

constexpr std::string_view kLogger = "delivery.backstops";
constexpr runtime::Duration kDay = std::chrono::hours(24);

bool is_backstopped_type(const std::string& type) { return type == "email" || type == "sms"; }

bool is_sending(const std::string& status) {
  return status == store::status::kSending || status == store::status::kPending;
}

// The first point of the grid {origin + k * step} strictly after `t` (or at `t` when
// `inclusive`). Every time here is after the epoch, so integer division floors.
runtime::TimePoint grid_after(runtime::TimePoint t, runtime::Duration origin,
                              runtime::Duration step, bool inclusive) {
  const auto since = t.time_since_epoch() - origin;
  auto k = since / step;
  auto at = runtime::TimePoint(origin + k * step);
  if (at < t || (at == t && !inclusive)) at += step;
  return at;
}

// Europe/London is on summer time (UTC+1) from 01:00 UTC on the last Sunday of March to 01:00
// UTC on the last Sunday of October.
bool london_summer_time(runtime::TimePoint t) {
  using namespace std::chrono;
  const auto day = floor<days>(sys_time<runtime::Duration>(t.time_since_epoch()));
  const year y = year_month_day{day}.year();
  auto last_sunday = [y](month m) {
    return runtime::TimePoint(
        sys_days{year_month_weekday_last{y, m, weekday_last{Sunday}}}.time_since_epoch());
  };
  return t >= last_sunday(March) + 1h && t < last_sunday(October) + 1h;
}

}  // namespace

Backstops::Backstops(store::Store& store, runtime::Clock& clock, telemetry::Logger& logger,
                     telemetry::Metrics& metrics, BackstopOptions options)
    : store_(store), clock_(clock), logger_(logger), metrics_(metrics), options_(options) {
  const auto& o = options_;
  if (o.sending_timeout <= runtime::Duration::zero())
    throw std::invalid_argument("sending_timeout_s: must be at least 1 s");
  if (o.replay_grace <= runtime::Duration::zero())
    throw std::invalid_argument("replay_after_s: must be at least 1 s");
  if (o.replay_every <= runtime::Duration::zero() || kDay % o.replay_every != runtime::Duration{})
    throw std::invalid_argument("replay_every_min: must divide a day (e.g. 15, as Notify's beat)");
  if (o.timeout_time_of_day < runtime::Duration::zero() || o.timeout_time_of_day >= kDay)
    throw std::invalid_argument("timeout_at: must be a time of day from 00:00 to 23:59");
  if (o.timeout_batch == 0) throw std::invalid_argument("timeout_batch: must be at least 1");
  if (o.replay_rule == ReplayRule::age_limited && o.replay_age_limit <= o.replay_grace)
    throw std::invalid_argument("replay_age_limit_s: must be longer than replay_after_s");
}

Backstops::~Backstops() {
  if (timer_) clock_.cancel(*timer_);
}

void Backstops::start_day_at(runtime::TimePoint t) {
  NOTIFY_ASSERT(!timer_);
  shift_ = t.time_since_epoch() % kDay;
}

void Backstops::set_replay(const std::string& type, Replay replay) {
  replays_[type] = std::move(replay);
}

runtime::TimePoint Backstops::replay_due(runtime::TimePoint created_at) const {
  // age_limited: created_at < now - grace; unbounded: created_at <= now - grace.
  return grid_after(created_at + options_.replay_grace - shift_, runtime::Duration::zero(),
                    options_.replay_every, options_.replay_rule == ReplayRule::unbounded) +
         shift_;
}

runtime::TimePoint Backstops::timeout_due(runtime::TimePoint created_at) const {
  // dao_timeout_notifications: created_at < now - SENDING_NOTIFICATIONS_TIMEOUT_PERIOD.
  return timeout_tick_after(created_at + options_.sending_timeout);
}

// The first timeout tick strictly after `t`: the time of day in the beat's timezone.
runtime::TimePoint Backstops::timeout_tick_after(runtime::TimePoint t) const {
  return beat_timeout_tick_after(t - shift_) + shift_;
}

runtime::TimePoint Backstops::beat_timeout_tick_after(runtime::TimePoint t) const {
  const auto tod = options_.timeout_time_of_day;
  if (options_.timezone == BeatTimezone::utc) return grid_after(t, tod, kDay, false);
  // The local day's tick read as UTC, an hour earlier in summer; the local date of `t` is its
  // UTC date or the next, so three days always hold the answer.
  auto day = runtime::TimePoint(grid_after(t, {}, kDay, true).time_since_epoch() - 2 * kDay);
  for (int i = 0; i < 4; ++i, day += kDay) {
    auto tick = day + tod;
    if (london_summer_time(tick - std::chrono::hours(1))) tick -= std::chrono::hours(1);
    if (tick > t) return tick;
  }
  NOTIFY_ASSERT(false);
  return t;
}

std::optional<runtime::TimePoint> Backstops::next_tick() const {
  if (!timer_) return std::nullopt;
  return timer_at_;
}

bool Backstops::is_replay_tick(runtime::TimePoint t) const {
  return (t.time_since_epoch() - shift_) % options_.replay_every == runtime::Duration::zero();
}

bool Backstops::is_timeout_tick(runtime::TimePoint t) const {
  return timeout_tick_after(t - runtime::Duration(1)) == t;
}

void Backstops::watch(runtime::TimePoint created_at) {
  if (!options_.enabled) return;
  const auto due = replay_due(created_at);
  if (timer_ && timer_at_ <= due) return;
  arm(due);
}

void Backstops::arm(runtime::TimePoint at) {
  if (until_ && at > *until_) return;
  if (timer_) clock_.cancel(*timer_);
  timer_at_ = at;
  std::weak_ptr<int> alive = alive_;
  timer_ = clock_.schedule_after(at - clock_.now(), [this, alive, at] {
    if (alive.expired()) return;
    timer_.reset();
    tick(at);
  });
}

// Which tasks run is decided by the tick the timer was armed for: a system clock fires a little
// late, and Celery beat too runs a task for its slot, whenever the worker gets to it.
void Backstops::tick(runtime::TimePoint at) {
  if (is_timeout_tick(at)) timeout_notifications();
  if (is_replay_tick(at)) replay_created_notifications();
  arm_next();
}

// The earliest tick at which some open notification is due, from what the store holds now.
void Backstops::arm_next() {
  const auto now = clock_.now();
  const auto next_replay =
      grid_after(now - shift_, runtime::Duration::zero(), options_.replay_every, false) + shift_;
  const auto next_timeout = timeout_tick_after(now);
  std::optional<runtime::TimePoint> next;
  for (const auto& n : store_.list_notifications()) {
    if (!is_backstopped_type(n.type)) continue;
    std::optional<runtime::TimePoint> due;
    if (n.status == store::status::kCreated && replays_.count(n.type) != 0) {
      due = std::max(replay_due(n.created_at), next_replay);
      if (options_.replay_rule == ReplayRule::age_limited &&
          n.created_at < *due - options_.replay_age_limit)
        due.reset();
    } else if (is_sending(n.status)) {
      due = std::max(timeout_due(n.created_at), next_timeout);
    }
    if (due && (!next || *due < *next)) next = due;
  }
  if (next) arm(*next);
}

std::size_t Backstops::timeout_notifications() {
  const auto now = clock_.now();
  const auto cutoff = now - options_.sending_timeout;
  std::size_t total = 0;
  // As the nightly task: batches of at most timeout_batch until one comes back empty, a log line
  // for each batch (the last one says 0).
  for (;;) {
    std::vector<store::Notification> batch;
    std::size_t updated_count = 0;
    for (auto& n : store_.list_notifications()) {
      if (batch.size() == options_.timeout_batch) break;
      if (is_backstopped_type(n.type) && is_sending(n.status) && n.created_at < cutoff)
        batch.push_back(std::move(n));
    }
    for (const auto& n : batch) {
      auto updated = store_.update_status(n.id, store::status::kTemporaryFailure, now);
      if (!updated) {
        logger_.error(kLogger, "Notification " + n.id +
                                   " could not be timed out: " + updated.error().message());
        continue;
      }
      ++updated_count;
      if (options_.timeout_metric)
        metrics_.incr("timeout-sending." + (n.provider.empty() ? "None" : n.provider));
    }
    logger_.info(kLogger, "Timeout period reached for " + std::to_string(batch.size()) +
                              " notifications, status has been updated.");
    total += batch.size();
    // A store that refuses every update would give the same batch again for ever.
    if (batch.empty() || updated_count == 0) break;
  }
  return total;
}

std::size_t Backstops::replay_created_notifications() {
  const auto now = clock_.now();
  const auto cutoff = now - options_.replay_grace;
  const auto oldest = now - options_.replay_age_limit;
  const bool limited = options_.replay_rule == ReplayRule::age_limited;
  std::size_t total = 0;
  for (const char* type : {"email", "sms"}) {
    std::vector<store::Notification> due;
    for (auto& n : store_.list_notifications()) {
      if (n.type != type || n.status != store::status::kCreated) continue;
      const bool old_enough = limited ? n.created_at < cutoff : n.created_at <= cutoff;
      if (old_enough && (!limited || n.created_at >= oldest)) due.push_back(std::move(n));
    }
    auto replay = replays_.find(type);
    if (due.empty() || replay == replays_.end()) continue;
    if (!limited)
      logger_.info(kLogger, "Sending " + std::to_string(due.size()) + " " + type +
                                " notifications to the delivery queue because the notification "
                                "status was created.");
    for (const auto& n : due) {
      if (limited)
        logger_.warning(kLogger, "Re-sending notification " + n.id +
                                     " to the delivery queue because the notification status is "
                                     "'created' and it is over an hour old");
      ++replay_counts_[n.id];
      replay->second(n);
    }
    total += due.size();
  }
  return total;
}

}  // namespace notify::delivery
