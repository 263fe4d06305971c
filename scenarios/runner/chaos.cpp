#include "notify/scenarios/chaos.hpp"

#include "notify/runtime/rng.hpp"
#include "notify/scenarios/channel.hpp"
#include "notify/stubs/registry.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

namespace notify::scenarios {

namespace {

using nlohmann::json;
using stubs::report_member;

constexpr int kMaxRetries = 3;
constexpr int kRetryDelayS = 60;

std::int64_t between(runtime::Rng& rng, std::int64_t lo, std::int64_t hi) {
  return static_cast<std::int64_t>(
      rng.uniform_int(static_cast<std::uint64_t>(lo), static_cast<std::uint64_t>(hi)));
}

template <class T>
const T& pick(runtime::Rng& rng, const std::vector<T>& from) {
  return from[static_cast<std::size_t>(
      between(rng, 0, static_cast<std::int64_t>(from.size()) - 1))];
}

json random_trigger(runtime::Rng& rng) {
  switch (between(rng, 0, 3)) {
    case 0:
      return {{"probability", static_cast<double>(between(rng, 1, 9)) / 10.0}};
    case 1:
      return {{"first", between(rng, 1, 5)}};
    case 2:
      return {{"every", between(rng, 2, 5)}};
    default:
      return json::object();
  }
}

// One fault rule on `spec`'s service: a connection fault, a delay, one of its provider errors,
// or something done to its callbacks.
json random_rule(runtime::Rng& rng, const stubs::StubSpec& spec) {
  json match = {{"service", spec.service}};
  // A service whose requests name a provider and an AZ (a CBC listener per operator per AZ, a
  // Lambda function per operator per AZ) is often faulted on some of them only: one operator,
  // one AZ across operators (an AZ outage), or one operator in one AZ.
  const auto& scopes = spec.fault_scopes.empty() ? spec.listeners : spec.fault_scopes;
  if (!scopes.empty() && rng.uniform01() < 0.6) {
    const auto& l = pick(rng, scopes);
    const auto narrow = between(rng, 0, 2);
    if (narrow != 1) match["provider"] = l.provider;
    if (narrow != 0) match["az"] = l.az;
  }
  json action;
  std::vector<std::string> errors = spec.make()->error_names();
  std::erase_if(errors, [&spec](const std::string& name) {
    return std::find(spec.chaos_excluded_errors.begin(), spec.chaos_excluded_errors.end(), name) !=
           spec.chaos_excluded_errors.end();
  });
  const std::int64_t kind = between(rng, 0, spec.callback_operation.empty() ? 5 : 7);
  switch (kind) {
    case 0:
      action = {{"type", "refuse"}};
      break;
    case 1:
      action = {{"type", "reset"}};
      break;
    case 2:
      action = {{"type", "hang"}};
      break;
    case 3:
      action = {{"type", "truncate"}};
      break;
    case 4:
      action = {{"type", "delay"}, {"ms", between(rng, 10, 5000)}};
      break;
    case 5:
      if (errors.empty()) {
        action = {{"type", "refuse"}};
      } else {
        action = {{"type", "error"}, {"name", pick(rng, errors)}};
      }
      break;
    default:
      // Callbacks: lost, duplicated (an error named by the stub) or late.
      match["operation"] = spec.callback_operation;
      if (kind == 6 && !errors.empty()) {
        action = {{"type", "error"}, {"name", pick(rng, errors)}};
      } else {
        action = {{"type", "delay"}, {"ms", between(rng, 1000, 20 * 60 * 1000)}};
      }
  }
  return {{"match", match}, {"action", action}, {"trigger", random_trigger(rng)}};
}

}  // namespace

json generate_chaos_scenario(std::uint64_t seed, const ChaosOptions& options) {
  runtime::Rng rng = runtime::Rng(seed).fork("chaos");
  const std::int64_t duration = std::max<std::int64_t>(options.duration_ms, 1000);
  json workload = json::object();
  json core = {{"max_retries", kMaxRetries}, {"retry_delay_s", kRetryDelayS}};
  std::map<std::string, std::vector<std::string>> fault_services;
  for (const auto& channel : channel_registry()) {
    if (!channel.chaos_workload) continue;
    if (!options.channels.empty() && std::find(options.channels.begin(), options.channels.end(),
                                               channel.name) == options.channels.end())
      continue;
    auto count = static_cast<std::size_t>(between(
        rng, 1, static_cast<std::int64_t>(std::max<std::size_t>(options.notifications_max, 1))));
    runtime::Rng channel_rng = rng.fork(channel.name);
    workload[channel.name] = channel.chaos_workload(channel_rng, count, duration / 2).first;
    if (channel.chaos_setting) {
      ChaosSetting setting = channel.chaos_setting(channel_rng);
      for (const auto& [key, value] : setting.core.items()) core[key] = value;
      for (auto& [service, operations] : setting.fault_services)
        fault_services[service] = std::move(operations);
    }
  }

  json faults = json::array();
  const auto& specs = stubs::registry().all();
  const auto fault_count = between(rng, 0, static_cast<std::int64_t>(options.faults_max));
  for (std::int64_t i = 0; i < fault_count && !specs.empty(); ++i) {
    const auto& spec = specs[static_cast<std::size_t>(
        between(rng, 0, static_cast<std::int64_t>(specs.size()) - 1))];
    json rule = random_rule(rng, spec);
    // A window, sometimes several short ones for the same rule (a flapping fault).
    const std::int64_t windows = rng.uniform01() < 0.25 ? between(rng, 2, 4) : 1;
    std::int64_t at = between(rng, 0, duration / 2);
    for (std::int64_t w = 0; w < windows; ++w) {
      json timed = {{"at_ms", at}, {"rule", rule}};
      std::int64_t length = windows > 1 ? between(rng, 1000, 60'000) : between(rng, 1000, duration);
      if (windows > 1 || rng.uniform01() < 0.7) timed["until_ms"] = at + length;
      timed["rule"]["id"] =
          "chaos-" + std::to_string(i + 1) + (windows > 1 ? "-" + std::to_string(w + 1) : "");
      faults.push_back(std::move(timed));
      at += length + between(rng, 1000, 60'000);
    }
  }

  // A service a channel's setting depends on (the SQS queue SES events travel through) gets a
  // rule of its own too, from a stream of its own so the other faults stay as they were.
  for (const auto& [service, operations] : fault_services) {
    const stubs::StubSpec* spec = stubs::registry().find(service);
    if (spec == nullptr) continue;
    runtime::Rng service_rng = rng.fork("faults-on-" + service);
    json rule = random_rule(service_rng, *spec);
    rule["id"] = "chaos-" + service;
    if (!operations.empty() && service_rng.uniform01() < 0.8)
      rule["match"]["operation"] = pick(service_rng, operations);
    const std::int64_t at = between(service_rng, 0, duration / 2);
    json timed = {{"at_ms", at}, {"rule", rule}};
    if (service_rng.uniform01() < 0.7)
      timed["until_ms"] = at + between(service_rng, 1000, duration);
    faults.push_back(std::move(timed));
  }

  // Long enough for the last notification's retries and a late callback after them.
  const std::int64_t horizon_s = duration / 1000 + (kMaxRetries + 2) * kRetryDelayS + 3 * 3600;
  return {{"name", "chaos-" + std::to_string(seed)},
          {"description", "generated by notify-sim chaos --seed " + std::to_string(seed)},
          {"seed", seed},
          {"profile", options.profile},
          {"core", core},
          {"workload", workload},
          {"faults", faults},
          {"horizon_s", horizon_s},
          {"wire", {{"time_scale", 200}, {"timeout_ms", 180'000}}},
          {"expect", {{"all_final", false}, {"no_pii_in_logs", true}}}};
}

namespace {

// What the stubs' journal says, read once: every accepted send (an entry in, ok, with a
// reference) by service, and whether any callback was lost (an outbound entry of a service's
// callback operation that did not succeed: dropped, or its POST failed).
struct JournalFacts {
  struct Accepted {
    std::string operation;
    std::string reference;
    std::string at;
  };
  std::map<std::string, std::vector<Accepted>> accepted;
  bool callback_lost = false;
};

const json kNoArray = json::array();
const json kNoObject = json::object();

JournalFacts read_journal(const json& journal) {
  JournalFacts f;
  for (const auto& e : journal) {
    const std::string direction = e.value("direction", "in");
    const std::string outcome = e.value("outcome", "");
    const std::string service = e.value("service", "");
    if (direction == "out") {
      // A send its sender tries again is not a loss; its last send says whether one was.
      if (outcome == "ok" || outcome.rfind("retry:", 0) == 0) continue;
      const stubs::StubSpec* spec = stubs::registry().find(service);
      if (spec != nullptr && !spec->callback_operation.empty() &&
          e.value("operation", "") == spec->callback_operation)
        f.callback_lost = true;
      continue;
    }
    if (outcome == "ok" && !e.value("reference", "").empty())
      f.accepted[service].push_back(
          {e.value("operation", ""), e.value("reference", ""), e.value("at", "")});
  }
  return f;
}

// Milliseconds since the epoch of a time the run wrote ("2026-01-01T00:00:00.000Z"), or -1.
std::int64_t iso_millis(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &d, &h, &mi, &sec, &ms) != 7)
    return -1;
  using namespace std::chrono;
  const year_month_day day{year{y}, month{unsigned(mo)}, std::chrono::day{unsigned(d)}};
  if (!day.ok()) return -1;
  return duration_cast<milliseconds>(sys_days{day}.time_since_epoch()).count() +
         ((h * 60 + mi) * 60 + sec) * 1000LL + ms;
}

// The invariants for one channel's messages, read through its ChaosRules. `reorder_ms`: how far
// apart two threads' readings of the run's clock may be in the wrong order (0 in sim mode).
void check_channel(const std::string& channel, const ChaosRules& rules, const json& report,
                   const JournalFacts& journal, std::int64_t reorder_ms,
                   std::vector<InvariantViolation>& out) {
  auto violation = [&](const std::string& invariant, const std::string& detail) {
    out.push_back({invariant, channel + ": " + detail});
  };
  const json& messages = report_member(report, "messages", kNoArray);
  const std::int64_t expected = report.value("expected", std::int64_t{0});
  const std::int64_t stored = report.value("stored", std::int64_t{0});
  if (expected != stored) {
    violation("never_lost",
              std::to_string(expected) + " submitted, " + std::to_string(stored) + " in the store");
  }

  // The channel's accepted sends, and which message each names.
  std::vector<const JournalFacts::Accepted*> sends;
  for (const auto& service : rules.services) {
    auto it = journal.accepted.find(service);
    if (it == journal.accepted.end()) continue;
    for (const auto& a : it->second)
      if (rules.operations.empty() || rules.operations.count(a.operation)) sends.push_back(&a);
  }
  std::map<std::string, std::size_t> owner;  // journal key -> index in messages
  for (std::size_t i = 0; i < messages.size(); ++i)
    for (const auto& k : report_member(messages[i], "keys", kNoArray))
      owner[k.get<std::string>()] = i;
  std::set<std::string> accepted_refs;
  std::vector<std::vector<std::string>> sends_of(messages.size());  // the times of each's sends
  for (const auto* a : sends) {
    accepted_refs.insert(a->reference);
    auto it = owner.find(a->reference);
    if (it != owner.end()) {
      sends_of[it->second].push_back(a->at);
    } else if (rules.sends_carry_key) {
      violation("never_lost", "a stub accepted a " + a->operation + " for " + a->reference +
                                  ", which the store does not hold");
    }
  }

  std::int64_t attempts_total = 0;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const json& m = messages[i];
    const std::string id = m.value("id", "");
    const std::string status = m.value("status", "");
    const std::string what = "message " + id;
    const int attempts = m.value("attempts", 0);
    const int attempts_max = m.value("attempts_max", 0);
    attempts_total += attempts;

    if (!rules.unstarted_status.empty() && status == rules.unstarted_status) {
      violation("task_finished", what + " is still " + status);
    } else if (!rules.final_statuses.count(status) &&
               !(journal.callback_lost && rules.open_if_callback_lost.count(status)) &&
               m.value("documented", "").empty()) {
      violation("final_or_documented",
                what + " ended in " + status +
                    (rules.open_if_callback_lost.count(status) ? " and no callback was lost"
                                                               : ", which is not final"));
    }
    if (attempts > attempts_max) {
      violation("attempts_bounded", what + " was attempted " + std::to_string(attempts) +
                                        " times; its retry rules allow " +
                                        std::to_string(attempts_max));
    }
    const std::string reference = m.value("reference", "");
    if (!reference.empty() && !accepted_refs.count(reference)) {
      violation("reference_accepted", what + " holds a reference no stub accepted a send for");
    }
    if (m.value("acknowledged", false) && sends_of[i].empty()) {
      violation("reference_accepted",
                what + " is " + status + " but no stub accepted a send under its keys");
    }
    if (rules.sends_carry_key &&
        static_cast<std::int64_t>(sends_of[i].size()) >
            static_cast<std::int64_t>(attempts) * rules.sends_per_attempt_max) {
      violation("acceptances_match_attempts",
                what + ": " + std::to_string(sends_of[i].size()) +
                    " sends accepted by the stubs, but the core recorded only " +
                    std::to_string(attempts) + " attempts");
    }

    // Statuses follow the allowed transitions, from "" (not yet created).
    std::string from;
    std::string final_at;  // when it first reached a status nothing may follow
    const json& steps = report_member(m, "history", kNoArray);
    for (const auto& h : steps) {
      const std::string to = h.value("status", "");
      auto allowed = rules.transitions.find(from);
      if (allowed == rules.transitions.end() || !allowed->second.count(to)) {
        violation("transitions_allowed",
                  what + " changed from " + (from.empty() ? "nothing" : from) + " to " + to);
      }
      if (final_at.empty() && rules.final_statuses.count(to) && !rules.transitions.count(to))
        final_at = h.value("at", "");
      from = to;
    }
    if (!steps.empty() && from != status) {
      violation("transitions_allowed", what + " is " + status + " but its history ends in " + from);
    }
    // Nothing is sent for a message once it is final: the journal's times and the store's are
    // the same clock's, in the same format. In wire mode the stubs read the clock on their own
    // thread when a request arrives, so a send the core made just before a receipt made the
    // message final can arrive just after it: a lag within `reorder_ms` is not a send after.
    if (!final_at.empty()) {
      for (const auto& at : sends_of[i]) {
        if (at > final_at &&
            (reorder_ms == 0 || iso_millis(at) < 0 || iso_millis(final_at) < 0 ||
             iso_millis(at) - iso_millis(final_at) > reorder_ms)) {
          violation("no_send_after_final",
                    what + " was final at " + final_at + " but a stub accepted a send at " + at);
          break;
        }
      }
    }
  }
  if (static_cast<std::int64_t>(sends.size()) > attempts_total * rules.sends_per_attempt_max) {
    violation("acceptances_match_attempts", std::to_string(sends.size()) +
                                                " sends accepted by the stubs, but the core "
                                                "recorded only " +
                                                std::to_string(attempts_total) + " attempts");
  }
}

}  // namespace

std::vector<InvariantViolation> check_invariants(const json& scenario, const RunResult& result) {
  std::vector<InvariantViolation> out;
  if (!result.error.empty()) out.push_back({"settles", result.error});
  static const json kEmpty = json::object();
  const json& report = result.report.is_object() ? result.report : kEmpty;
  JournalFacts journal = read_journal(report_member(report, "journal", kNoArray));
  // Each stub's own records: an SES event still on an SQS queue (or dead-lettered) never
  // reached the core.
  for (const auto& spec : stubs::registry().all()) {
    if (!spec.chaos_check) continue;
    const bool holds_work = spec.chaos_check(
        scenario, report, [&out](std::string invariant, std::string detail) {
          out.push_back({std::move(invariant), std::move(detail)});
        });
    if (holds_work) journal.callback_lost = true;
  }
  const json& channels = report_member(report, "channels", kNoObject);
  const json& workload = report_member(scenario, "workload", kNoObject);
  // In wire mode, 5 ms of real time between the core's thread and the stubs' thread, in the
  // scenario's time (at time scale 200, one second).
  const std::int64_t reorder_ms =
      result.mode == Mode::wire
          ? 5 * report_member(scenario, "wire", kNoObject).value("time_scale", std::int64_t{1})
          : 0;
  for (const auto& [name, block] : workload.items()) {
    const ChannelSpec* spec = find_channel(name);
    if (spec == nullptr || spec->chaos_rules.transitions.empty()) continue;
    if (!channels.contains(name)) {
      out.push_back({"never_lost", name + ": the run reported none of the channel's messages"});
      continue;
    }
    check_channel(name, spec->chaos_rules, channels[name], journal, reorder_ms, out);
  }
  for (const auto& c : result.checks) {
    if (c.what == "no_pii_in_logs" && !c.passed) out.push_back({"no_pii", c.actual});
  }
  return out;
}

ChaosOutcome run_chaos_seed(std::uint64_t seed, const ChaosOptions& options) {
  ChaosOutcome o;
  o.seed = seed;
  o.scenario = generate_chaos_scenario(seed, options);
  Scenario s = parse_scenario(o.scenario, "chaos-seed-" + std::to_string(seed) + ".json");
  RunOptions ro;
  ro.mode = options.mode;
  ro.journal_bodies = false;  // no invariant reads them
  ro.seed = seed;
  o.result = run_scenario(s, ro);
  o.violations = check_invariants(o.scenario, o.result);
  return o;
}

json shrink_chaos_scenario(const json& failing, const ChaosOptions& options) {
  auto fails = [&](const json& candidate) {
    Scenario s = parse_scenario(candidate, "shrink.json");
    RunOptions ro;
    ro.mode = options.mode;
    ro.journal_bodies = false;  // no invariant reads them
    ro.seed = candidate.value("seed", std::uint64_t{1});
    return !check_invariants(candidate, run_scenario(s, ro)).empty();
  };
  json best = failing;
  // Faults first, one at a time from the last, keeping each removal that still fails.
  for (std::size_t i = best["faults"].size(); i-- > 0;) {
    json candidate = best;
    candidate["faults"].erase(i);
    if (fails(candidate)) best = std::move(candidate);
  }
  // Then fewer notifications, halving each channel's count while it still fails.
  std::vector<std::string> channels;
  for (const auto& [channel, block] : best["workload"].items()) channels.push_back(channel);
  for (const auto& channel : channels) {
    while (best["workload"][channel].value("count", 0) > 1) {
      json candidate = best;
      candidate["workload"][channel]["count"] = best["workload"][channel].value("count", 0) / 2;
      if (!fails(candidate)) break;
      best = std::move(candidate);
    }
    // A workload of listed events (broadcast) loses them one at a time from the last; removing
    // an alert that later events still name makes no valid scenario and is skipped.
    if (!best["workload"][channel].contains("events")) continue;
    for (std::size_t i = best["workload"][channel]["events"].size(); i-- > 1;) {
      json candidate = best;
      candidate["workload"][channel]["events"].erase(i);
      try {
        if (fails(candidate)) best = std::move(candidate);
      } catch (const ScenarioError&) {
      }
    }
  }
  best["name"] = best.value("name", "chaos") + "-minimal";
  return best;
}

}  // namespace notify::scenarios
