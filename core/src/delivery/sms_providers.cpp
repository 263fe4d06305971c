// Notify's SMS provider weighting: provider_to_use's random.choices by priority and its caches,
// send_sms_to_provider's error-rate limit, provider_details_dao's reduce /
// adjust-back-to-resting-points, the scheduled slow-delivery check
// (scheduled_tasks.switch_current_sms_provider_on_slow_delivery) and the provider gauges of
// scheduled_tasks.generate_sms_delivery_stats.
#include "notify/delivery/sms_providers.hpp"

#include "notify/delivery/retry.hpp"
#include "notify/runtime/assert.hpp"

#include <algorithm>
#include <stdexcept>

namespace notify::delivery {

namespace {

constexpr std::string_view kLogger = "delivery.sms_providers";

// provider_details_dao's reasons for the history rows it writes.
constexpr const char* kReduced = "Reduced due to reduced reliability";
constexpr const char* kIncreased = "Increased due to reduced reliability in other provider";
constexpr const char* kRested = "Adjusted back to resting point";

// generate-sms-delivery-stats: every minute (the beat's crontab()), over the SMS created in the
// last 15 minutes, the share not delivered within each of 1, 5 and 10 minutes.
constexpr runtime::Duration kDeliveryStatsInterval = std::chrono::minutes(1);
constexpr runtime::Duration kDeliveryStatsEvaluation = std::chrono::minutes(15);
constexpr std::chrono::minutes kDeliveryStatsWindows[] = {
    std::chrono::minutes(1), std::chrono::minutes(5), std::chrono::minutes(10)};

std::int64_t whole_seconds(runtime::Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

std::string describe(const std::map<std::string, int>& priorities) {
  std::string out;
  for (const auto& [name, priority] : priorities) {
    out += (out.empty() ? "" : ", ") + name + " " + std::to_string(priority);
  }
  return out;
}

}  // namespace

SmsProviderPriorities::SmsProviderPriorities(runtime::Clock& clock, runtime::Rng rng,
                                             store::Store& store, telemetry::Logger& logger,
                                             telemetry::Metrics& metrics,
                                             SmsProviderOptions options)
    : clock_(clock),
      rng_(std::move(rng)),
      store_(store),
      logger_(logger),
      metrics_(metrics),
      options_(std::move(options)) {
  auto in_range = [](int p) { return p >= 0 && p <= SmsProviderOptions::kPriorityMax; };
  if (options_.resting_points.size() != 2) {
    throw std::invalid_argument("SMS provider options name " +
                                std::to_string(options_.resting_points.size()) +
                                " providers; exactly two are needed (firetext and mmg), because "
                                "each change moves priority from one to the other");
  }
  for (const auto& [name, rest] : options_.resting_points) {
    if (!in_range(rest)) {
      throw std::invalid_argument("SMS provider " + name + " has resting point " +
                                  std::to_string(rest) + "; priorities are between 0 and 100");
    }
    providers_[name].priority = rest;
  }
  for (const auto& [name, initial] : options_.initial) {
    if (!providers_.contains(name)) {
      throw std::invalid_argument("SMS provider options give a starting priority to '" + name +
                                  "', which has no resting point; the providers are " +
                                  describe(options_.resting_points));
    }
    if (!in_range(initial)) {
      throw std::invalid_argument("SMS provider " + name + " starts at priority " +
                                  std::to_string(initial) + "; priorities are between 0 and 100");
    }
    providers_[name].priority = initial;
  }
  if (options_.step <= 0 || options_.slow_share <= 0 || options_.slow_share > 1) {
    throw std::invalid_argument(
        "SMS provider options need a positive step and a slow share in (0, 1]");
  }
  if ((options_.error_threshold && *options_.error_threshold < 0) ||
      options_.error_window <= runtime::Duration::zero() ||
      options_.choice_cache < runtime::Duration::zero()) {
    throw std::invalid_argument(
        "SMS provider options need an error threshold of 0 or more, a positive error window "
        "and a choice cache time of 0 or more");
  }
  for (const auto& [name, p] : providers_) publish_priority(name, p.priority);
}

SmsProviderPriorities::~SmsProviderPriorities() = default;

void SmsProviderPriorities::start() {
  if (timers_) return;
  timers_ = std::make_unique<RetryTimers>(clock_);
  schedule_slow_check();
  schedule_rebalance();
  // Notify's StatsD-era profiles record none of these gauges (the 2025 code's slow-delivery
  // StatsD gauges are not modelled), so the task is not scheduled for them.
  if (metrics_.otel()) schedule_delivery_stats();
}

void SmsProviderPriorities::stop() { timers_.reset(); }

void SmsProviderPriorities::schedule_slow_check() {
  timers_->after(options_.slow_check_interval, [this] {
    check_slow_delivery();
    schedule_slow_check();
  });
}

void SmsProviderPriorities::schedule_rebalance() {
  timers_->after(options_.rebalance_interval, [this] {
    adjust_towards_resting_points();
    schedule_rebalance();
  });
}

void SmsProviderPriorities::schedule_delivery_stats() {
  timers_->after(kDeliveryStatsInterval, [this] {
    generate_delivery_stats();
    schedule_delivery_stats();
  });
}

std::optional<std::string> SmsProviderPriorities::draw(const std::map<std::string, int>& weights) {
  int total = 0;
  for (const auto& [name, priority] : weights) total += priority;
  if (total == 0) return std::nullopt;
  // random.choices: bisect_right over the cumulative weights at random() * total.
  double x = rng_.uniform01() * total;
  int cumulative = 0;
  for (const auto& [name, priority] : weights) {
    cumulative += priority;
    if (x < cumulative) return name;
  }
  NOTIFY_ASSERT(false);
  return std::nullopt;
}

std::optional<std::string> SmsProviderPriorities::choose(bool international) {
  if (options_.choice == SmsProviderChoice::live) return draw(priorities());
  // A TTLCache entry lives `choice_cache` from when it was filled; a failed lookup (no provider
  // to choose) raises in Notify and is not cached.
  const auto now = clock_.now();
  CachedChoice& cached = cache_[international];
  const bool fresh = now < cached.until;
  if (options_.choice == SmsProviderChoice::cached_choice) {
    if (fresh && cached.provider) return cached.provider;
    cached.provider = draw(priorities());
    if (cached.provider) cached.until = now + options_.choice_cache;
    return cached.provider;
  }
  if (!fresh) {
    cached.priorities = priorities();
    cached.until = now + options_.choice_cache;
  }
  return draw(cached.priorities);
}

bool SmsProviderPriorities::changed_within(runtime::Duration quiet) const {
  auto since = clock_.now() - quiet;
  return std::any_of(providers_.begin(), providers_.end(), [&](const auto& entry) {
    return entry.second.updated_at && *entry.second.updated_at > since;
  });
}

void SmsProviderPriorities::set_priority(const std::string& name, int priority,
                                         const std::string& reason) {
  auto& p = providers_.at(name);
  logger_.info(kLogger, "Adjusting provider priority - " + name + " going from " +
                            std::to_string(p.priority) + " to " + std::to_string(priority) +
                            (options_.priority_reasons ? " for " + reason : ""));
  p.priority = priority;
  p.updated_at = clock_.now();
  publish_priority(name, priority);
  if (metrics_.otel()) {
    metrics_.record("provider.updated_at",
                    std::chrono::duration<double>(p.updated_at->time_since_epoch()).count(),
                    telemetry::make_attributes({{"provider.name", name}}));
  }
}

// StatsD's sms.provider-priority.<name>, or today's provider.priority gauge.
void SmsProviderPriorities::publish_priority(const std::string& name, int priority) {
  if (metrics_.otel()) {
    metrics_.record("provider.priority", priority,
                    telemetry::make_attributes({{"provider.name", name}}));
  } else {
    metrics_.gauge("sms.provider-priority." + name, priority);
  }
}

void SmsProviderPriorities::record(const std::string& reason,
                                   std::map<std::string, std::string> reasons) {
  if (!options_.priority_reasons) reasons.clear();
  history_.push_back(PriorityChange{clock_.now(), reason, priorities(), std::move(reasons)});
  while (history_.size() > options_.history_max) history_.pop_front();
}

bool SmsProviderPriorities::reduce(const std::string& provider, runtime::Duration quiet,
                                   const std::string& reason) {
  NOTIFY_ASSERT(providers_.contains(provider));
  if (changed_within(quiet)) return false;
  std::string other;
  for (const auto& [name, p] : providers_) {
    if (name != provider) other = name;
  }
  // Both rows are written, whether or not clamping left a priority where it was: both count
  // as changed for the quiet periods.
  set_priority(provider, std::max(0, providers_.at(provider).priority - options_.step), kReduced);
  set_priority(
      other,
      std::min(SmsProviderOptions::kPriorityMax, providers_.at(other).priority + options_.step),
      kIncreased);
  record(reason, {{provider, kReduced}, {other, kIncreased}});
  return true;
}

bool SmsProviderPriorities::error_rate_exceeded(Provider& p) {
  // notifications-utils' exceeded_rate_limit: add this error to a sorted set, drop those at or
  // before now - window, and compare the count with the limit. Only whether the count passes
  // the limit matters, so at most limit + 1 of the newest errors are kept.
  if (!options_.redis) return false;
  const auto now = clock_.now();
  const auto limit = static_cast<std::size_t>(*options_.error_threshold);
  p.errors.push_back(now);
  while (p.errors.size() > limit + 1) p.errors.pop_front();
  while (!p.errors.empty() && p.errors.front() <= now - options_.error_window) p.errors.pop_front();
  return p.errors.size() > limit;
}

bool SmsProviderPriorities::on_send_failure(const std::string& provider) {
  NOTIFY_ASSERT(providers_.contains(provider));
  if (!options_.error_threshold) {
    return reduce(provider, options_.failure_quiet, "send failure on " + provider);
  }
  if (!error_rate_exceeded(providers_.at(provider))) return false;
  bool acted = reduce(provider, options_.failure_quiet, "send failure on " + provider);
  // Notify logs this after dao_reduce_sms_provider_priority, whether or not the quiet period let
  // it act.
  logger_.warning(kLogger, "Error threshold exceeded for provider " + provider);
  return acted;
}

std::map<std::string, SmsProviderPriorities::SlowCount> SmsProviderPriorities::count_slow(
    const std::vector<store::Notification>& sent, runtime::TimePoint now,
    runtime::Duration delivery_time) const {
  // notifications_dao.get_slow_text_message_delivery_reports_by_provider: delivered messages by
  // updated_at - sent_at, those still sending or pending by now - sent_at; other statuses are
  // not looked at.
  std::map<std::string, SlowCount> counts;
  for (const auto& [name, p] : providers_) counts[name];
  for (const auto& n : sent) {
    auto it = counts.find(n.provider);
    if (it == counts.end() || !n.sent_at) continue;
    bool slow = false;
    if (n.status == store::status::kDelivered) {
      slow = n.updated_at - *n.sent_at >= delivery_time;
    } else if (n.status == store::status::kSending || n.status == store::status::kPending) {
      slow = now - *n.sent_at >= delivery_time;
    } else {
      continue;
    }
    ++it->second.total;
    if (slow) ++it->second.slow;
  }
  return counts;
}

std::vector<std::string> SmsProviderPriorities::check_slow_delivery() {
  const auto now = clock_.now();
  const auto counts = count_slow(store_.list_sent_since("sms", now - options_.slow_window), now,
                                 options_.slow_delivery_time);
  std::map<std::string, bool> is_slow;
  for (const auto& [name, c] : counts) {
    // A provider without messages is not slow (Notify's outer join counts it as one fast row).
    is_slow[name] = c.total > 0 && static_cast<double>(c.slow) / static_cast<double>(c.total) >=
                                       options_.slow_share;
  }
  std::vector<std::string> reduced;
  // Only when some are slow and some are not: if every provider is slow, moving traffic helps
  // nobody.
  bool any_slow = false;
  bool any_fast = false;
  for (const auto& [name, slow] : is_slow) (slow ? any_slow : any_fast) = true;
  if (!(any_slow && any_fast)) return reduced;
  for (const auto& [name, slow] : is_slow) {
    if (!slow) continue;
    const auto& c = counts.at(name);
    logger_.warning(kLogger, "Slow delivery notifications detected for provider " + name + " (" +
                                 std::to_string(c.slow) + " of " + std::to_string(c.total) +
                                 " messages)");
    if (reduce(name, options_.slow_quiet, "slow delivery on " + name)) reduced.push_back(name);
  }
  return reduced;
}

void SmsProviderPriorities::generate_delivery_stats() {
  if (!metrics_.otel()) return;
  const auto now = clock_.now();
  const auto sent = store_.list_sent_since("sms", now - kDeliveryStatsEvaluation);
  for (const auto window : kDeliveryStatsWindows) {
    for (const auto& [name, c] : count_slow(sent, now, window)) {
      // A provider without messages is Notify's outer join's one row that is not slow: 0.
      const double ratio =
          c.total == 0 ? 0.0 : static_cast<double>(c.slow) / static_cast<double>(c.total);
      metrics_.record("provider.sms.legacy.not_delivered_within", ratio,
                      telemetry::make_attributes(
                          {{"provider.name", name},
                           {"time_window.delivery", whole_seconds(window)},
                           {"time_window.evaluation", whole_seconds(kDeliveryStatsEvaluation)}}));
    }
  }
  for (const auto& [name, p] : providers_) {
    publish_priority(name, p.priority);
    // Notify reads updated_at from the provider_details row; here a priority that never changed
    // has none, and the gauge waits for the first change.
    if (p.updated_at) {
      metrics_.record("provider.updated_at",
                      std::chrono::duration<double>(p.updated_at->time_since_epoch()).count(),
                      telemetry::make_attributes({{"provider.name", name}}));
    }
    // Every provider here is active and may take international messages: the core sends an
    // international SMS to whichever provider is drawn (Firetext with its international key).
    metrics_.record("provider.info", 1,
                    telemetry::make_attributes({{"notification.type", std::string("sms")},
                                                {"provider.active", true},
                                                {"provider.name", name},
                                                {"provider.supports_international", true}}));
  }
}

bool SmsProviderPriorities::adjust_towards_resting_points() {
  if (changed_within(options_.rebalance_quiet)) return false;
  std::map<std::string, std::string> reasons;
  for (const auto& [name, target] : options_.resting_points) {
    int current = providers_.at(name).priority;
    if (current == target) continue;
    int next = current > target ? std::max(target, current - options_.step)
                                : std::min(target, current + options_.step);
    set_priority(name, next, kRested);
    reasons[name] = kRested;
  }
  const bool changed = !reasons.empty();
  if (changed) record("rebalance", std::move(reasons));
  return changed;
}

int SmsProviderPriorities::priority(const std::string& provider) const {
  return providers_.at(provider).priority;
}

std::map<std::string, int> SmsProviderPriorities::priorities() const {
  std::map<std::string, int> out;
  for (const auto& [name, p] : providers_) out[name] = p.priority;
  return out;
}

std::vector<std::string> SmsProviderPriorities::providers() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : providers_) out.push_back(name);
  return out;
}

}  // namespace notify::delivery
