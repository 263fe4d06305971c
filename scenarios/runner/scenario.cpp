#include "notify/scenarios/scenario.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace notify::scenarios {
namespace {

using nlohmann::json;

// Validates one JSON object: reports unknown keys and type mismatches with the field's full
// path, so every message says where in the file the problem is.
class Fields {
 public:
  Fields(const json& j, std::string path, const std::string& file)
      : j_(j), path_(std::move(path)), file_(file) {
    if (!j_.is_object()) fail(path_, "expected an object, got " + type_of(j_));
  }

  [[noreturn]] void fail(const std::string& field, const std::string& message) const {
    throw ScenarioError(file_ + ": " + field + ": " + message);
  }

  std::string at(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  const json* get(const std::string& key) {
    seen_.insert(key);
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }

  std::optional<std::string> string(const std::string& key) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) fail(at(key), "expected a string, got " + type_of(*v));
    return v->get<std::string>();
  }

  std::string required_string(const std::string& key) {
    auto v = string(key);
    if (!v || v->empty()) fail(at(key), "is required (a non-empty string)");
    return *v;
  }

  std::optional<std::int64_t> integer(const std::string& key, std::int64_t lo = 0) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_number_integer()) fail(at(key), "expected a whole number, got " + type_of(*v));
    auto n = v->get<std::int64_t>();
    if (n < lo)
      fail(at(key), "expected a number >= " + std::to_string(lo) + ", got " + std::to_string(n));
    return n;
  }

  std::optional<double> number(const std::string& key) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_number()) fail(at(key), "expected a number, got " + type_of(*v));
    return v->get<double>();
  }

  std::optional<bool> boolean(const std::string& key) {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) fail(at(key), "expected true or false, got " + type_of(*v));
    return v->get<bool>();
  }

  const json* array(const std::string& key) {
    const json* v = get(key);
    if (v && !v->is_array()) fail(at(key), "expected an array, got " + type_of(*v));
    return v;
  }

  const json* object(const std::string& key) {
    const json* v = get(key);
    if (v && !v->is_object()) fail(at(key), "expected an object, got " + type_of(*v));
    return v;
  }

  // Call last: every key not read is a typo or an unsupported option.
  void no_others() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (!seen_.count(it.key())) {
        std::string allowed;
        for (const auto& k : seen_) allowed += (allowed.empty() ? "" : ", ") + k;
        fail(at(it.key()), "unknown field (allowed here: " + allowed + ")");
      }
    }
  }

  static std::string type_of(const json& v) {
    if (v.is_string()) return "the string \"" + v.get<std::string>() + "\"";
    return std::string(v.type_name());
  }

 private:
  const json& j_;
  std::string path_;
  const std::string& file_;
  std::set<std::string> seen_;
};

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
  if (!c.equals && !c.min && !c.max) f.fail(path, "give at least one of equals, min, max");
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
  if (!c.equals && !c.min && !c.max) f.fail(f.at("count"), "give count, equals, min or max");
  return c;
}

void parse_email(const json& j, const std::string& path, const std::string& file,
                 EmailWorkload& w) {
  Fields f(j, path, file);
  w.count = static_cast<std::size_t>(f.integer("count", 0).value_or(0));
  if (w.count > 1'000'000) f.fail(f.at("count"), "at most 1000000 notifications a scenario");
  if (const json* to = f.get("to")) {
    w.to.clear();
    if (to->is_string()) {
      w.to.push_back(to->get<std::string>());
    } else if (to->is_array() && !to->empty()) {
      for (std::size_t i = 0; i < to->size(); ++i) {
        if (!(*to)[i].is_string())
          f.fail(f.at("to") + "[" + std::to_string(i) + "]", "expected an address pattern");
        w.to.push_back((*to)[i].get<std::string>());
      }
    } else {
      f.fail(f.at("to"), "expected an address pattern or a non-empty array of them");
    }
  }
  if (auto v = f.string("from")) w.from = *v;
  if (auto v = f.string("subject")) w.subject = *v;
  if (auto v = f.string("body")) w.body = *v;
  if (auto v = f.string("html_body")) w.html_body = *v;
  if (auto v = f.integer("subject_repeat", 1)) {
    // A long subject without a long file: the pattern repeated N times.
    std::string s;
    for (std::int64_t i = 0; i < *v; ++i) s += w.subject;
    w.subject = s;
  }
  w.start = std::chrono::milliseconds(f.integer("start_ms").value_or(0));
  w.interval = std::chrono::milliseconds(f.integer("interval_ms").value_or(0));
  f.no_others();
}

void parse_expect(const json& j, const std::string& path, const std::string& file,
                  Expectations& e) {
  Fields f(j, path, file);
  if (const json* s = f.object("statuses")) {
    for (auto it = s->begin(); it != s->end(); ++it) {
      static const std::set<std::string> kStatuses = {
          "created",           "sending",          "sent",
          "pending",           "delivered",        "permanent-failure",
          "temporary-failure", "technical-failure"};
      std::string field = f.at("statuses") + "." + it.key();
      if (!kStatuses.count(it.key()))
        f.fail(field,
               "unknown status (one of created, sending, sent, pending, delivered, "
               "permanent-failure, temporary-failure, technical-failure)");
      e.statuses.push_back({it.key(), parse_count(*it, field, file)});
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
        lf.fail(lf.at("level"), "expected one of debug, info, warning, error");
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
      me.kind = mf.string("kind").value_or("counter");
      if (me.kind != "counter" && me.kind != "timing")
        mf.fail(mf.at("kind"), "expected \"counter\" or \"timing\"");
      me.count = read_count(mf, file);
      mf.no_others();
      e.metrics.push_back(std::move(me));
    }
  }
  f.no_others();
}

std::set<std::string> known_error_names() {
  return {"ses.throttling",       "ses.daily_quota",         "ses.header_too_long",
          "ses.message_rejected", "ses.service_unavailable", "ses.internal_failure",
          "ses.event_drop",       "ses.event_duplicate"};
}

}  // namespace

std::string CountCheck::describe() const {
  if (equals) return std::to_string(*equals);
  std::string s;
  if (min) s += ">= " + std::to_string(*min);
  if (max) s += std::string(s.empty() ? "" : " and ") + "<= " + std::to_string(*max);
  return s;
}

Scenario parse_scenario(const json& j, const std::string& file) {
  Scenario s;
  s.file = file;
  Fields f(j, "", file);
  s.name = f.required_string("name");
  s.description = f.string("description").value_or("");
  if (auto v = f.integer("seed")) s.seed = static_cast<std::uint64_t>(*v);
  if (const json* core = f.object("core")) {
    Fields cf(*core, "core", file);
    if (auto v = cf.string("email_client")) {
      if (*v != "ses" && *v != "ses_stub")
        cf.fail(cf.at("email_client"), "expected \"ses\" or \"ses_stub\", got \"" + *v + "\"");
      s.email_client = *v;
    }
    if (auto v = cf.integer("max_retries")) s.max_retries = static_cast<int>(*v);
    if (auto v = cf.integer("retry_delay_s")) s.retry_delay = std::chrono::seconds(*v);
    cf.no_others();
  }
  if (const json* stubs = f.object("stubs")) {
    for (auto it = stubs->begin(); it != stubs->end(); ++it) {
      if (it.key() != "ses") f.fail("stubs." + it.key(), "unknown stub (known: ses)");
      if (!it->is_object()) f.fail("stubs." + it.key(), "expected an object");
    }
    s.stub_config = *stubs;
  }
  if (const json* w = f.object("workload")) {
    Fields wf(*w, "workload", file);
    if (const json* e = wf.object("email")) parse_email(*e, "workload.email", file, s.email);
    wf.no_others();
  }
  if (const json* arr = f.array("faults")) {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      std::string path = "faults[" + std::to_string(i) + "]";
      Fields ff((*arr)[i], path, file);
      TimedFault tf;
      tf.at = std::chrono::milliseconds(ff.integer("at_ms").value_or(0));
      if (auto u = ff.integer("until_ms")) {
        if (*u <= tf.at.count()) ff.fail(ff.at("until_ms"), "must be later than at_ms");
        tf.until = std::chrono::milliseconds(*u);
      }
      const json* rule = ff.object("rule");
      if (!rule) ff.fail(ff.at("rule"), "is required (a fault rule object, see docs/faults.md)");
      auto parsed = stubs::parse_fault_rule(*rule, ff.at("rule"), known_error_names());
      if (!parsed) throw ScenarioError(file + ": " + parsed.error().to_string());
      tf.rule = std::move(*parsed);
      if (tf.rule.id.empty()) tf.rule.id = "fault-" + std::to_string(i + 1);
      ff.no_others();
      s.faults.push_back(std::move(tf));
    }
  }
  if (auto v = f.integer("horizon_s", 1)) s.horizon = std::chrono::seconds(*v);
  if (const json* w = f.object("wire")) {
    Fields wf(*w, "wire", file);
    if (auto v = wf.number("time_scale")) {
      if (*v < 1 || *v > 100'000) wf.fail(wf.at("time_scale"), "expected 1 to 100000");
      s.wire.time_scale = *v;
    }
    if (auto v = wf.integer("timeout_ms", 1)) s.wire.timeout = std::chrono::milliseconds(*v);
    wf.no_others();
  }
  if (const json* e = f.object("expect")) parse_expect(*e, "expect", file, s.expect);
  f.no_others();
  return s;
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
