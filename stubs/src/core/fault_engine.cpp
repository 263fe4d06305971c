// The fault engine: decides, request by request, which rules fire. Draws from the Rng happen
// only for a rule whose other conditions already hold, so the sequence of draws (and with it
// every later decision) depends only on the seed and the sequence of requests.
#include "notify/runtime/assert.hpp"
#include "notify/stubs/faults.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace notify::stubs {

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Glob with '*' (any run) and '?' (one character), case-insensitive because e-mail domains are.
// Iterative with one backtrack point, so it is linear-ish and cannot blow the stack.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == lower(text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string action_label(const FaultAction& action) {
  std::string label = to_string(action.type);
  return action.type == FaultAction::Type::error ? label + ":" + action.error : label;
}

// Lower rank wins; a delay does not compete, it adds up.
int connection_rank(transport::ConnectionAction a) {
  switch (a) {
    case transport::ConnectionAction::refuse:
      return 0;
    case transport::ConnectionAction::reset:
      return 1;
    case transport::ConnectionAction::hang:
      return 2;
    case transport::ConnectionAction::truncate:
      return 3;
    case transport::ConnectionAction::respond:
      return 4;
  }
  return 4;
}

double to_ms(runtime::Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string ms_text(runtime::Duration d) {
  return std::to_string(static_cast<std::int64_t>(std::floor(to_ms(d))));
}

bool in_window(const FaultTrigger& t, runtime::Duration since_origin) {
  if (t.from && since_origin < *t.from) return false;
  if (t.until && since_origin >= *t.until) return false;
  return true;
}

}  // namespace

bool FaultSelector::matches(const RequestInfo& info) const {
  if (service != "any" && service != info.service) return false;
  if (!provider.empty() && provider != info.provider) return false;
  if (!az.empty() && az != info.az) return false;
  if (!operation.empty() && operation != info.operation) return false;
  if (!recipient.empty() && !glob_match(recipient, info.recipient)) return false;
  return true;
}

FaultEngine::FaultEngine(runtime::Clock& clock, runtime::Rng rng)
    : clock_(clock), rng_(rng), initial_rng_(std::move(rng)), origin_(clock.now()) {}

// Fixes a relative window to the engine's clock and refuses what could never fire: an unknown
// error name, or a window that closed before the rule arrived.
std::optional<RuleError> FaultEngine::admit_locked(FaultRule& rule) const {
  if (rule.action.type == FaultAction::Type::error && !vocabulary_.errors.empty() &&
      vocabulary_.errors.count(rule.action.error) == 0) {
    return RuleError{"action.name", "unknown error \"" + rule.action.error + "\""};
  }
  FaultTrigger& t = rule.trigger;
  const runtime::Duration now = clock_.now() - origin_;
  if (t.after_added || t.lasting) {
    t.from = now + t.after_added.value_or(runtime::Duration{0});
    if (t.lasting) t.until = *t.from + *t.lasting;
    t.after_added.reset();
    t.lasting.reset();
  }
  if (t.until && *t.until <= now) {
    return RuleError{"trigger.until_ms",
                     "the window ended at " + ms_text(*t.until) + " ms but the clock is already at " +
                         ms_text(now) +
                         " ms since start (GET /health: since_start_ms); expected a later "
                         "until_ms, or for_ms/after_ms for a window that starts when the rule is "
                         "added"};
  }
  return std::nullopt;
}

boost::system::result<std::string, RuleError> FaultEngine::add(FaultRule rule) {
  std::function<void()> callback;
  std::string id;
  {
    std::lock_guard lock(mutex_);
    if (auto e = admit_locked(rule)) return *e;
    if (rule.id.empty()) {
      // Skip numbers a caller already used explicitly, so generated ids never collide.
      auto taken = [&](const std::string& candidate) {
        return std::any_of(rules_.begin(), rules_.end(),
                           [&](const auto& r) { return r.first.id == candidate; });
      };
      do {
        rule.id = "rule-" + std::to_string(next_rule_number_++);
      } while (taken(rule.id));
    } else {
      for (const auto& r : rules_) {
        if (r.first.id == rule.id) {
          return RuleError{"id", "a rule with id \"" + rule.id +
                                     "\" already exists; expected a new id (PUT replaces)"};
        }
      }
    }
    id = rule.id;
    rules_.emplace_back(std::move(rule), 0);
    recount_locked();
    callback = on_change_;
  }
  if (callback) callback();
  return {boost::system::in_place_value, std::move(id)};
}

boost::system::result<void, RuleError> FaultEngine::replace(FaultRule rule) {
  std::function<void()> callback;
  {
    std::lock_guard lock(mutex_);
    if (auto e = admit_locked(rule)) return *e;
    auto it = std::find_if(rules_.begin(), rules_.end(),
                           [&](const auto& r) { return r.first.id == rule.id; });
    if (it == rules_.end()) {
      return RuleError{"id", "no rule with id \"" + rule.id + "\""};
    }
    *it = {std::move(rule), 0};
    recount_locked();
    callback = on_change_;
  }
  if (callback) callback();
  return {};
}

bool FaultEngine::remove(const std::string& id) {
  std::function<void()> callback;
  {
    std::lock_guard lock(mutex_);
    auto it =
        std::find_if(rules_.begin(), rules_.end(), [&](const auto& r) { return r.first.id == id; });
    if (it == rules_.end()) return false;
    rules_.erase(it);
    recount_locked();
    callback = on_change_;
  }
  if (callback) callback();
  return true;
}

void FaultEngine::clear() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mutex_);
    rules_.clear();
    recount_locked();
    callback = on_change_;
  }
  if (callback) callback();
}

std::vector<FaultRule> FaultEngine::rules() const {
  std::lock_guard lock(mutex_);
  std::vector<FaultRule> out;
  out.reserve(rules_.size());
  for (const auto& r : rules_) out.push_back(r.first);
  return out;
}

Verdict FaultEngine::evaluate(const RequestInfo& info, std::uint64_t request_seq) {
  std::lock_guard lock(mutex_);
  Verdict verdict;
  const runtime::TimePoint now = clock_.now();
  const runtime::Duration since_origin = now - origin_;
  for (auto& [rule, matched] : rules_) {
    if (!rule.enabled || !rule.match.matches(info)) continue;
    const std::uint64_t n = ++matched;
    const FaultTrigger& t = rule.trigger;
    if (t.first && n > *t.first) continue;
    if (t.every && n % *t.every != 0) continue;
    if (t.after && n <= *t.after) continue;
    if (!in_window(t, since_origin)) continue;
    if (t.probability && !(rng_.uniform01() < *t.probability)) continue;

    transport::ConnectionAction connection = transport::ConnectionAction::respond;
    switch (rule.action.type) {
      case FaultAction::Type::refuse:
        connection = transport::ConnectionAction::refuse;
        break;
      case FaultAction::Type::reset:
        connection = transport::ConnectionAction::reset;
        break;
      case FaultAction::Type::hang:
        connection = transport::ConnectionAction::hang;
        break;
      case FaultAction::Type::truncate:
        connection = transport::ConnectionAction::truncate;
        break;
      case FaultAction::Type::delay:
        verdict.delay += sample_delay(rule.action);
        break;
      case FaultAction::Type::error:
        // The first error rule in rule order wins; later ones still count as fired.
        if (verdict.error.empty()) verdict.error = rule.action.error;
        break;
    }
    if (connection_rank(connection) < connection_rank(verdict.connection)) {
      verdict.connection = connection;
    }
    verdict.rule_ids.push_back(rule.id);
    record_firing_locked(Firing{rule.id, request_seq, now, action_label(rule.action)});
  }
  // A connection that is refused, reset, hung or truncated carries no provider error.
  if (verdict.connection != transport::ConnectionAction::respond) verdict.error.clear();
  return verdict;
}

void FaultEngine::record_firing_locked(Firing firing) {
  ++fired_count_;
  if (firings_.size() < kFiringsKeptMax) {
    firings_.push_back(std::move(firing));
    return;
  }
  firings_[firings_start_] = std::move(firing);
  firings_start_ = (firings_start_ + 1) % firings_.size();
}

runtime::Duration FaultEngine::sample_delay(const FaultAction& action) {
  double ms = 0;
  switch (action.distribution) {
    case DelayDistribution::fixed:
      ms = action.ms;
      break;
    case DelayDistribution::uniform:
      ms = action.min_ms + (action.max_ms - action.min_ms) * rng_.uniform01();
      break;
    case DelayDistribution::lognormal:
      ms = action.median_ms * std::exp(action.sigma * rng_.normal());
      break;
  }
  // A lognormal tail is unbounded; a day is far beyond any client time-out and keeps the
  // conversion to nanoseconds finite.
  constexpr double kDelayMsMax = 24.0 * 3600 * 1000;
  ms = std::clamp(ms, 0.0, kDelayMsMax);
  return std::chrono::duration_cast<runtime::Duration>(
      std::chrono::duration<double, std::milli>(ms));
}

bool FaultEngine::refuses_locked(const std::string& service, const std::string& provider,
                                 const std::string& az, bool whole_service) const {
  return refusing_rule_locked(service, provider, az, whole_service) != nullptr;
}

const FaultRule* FaultEngine::refusing_rule_locked(const std::string& service,
                                                   const std::string& provider,
                                                   const std::string& az,
                                                   bool whole_service) const {
  const runtime::Duration since_origin = clock_.now() - origin_;
  for (const auto& [rule, matched] : rules_) {
    if (!rule.enabled || rule.action.type != FaultAction::Type::refuse) continue;
    const FaultSelector& m = rule.match;
    // Only rules that refuse every request of the listener can be enacted by closing it.
    if (!m.operation.empty() || !m.recipient.empty()) continue;
    const FaultTrigger& t = rule.trigger;
    if (t.first || t.every || t.after || t.probability) continue;
    if (m.service != "any" && m.service != service) continue;
    if (whole_service) {
      if (!m.provider.empty() || !m.az.empty()) continue;
    } else {
      if (!m.provider.empty() && m.provider != provider) continue;
      if (!m.az.empty() && m.az != az) continue;
    }
    if (!in_window(t, since_origin)) continue;
    return &rule;
  }
  return nullptr;
}

std::optional<std::string> FaultEngine::record_listener_refusal(const RequestInfo& target,
                                                                std::uint64_t request_seq) {
  std::lock_guard lock(mutex_);
  const FaultRule* rule = refusing_rule_locked(target.service, target.provider, target.az, false);
  if (rule == nullptr) return std::nullopt;
  record_firing_locked(Firing{rule->id, request_seq, clock_.now(), action_label(rule->action)});
  return rule->id;
}

bool FaultEngine::refuses_service(const std::string& service) const {
  std::lock_guard lock(mutex_);
  return refuses_locked(service, "", "", true);
}

bool FaultEngine::refuses_listener(const std::string& service, const std::string& provider,
                                   const std::string& az) const {
  std::lock_guard lock(mutex_);
  return refuses_locked(service, provider, az, false);
}

std::vector<Firing> FaultEngine::firings() const { return recent_firings(kFiringsKeptMax); }

std::vector<Firing> FaultEngine::recent_firings(std::size_t n) const {
  std::lock_guard lock(mutex_);
  const std::size_t size = firings_.size();
  const std::size_t take = std::min(n, size);
  std::vector<Firing> out;
  out.reserve(take);
  for (std::size_t i = size - take; i < size; ++i) {
    out.push_back(firings_[(firings_start_ + i) % size]);
  }
  return out;
}

std::uint64_t FaultEngine::fired_count() const {
  std::lock_guard lock(mutex_);
  return fired_count_;
}

void FaultEngine::reset() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mutex_);
    origin_ = clock_.now();
    rng_ = initial_rng_;
    rules_.clear();
    firings_.clear();
    firings_start_ = 0;
    fired_count_ = 0;
    next_rule_number_ = 1;
    recount_locked();
    callback = on_change_;
  }
  if (callback) callback();
}

void FaultEngine::on_change(std::function<void()> callback) {
  std::lock_guard lock(mutex_);
  on_change_ = std::move(callback);
}

void FaultEngine::recount_locked() {
  std::size_t n = 0;
  for (const auto& [rule, matched] : rules_) {
    if (rule.enabled && rule.action.type == FaultAction::Type::refuse) ++n;
  }
  refuse_rules_.store(n, std::memory_order_release);
}

void FaultEngine::set_known_services(std::set<std::string> names) {
  std::lock_guard lock(mutex_);
  vocabulary_.services = std::move(names);
}

void FaultEngine::set_vocabulary(FaultVocabulary vocabulary) {
  std::lock_guard lock(mutex_);
  vocabulary_ = std::move(vocabulary);
}

FaultVocabulary FaultEngine::vocabulary() const {
  std::lock_guard lock(mutex_);
  return vocabulary_;
}

void FaultEngine::set_known_errors(std::set<std::string> names) {
  std::lock_guard lock(mutex_);
  vocabulary_.errors = std::move(names);
}

runtime::Duration FaultEngine::since_origin() const {
  std::lock_guard lock(mutex_);
  return clock_.now() - origin_;
}

}  // namespace notify::stubs
