#include "notify/scenarios/chaos.hpp"

#include "notify/runtime/rng.hpp"
#include "notify/scenarios/channel.hpp"
#include "notify/stubs/registry.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace notify::scenarios {

namespace {

using nlohmann::json;

constexpr int kMaxRetries = 3;
constexpr int kRetryDelayS = 60;

const std::set<std::string> kFinal = {"delivered", "permanent-failure", "temporary-failure",
                                      "technical-failure", "sent"};

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
  json action;
  std::vector<std::string> errors = spec.make()->error_names();
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

std::int64_t workload_size(const json& scenario) {
  std::int64_t n = 0;
  const json workload = scenario.value("workload", json::object());
  for (const auto& [channel, block] : workload.items()) n += block.value("count", 0);
  return n;
}

}  // namespace

json generate_chaos_scenario(std::uint64_t seed, const ChaosOptions& options) {
  runtime::Rng rng = runtime::Rng(seed).fork("chaos");
  const std::int64_t duration = std::max<std::int64_t>(options.duration_ms, 1000);
  json workload = json::object();
  for (const auto& channel : channel_registry()) {
    if (!channel.chaos_workload) continue;
    if (!options.channels.empty() && std::find(options.channels.begin(), options.channels.end(),
                                               channel.name) == options.channels.end())
      continue;
    auto count = static_cast<std::size_t>(between(
        rng, 1, static_cast<std::int64_t>(std::max<std::size_t>(options.notifications_max, 1))));
    runtime::Rng channel_rng = rng.fork(channel.name);
    workload[channel.name] = channel.chaos_workload(channel_rng, count, duration / 2).first;
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

  // Long enough for the last notification's retries and a late callback after them.
  const std::int64_t horizon_s = duration / 1000 + (kMaxRetries + 2) * kRetryDelayS + 3 * 3600;
  return {{"name", "chaos-" + std::to_string(seed)},
          {"description", "generated by notify-sim chaos --seed " + std::to_string(seed)},
          {"seed", seed},
          {"core", {{"max_retries", kMaxRetries}, {"retry_delay_s", kRetryDelayS}}},
          {"workload", workload},
          {"faults", faults},
          {"horizon_s", horizon_s},
          {"wire", {{"time_scale", 200}, {"timeout_ms", 180'000}}},
          {"expect", {{"all_final", false}, {"no_pii_in_logs", true}}}};
}

std::vector<InvariantViolation> check_invariants(const json& scenario, const RunResult& result) {
  std::vector<InvariantViolation> out;
  if (!result.error.empty()) out.push_back({"settles", result.error});
  static const json kEmpty = json::object();
  const json& report = result.report.is_object() ? result.report : kEmpty;
  const json notes = report.value("notifications", json::array());
  const json journal = report.value("journal", json::array());
  const int max_retries = scenario.value("core", json::object()).value("max_retries", 48);

  const std::int64_t expected = workload_size(scenario);
  if (static_cast<std::int64_t>(notes.size()) != expected) {
    out.push_back({"never_lost", std::to_string(expected) + " notifications submitted, " +
                                     std::to_string(notes.size()) + " in the store"});
  }

  // A callback that never arrived (dropped, or its POST failed) is the one documented way for a
  // notification to stay in sending or pending.
  bool callback_lost = false;
  std::set<std::string> accepted;  // references the stubs handed out with an accepted send
  std::int64_t acceptances = 0;
  for (const auto& e : journal) {
    const std::string direction = e.value("direction", "in");
    const std::string outcome = e.value("outcome", "");
    if (direction == "out" && outcome != "ok") callback_lost = true;
    if (direction == "in" && outcome == "ok" && !e.value("reference", "").empty()) {
      ++acceptances;
      accepted.insert(e.value("reference", ""));
    }
  }

  std::int64_t attempts = 0;
  for (const auto& n : notes) {
    const std::string id = n.value("id", "");
    const std::string status = n.value("status", "");
    const int a = n.value("attempts", 0);
    attempts += a;
    if (status == "created") {
      out.push_back({"task_finished", "notification " + id + " is still created"});
    } else if (!kFinal.count(status) &&
               !(callback_lost && (status == "sending" || status == "pending"))) {
      out.push_back({"final_or_documented",
                     "notification " + id + " ended in " + status + " and no callback was lost"});
    }
    if (a > max_retries + 1) {
      out.push_back({"attempts_bounded", "notification " + id + " was attempted " +
                                             std::to_string(a) + " times; at most " +
                                             std::to_string(max_retries + 1) + " allowed"});
    }
    const std::string reference = n.value("reference", "");
    if (!reference.empty() && !accepted.count(reference)) {
      out.push_back({"reference_accepted", "notification " + id +
                                               " holds a reference no stub "
                                               "accepted a send for"});
    }
  }
  if (acceptances > attempts) {
    out.push_back({"acceptances_match_attempts", std::to_string(acceptances) +
                                                     " sends accepted by the stubs, but the core "
                                                     "recorded only " +
                                                     std::to_string(attempts) + " attempts"});
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
  }
  best["name"] = best.value("name", "chaos") + "-minimal";
  return best;
}

}  // namespace notify::scenarios
