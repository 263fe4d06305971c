// Fault rules as data: a selector says which requests a rule applies to, an action
// says what happens to them, a trigger says when. Rules come from JSON (a file, a scenario's
// timeline, or the control API) and every firing is recorded.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/transport/server.hpp"

#include <boost/system/result.hpp>
#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace notify::stubs {

/// What a stub knows about a request before answering it; selectors match on these.
struct RequestInfo {
  std::string service;    // ses, firetext, mmg, lambda, cbc, canary
  std::string provider;   // e.g. "ee" for a CBC lambda; empty where meaningless
  std::string az;         // availability zone, e.g. "eu-west-2a"; empty where meaningless
  std::string operation;  // SendEmail, SendRawEmail, Invoke, ...
  std::string recipient;  // first recipient, if any
};

struct FaultSelector {
  std::string service = "any";
  std::string provider;   // empty: any
  std::string az;         // empty: any
  std::string operation;  // empty: any
  std::string recipient;  // glob with '*' and '?'; empty: any
  bool matches(const RequestInfo& info) const;
};

enum class DelayDistribution { fixed, uniform, lognormal };

struct FaultAction {
  enum class Type { refuse, reset, hang, delay, truncate, error };
  Type type = Type::error;
  // delay
  DelayDistribution distribution = DelayDistribution::fixed;
  double ms = 0;         // fixed
  double min_ms = 0;     // uniform
  double max_ms = 0;     // uniform
  double median_ms = 0;  // lognormal
  double sigma = 0.5;    // lognormal
  // error: a provider-level error registered by a stub, e.g. "ses.throttling"
  std::string error;
};

/// All the conditions present must hold for a matching request to fire the rule.
struct FaultTrigger {
  std::optional<double> probability;       // drawn from the run's seed
  std::optional<std::uint64_t> first;      // the first N matching requests
  std::optional<std::uint64_t> every;      // every Nth matching request (N, 2N, ...)
  std::optional<std::uint64_t> after;      // matching requests after the first N
  std::optional<runtime::Duration> from;   // window on the run's clock, since engine start
  std::optional<runtime::Duration> until;  // (exclusive)
  // A window relative to the moment the rule is added (after_ms, for_ms): the engine turns it
  // into from/until when it adds the rule, so a rule posted late still has its whole window.
  std::optional<runtime::Duration> after_added;
  std::optional<runtime::Duration> lasting;
};

struct FaultRule {
  std::string id;
  std::string description;
  FaultSelector match;
  FaultAction action;
  FaultTrigger trigger;
  bool enabled = true;
};

/// One rule firing on one request.
struct Firing {
  std::string rule_id;
  std::uint64_t request_seq = 0;
  runtime::TimePoint at;
  std::string action;  // "refuse", "delay", "error:ses.throttling", ...
};

/// The combined decision for one request. A delay may come with any other action.
struct Verdict {
  transport::ConnectionAction connection = transport::ConnectionAction::respond;
  runtime::Duration delay{0};
  std::string error;  // provider-level error name, or empty
  std::vector<std::string> rule_ids;
};

/// A parse error that names the field and what was expected.
struct RuleError {
  std::string field;    // e.g. "faults[2].trigger.probability"
  std::string message;  // e.g. "expected a number between 0 and 1, got \"high\""
  std::string to_string() const { return field + ": " + message; }
};

/// What one service's requests can carry, as its describe() reports them. A selector naming
/// anything else could never match, so it is refused rather than left to never fire.
struct SelectorNames {
  std::set<std::string> operations;  // SendEmail, Receipt, ... (callbacks' operations included)
  std::set<std::string> providers;   // empty: its requests carry no provider
  std::set<std::string> azs;         // empty: its requests carry no availability zone
};

/// What rules may name: the services the stubs serve ("any" is always allowed) and the
/// provider errors they render. An empty set accepts any name. Where a service's own names are
/// known, a rule naming that service may name only its operations, providers, AZs and errors.
struct FaultVocabulary {
  FaultVocabulary() = default;
  // Implicit: most callers know only the error names.
  FaultVocabulary(std::set<std::string> error_names)  // NOLINT(google-explicit-constructor)
      : errors(std::move(error_names)) {}
  FaultVocabulary(std::set<std::string> service_names, std::set<std::string> error_names)
      : services(std::move(service_names)), errors(std::move(error_names)) {}
  std::set<std::string> services;
  std::set<std::string> errors;
  std::map<std::string, std::set<std::string>> errors_by_service;
  /// Services that declared what their requests carry; others are not checked.
  std::map<std::string, SelectorNames> selectors;
};

/// Parses one rule. `path` prefixes field names in errors. Services and error names are checked
/// against `known` where its sets are non-empty.
boost::system::result<FaultRule, RuleError> parse_fault_rule(const nlohmann::json& j,
                                                             const std::string& path = "rule",
                                                             const FaultVocabulary& known = {});
/// Parses {"faults": [...]} or a bare array of rules.
boost::system::result<std::vector<FaultRule>, RuleError> parse_fault_rules(
    const nlohmann::json& j, const std::string& path = "faults", const FaultVocabulary& known = {});
nlohmann::json to_json(const FaultRule& rule);
nlohmann::json to_json(const Firing& firing);
/// The action's name as rules spell it: "refuse", "reset", "hang", "delay", "truncate", "error".
const char* to_string(FaultAction::Type type) noexcept;

/// Evaluates rules against requests. Thread-safe.
class FaultEngine {
 public:
  FaultEngine(runtime::Clock& clock, runtime::Rng rng);

  /// Adds a rule. An id already present is an error; an empty id gets "rule-N". A relative
  /// window (after_ms, for_ms) starts now; a window that has already closed is an error, since
  /// the rule could never fire.
  boost::system::result<std::string, RuleError> add(FaultRule rule);
  /// Replaces the rule with this id (error if none); its trigger counters restart.
  boost::system::result<void, RuleError> replace(FaultRule rule);
  bool remove(const std::string& id);
  void clear();
  std::vector<FaultRule> rules() const;

  /// Decides for one request; records a Firing for each rule that fires. Connection actions
  /// take precedence in the order refuse, reset, hang, truncate, then error; delays add up.
  Verdict evaluate(const RequestInfo& info, std::uint64_t request_seq);

  /// True when an enabled refuse rule with no request-level selector (operation, recipient)
  /// and no count trigger matches `service` right now: the listener should be closed.
  bool refuses_service(const std::string& service) const;
  /// As refuses_service(), for a listener that serves one provider and/or availability zone
  /// (empty: any). A rule naming a provider or AZ refuses only the listener that serves it.
  bool refuses_listener(const std::string& service, const std::string& provider,
                        const std::string& az) const;

  /// A connection one stub made to another stub's listener (a proxy Lambda's call to its CBC)
  /// was refused. When a refuse rule keeps that listener (`target`'s service, provider and AZ)
  /// closed, records the refusal as that rule's firing on `request_seq` and returns the rule's
  /// id: the kernel refused the connection, so no request reached evaluate(), yet the rule did
  /// fire. nullopt when no rule closes that listener now.
  std::optional<std::string> record_listener_refusal(const RequestInfo& target,
                                                     std::uint64_t request_seq);

  /// Enabled refuse rules, read without the lock: while it is 0 no listener needs closing.
  std::size_t refuse_rule_count() const { return refuse_rules_.load(std::memory_order_acquire); }

  /// The firings kept (at most kFiringsKeptMax, oldest first).
  std::vector<Firing> firings() const;
  /// The last `n` firings kept, oldest first.
  std::vector<Firing> recent_firings(std::size_t n) const;
  /// Every firing since start or reset, including those no longer kept.
  std::uint64_t fired_count() const;

  /// Firings kept in memory; older ones drop (fired_count() does not).
  static constexpr std::size_t kFiringsKeptMax = 100'000;

  /// Restarts the clock window origin, trigger counters and firings, rewinds the random
  /// stream to its start, and drops all rules.
  void reset();
  /// Called (outside the lock) after any change to the rule set.
  void on_change(std::function<void()> callback);

  void set_known_errors(std::set<std::string> names);
  const std::set<std::string>& known_errors() const { return vocabulary_.errors; }
  void set_known_services(std::set<std::string> names);
  /// Everything rules added here may name (services, errors, each service's own names).
  void set_vocabulary(FaultVocabulary vocabulary);
  FaultVocabulary vocabulary() const;
  /// The time on the run's clock since start or the last reset, which trigger windows measure.
  runtime::Duration since_origin() const;

 private:
  struct State;
  std::optional<RuleError> admit_locked(FaultRule& rule) const;
  runtime::Duration sample_delay(const FaultAction& action);
  bool refuses_locked(const std::string& service, const std::string& provider,
                      const std::string& az, bool whole_service) const;
  const FaultRule* refusing_rule_locked(const std::string& service, const std::string& provider,
                                        const std::string& az, bool whole_service) const;
  void record_firing_locked(Firing firing);
  void recount_locked();

  mutable std::mutex mutex_;
  runtime::Clock& clock_;
  runtime::Rng rng_;
  runtime::Rng initial_rng_;  // reset() rewinds to it, so a reset run replays like a fresh one
  runtime::TimePoint origin_;
  std::vector<std::pair<FaultRule, std::uint64_t>> rules_;  // rule, matching-request count
  std::vector<Firing> firings_;  // a ring once full; firings_start_ is the oldest
  std::size_t firings_start_ = 0;
  std::uint64_t fired_count_ = 0;
  std::uint64_t next_rule_number_ = 1;
  std::function<void()> on_change_;
  FaultVocabulary vocabulary_;
  std::atomic<std::size_t> refuse_rules_{0};
};

}  // namespace notify::stubs
