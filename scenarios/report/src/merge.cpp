// Merging the reports of several drivers, each of which loaded its own serve on its own machine,
// into the report of one test as big as all of them together.
#include "notify/report/load_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <utility>

namespace notify::report {
namespace {

// "a" when every report says "a", otherwise every distinct value in order, joined by ", ".
template <typename Get>
std::string joined_distinct(const std::vector<LoadReport>& reports, Get&& get) {
  std::vector<std::string> seen;
  for (const auto& r : reports) {
    const std::string& value = get(r);
    if (!value.empty() && std::find(seen.begin(), seen.end(), value) == seen.end())
      seen.push_back(value);
  }
  std::string out;
  for (const auto& v : seen) out += (out.empty() ? "" : ", ") + v;
  return out;
}

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

void add(Series& into, const Series& from) {
  into.dispatch.merge(from.dispatch);
  into.end_to_end.merge(from.end_to_end);
  into.deliver.merge(from.deliver);
  into.callback.merge(from.callback);
  into.arrivals += from.arrivals;
  into.accepted += from.accepted;
  into.failed += from.failed;
  into.unfinished += from.unfinished;
  into.retries += from.retries;
  into.failovers += from.failovers;
  into.receipts += from.receipts;
  for (const auto& [kind, count] : from.errors) into.errors[kind] += count;
}

RunInfo merge_run(const std::vector<LoadReport>& reports) {
  RunInfo run;
  run.target = reports.front().run.target;
  run.arrivals = joined_distinct(reports, [](const LoadReport& r) { return r.run.arrivals; });
  run.faults = joined_distinct(reports, [](const LoadReport& r) { return r.run.faults; });
  run.host = joined_distinct(reports, [](const LoadReport& r) { return r.run.host; });
  run.version = joined_distinct(reports, [](const LoadReport& r) { return r.run.version; });
  run.profile = joined_distinct(reports, [](const LoadReport& r) { return r.run.profile; });
  run.seed = reports.front().run.seed;
  double asked_total = 0;
  std::map<std::string, double> asked_by_channel;
  for (const auto& r : reports) {
    run.asked_rate += r.run.asked_rate;
    run.achieved_rate += r.run.achieved_rate;
    run.duration_s = std::max(run.duration_s, r.run.duration_s);
    run.connections += r.run.connections;
    // ISO 8601 in UTC sorts as text: the earliest start is the merged run's start.
    if (run.started_at.empty() || (!r.run.started_at.empty() && r.run.started_at < run.started_at))
      run.started_at = r.run.started_at;
    if (r.run.seed != run.seed) run.seed = 0;
    // The merged mix is each channel's share of the notifications asked for by all drivers.
    asked_total += r.run.asked_rate;
    for (const auto& [channel, pct] : r.run.mix)
      asked_by_channel[channel] += pct * r.run.asked_rate;
    if (!r.run.sources.empty()) {
      run.sources.insert(run.sources.end(), r.run.sources.begin(), r.run.sources.end());
    } else {
      std::string source = r.run.host.empty() ? "unknown host" : r.run.host;
      if (!r.run.started_at.empty()) source += " " + r.run.started_at;
      run.sources.push_back(std::move(source));
    }
  }
  if (asked_total > 0) {
    for (const auto& [channel, weighted] : asked_by_channel)
      run.mix[channel] = weighted / asked_total;
  } else {
    // No rates to weigh by: the first report's mix is as good a guess as any.
    run.mix = reports.front().run.mix;
  }
  return run;
}

}  // namespace

LoadReport merge(const std::vector<LoadReport>& reports) {
  if (reports.empty()) throw std::invalid_argument("merge: no report to merge");
  const LoadReport& first = reports.front();
  for (std::size_t i = 1; i < reports.size(); ++i) {
    const LoadReport& r = reports[i];
    const std::string which =
        "report " + std::to_string(i + 1) + " of " + std::to_string(reports.size());
    if (r.schema_version != first.schema_version)
      throw std::invalid_argument(which + ": schema_version " + std::to_string(r.schema_version) +
                                  ", the first is " + std::to_string(first.schema_version) +
                                  "; re-run the older driver with this notify-sim");
    if (std::abs(r.interval_s - first.interval_s) > 1e-9)
      throw std::invalid_argument(which + ": interval_s " + number(r.interval_s) +
                                  ", the first is " + number(first.interval_s) +
                                  "; every driver needs the same interval to align timelines");
    if (r.run.target != first.run.target)
      throw std::invalid_argument(which + ": target \"" + r.run.target + "\", the first is \"" +
                                  first.run.target +
                                  "\"; core and stub runs measure different "
                                  "things");
  }

  LoadReport merged;
  merged.schema_version = first.schema_version;
  merged.interval_s = first.interval_s;
  merged.run = merge_run(reports);
  for (const auto& r : reports) {
    for (const auto& s : r.series) {
      auto it = std::find_if(merged.series.begin(), merged.series.end(), [&](const Series& m) {
        return m.channel == s.channel && m.provider == s.provider;
      });
      if (it == merged.series.end()) {
        merged.series.push_back(s);
      } else {
        add(*it, s);
      }
    }
    for (const auto& [fault_class, h] : r.by_fault_class)
      merged.by_fault_class[fault_class].merge(h);
    // Interval i of every run covers the same stretch after that run's own start.
    if (r.timeline.size() > merged.timeline.size()) merged.timeline.resize(r.timeline.size());
    for (std::size_t i = 0; i < r.timeline.size(); ++i) {
      Interval& into = merged.timeline[i];
      into.start_s = static_cast<double>(i) * merged.interval_s;
      into.dispatch.merge(r.timeline[i].dispatch);
      into.deliver.merge(r.timeline[i].deliver);
      into.callback.merge(r.timeline[i].callback);
      into.arrivals += r.timeline[i].arrivals;
      into.accepted += r.timeline[i].accepted;
      into.errors += r.timeline[i].errors;
    }
  }
  // The inputs were each within the limits; their union may not be.
  if (merged.series.size() > kMaxSeries || merged.by_fault_class.size() > kMaxFaultClasses)
    throw std::invalid_argument("merge: " + std::to_string(merged.series.size()) + " series and " +
                                std::to_string(merged.by_fault_class.size()) +
                                " fault classes together; at most " + std::to_string(kMaxSeries) +
                                " and " + std::to_string(kMaxFaultClasses));
  return merged;
}

}  // namespace notify::report
