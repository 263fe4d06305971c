#include "checks.hpp"

#include "notify/runtime/clock.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace notify::scenarios {
namespace {

// An OTel expectation's count: recordings of a histogram, the sum of a counter, a gauge's value,
// over the attribute sets that carry every wanted attribute and lack every unwanted one.
std::int64_t otel_count(const telemetry::OtelSnapshot& otel, const MetricExpectation& me) {
  auto it = otel.find(me.name);
  if (it == otel.end()) return 0;
  double total = 0;
  for (const auto& entry : it->second.points) {
    // Named, not a structured binding: clang 14 cannot capture one in the lambda below.
    const auto& attributes = entry.first;
    const auto& point = entry.second;
    bool matches = std::all_of(me.attributes.begin(), me.attributes.end(), [&](const auto& want) {
      auto found = std::find_if(attributes.begin(), attributes.end(),
                                [&](const auto& a) { return a.first == want.first; });
      if (!want.second) return found == attributes.end();
      return found != attributes.end() && found->second == *want.second;
    });
    if (!matches) continue;
    switch (it->second.spec->kind) {
      case telemetry::InstrumentKind::histogram:
        total += static_cast<double>(point.count);
        break;
      case telemetry::InstrumentKind::counter:
        total += point.value;
        break;
      case telemetry::InstrumentKind::gauge:
        return static_cast<std::int64_t>(point.value);
    }
  }
  return static_cast<std::int64_t>(total);
}

std::string otel_what(const MetricExpectation& me) {
  std::string what = "metrics." + me.name;
  for (const auto& [key, value] : me.attributes) {
    what += " " + key + "=";
    if (!value) {
      what += "(absent)";
    } else if (const auto* s = std::get_if<std::string>(&*value)) {
      what += *s;
    } else if (const auto* b = std::get_if<bool>(&*value)) {
      what += *b ? "true" : "false";
    } else {
      what += std::to_string(std::get<std::int64_t>(*value));
    }
  }
  return what;
}


CheckResult count_check(std::string what, const CountCheck& c, std::int64_t actual) {
  return {std::move(what), c.holds(actual), c.describe(), std::to_string(actual)};
}

std::int64_t ms_since(runtime::TimePoint t, runtime::TimePoint origin) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t - origin).count();
}

}  // namespace

std::vector<CheckResult> check_expectations(const World& world) {
  const Expectations& e = world.scenario.expect;
  std::vector<CheckResult> out;
  auto notes = world.store->list_notifications();

  for (const auto& s : e.statuses) {
    auto n = std::count_if(notes.begin(), notes.end(),
                           [&](const store::Notification& x) { return x.status == s.status; });
    out.push_back(count_check("statuses." + s.status, s.count, n));
  }
  for (std::size_t i = 0; i < e.notifications.size(); ++i) {
    const auto& ne = e.notifications[i];
    auto n = std::count_if(notes.begin(), notes.end(), [&](const store::Notification& x) {
      return (!ne.status || x.status == *ne.status) && (!ne.channel || x.type == *ne.channel) &&
             (!ne.provider || x.provider == *ne.provider);
    });
    std::string what = "notifications[" + std::to_string(i) + "]";
    if (ne.channel) what += " channel=" + *ne.channel;
    if (ne.provider) what += " provider=" + *ne.provider;
    if (ne.status) what += " status=" + *ne.status;
    out.push_back(count_check(what, ne.count, n));
  }
  for (std::size_t i = 0; i < e.providers.size(); ++i) {
    const auto& pe = e.providers[i];
    std::set<std::string> used;
    for (const auto& n : notes)
      if (n.type == pe.channel && !n.provider.empty()) used.insert(n.provider);
    out.push_back(count_check("providers[" + std::to_string(i) + "] channel=" + pe.channel,
                              pe.count, static_cast<std::int64_t>(used.size())));
  }
  if (e.all_final) {
    std::map<std::string, int> open;
    for (const auto& n : notes)
      if (n.status == "created" || n.status == "sending" || n.status == "pending") ++open[n.status];
    std::string actual;
    for (const auto& [k, v] : open)
      actual += (actual.empty() ? "" : ", ") + k + " " + std::to_string(v);
    out.push_back({"all_final", open.empty(), "every notification in a final status",
                   actual.empty() ? "all final" : actual + " not final"});
  }
  std::int64_t total = 0, most = 0;
  for (const auto& n : notes) {
    total += n.attempts;
    most = std::max<std::int64_t>(most, n.attempts);
  }
  if (e.attempts_total) out.push_back(count_check("attempts.total", *e.attempts_total, total));
  if (e.attempts_max) out.push_back(count_check("attempts.max", *e.attempts_max, most));

  for (std::size_t i = 0; i < e.journal.size(); ++i) {
    const auto& je = e.journal[i];
    stubs::JournalQuery q;
    q.service = je.service;
    q.operation = je.operation;
    q.outcome = je.outcome;
    q.direction = je.direction;
    auto n = static_cast<std::int64_t>(world.host.journal().count(q));
    std::string what = "journal[" + std::to_string(i) + "]";
    if (je.service) what += " service=" + *je.service;
    if (je.operation) what += " operation=" + *je.operation;
    if (je.outcome) what += " outcome=" + *je.outcome;
    if (je.direction) what += " direction=" + *je.direction;
    out.push_back(count_check(what, je.count, n));
  }

  auto records = world.logger.records();
  for (std::size_t i = 0; i < e.logs.size(); ++i) {
    const auto& le = e.logs[i];
    auto n = std::count_if(records.begin(), records.end(), [&](const telemetry::LogRecord& r) {
      if (le.level && telemetry::to_string(r.level) != *le.level) return false;
      return r.message.find(le.contains) != std::string::npos;
    });
    std::string what = "logs[" + std::to_string(i) + "]";
    if (le.level) what += " level=" + *le.level;
    what += " contains \"" + le.contains + "\"";
    out.push_back(count_check(what, le.count, n));
  }

  const auto otel = world.metrics.otel_snapshot();
  for (const auto& me : e.metrics) {
    if (me.kind == "otel") {
      out.push_back(count_check(otel_what(me), me.count, otel_count(otel, me)));
      continue;
    }
    std::int64_t v = me.kind == "timing"
                         ? static_cast<std::int64_t>(world.metrics.timing_stats(me.name).count)
                     : me.kind == "gauge"
                         ? static_cast<std::int64_t>(world.metrics.gauge_value(me.name))
                         : world.metrics.counter(me.name);
    out.push_back(count_check("metrics." + me.name, me.count, v));
  }

  if (e.no_pii_in_logs) {
    // Every log line, failure reason and metric name is searched for every recipient used.
    std::string leaked;
    auto counters = world.metrics.counters();
    auto timings = world.metrics.timings();
    for (const auto& address : world.recipients) {
      bool found = false;
      for (const auto& r : records) found = found || r.message.find(address) != std::string::npos;
      for (const auto& n : notes)
        found = found || n.failure_reason.find(address) != std::string::npos;
      for (const auto& [name, v] : counters)
        found = found || name.find(address) != std::string::npos;
      for (const auto& [name, v] : timings)
        found = found || name.find(address) != std::string::npos;
      if (found) leaked = "a recipient address appears in the logs or metrics";
    }
    out.push_back({"no_pii_in_logs", leaked.empty(), "no recipient address in any log line",
                   leaked.empty() ? "none found" : leaked});
  }
  return out;
}

nlohmann::json build_report(const World& world, bool journal_bodies) {
  using nlohmann::json;
  json report;
  auto origin = runtime::VirtualClock::default_start();
  auto notes = world.store->list_notifications();
  std::map<std::string, int> statuses;
  json list = json::array();
  for (const auto& n : notes) {
    ++statuses[n.status];
    list.push_back({{"id", n.id},
                    {"status", n.status},
                    {"attempts", n.attempts},
                    {"provider", n.provider},
                    {"reference", n.reference},
                    {"failure_reason", n.failure_reason}});
  }
  report["statuses"] = statuses;
  report["notifications"] = std::move(list);

  // Each channel's messages with their status histories (the world makes one channel per
  // registered channel, in the registry's order).
  json channels = json::object();
  const auto& specs = channel_registry();
  for (std::size_t i = 0; i < world.channels.size() && i < specs.size(); ++i) {
    json r = world.channels[i]->chaos_report();
    if (!r.is_null()) channels[specs[i].name] = std::move(r);
  }
  report["channels"] = std::move(channels);

  json journal = json::array();
  for (auto& e : world.host.journal().query({})) {
    if (!journal_bodies) {
      e.request_body.clear();
      e.response_body.clear();
    }
    journal.push_back(stubs::to_json(e));
  }
  report["journal"] = std::move(journal);
  report["journal_dropped"] = world.host.journal().counters().dropped;
  // What the stubs hold at the end (the SQS stub's queues), for the chaos invariants.
  json stub_state = json::object();
  for (const stubs::Stub* stub : world.host.stubs()) {
    json state = stub->state();
    if (!state.is_null()) stub_state[std::string(stub->service())] = std::move(state);
  }
  report["stub_state"] = std::move(stub_state);

  json firings = json::array();
  for (const auto& f : world.host.faults().firings())
    firings.push_back(stubs::to_json(f));
  report["firings"] = std::move(firings);

  json counters = json::object();
  for (const auto& [k, v] : world.metrics.counters()) counters[k] = v;
  report["metrics"] = std::move(counters);
  // The OTel instruments as a collector would receive them at the run's end.
  if (auto otel = world.metrics.otel_snapshot(); !otel.empty()) {
    auto start = static_cast<std::uint64_t>(origin.time_since_epoch().count());
    auto end = static_cast<std::uint64_t>(world.clock.now().time_since_epoch().count());
    report["otel_metrics"] =
        json::parse(telemetry::encode_otlp_json(otel, start, end, "notify-sim"));
  }

  json logs = json::array();
  for (const auto& r : world.logger.records())
    logs.push_back({{"at", runtime::format_iso8601(r.at)},
                    {"level", telemetry::to_string(r.level)},
                    {"logger", r.logger},
                    {"message", r.message}});
  report["logs"] = std::move(logs);
  report["end_ms"] = ms_since(world.clock.now(), origin);
  return report;
}

void finish_run(RunResult& result, const World& world, bool journal_bodies) {
  result.checks = check_expectations(world);
  result.passed = result.error.empty();
  for (const auto& c : result.checks) result.passed = result.passed && c.passed;
  result.report = build_report(world, journal_bodies);
}

}  // namespace notify::scenarios
