// Fault rules from and to JSON. Parsing is strict: an unknown key is an error rather than a
// silently ignored typo, because a fault that never fires makes a scenario pass for the wrong
// reason.
#include "notify/stubs/faults.hpp"

#include "json_text.hpp"
#include "notify/runtime/clock.hpp"
#include "vocabulary_check.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

namespace notify::stubs {

namespace {

using detail::got;
using detail::join_field;
using detail::one_of;
using nlohmann::json;

const std::set<std::string> kActionTypes = {"refuse",   "reset", "hang",
                                            "truncate", "delay", "error"};
const std::set<std::string> kDistributions = {"fixed", "uniform", "lognormal"};

// Rule ids appear in control API paths (/faults/<id>), so they are kept URL-safe.
bool valid_id(const std::string& id) {
  if (id.empty()) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

RuleError error_at(std::string field, std::string message) {
  return RuleError{std::move(field), std::move(message)};
}

// Each reader returns nullopt-like success by filling `out`, or a RuleError.
using Check = std::optional<RuleError>;

Check check_keys(const json& obj, const std::string& path, const std::set<std::string>& allowed,
                 const std::string& context) {
  for (const auto& [key, value] : obj.items()) {
    if (allowed.count(key) == 0) {
      return error_at(join_field(path, key),
                      "unknown field" + context + "; expected one of " + one_of(allowed));
    }
  }
  return std::nullopt;
}

Check read_string(const json& obj, const std::string& path, const char* key, std::string& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  if (!it->is_string()) return error_at(join_field(path, key), "expected a string, " + got(*it));
  out = it->get<std::string>();
  return std::nullopt;
}

// A delay a rule may ask for: a day is far beyond any client's time-out, and the lognormal tail
// is capped there too (FaultEngine::sample_delay).
constexpr double kDelayMsMax = 24.0 * 3600 * 1000;

Check read_number(const json& obj, const std::string& path, const char* key, double& out,
                  bool required, double max = std::numeric_limits<double>::infinity()) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) return error_at(join_field(path, key), "missing; expected a number");
    return std::nullopt;
  }
  if (!it->is_number()) {
    return error_at(join_field(path, key), "expected a number, " + got(*it));
  }
  double v = it->get<double>();
  if (!std::isfinite(v) || v < 0 || v > max) {
    const std::string range = std::isfinite(max) ? "expected a number from 0 to " +
                                                       std::to_string(static_cast<long long>(max)) +
                                                       " (24 hours), "
                                                 : "expected a number >= 0, ";
    return error_at(join_field(path, key), range + got(*it));
  }
  out = v;
  return std::nullopt;
}

Check read_count(const json& obj, const std::string& path, const char* key,
                 std::optional<std::uint64_t>& out, std::uint64_t min) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  std::string expected = "expected an integer >= " + std::to_string(min);
  if (it->is_number_unsigned()) {
    auto v = it->get<std::uint64_t>();
    if (v < min) return error_at(join_field(path, key), expected + ", " + got(*it));
    out = v;
    return std::nullopt;
  }
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0) {
    auto v = static_cast<std::uint64_t>(it->get<std::int64_t>());
    if (v < min) return error_at(join_field(path, key), expected + ", " + got(*it));
    out = v;
    return std::nullopt;
  }
  return error_at(join_field(path, key), expected + ", " + got(*it));
}

Check read_object(const json& parent, const std::string& path, const char* key, const json*& out) {
  auto it = parent.find(key);
  if (it == parent.end()) return std::nullopt;
  if (!it->is_object()) return error_at(join_field(path, key), "expected an object, " + got(*it));
  out = &*it;
  return std::nullopt;
}

Check parse_match(const json& m, const std::string& path, const FaultVocabulary& known,
                  FaultSelector& out) {
  const std::set<std::string>& services = known.services;
  if (auto e = check_keys(m, path, {"service", "provider", "az", "operation", "recipient"}, ""))
    return e;
  if (auto e = read_string(m, path, "service", out.service)) return e;
  if (out.service != "any" && !services.empty() && services.count(out.service) == 0) {
    std::set<std::string> allowed = services;
    allowed.insert("any");
    return error_at(join_field(path, "service"), "unknown service \"" + out.service + "\"; " +
                                                     detail::expected_names(out.service, allowed));
  }
  if (auto e = read_string(m, path, "provider", out.provider)) return e;
  if (auto e = read_string(m, path, "az", out.az)) return e;
  if (auto e = read_string(m, path, "operation", out.operation)) return e;
  if (auto e = read_string(m, path, "recipient", out.recipient)) return e;
  return detail::check_selector_names(out, path, known);
}

Check parse_delay(const json& a, const std::string& path, FaultAction& out) {
  std::string distribution = "fixed";
  if (auto e = read_string(a, path, "distribution", distribution)) return e;
  if (kDistributions.count(distribution) == 0) {
    return error_at(join_field(path, "distribution"), "unknown distribution \"" + distribution +
                                                          "\"; expected " + one_of(kDistributions));
  }
  std::string context = " for a " + distribution + " delay";
  if (distribution == "fixed") {
    out.distribution = DelayDistribution::fixed;
    if (auto e = check_keys(a, path, {"type", "distribution", "ms"}, context)) return e;
    return read_number(a, path, "ms", out.ms, true, kDelayMsMax);
  }
  if (distribution == "uniform") {
    out.distribution = DelayDistribution::uniform;
    if (auto e = check_keys(a, path, {"type", "distribution", "min_ms", "max_ms"}, context))
      return e;
    if (auto e = read_number(a, path, "min_ms", out.min_ms, true, kDelayMsMax)) return e;
    if (auto e = read_number(a, path, "max_ms", out.max_ms, true, kDelayMsMax)) return e;
    if (out.max_ms < out.min_ms) {
      return error_at(
          join_field(path, "max_ms"),
          "expected a number >= min_ms (" +
              json(out.min_ms).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
              "), got " +
              json(out.max_ms).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    return std::nullopt;
  }
  out.distribution = DelayDistribution::lognormal;
  if (auto e = check_keys(a, path, {"type", "distribution", "median_ms", "sigma"}, context))
    return e;
  if (auto e = read_number(a, path, "median_ms", out.median_ms, true, kDelayMsMax)) return e;
  return read_number(a, path, "sigma", out.sigma, false);
}

Check parse_action(const json& a, const std::string& path, const FaultVocabulary& vocabulary,
                   const std::string& service, FaultAction& out) {
  auto type_it = a.find("type");
  if (type_it == a.end()) {
    return error_at(join_field(path, "type"), "missing; expected " + one_of(kActionTypes));
  }
  if (!type_it->is_string()) {
    return error_at(join_field(path, "type"), "expected a string, " + got(*type_it));
  }
  auto type = type_it->get<std::string>();
  if (kActionTypes.count(type) == 0) {
    return error_at(join_field(path, "type"),
                    "unknown action \"" + type + "\"; expected " + one_of(kActionTypes));
  }
  if (type == "delay") {
    out.type = FaultAction::Type::delay;
    return parse_delay(a, path, out);
  }
  if (type == "error") {
    out.type = FaultAction::Type::error;
    if (auto e = check_keys(a, path, {"type", "name"}, " for an error action")) return e;
    if (!a.contains("name")) {
      return error_at(join_field(path, "name"),
                      "missing; expected an error name such as \"ses.throttling\"");
    }
    if (auto e = read_string(a, path, "name", out.error)) return e;
    return detail::check_error_name(out.error, service, join_field(path, "name"), vocabulary);
  }
  if (type == "refuse") out.type = FaultAction::Type::refuse;
  if (type == "reset") out.type = FaultAction::Type::reset;
  if (type == "hang") out.type = FaultAction::Type::hang;
  if (type == "truncate") out.type = FaultAction::Type::truncate;
  return check_keys(a, path, {"type"}, " for a " + type + " action");
}

runtime::Duration from_ms(double ms) {
  return std::chrono::duration_cast<runtime::Duration>(
      std::chrono::duration<double, std::milli>(ms));
}

// after_ms and for_ms count from the moment the rule is added, which a client can know without
// knowing the server's clock. They do not mix with the absolute window.
Check parse_relative_window(const json& t, const std::string& path, FaultTrigger& out) {
  const bool relative = t.contains("after_ms") || t.contains("for_ms");
  if (!relative) return std::nullopt;
  for (const char* absolute : {"from_ms", "until_ms"}) {
    if (t.contains(absolute)) {
      return error_at(join_field(path, absolute),
                      "cannot be combined with after_ms/for_ms; expected either a window since "
                      "the start (from_ms, until_ms) or one from the moment the rule is added "
                      "(after_ms, for_ms)");
    }
  }
  double ms = 0;
  if (t.contains("after_ms")) {
    if (auto e = read_number(t, path, "after_ms", ms, true)) return e;
    out.after_added = from_ms(ms);
  }
  if (t.contains("for_ms")) {
    if (auto e = read_number(t, path, "for_ms", ms, true)) return e;
    if (ms <= 0) {
      return error_at(join_field(path, "for_ms"), "expected a number > 0, " + got(t["for_ms"]));
    }
    out.lasting = from_ms(ms);
  }
  return std::nullopt;
}

Check parse_trigger(const json& t, const std::string& path, FaultTrigger& out) {
  if (auto e = check_keys(t, path,
                          {"probability", "first", "every", "after", "from_ms", "until_ms",
                           "after_ms", "for_ms"},
                          ""))
    return e;
  if (auto it = t.find("probability"); it != t.end()) {
    if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 1) {
      return error_at(join_field(path, "probability"),
                      "expected a number between 0 and 1, " + got(*it));
    }
    out.probability = it->get<double>();
  }
  if (auto e = read_count(t, path, "first", out.first, 1)) return e;
  if (auto e = read_count(t, path, "every", out.every, 1)) return e;
  if (auto e = read_count(t, path, "after", out.after, 0)) return e;
  double ms = 0;
  if (t.contains("from_ms")) {
    if (auto e = read_number(t, path, "from_ms", ms, true)) return e;
    out.from = from_ms(ms);
  }
  if (t.contains("until_ms")) {
    if (auto e = read_number(t, path, "until_ms", ms, true)) return e;
    out.until = from_ms(ms);
  }
  if (out.from && out.until && *out.until <= *out.from) {
    return error_at(join_field(path, "until_ms"),
                    "expected a number greater than from_ms, " + got(t["until_ms"]));
  }
  return parse_relative_window(t, path, out);
}

double to_ms(runtime::Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

boost::system::result<FaultRule, RuleError> parse_fault_rule(const nlohmann::json& j,
                                                             const std::string& path,
                                                             const FaultVocabulary& known) {
  if (!j.is_object())
    return error_at(path.empty() ? "rule" : path, "expected an object, " + got(j));
  if (auto e =
          check_keys(j, path, {"id", "description", "match", "action", "trigger", "enabled"}, ""))
    return *e;
  FaultRule rule;
  if (auto e = read_string(j, path, "id", rule.id)) return *e;
  if (j.contains("id") && !valid_id(rule.id)) {
    return error_at(join_field(path, "id"),
                    "expected a non-empty id of letters, digits, '.', '_' or '-', " + got(j["id"]));
  }
  if (auto e = read_string(j, path, "description", rule.description)) return *e;
  const json* match = nullptr;
  if (auto e = read_object(j, path, "match", match)) return *e;
  if (match != nullptr) {
    if (auto e = parse_match(*match, join_field(path, "match"), known, rule.match))
      return *e;
  }
  const json* action = nullptr;
  if (auto e = read_object(j, path, "action", action)) return *e;
  if (action == nullptr) {
    return error_at(join_field(path, "action"),
                    "missing; expected an object such as {\"type\": \"refuse\"}");
  }
  if (auto e = parse_action(*action, join_field(path, "action"), known, rule.match.service,
                            rule.action))
    return *e;
  const json* trigger = nullptr;
  if (auto e = read_object(j, path, "trigger", trigger)) return *e;
  if (trigger != nullptr) {
    if (auto e = parse_trigger(*trigger, join_field(path, "trigger"), rule.trigger)) return *e;
  }
  if (auto it = j.find("enabled"); it != j.end()) {
    if (!it->is_boolean()) {
      return error_at(join_field(path, "enabled"), "expected true or false, " + got(*it));
    }
    rule.enabled = it->get<bool>();
  }
  return rule;
}

boost::system::result<std::vector<FaultRule>, RuleError> parse_fault_rules(
    const nlohmann::json& j, const std::string& path, const FaultVocabulary& known) {
  const json* list = &j;
  if (j.is_object()) {
    if (auto e = check_keys(j, "", {"faults"}, " in a rule list")) return *e;
    auto it = j.find("faults");
    if (it == j.end()) return error_at(path, "missing; expected an array of rules");
    list = &*it;
  }
  if (!list->is_array()) {
    return error_at(path, "expected an array of rules or {\"faults\": [...]}, " + got(*list));
  }
  std::vector<FaultRule> rules;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < list->size(); ++i) {
    std::string item_path = path + "[" + std::to_string(i) + "]";
    auto rule = parse_fault_rule((*list)[i], item_path, known);
    if (!rule) return rule.error();
    if (!rule->id.empty() && !ids.insert(rule->id).second) {
      return error_at(join_field(item_path, "id"),
                      "duplicate id \"" + rule->id + "\"; expected ids unique in the list");
    }
    rules.push_back(std::move(*rule));
  }
  return rules;
}

nlohmann::json to_json(const FaultRule& rule) {
  json match = {{"service", rule.match.service}};
  if (!rule.match.provider.empty()) match["provider"] = rule.match.provider;
  if (!rule.match.az.empty()) match["az"] = rule.match.az;
  if (!rule.match.operation.empty()) match["operation"] = rule.match.operation;
  if (!rule.match.recipient.empty()) match["recipient"] = rule.match.recipient;

  const FaultAction& a = rule.action;
  json action = {{"type", to_string(a.type)}};
  if (a.type == FaultAction::Type::error) action["name"] = a.error;
  if (a.type == FaultAction::Type::delay) {
    switch (a.distribution) {
      case DelayDistribution::fixed:
        action["distribution"] = "fixed";
        action["ms"] = a.ms;
        break;
      case DelayDistribution::uniform:
        action["distribution"] = "uniform";
        action["min_ms"] = a.min_ms;
        action["max_ms"] = a.max_ms;
        break;
      case DelayDistribution::lognormal:
        action["distribution"] = "lognormal";
        action["median_ms"] = a.median_ms;
        action["sigma"] = a.sigma;
        break;
    }
  }

  const FaultTrigger& t = rule.trigger;
  json trigger = json::object();
  if (t.probability) trigger["probability"] = *t.probability;
  if (t.first) trigger["first"] = *t.first;
  if (t.every) trigger["every"] = *t.every;
  if (t.after) trigger["after"] = *t.after;
  if (t.from) trigger["from_ms"] = to_ms(*t.from);
  if (t.until) trigger["until_ms"] = to_ms(*t.until);
  if (t.after_added) trigger["after_ms"] = to_ms(*t.after_added);
  if (t.lasting) trigger["for_ms"] = to_ms(*t.lasting);

  json out = {{"id", rule.id}, {"match", match}, {"action", action}, {"enabled", rule.enabled}};
  if (!rule.description.empty()) out["description"] = rule.description;
  if (!trigger.empty()) out["trigger"] = trigger;
  return out;
}

nlohmann::json to_json(const Firing& firing) {
  return {{"rule_id", firing.rule_id},
          {"request_seq", firing.request_seq},
          {"at", runtime::format_iso8601(firing.at)},
          {"action", firing.action}};
}

const char* to_string(FaultAction::Type type) noexcept {
  switch (type) {
    case FaultAction::Type::refuse:
      return "refuse";
    case FaultAction::Type::reset:
      return "reset";
    case FaultAction::Type::hang:
      return "hang";
    case FaultAction::Type::delay:
      return "delay";
    case FaultAction::Type::truncate:
      return "truncate";
    case FaultAction::Type::error:
      return "error";
  }
  return "error";
}

}  // namespace notify::stubs
