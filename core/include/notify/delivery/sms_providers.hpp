// Which SMS provider gets the next message, as Notify decides it (send_to_providers.provider_to_use
// and provider_details_dao): a weighted random choice by priority, priorities that move 10 points
// away from a provider when it fails too often or its deliveries are slow, and that drift back
// to their resting points when nothing has changed for a while. The owner of the SMS delivery
// task owns one of these; the priorities live here, in memory, with their history.
#pragma once

#include "notify/delivery/sms_provider_table.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace notify::delivery {

class RetryTimers;

/// How provider_to_use picks a provider.
enum class SmsProviderChoice {
  /// A fresh draw over the current priorities for every send.
  live,
  /// Notify 2020-12 to 2025-11 (a TTLCache on provider_to_use): the drawn provider itself is
  /// kept for `choice_cache`, so every send in that window goes to it ("lurching").
  cached_choice,
  /// Notify since 2025-11 (SerialisedProviders under memory_cache): a draw for every send, over
  /// priorities read at most `choice_cache` ago.
  cached_list,
};

/// Defaults are today's Notify (notifications-api 8ea236603): resting points mmg 51 / firetext
/// 49; a send failure lowers a priority only past 50 errors in 60 s; the slow-delivery rule "15 %
/// of the last 15 minutes' messages took 5 minutes or more"; a 1-minute quiet period after a send
/// failure, 5 minutes after a slow-delivery switch, 15 minutes before drifting back.
struct SmsProviderOptions {
  /// The providers and where their priorities rest (the provider table's resting points:
  /// mmg 51, firetext 49). Exactly two: each failure moves points from one to the other.
  std::map<std::string, int> resting_points = sms_resting_points();
  /// Starting priorities; providers not named start at their resting points.
  std::map<std::string, int> initial;
  int step = 10;
  static constexpr int kPriorityMax = 100;

  /// A send failure moves priorities unless any changed within this long.
  runtime::Duration failure_quiet = std::chrono::minutes(1);
  /// A send failure counts only when its provider had more than this many failures within
  /// `error_window`, this one included (Notify's Redis rate limit `{provider}-error-rate`).
  /// nullopt: every failure counts, as before Notify 2024-11.
  std::optional<int> error_threshold = 50;
  runtime::Duration error_window = std::chrono::seconds(60);
  /// Whether the rate limit's store (Redis) is on. Off, the limit is never exceeded and failures
  /// never move priorities (Notify's development default). Ignored without an error_threshold.
  bool redis = true;

  SmsProviderChoice choice = SmsProviderChoice::cached_list;
  runtime::Duration choice_cache = std::chrono::seconds(10);
  /// Each provider's history row and log line carries Notify's reason ("Reduced due to reduced
  /// reliability", ...), as since 2026-06; off, neither does.
  bool priority_reasons = true;

  runtime::Duration slow_check_interval = std::chrono::minutes(1);
  /// Messages created within this window, and sent, are looked at.
  runtime::Duration slow_window = std::chrono::minutes(15);
  /// A message is slow when it took this long to be delivered, or is still sending or pending
  /// this long after it was sent.
  runtime::Duration slow_delivery_time = std::chrono::minutes(5);
  /// A provider is slow when at least this share of its messages are.
  double slow_share = 0.15;
  /// A slow provider loses priority unless any changed within this long.
  runtime::Duration slow_quiet = std::chrono::minutes(5);

  runtime::Duration rebalance_interval = std::chrono::minutes(5);
  /// Priorities drift back only after this long without any change (an hour before 2024-12).
  runtime::Duration rebalance_quiet = std::chrono::minutes(15);

  /// Changes kept in history(); the oldest go first.
  std::size_t history_max = 10'000;
};

struct PriorityChange {
  runtime::TimePoint at;
  std::string reason;  // "send failure on firetext", "slow delivery on mmg", "rebalance"
  std::map<std::string, int> priorities;  // after the change
  /// Each provider row's reason as Notify writes it; empty when priority_reasons is off.
  std::map<std::string, std::string> reasons;
};

class SmsProviderPriorities {
 public:
  /// `rng` is this selection's own stream (fork one from the run's seed). Throws
  /// std::invalid_argument for options that do not name exactly two providers or hold a
  /// priority outside 0-100.
  SmsProviderPriorities(runtime::Clock& clock, runtime::Rng rng, store::Store& store,
                        telemetry::Logger& logger, telemetry::Metrics& metrics,
                        SmsProviderOptions options = {});
  ~SmsProviderPriorities();
  SmsProviderPriorities(const SmsProviderPriorities&) = delete;
  SmsProviderPriorities& operator=(const SmsProviderPriorities&) = delete;

  /// Schedules the slow-delivery check (every minute) and the rebalance (every 5 minutes) on the
  /// clock, and under the otel metrics format generate_delivery_stats() every minute, for as long
  /// as this object lives or until stop(). A virtual clock with these running never runs dry:
  /// drive it with run_until or run_for.
  void start();
  void stop();

  /// A provider drawn at random with probability priority / sum of priorities, cached as
  /// `options.choice` says (separately for international messages, as Notify's cache key is);
  /// a provider at 0 is never drawn. nullopt when every provider is at 0.
  std::optional<std::string> choose(bool international = false);

  /// Notify's dao_reduce_sms_provider_priority: `provider` loses `step` points and the other
  /// gains them (within 0-100), unless any priority changed within `quiet`. True if it acted.
  bool reduce(const std::string& provider, runtime::Duration quiet, const std::string& reason);
  /// A failed send: counted against the error threshold, and reduce() with the 1-minute quiet
  /// period once the threshold is exceeded (at once without a threshold). True if it acted.
  bool on_send_failure(const std::string& provider);
  /// One run of the slow-delivery check. Returns the providers that were found slow and lost
  /// priority.
  std::vector<std::string> check_slow_delivery();
  /// One run of the rebalance: after an hour without change, each provider moves `step` points
  /// towards its resting point. Because that is itself a change, it acts at most once an hour.
  bool adjust_towards_resting_points();
  /// Today's Notify's generate-sms-delivery-stats task (scheduled_tasks.py at notifications-api
  /// 8ea236603, every minute), under the otel metrics format only: for each provider the gauge
  /// provider.sms.legacy.not_delivered_within (the share of the SMS created in the last 15
  /// minutes, and sent, that were not delivered within 1, 5 and 10 minutes, the same rule as the
  /// slow-delivery check), then provider.priority, provider.updated_at (once a priority has
  /// changed) and provider.info.
  void generate_delivery_stats();

  int priority(const std::string& provider) const;
  std::map<std::string, int> priorities() const;
  std::vector<std::string> providers() const;
  const std::deque<PriorityChange>& history() const { return history_; }

 private:
  struct Provider {
    int priority = 0;
    std::optional<runtime::TimePoint> updated_at;
    /// The newest failures within the error window, at most error_threshold + 1 of them.
    std::deque<runtime::TimePoint> errors;
  };
  struct SlowCount {
    std::size_t total = 0;
    std::size_t slow = 0;
  };
  /// Per provider: the messages of `sent` that the slow-delivery rule looks at, and how many of
  /// them took `delivery_time` or more (or are still waiting that long after they were sent).
  std::map<std::string, SlowCount> count_slow(const std::vector<store::Notification>& sent,
                                              runtime::TimePoint now,
                                              runtime::Duration delivery_time) const;
  struct CachedChoice {
    runtime::TimePoint until{};
    std::optional<std::string> provider;
    std::map<std::string, int> priorities;
  };
  std::optional<std::string> draw(const std::map<std::string, int>& priorities);
  bool error_rate_exceeded(Provider& provider);
  bool changed_within(runtime::Duration quiet) const;
  void set_priority(const std::string& name, int priority, const std::string& reason);
  void publish_priority(const std::string& name, int priority);
  void record(const std::string& reason, std::map<std::string, std::string> reasons);
  void schedule_slow_check();
  void schedule_rebalance();
  void schedule_delivery_stats();

  runtime::Clock& clock_;
  runtime::Rng rng_;
  store::Store& store_;
  telemetry::Logger& logger_;
  telemetry::Metrics& metrics_;
  SmsProviderOptions options_;
  std::map<std::string, Provider> providers_;
  std::deque<PriorityChange> history_;
  std::map<bool, CachedChoice> cache_;  // by international
  std::unique_ptr<RetryTimers> timers_;
};

}  // namespace notify::delivery
