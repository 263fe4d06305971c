// The load report as one HTML page that opens anywhere, offline: inline CSS, inline SVG, no
// script. Every string that came from a report (provider names, hosts, error kinds) is escaped.
#include "notify/report/load_report.hpp"
#include "notify/runtime/assert.hpp"
#include "svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace notify::report {
namespace {

using svg::escape;
using telemetry::LatencyHistogram;

constexpr const char* kBlue = "#1d70b8";
constexpr const char* kOrange = "#f47738";
constexpr const char* kRed = "#d4351c";
constexpr const char* kGreen = "#00703c";
constexpr const char* kGrey = "#505a5f";
// One colour per series on the percentile curve, after "all" in black.
constexpr const char* kPalette[] = {kBlue,     kOrange,   kGreen,    "#4c2c92",
                                    "#b58840", "#d53880", "#28a197", kRed};
// More series than this and the percentile curve shows only their total.
constexpr std::size_t kMaxCurves = 8;

constexpr const char* kStyle = R"(
:root { color-scheme: light; }
body { margin: 0; background: #f3f2f1; color: #0b0c0c;
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 30px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 0 0 4px; }
.sub, .explain { color: #505a5f; margin: 0 0 12px; }
section { background: #fff; border-radius: 6px; padding: 18px 20px; margin: 16px 0;
  box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; background: none;
  box-shadow: none; padding: 0; }
.tile { background: #fff; border-radius: 6px; padding: 14px 16px; border-top: 5px solid #1d70b8;
  box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.tile.warn { border-top-color: #f47738; } .tile.bad { border-top-color: #d4351c; }
.tile .label { font-size: 14px; color: #505a5f; }
.tile .value { font-size: 30px; font-weight: 700; font-variant-numeric: tabular-nums; }
.tile .note { font-size: 14px; color: #505a5f; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
.wide { overflow-x: auto; }
.wide table { font-size: 13px; }
.wide th, .wide td { padding: 6px 5px; }
td.kinds { white-space: nowrap; }
th, td { text-align: left; padding: 6px 7px; border-bottom: 1px solid #e5e7e8;
  vertical-align: top; }
th { color: #505a5f; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 700; border-top: 2px solid #b1b4b6; }
table.kv th { width: 180px; }
.chart { width: 100%; height: auto; display: block; }
footer { color: #505a5f; font-size: 13px; text-align: center; }
)";

std::string fixed(double v, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

// 1 s, 0.5 s, 2.5 s.
std::string seconds(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g s", s);
  return buffer;
}

// 1234567 as "1,234,567".
std::string count(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

std::string rate(double per_s) { return fixed(per_s, per_s < 10 ? 2 : per_s < 100 ? 1 : 0) + "/s"; }

std::string latency(const LatencyHistogram& h, double p) {
  if (h.count() == 0) return "–";
  return format_latency_us(static_cast<double>(p >= 100 ? h.max() : h.percentile(p)));
}

std::string row(const std::string& key, const std::string& escaped_value) {
  return "<tr><th>" + escape(key) + "</th><td>" + escaped_value + "</td></tr>\n";
}

std::string tile(const std::string& css, const std::string& label, const std::string& value,
                 const std::string& note) {
  return "<div class=\"tile " + css + "\"><div class=\"label\">" + escape(label) +
         "</div><div class=\"value\">" + escape(value) + "</div><div class=\"note\">" +
         escape(note) + "</div></div>\n";
}

struct Totals {
  std::int64_t arrivals = 0, accepted = 0, failed = 0, unfinished = 0, retries = 0, failovers = 0,
               receipts = 0, errors = 0;
  LatencyHistogram dispatch, end_to_end;
  std::map<std::string, std::int64_t> errors_by_kind;
};

Totals totals_of(const LoadReport& report) {
  Totals t;
  for (const auto& s : report.series) {
    t.arrivals += s.arrivals;
    t.accepted += s.accepted;
    t.failed += s.failed;
    t.unfinished += s.unfinished;
    t.retries += s.retries;
    t.failovers += s.failovers;
    t.receipts += s.receipts;
    t.dispatch.merge(s.dispatch);
    t.end_to_end.merge(s.end_to_end);
    for (const auto& [kind, n] : s.errors) {
      t.errors += n;
      t.errors_by_kind[kind] += n;
    }
  }
  return t;
}

// What one arrival is: a notification through the core, a request in a run of the stubs alone.
bool stub_run(const LoadReport& report) { return report.run.target == "stub"; }

std::string tiles(const LoadReport& report, const Totals& t) {
  const auto& run = report.run;
  const double achieved_pct = run.asked_rate > 0 ? run.achieved_rate / run.asked_rate * 100 : 0;
  // A driver that could not keep up with the rate asked for did not run the test it was asked to.
  const std::string rate_css = run.asked_rate <= 0 ? ""
                               : achieved_pct < 90 ? "bad"
                               : achieved_pct < 99 ? "warn"
                                                   : "";
  std::string s = "<section class=\"tiles\">\n";
  s += tile(rate_css, "Achieved rate", rate(run.achieved_rate),
            "asked " + rate(run.asked_rate) + " · " + fixed(achieved_pct, 1) + "% of asked");
  s += tile(t.failed + t.unfinished > 0 ? "warn" : "", "Arrivals", count(t.arrivals),
            count(t.accepted) + " accepted · " + count(t.failed) + " failed · " +
                count(t.unfinished) + " unfinished");
  s += tile("", "p99 dispatch", latency(t.dispatch, 99),
            "p50 " + latency(t.dispatch, 50) + " · max " + latency(t.dispatch, 100));
  s += tile(t.errors > 0 ? "warn" : "", "Failed attempts", count(t.errors),
            count(t.retries) + " retries · " + count(t.failovers) + " failovers");
  return s + "</section>\n";
}

std::string run_table(const LoadReport& report) {
  const auto& run = report.run;
  std::string mix;
  for (const auto& [channel, pct] : run.mix)
    mix += (mix.empty() ? "" : ", ") + escape(channel) + " " +
           fixed(pct, pct == std::round(pct) ? 0 : 1) + "%";
  std::string sources;
  for (const auto& source : run.sources)
    sources += (sources.empty() ? "" : "<br>") + escape(source);

  std::string s = "<section>\n<h2>Run</h2>\n<table class=\"kv\">\n";
  s += row("Rate", "<strong>" + escape(rate(run.achieved_rate)) + "</strong> achieved of " +
                       escape(rate(run.asked_rate)) + " asked");
  s += row("Target", escape(run.target));
  s += row("Arrivals", escape(run.arrivals) + " process, " +
                           escape(count(totals_of(report).arrivals)) +
                           (stub_run(report) ? " requests over " : " notifications over ") +
                           escape(fixed(run.duration_s, 1)) + " s");
  s += row("Mix", mix.empty() ? "–" : mix);
  s += row("Connections", escape(count(run.connections)));
  s += row("Faults", run.faults.empty() ? "none" : escape(run.faults));
  // merge writes seed 0 when its inputs' seeds differ.
  s += row("Seed", run.seed == 0 && run.sources.size() > 1 ? "differs between the merged runs"
                                                           : escape(std::to_string(run.seed)));
  s += row("Started", escape(run.started_at.empty() ? "–" : run.started_at));
  s += row("Host", escape(run.host.empty() ? "–" : run.host));
  s += row("Version", escape(run.version.empty() ? "–" : "notify-sim " + run.version));
  s += row("Profile", escape(run.profile.empty() ? "–" : run.profile));
  s += row("Interval", escape(seconds(report.interval_s)));
  if (!sources.empty()) s += row("Merged from", sources);
  return s + "</table>\n</section>\n";
}

std::string chart_section(const std::string& title, const std::string& explain,
                          const svg::Chart& chart) {
  return "<section>\n<h2>" + escape(title) + "</h2>\n<p class=\"explain\">" + escape(explain) +
         "</p>\n" + svg::render(chart) + "</section>\n";
}

double midpoint(const LoadReport& report, const Interval& in) {
  return in.start_s + report.interval_s / 2;
}

svg::Chart latency_over_time(const LoadReport& report) {
  svg::Chart c{.title = "Dispatch latency over time",
               .x_label = "time since start (s)",
               .y_label = "dispatch latency",
               .x_scale = svg::XScale::kSeconds,
               .y_unit = svg::YUnit::kLatencyUs,
               .lines = {}};
  svg::Line p50{"p50", kBlue, {}}, p99{"p99", kOrange, {}}, max{"max", kRed, {}};
  for (const auto& in : report.timeline) {
    if (in.dispatch.count() == 0) continue;
    const double x = midpoint(report, in);
    p50.points.emplace_back(x, static_cast<double>(in.dispatch.percentile(50)));
    p99.points.emplace_back(x, static_cast<double>(in.dispatch.percentile(99)));
    max.points.emplace_back(x, static_cast<double>(in.dispatch.max()));
  }
  c.lines = {std::move(p50), std::move(p99), std::move(max)};
  return c;
}

bool any_receipt_durations(const LoadReport& report) {
  return std::any_of(report.timeline.begin(), report.timeline.end(), [](const Interval& in) {
    return in.deliver.count() > 0 || in.callback.count() > 0;
  });
}

svg::Chart receipt_durations_over_time(const LoadReport& report) {
  svg::Chart c{.title = "Deliver and callback durations over time",
               .x_label = "time since start (s)",
               .y_label = "since the notification was created",
               .x_scale = svg::XScale::kSeconds,
               .y_unit = svg::YUnit::kLatencyUs,
               .lines = {}};
  svg::Line deliver_p50{"deliver p50", kBlue, {}}, deliver_p99{"deliver p99", kGreen, {}},
      callback_p50{"callback p50", kOrange, {}}, callback_p99{"callback p99", kRed, {}};
  for (const auto& in : report.timeline) {
    const double x = midpoint(report, in);
    if (in.deliver.count() > 0) {
      deliver_p50.points.emplace_back(x, static_cast<double>(in.deliver.percentile(50)));
      deliver_p99.points.emplace_back(x, static_cast<double>(in.deliver.percentile(99)));
    }
    if (in.callback.count() > 0) {
      callback_p50.points.emplace_back(x, static_cast<double>(in.callback.percentile(50)));
      callback_p99.points.emplace_back(x, static_cast<double>(in.callback.percentile(99)));
    }
  }
  c.lines = {std::move(deliver_p50), std::move(deliver_p99), std::move(callback_p50),
             std::move(callback_p99)};
  return c;
}

std::vector<std::pair<double, double>> curve(const LatencyHistogram& h, int nines) {
  std::vector<std::pair<double, double>> points;
  if (h.count() == 0) return points;
  // Evenly spaced on the nines axis, so the tail gets as many points as the body.
  constexpr int kStepsPerNine = 40;
  for (int i = 0; i <= nines * kStepsPerNine; ++i) {
    const double p = 100.0 * (1.0 - std::pow(10.0, -static_cast<double>(i) / kStepsPerNine));
    points.emplace_back(p, static_cast<double>(h.percentile(p)));
  }
  points.emplace_back(100.0, static_cast<double>(h.max()));
  return points;
}

svg::Chart percentile_curve(const LoadReport& report, const Totals& t) {
  // As many nines as the sample can tell apart: 99.99% needs 10,000 values.
  const int nines = std::clamp(static_cast<int>(std::ceil(std::log10(
                                   std::max<double>(10, static_cast<double>(t.dispatch.count()))))),
                               2, 6);
  svg::Chart c{.title = "Dispatch latency by percentile",
               .x_label = "percentile",
               .y_label = "dispatch latency",
               .x_scale = svg::XScale::kNines,
               .y_unit = svg::YUnit::kLatencyUs,
               .lines = {},
               .nines = nines};
  if (report.series.size() > 1 && report.series.size() <= kMaxCurves) {
    for (std::size_t i = 0; i < report.series.size(); ++i) {
      const auto& s = report.series[i];
      c.lines.push_back({s.channel + "/" + s.provider, kPalette[i % std::size(kPalette)],
                         curve(s.dispatch, nines)});
    }
  }
  c.lines.push_back({"all", "#0b0c0c", curve(t.dispatch, nines)});
  return c;
}

svg::Chart throughput_over_time(const LoadReport& report) {
  svg::Chart c{.title = "Throughput over time",
               .x_label = "time since start (s)",
               .y_label = stub_run(report) ? "requests per second" : "notifications per second",
               .x_scale = svg::XScale::kSeconds,
               .y_unit = svg::YUnit::kPerSecond,
               .lines = {}};
  svg::Line asked{"asked", kGrey, {}, true}, arrivals{"arrivals", kBlue, {}},
      accepted{"accepted", kGreen, {}};
  for (const auto& in : report.timeline) {
    const double x = midpoint(report, in);
    arrivals.points.emplace_back(x, static_cast<double>(in.arrivals) / report.interval_s);
    accepted.points.emplace_back(x, static_cast<double>(in.accepted) / report.interval_s);
  }
  if (!report.timeline.empty() && report.run.asked_rate > 0) {
    asked.points = {{report.timeline.front().start_s, report.run.asked_rate},
                    {report.timeline.back().start_s + report.interval_s, report.run.asked_rate}};
  }
  c.lines = {std::move(asked), std::move(arrivals), std::move(accepted)};
  return c;
}

// What the throughput chart counts, and why its "accepted" line can run above the rate asked:
// a broadcast is accepted once by each of its four operators (a mix with 1% broadcasts at
// 2,000/s shows about 2,060 acceptances a second), and an acceptance counts in the interval it
// happened, so a backlog that drains adds to a later interval.
std::string throughput_explained(const LoadReport& report, const std::string& interval) {
  if (stub_run(report)) {
    return "Requests arriving and answered 2xx by the stub, per second, in each " + interval +
           " interval; the dashed line is the rate asked for.";
  }
  std::string s = "Notifications arriving, and acceptances by a provider, per second, in each " +
                  interval +
                  " interval; the dashed line is the rate asked for. An acceptance "
                  "counts in the interval it happened, so after a stall “accepted” "
                  "catches up above the arrivals.";
  const auto broadcast = report.run.mix.find("broadcast");
  if (broadcast != report.run.mix.end() && broadcast->second > 0) {
    s += " Each broadcast is accepted by each of its four operators and counts four times, so "
         "with " +
         fixed(broadcast->second, broadcast->second < 1 ? 1 : 0) +
         "% broadcasts “accepted” runs about " +
         fixed(3 * broadcast->second, 3 * broadcast->second < 1 ? 1 : 0) + "% above the arrivals.";
  }
  return s;
}

svg::Chart errors_over_time(const LoadReport& report) {
  svg::Chart c{.title = "Errors over time",
               .x_label = "time since start (s)",
               .y_label = "failed attempts per second",
               .x_scale = svg::XScale::kSeconds,
               .y_unit = svg::YUnit::kPerSecond,
               .lines = {}};
  svg::Line errors{"failed attempts", kRed, {}};
  for (const auto& in : report.timeline)
    errors.points.emplace_back(midpoint(report, in),
                               static_cast<double>(in.errors) / report.interval_s);
  c.lines = {std::move(errors)};
  return c;
}

std::string errors_cell(const std::map<std::string, std::int64_t>& errors) {
  std::vector<std::pair<std::string, std::int64_t>> sorted(errors.begin(), errors.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string s;
  for (const auto& [kind, n] : sorted)
    s += (s.empty() ? "" : "<br>") + escape(kind) + " " + escape(count(n));
  return s.empty() ? "–" : s;
}

std::string series_row(const std::string& css, const std::string& channel,
                       const std::string& provider, std::int64_t arrivals, std::int64_t accepted,
                       std::int64_t failed, std::int64_t unfinished, std::int64_t retries,
                       std::int64_t failovers, std::int64_t receipts,
                       const LatencyHistogram& dispatch, const LatencyHistogram& end_to_end,
                       const std::map<std::string, std::int64_t>& errors) {
  std::string s = "<tr" + (css.empty() ? "" : " class=\"" + css + "\"") + "><td>" +
                  escape(channel) + "</td><td>" + escape(provider) + "</td>";
  for (auto n : {arrivals, accepted, failed, unfinished, retries, failovers, receipts})
    s += "<td class=\"n\">" + escape(count(n)) + "</td>";
  for (double p : {50.0, 99.0, 99.9, 100.0})
    s += "<td class=\"n\">" + escape(latency(dispatch, p)) + "</td>";
  s += "<td class=\"n\">" + escape(latency(end_to_end, 99)) + "</td>";
  return s + "<td class=\"kinds\">" + errors_cell(errors) + "</td></tr>\n";
}

std::string series_table(const LoadReport& report, const Totals& t) {
  // A run of the stubs alone has one series: the stub's service and the operation it was sent.
  std::string s =
      stub_run(report)
          ? "<section>\n<h2>By stub and operation</h2>\n<p class=\"explain\">Dispatch: a "
            "request's scheduled arrival to the stub's 2xx answer. Failed: any other answer, or "
            "none; errors by kind name the HTTP status or the transport error.</p>\n<div "
            "class=\"wide\"><table>\n<tr><th>Stub</th><th>Operation</th>"
          : "<section>\n<h2>By channel and provider</h2>\n<p class=\"explain\">Dispatch: "
            "scheduled arrival to the provider accepting it. End to end: scheduled arrival to the "
            "delivery receipt.</p>\n<div class=\"wide\"><table>\n<tr><th>Channel</th><th>Provider"
            "</th>";
  s += "<th class=\"n\">Arrivals</th>"
       "<th class=\"n\">Accepted</th><th class=\"n\">Failed</th><th class=\"n\">Unfinished</th>"
       "<th class=\"n\">Retries</th><th class=\"n\">Failovers</th><th class=\"n\">Receipts</th>"
       "<th class=\"n\">p50</th><th class=\"n\">p99</th><th class=\"n\">p99.9</th>"
       "<th class=\"n\">max</th><th class=\"n\">e2e p99</th><th>Errors by kind</th></tr>\n";
  for (const auto& x : report.series)
    s += series_row("", x.channel, x.provider, x.arrivals, x.accepted, x.failed, x.unfinished,
                    x.retries, x.failovers, x.receipts, x.dispatch, x.end_to_end, x.errors);
  if (report.series.size() > 1)
    s += series_row("total", "all", "", t.arrivals, t.accepted, t.failed, t.unfinished, t.retries,
                    t.failovers, t.receipts, t.dispatch, t.end_to_end, t.errors_by_kind);
  return s + "</table></div>\n</section>\n";
}

std::string fault_class_table(const LoadReport& report) {
  if (report.by_fault_class.empty()) return "";
  std::string s =
      "<section>\n<h2>By fault class</h2>\n<p class=\"explain\">Dispatch latency of the "
      "notifications that met each kind of fault on their way.</p>\n<table>\n<tr><th>Fault "
      "class</th><th class=\"n\">Notifications</th><th class=\"n\">p50</th><th class=\"n\">p99</th>"
      "<th class=\"n\">p99.9</th><th class=\"n\">max</th></tr>\n";
  for (const auto& [fault_class, h] : report.by_fault_class) {
    s += "<tr><td>" + escape(fault_class) + "</td><td class=\"n\">" + escape(count(h.count())) +
         "</td>";
    for (double p : {50.0, 99.0, 99.9, 100.0})
      s += "<td class=\"n\">" + escape(latency(h, p)) + "</td>";
    s += "</tr>\n";
  }
  return s + "</table>\n</section>\n";
}

}  // namespace

std::string render_html(const LoadReport& report) {
  const Totals t = totals_of(report);
  const auto& run = report.run;
  // from_json refuses such a report; one built in memory with it is a bug in its builder.
  NOTIFY_ASSERT(report.interval_s > 0);
  const std::string interval = seconds(report.interval_s);
  std::string title =
      "Load report: " + run.target + (run.started_at.empty() ? "" : ", " + run.started_at);

  std::string s =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>" +
      escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n";
  s += "<h1>Load report</h1>\n<p class=\"sub\">Target " + escape(run.target) +
       (run.started_at.empty() ? "" : " · started " + escape(run.started_at)) +
       (run.host.empty() ? "" : " · " + escape(run.host)) +
       (run.version.empty() ? "" : " · notify-sim " + escape(run.version)) + "</p>\n";
  s += tiles(report, t);
  s += run_table(report);
  s += chart_section("Dispatch latency over time",
                     "p50, p99 and the maximum of each " + interval + " interval.",
                     latency_over_time(report));
  // Only a core run under today's profile records them; a chart of nothing would only puzzle.
  if (any_receipt_durations(report)) {
    s += chart_section(
        "Deliver and callback durations over time",
        "Today's Notify's notification.deliver.duration (the provider's delivery time in the "
        "receipt minus the notification's creation) and notification.callback.duration (the "
        "receipt reaching the core minus the creation), as the core recorded them: p50 and p99 "
        "of the receipts that arrived in each " +
            interval + " interval, email and SMS together.",
        receipt_durations_over_time(report));
  }
  s += chart_section("Dispatch latency by percentile",
                     "The whole run's distribution; each step right is ten times rarer.",
                     percentile_curve(report, t));
  s += chart_section("Throughput over time", throughput_explained(report, interval),
                     throughput_over_time(report));
  s += chart_section(
      "Errors over time",
      "Failed provider attempts per second (retried or final), in each " + interval + " interval.",
      errors_over_time(report));
  s += series_table(report, t);
  s += fault_class_table(report);
  s += "<footer>" + escape(std::string(kSchemaName)) + " schema version " +
       std::to_string(report.schema_version) + "</footer>\n</main>\n</body>\n</html>\n";
  return s;
}

}  // namespace notify::report
