#include "notify/scenarios/scenario.hpp"

#include "notify/profiles/profiles.hpp"
#include "notify/scenarios/channel.hpp"
#include "notify/stubs/fields.hpp"
#include "notify/stubs/registry.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace notify::scenarios {
namespace {

using nlohmann::json;

using stubs::Fields;
using stubs::quote_json;


// "HH:MM", a time of day.
std::chrono::minutes parse_time_of_day(Fields& f, const std::string& key, const std::string& v) {
  int h = -1, m = -1;
  char colon = 0;
  std::istringstream in(v);
  in >> h >> colon >> m;
  if (v.size() != 5 || !in || !in.eof() || colon != ':' || h < 0 || h > 23 || m < 0 || m > 59)
    f.fail_value(key, "a time of day \"HH:MM\" in the beat's timezone, e.g. \"00:05\"");
  return std::chrono::minutes(h * 60 + m);
}

BackstopSettings parse_backstops(const json& j, const std::string& path, const std::string& file) {
  BackstopSettings b;
  Fields f(j, path, file);
  if (auto v = f.boolean("enabled")) b.enabled = *v;
  if (auto v = f.integer("sending_timeout_s", 1)) b.sending_timeout = std::chrono::seconds(*v);
  if (auto v = f.string("timeout_at")) b.timeout_at = parse_time_of_day(f, "timeout_at", *v);
  if (auto v = f.integer("replay_after_s", 1)) b.replay_after = std::chrono::seconds(*v);
  if (auto v = f.integer("replay_every_min", 1)) {
    if (1440 % *v != 0) f.fail_value("replay_every_min", "a number of minutes that divides a day");
    b.replay_every = std::chrono::minutes(*v);
  }
  if (auto v = f.integer("replay_age_limit_s", 1)) b.replay_age_limit = std::chrono::seconds(*v);
  if (b.replay_age_limit <= b.replay_after)
    f.fail_value("replay_age_limit_s", "more seconds than replay_after_s");
  f.no_others();
  return b;
}

CountCheck parse_count(const json& j, const std::string& path, const std::string& file) {
  CountCheck c;
  if (j.is_number_integer()) {
    c.equals = j.get<std::int64_t>();
    return c;
  }
  Fields f(j, path, file);
  c.equals = f.integer("equals");
  c.min = f.integer("min");
  c.max = f.integer("max");
  f.no_others();
  if (!c.equals && !c.min && !c.max)
    f.fail(path, "at least one of equals, min, max", quote_json(j));
  return c;
}

// Reads the count of an expectation object: "count" may be a number or {equals,min,max};
// "min"/"max"/"equals" may also stand beside the other keys.
CountCheck read_count(Fields& f, const std::string& file) {
  CountCheck c;
  if (const json* v = f.get("count")) c = parse_count(*v, f.at("count"), file);
  if (auto v = f.integer("equals")) c.equals = v;
  if (auto v = f.integer("min")) c.min = v;
  if (auto v = f.integer("max")) c.max = v;
  if (!c.equals && !c.min && !c.max)
    f.fail(f.at("count"), "one of count, equals, min or max", "none of them");
  return c;
}

void parse_expect(const json& j, const std::string& path, const std::string& file,
                  Expectations& e) {
  Fields f(j, path, file);
  static const std::set<std::string> kStatuses = {
      "created",           "sending",          "sent", "pending", "delivered", "permanent-failure",
      "temporary-failure", "technical-failure"};
  if (const json* s = f.object("statuses")) {
    for (auto it = s->begin(); it != s->end(); ++it) {
      std::string field = f.at("statuses") + "." + it.key();
      if (!kStatuses.count(it.key()))
        f.fail(field,
               "a status (one of created, sending, sent, pending, delivered, "
               "permanent-failure, temporary-failure, technical-failure)",
               "an unknown status");
      e.statuses.push_back({it.key(), parse_count(*it, field, file)});
    }
  }
  if (const json* arr = f.array("notifications")) {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      Fields nf((*arr)[i], f.at("notifications") + "[" + std::to_string(i) + "]", file);
      NotificationExpectation ne;
      ne.status = nf.string("status");
      if (ne.status && !kStatuses.count(*ne.status))
        nf.fail_value("status",
                      "a status (one of created, sending, sent, pending, delivered, "
                      "permanent-failure, temporary-failure, technical-failure)");
      ne.channel = nf.string("channel");
      if (ne.channel && find_channel(*ne.channel) == nullptr) {
        std::string known;
        for (const auto& c : channel_registry()) known += (known.empty() ? "" : ", ") + c.name;
        nf.fail_value("channel", "a channel (" + known + ")");
      }
      ne.provider = nf.string("provider");
      ne.count = read_count(nf, file);
      nf.no_others();
      e.notifications.push_back(std::move(ne));
    }
  }
  if (const json* arr = f.array("providers")) {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      Fields pf((*arr)[i], f.at("providers") + "[" + std::to_string(i) + "]", file);
      ProviderCountExpectation pe;
      pe.channel = pf.required_string("channel");
      if (find_channel(pe.channel) == nullptr) pf.fail_value("channel", "a channel");
      pe.count = read_count(pf, file);
      pf.no_others();
      e.providers.push_back(std::move(pe));
    }
  }
  if (auto v = f.boolean("all_final")) e.all_final = *v;
  if (auto v = f.boolean("no_pii_in_logs")) e.no_pii_in_logs = *v;
  if (const json* a = f.get("attempts")) {
    Fields af(*a, f.at("attempts"), file);
    if (const json* t = af.get("total")) e.attempts_total = parse_count(*t, af.at("total"), file);
    if (const json* m = af.get("max")) e.attempts_max = parse_count(*m, af.at("max"), file);
    af.no_others();
  }
  if (const json* arr = f.array("journal")) {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      Fields jf((*arr)[i], f.at("journal") + "[" + std::to_string(i) + "]", file);
      JournalExpectation je;
      je.service = jf.string("service");
      je.operation = jf.string("operation");
      je.outcome = jf.string("outcome");
      je.direction = jf.string("direction");
      if (je.direction && *je.direction != "in" && *je.direction != "out")
        jf.fail_value("direction", "\"in\" (requests to a stub) or \"out\" (its callbacks)");
      je.count = read_count(jf, file);
      jf.no_others();
      e.journal.push_back(std::move(je));
    }
  }
  if (const json* arr = f.array("logs")) {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      Fields lf((*arr)[i], f.at("logs") + "[" + std::to_string(i) + "]", file);
      LogExpectation le;
      le.level = lf.string("level");
      if (le.level && *le.level != "debug" && *le.level != "info" && *le.level != "warning" &&
          *le.level != "error")
        lf.fail_value("level", "one of debug, info, warning, error");
      le.contains = lf.string("contains").value_or("");
      le.count = read_count(lf, file);
      lf.no_others();
      e.logs.push_back(std::move(le));
    }
  }
  if (const json* arr = f.array("metrics")) {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      Fields mf((*arr)[i], f.at("metrics") + "[" + std::to_string(i) + "]", file);
      MetricExpectation me;
      me.name = mf.required_string("name");
      // A declared OTel instrument's name picks the kind; the rest are StatsD names.
      const bool otel = telemetry::find_instrument(me.name) != nullptr;
      me.kind = mf.string("kind").value_or(otel ? "otel" : "counter");
      if (otel && me.kind != "otel")
        mf.fail_value("kind", "\"otel\" (or none): " + me.name + " is an OpenTelemetry instrument");
      if (!otel && me.kind != "counter" && me.kind != "timing" && me.kind != "gauge")
        mf.fail_value("kind", "\"counter\", \"timing\" or \"gauge\" for a StatsD name (or the "
                              "name of an OpenTelemetry instrument listed in docs/core.md)");
      if (const json* attrs = mf.object("attributes")) {
        if (!otel)
          mf.fail_value("attributes", "no attributes: " + me.name + " is a StatsD name");
        for (auto it = attrs->begin(); it != attrs->end(); ++it) {
          const json& v = it.value();
          if (v.is_null()) {
            me.attributes.emplace_back(it.key(), std::nullopt);
          } else if (v.is_string()) {
            me.attributes.emplace_back(it.key(), v.get<std::string>());
          } else if (v.is_boolean()) {
            me.attributes.emplace_back(it.key(), v.get<bool>());
          } else if (v.is_number_integer()) {
            me.attributes.emplace_back(it.key(), v.get<std::int64_t>());
          } else {
            mf.fail(mf.at("attributes") + "." + it.key(),
                    "a string, boolean, integer, or null (the attribute is absent)", v.dump());
          }
        }
      }
      me.count = read_count(mf, file);
      mf.no_others();
      e.metrics.push_back(std::move(me));
    }
  }
  f.no_others();
}

// One "core" option: one of `values`, or a value a placeholder among them stands for.
std::optional<std::string> read_core_option(Fields& cf, const std::string& key,
                                            const std::vector<std::string>& values) {
  const json* raw = cf.get(key);
  if (raw == nullptr) return std::nullopt;
  auto has = [&values](const char* v) {
    return std::find(values.begin(), values.end(), v) != values.end();
  };
  std::string v;
  if ((has(kWholeNumber) || has(kPositiveWholeNumber)) && raw->is_number_unsigned()) {
    v = std::to_string(raw->get<std::uint64_t>());
  } else if (raw->is_string()) {
    v = raw->get<std::string>();
  }
  if (!core_option_allows(values, v)) {
    std::string known;
    for (const auto& n : values) {
      const std::string one = n == kWholeNumber           ? "a whole number"
                              : n == kPositiveWholeNumber ? "a whole number from 1"
                              : n == kAwsAccountId        ? "a twelve-digit AWS account id"
                              : n == kAwsRegion           ? "an AWS region such as \"eu-west-2\""
                                                          : "\"" + n + "\"";
      known += (known.empty() ? "" : " or ") + one;
    }
    cf.fail_value(key, known);
  }
  return v;
}

}  // namespace

bool core_option_allows(const std::vector<std::string>& values, const std::string& v) {
  const bool placeholder = v == kWholeNumber || v == kPositiveWholeNumber || v == kAwsAccountId ||
                           v == kAwsRegion;
  if (!placeholder && std::find(values.begin(), values.end(), v) != values.end()) return true;
  auto has = [&values](const char* n) {
    return std::find(values.begin(), values.end(), n) != values.end();
  };
  auto only = [&v](const char* set) { return v.find_first_not_of(set) == std::string::npos; };
  const bool digits = !v.empty() && only("0123456789");
  // Up to nine digits: what a time in seconds or a count can sensibly be, and an int.
  if (has(kPositiveWholeNumber) && digits && v.size() <= 9 && !only("0")) return true;
  if (has(kWholeNumber) && digits && v.size() <= 9) return true;
  if (has(kAwsAccountId) && digits && v.size() == 12) return true;
  if (has(kAwsRegion)) {
    // Lower-case words joined by hyphens, at least three parts, the last a number: eu-west-2,
    // us-gov-west-1, ap-southeast-5.
    std::size_t parts = 1;
    for (char c : v) parts += c == '-';
    const auto last = v.rfind('-');
    if (!v.empty() && only("abcdefghijklmnopqrstuvwxyz0123456789-") && parts >= 3 &&
        v.front() != '-' && v.find("--") == std::string::npos && last + 1 < v.size() &&
        std::string_view(v).substr(last + 1).find_first_not_of("0123456789") ==
            std::string_view::npos)
      return true;
  }
  return false;
}

// Core options that belong to no one channel, with their values, the first being the default:
// which metrics the core records (notifications-api 971d80af6 replaced StatsD with
// OpenTelemetry), which notifications replay-created-notifications picks (1a442c36b added the
// seven-day age limit), whether timeout-sending-notifications counts timeout-sending.<provider>
// (c8cf057eb added it, 8a2f1d481 removed it), and the timezone of the beat's crontabs (UTC since
// 2bb09279b, Europe/London before).
const std::vector<std::pair<std::string, std::vector<std::string>>>& core_wide_options() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> options = {
      {"metrics", {"otel", "statsd"}},
      {"replay_created_rule", {"age-limited", "unbounded"}},
      {"timeout_metric", {"off", "statsd"}},
      {"beat_timezone", {"UTC", "Europe/London"}},
  };
  return options;
}

std::string CountCheck::describe() const {
  if (equals) return std::to_string(*equals);
  std::string s;
  if (min) s += ">= " + std::to_string(*min);
  if (max) s += std::string(s.empty() ? "" : " and ") + "<= " + std::to_string(*max);
  return s;
}

static Scenario parse_fields(const json& j, const std::string& file) {
  Scenario s;
  s.file = file;
  Fields f(j, "", file);
  s.name = f.required_string("name");
  s.description = f.string("description").value_or("");
  if (auto v = f.integer("seed")) s.seed = static_cast<std::uint64_t>(*v);
  if (const json* p = f.get("profile")) {
    if (!p->is_string()) f.fail_value("profile", "a profile name: " + profiles::known());
    s.profile_key = p->get<std::string>();
  }
  if (const json* core = f.object("core")) {
    Fields cf(*core, "core", file);
    for (const auto& channel : channel_registry()) {
      for (const auto& [key, values] : channel.core_options) {
        if (auto v = read_core_option(cf, key, values)) s.core_explicit[key] = *v;
      }
    }
    for (const auto& [key, values] : core_wide_options()) {
      if (auto v = read_core_option(cf, key, values)) s.core_explicit[key] = *v;
    }
    if (const json* b = cf.object("backstops"))
      s.backstops = parse_backstops(*b, cf.at("backstops"), file);
    if (auto v = cf.integer("max_retries")) s.max_retries = static_cast<int>(*v);
    if (auto v = cf.integer("retry_delay_s")) s.retry_delay = std::chrono::seconds(*v);
    cf.no_others();
  }
  if (const json* stubs = f.object("stubs")) {
    stubs::registry().validate_configs(*stubs, "stubs", file);
    s.stub_config = *stubs;
  }
  if (const json* w = f.object("workload")) {
    Fields wf(*w, "workload", file);
    for (const auto& channel : channel_registry()) {
      if (const json* block = wf.object(channel.name)) {
        channel.validate(*block, wf.at(channel.name), file);
        s.workload[channel.name] = *block;
      }
    }
    wf.no_others();
  }
  if (const json* arr = f.array("faults")) {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      std::string path = "faults[" + std::to_string(i) + "]";
      Fields ff((*arr)[i], path, file);
      TimedFault tf;
      tf.at = std::chrono::milliseconds(ff.integer("at_ms").value_or(0));
      if (auto u = ff.integer("until_ms")) {
        if (*u <= tf.at.count()) ff.fail_value("until_ms", "a time later than at_ms");
        tf.until = std::chrono::milliseconds(*u);
      }
      const json* rule = ff.object("rule");
      if (!rule) ff.fail(ff.at("rule"), "a fault rule object (see docs/faults.md)", "nothing");
      auto parsed = stubs::parse_fault_rule(*rule, ff.at("rule"), stubs::registry().vocabulary());
      if (!parsed) throw ScenarioError(file + ": " + parsed.error().to_string());
      tf.rule = std::move(*parsed);
      // The rule joins the engine at at_ms; a window that has closed by then never fires.
      if (tf.rule.trigger.until && *tf.rule.trigger.until <= tf.at) {
        ff.fail(ff.at("rule") + ".trigger.until_ms",
                "a time after at_ms (" + std::to_string(tf.at.count()) +
                    "), when the rule is added; or for_ms, which counts from at_ms",
                std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   *tf.rule.trigger.until)
                                   .count()));
      }
      if (tf.rule.id.empty()) tf.rule.id = "fault-" + std::to_string(i + 1);
      ff.no_others();
      s.faults.push_back(std::move(tf));
    }
  }
  if (auto v = f.integer("horizon_s", 1)) s.horizon = std::chrono::seconds(*v);
  if (const json* w = f.object("wire")) {
    Fields wf(*w, "wire", file);
    if (auto v = wf.number("time_scale")) {
      if (*v < 1 || *v > 100'000) wf.fail_value("time_scale", "a number from 1 to 100000");
      s.wire.time_scale = *v;
    }
    if (auto v = wf.integer("timeout_ms", 1)) s.wire.timeout = std::chrono::milliseconds(*v);
    if (auto v = wf.boolean("skip_idle")) s.wire.skip_idle = *v;
    wf.no_others();
  }
  if (const json* e = f.object("expect")) parse_expect(*e, "expect", file, s.expect);
  f.no_others();
  use_profile(s, s.profile_key.value_or(""));
  return s;
}

void use_profile(Scenario& s, const std::string& name) {
  try {
    const auto& p = profiles::find(name, "profile");
    s.core_options = profiles::core_options(p, s.core_explicit);
    s.profile = p.name;
  } catch (const profiles::ProfileError& e) {
    throw ScenarioError(s.file + ": " + e.what());
  }
}

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ScenarioError(path + ": cannot be read (does the file exist?)");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw ScenarioError(path + ": not valid JSON: " + e.what());
  }
  return parse_scenario(j, path);
}

Scenario parse_scenario(const json& j, const std::string& file) {
  try {
    return parse_fields(j, file);
  } catch (const stubs::ConfigError& e) {
    throw ScenarioError(e.what());
  }
}

std::vector<std::string> expand_scenario_paths(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(p)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json")
          found.push_back(entry.path().string());
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) throw ScenarioError(p + ": directory has no *.json scenario files");
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace notify::scenarios
