// The load report's JSON form (docs/load-report.md). Writing adds summary percentiles next to
// every histogram so that jq and people can read a file without this code; reading ignores
// them and rebuilds everything from the histograms, so an edited summary cannot lie.
#include "notify/report/load_report.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace notify::report {
namespace {

using nlohmann::json;
using telemetry::LatencyHistogram;

// Percentiles written beside each histogram, and the key each is written under.
constexpr std::pair<double, const char*> kSummaryPercentiles[] = {
    {50.0, "p50_us"}, {90.0, "p90_us"}, {99.0, "p99_us"}, {99.9, "p99_9_us"}};

json summary(const LatencyHistogram& h) {
  json s = {{"count", h.count()},
            {"min_us", h.min()},
            {"mean_us", static_cast<std::int64_t>(std::llround(h.mean()))}};
  for (const auto& [p, key] : kSummaryPercentiles) s[key] = h.percentile(p);
  s["max_us"] = h.max();
  return s;
}

json histogram_json(const LatencyHistogram& h) {
  json j = h.to_json();
  j["summary"] = summary(h);
  return j;
}

// Every reading error goes through here, so each message starts with the JSON path of the field
// that is wrong: "series[2].dispatch: counts: expected an array".
[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::invalid_argument(path + ": " + what);
}

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string element(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

const json* field(const json& object, const std::string& path, const char* key, bool required) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) fail(child(path, key), "missing");
    return nullptr;
  }
  return &*it;
}

void read_string(const json& object, const std::string& path, const char* key, std::string& out,
                 bool required = false) {
  if (const json* v = field(object, path, key, required)) {
    if (!v->is_string()) fail(child(path, key), "expected a string");
    out = v->get<std::string>();
  }
}

void read_count(const json& object, const std::string& path, const char* key, std::int64_t& out,
                bool required = false) {
  if (const json* v = field(object, path, key, required)) {
    if (!v->is_number_integer() || v->get<std::int64_t>() < 0)
      fail(child(path, key), "expected a whole number, 0 or more");
    out = v->get<std::int64_t>();
  }
}

void read_number(const json& object, const std::string& path, const char* key, double& out,
                 bool required = false) {
  if (const json* v = field(object, path, key, required)) {
    if (!v->is_number() || v->get<double>() < 0 || !std::isfinite(v->get<double>()))
      fail(child(path, key), "expected a number, 0 or more");
    out = v->get<double>();
  }
}

const json& read_object(const json& object, const std::string& path, const char* key) {
  const json* v = field(object, path, key, true);
  if (!v->is_object()) fail(child(path, key), "expected an object");
  return *v;
}

LatencyHistogram read_histogram(const json& object, const std::string& path, const char* key,
                                bool required = true) {
  const json* v = field(object, path, key, required);
  if (v == nullptr) return {};
  try {
    return LatencyHistogram::from_json(*v);
  } catch (const std::invalid_argument& e) {
    // LatencyHistogram says "histogram: counts: ..."; the path says which histogram.
    std::string what = e.what();
    constexpr std::string_view kPrefix = "histogram: ";
    if (what.starts_with(kPrefix)) what.erase(0, kPrefix.size());
    if (what.starts_with("(top): ")) what.erase(0, 7);
    fail(child(path, key), what);
  }
}

template <typename T, typename F>
void read_array(const json& object, const std::string& path, const char* key, std::vector<T>& out,
                F&& read_one, bool required = false, std::size_t max_size = 100'000) {
  const json* v = field(object, path, key, required);
  if (v == nullptr) return;
  if (!v->is_array()) fail(child(path, key), "expected an array");
  if (v->size() > max_size)
    fail(child(path, key), std::to_string(v->size()) + " entries; at most " +
                               std::to_string(max_size));
  for (std::size_t i = 0; i < v->size(); ++i)
    out.push_back(read_one((*v)[i], element(child(path, key), i)));
}

RunInfo read_run(const json& j, const std::string& path) {
  RunInfo run;
  read_string(j, path, "target", run.target, true);
  if (run.target != "core" && run.target != "stub")
    fail(child(path, "target"), "expected \"core\" or \"stub\", not \"" + run.target + "\"");
  read_string(j, path, "arrivals", run.arrivals);
  read_number(j, path, "asked_rate", run.asked_rate, true);
  read_number(j, path, "achieved_rate", run.achieved_rate, true);
  read_number(j, path, "duration_s", run.duration_s, true);
  if (const json* mix = field(j, path, "mix", false)) {
    if (!mix->is_object()) fail(child(path, "mix"), "expected an object of channel: percent");
    for (const auto& [channel, share] : mix->items()) {
      if (!share.is_number() || share.get<double>() < 0 || share.get<double>() > 100)
        fail(child(path, "mix") + "." + channel, "expected a percentage from 0 to 100");
      run.mix[channel] = share.get<double>();
    }
  }
  read_count(j, path, "connections", run.connections);
  read_string(j, path, "faults", run.faults);
  read_string(j, path, "started_at", run.started_at);
  read_string(j, path, "host", run.host);
  read_string(j, path, "version", run.version);
  read_string(j, path, "profile", run.profile);
  if (const json* seed = field(j, path, "seed", false)) {
    if (!seed->is_number_unsigned() &&
        !(seed->is_number_integer() && seed->get<std::int64_t>() >= 0))
      fail(child(path, "seed"), "expected a whole number, 0 or more");
    run.seed = seed->get<std::uint64_t>();
  }
  read_array(j, path, "sources", run.sources, [](const json& s, const std::string& at) {
    if (!s.is_string()) fail(at, "expected a string");
    return s.get<std::string>();
  });
  return run;
}

Series read_series(const json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "expected an object");
  Series s;
  read_string(j, path, "channel", s.channel, true);
  read_string(j, path, "provider", s.provider, true);
  if (s.channel.empty()) fail(child(path, "channel"), "must not be empty");
  s.dispatch = read_histogram(j, path, "dispatch");
  s.end_to_end = read_histogram(j, path, "end_to_end", false);
  s.deliver = read_histogram(j, path, "deliver", false);
  s.callback = read_histogram(j, path, "callback", false);
  read_count(j, path, "arrivals", s.arrivals, true);
  read_count(j, path, "accepted", s.accepted, true);
  read_count(j, path, "failed", s.failed);
  read_count(j, path, "unfinished", s.unfinished);
  read_count(j, path, "retries", s.retries);
  read_count(j, path, "failovers", s.failovers);
  read_count(j, path, "receipts", s.receipts);
  if (const json* errors = field(j, path, "errors", false)) {
    if (!errors->is_object()) fail(child(path, "errors"), "expected an object of kind: count");
    for (const auto& [kind, count] : errors->items()) {
      read_count(*errors, child(path, "errors"), kind.c_str(), s.errors[kind], true);
      (void)count;
    }
  }
  return s;
}

Interval read_interval(const json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "expected an object");
  Interval in;
  read_number(j, path, "start_s", in.start_s, true);
  in.dispatch = read_histogram(j, path, "dispatch");
  read_count(j, path, "arrivals", in.arrivals, true);
  read_count(j, path, "accepted", in.accepted, true);
  read_count(j, path, "errors", in.errors);
  in.deliver = read_histogram(j, path, "deliver", false);
  in.callback = read_histogram(j, path, "callback", false);
  return in;
}

}  // namespace

telemetry::LatencyHistogram LoadReport::total_dispatch() const {
  LatencyHistogram total;
  for (const auto& s : series) total.merge(s.dispatch);
  return total;
}

json to_json(const LoadReport& report) {
  const auto& r = report.run;
  json run = {{"target", r.target},           {"arrivals", r.arrivals},
              {"asked_rate", r.asked_rate},   {"achieved_rate", r.achieved_rate},
              {"duration_s", r.duration_s},   {"mix", r.mix},
              {"connections", r.connections}, {"faults", r.faults},
              {"started_at", r.started_at},   {"host", r.host},
              {"version", r.version},         {"profile", r.profile},
              {"seed", r.seed},               {"sources", r.sources}};

  json series = json::array();
  std::int64_t arrivals = 0, accepted = 0, failed = 0, unfinished = 0;
  for (const auto& s : report.series) {
    series.push_back({{"channel", s.channel},
                      {"provider", s.provider},
                      {"arrivals", s.arrivals},
                      {"accepted", s.accepted},
                      {"failed", s.failed},
                      {"unfinished", s.unfinished},
                      {"retries", s.retries},
                      {"failovers", s.failovers},
                      {"receipts", s.receipts},
                      {"errors", s.errors},
                      {"dispatch", histogram_json(s.dispatch)},
                      {"end_to_end", histogram_json(s.end_to_end)},
                      {"deliver", histogram_json(s.deliver)},
                      {"callback", histogram_json(s.callback)}});
    arrivals += s.arrivals;
    accepted += s.accepted;
    failed += s.failed;
    unfinished += s.unfinished;
  }

  json by_fault_class = json::object();
  for (const auto& [fault_class, h] : report.by_fault_class)
    by_fault_class[fault_class] = histogram_json(h);

  json timeline = json::array();
  for (const auto& in : report.timeline) {
    json interval = {{"start_s", in.start_s},
                     {"arrivals", in.arrivals},
                     {"accepted", in.accepted},
                     {"errors", in.errors},
                     {"dispatch", histogram_json(in.dispatch)}};
    // Only intervals in which receipts arrived have them: a stub run, and most of a short run's
    // intervals, carry none.
    if (in.deliver.count() > 0) interval["deliver"] = histogram_json(in.deliver);
    if (in.callback.count() > 0) interval["callback"] = histogram_json(in.callback);
    timeline.push_back(std::move(interval));
  }

  return {{"schema", kSchemaName},
          {"schema_version", kSchemaVersion},
          {"run", std::move(run)},
          {"interval_s", report.interval_s},
          {"summary",
           {{"arrivals", arrivals},
            {"accepted", accepted},
            {"failed", failed},
            {"unfinished", unfinished},
            {"dispatch", summary(report.total_dispatch())}}},
          {"series", std::move(series)},
          {"by_fault_class", std::move(by_fault_class)},
          {"timeline", std::move(timeline)}};
}

LoadReport from_json(const json& j) {
  if (!j.is_object()) fail("(top)", "expected a JSON object, a notify-sim load report");
  const json* schema = field(j, "", "schema", true);
  if (!schema->is_string() || schema->get<std::string>() != kSchemaName)
    fail("schema", std::string("expected \"") + kSchemaName + "\", not " + schema->dump());
  const json* version = field(j, "", "schema_version", true);
  if (!version->is_number_integer() || version->get<std::int64_t>() < 1)
    fail("schema_version", "expected a whole number from 1, not " + version->dump());
  if (version->get<std::int64_t>() > kSchemaVersion)
    fail("schema_version", std::to_string(version->get<std::int64_t>()) +
                               " is newer than this notify-sim reads (up to " +
                               std::to_string(kSchemaVersion) + "); use a newer notify-sim");

  LoadReport report;
  report.schema_version = version->get<int>();
  report.run = read_run(read_object(j, "", "run"), "run");
  read_number(j, "", "interval_s", report.interval_s, true);
  if (report.interval_s <= 0) fail("interval_s", "expected a number above 0");
  read_array(j, "", "series", report.series, read_series, true, kMaxSeries);
  if (const json* classes = field(j, "", "by_fault_class", false)) {
    if (!classes->is_object()) fail("by_fault_class", "expected an object of class: histogram");
    if (classes->size() > kMaxFaultClasses)
      fail("by_fault_class", std::to_string(classes->size()) + " classes; at most " +
                                 std::to_string(kMaxFaultClasses));
    for (const auto& [fault_class, h] : classes->items())
      report.by_fault_class[fault_class] =
          read_histogram(*classes, "by_fault_class", fault_class.c_str());
  }
  read_array(j, "", "timeline", report.timeline, read_interval, false, kMaxTimelineIntervals);
  return report;
}

}  // namespace notify::report
