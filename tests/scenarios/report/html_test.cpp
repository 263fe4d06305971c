// The HTML page: self-contained, one SVG per chart, every report string escaped.
#include "notify/report/load_report.hpp"
#include "sample_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

namespace notify::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

LoadReport sample() { return testing::sample_report({.seed = 5, .rate = 100, .duration_s = 120}); }

TEST(ReportHtml, IsOnePageWithNothingToFetch) {
  const std::string html = render_html(sample());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(html, HasSubstr("</html>"));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
}

TEST(ReportHtml, OneSvgPerChartWithAxesAndLines) {
  const LoadReport r = sample();
  const std::string html = render_html(r);
  EXPECT_EQ(occurrences(html, "<svg"), 4u);
  EXPECT_EQ(occurrences(html, "</svg>"), 4u);
  for (const char* title : {"Dispatch latency over time", "Dispatch latency by percentile",
                            "Throughput over time", "Errors over time"})
    EXPECT_THAT(html, HasSubstr("aria-label=\"" + std::string(title) + "\"")) << title;
  // Latency over time has p50, p99 and max; the curve one per series and all; throughput asked,
  // arrivals and accepted; errors one.
  EXPECT_EQ(occurrences(html, "<polyline"), 3u + 4u + 3u + 1u);
  EXPECT_THAT(html, HasSubstr("time since start (s)"));
  // Latencies on a log axis, each tick in its own unit.
  EXPECT_THAT(html, HasSubstr("dispatch latency (log scale)"));
  for (const char* tick : {">1 ms<", ">10 ms<", ">100 ms<", ">1 s<"})
    EXPECT_THAT(html, HasSubstr(tick)) << tick;
  EXPECT_THAT(html, HasSubstr("notifications per second (/s)"));
  for (const char* tick : {">90%<", ">99%<", ">99.9%<", ">99.99%<"})
    EXPECT_THAT(html, HasSubstr(tick)) << tick;
  EXPECT_THAT(html, HasSubstr(">120<"));  // the time axis reaches the run's end
}

TEST(ReportHtml, ShowsRunInfoAndTheTable) {
  LoadReport r = sample();
  r.run.sources = {"driver-1 2026-11-29T22:00:00Z", "driver-2 2026-11-29T22:00:01Z"};
  const std::string html = render_html(r);
  EXPECT_THAT(html, HasSubstr(">Achieved rate<"));
  EXPECT_THAT(html, HasSubstr("asked 100/s"));
  EXPECT_THAT(html, HasSubstr("faults/release-storm.json"));
  EXPECT_THAT(html, HasSubstr("email 60%, sms 40%"));
  EXPECT_THAT(html, HasSubstr("driver-2 2026-11-29T22:00:01Z"));
  EXPECT_THAT(html, HasSubstr("notify-sim 0.9.0"));
  EXPECT_THAT(html, HasSubstr("<td>firetext</td>"));
  EXPECT_THAT(html, HasSubstr("firetext.throttled"));
  EXPECT_THAT(
      html, HasSubstr(format_latency_us(static_cast<double>(r.series[0].dispatch.percentile(99)))));
  EXPECT_THAT(html, HasSubstr(">throttling<"));
}

TEST(ReportHtml, AStubRunCountsRequestsByStubAndOperation) {
  LoadReport r;
  r.run.target = "stub";
  r.run.asked_rate = 400;
  r.run.achieved_rate = 400;
  Series s;
  s.channel = "lambda";
  s.provider = "lambda-invoke";
  s.arrivals = 10;
  s.accepted = 9;
  s.failed = 1;
  s.errors["http 503"] = 1;
  s.dispatch.record(120);
  r.series.push_back(s);
  const std::string html = render_html(r);
  EXPECT_THAT(html, HasSubstr("By stub and operation"));
  EXPECT_THAT(html, HasSubstr("<th>Stub</th><th>Operation</th>"));
  EXPECT_THAT(html, HasSubstr("<td>lambda-invoke</td>"));
  EXPECT_THAT(html, HasSubstr("http 503"));
  EXPECT_THAT(html, HasSubstr("10 requests over"));
  EXPECT_THAT(html, Not(HasSubstr("notifications")));
  EXPECT_THAT(html, Not(HasSubstr("Notifications")));
}

// A mixed run through the core: email, both SMS providers and the four operators.
LoadReport mixed_run() {
  LoadReport r = sample();
  r.run.mix = {{"email", 70}, {"sms", 29}, {"broadcast", 1}};
  for (const char* op : {"ee", "o2", "three", "vodafone"}) {
    Series s;
    s.channel = "broadcast";
    s.provider = op;
    s.arrivals = 4;
    s.accepted = 4;
    s.dispatch.record(900);
    r.series.push_back(s);
  }
  return r;
}

TEST(ReportHtml, TheLegendOfAMixedRunStaysInsideItsChart) {
  const std::string html = render_html(mixed_run());
  const auto start = html.find("aria-label=\"Dispatch latency by percentile\"");
  ASSERT_NE(start, std::string::npos);
  const std::string chart = html.substr(start, html.find("</svg>", start) - start);
  // Each legend entry is a swatch (a line 3 px wide) left of its name; the first name is the
  // leftmost, so a swatch inside the chart's 960 px keeps every name inside too.
  const std::regex swatch(
      R"re(<line x1="(-?[\d.]+)" y1="[\d.]+" x2="(-?[\d.]+)"[^>]*stroke-width="3")re");
  std::size_t swatches = 0;
  for (std::sregex_iterator it(chart.begin(), chart.end(), swatch), end; it != end; ++it) {
    ++swatches;
    EXPECT_GE(std::stod((*it)[1]), 0.0) << (*it)[0];
    EXPECT_LE(std::stod((*it)[2]), 960.0) << (*it)[0];
  }
  EXPECT_EQ(swatches, 8u);  // seven series and "all"
  for (const char* name : {">email/ses<", ">sms/firetext<", ">broadcast/vodafone<", ">all<"})
    EXPECT_THAT(chart, HasSubstr(name)) << name;
}

TEST(ReportHtml, ThroughputSaysWhyAcceptedRunsAboveTheRateAsked) {
  const std::string html = render_html(mixed_run());
  EXPECT_THAT(html, HasSubstr("Each broadcast is accepted by each of its four operators and "
                              "counts four times, so with 1% broadcasts “accepted” runs about "
                              "3% above the arrivals."));
  EXPECT_THAT(html, HasSubstr("after a stall “accepted” catches up above the arrivals"));
  // Without broadcasts there are no per-operator acceptances to explain.
  EXPECT_THAT(render_html(sample()), Not(HasSubstr("four operators")));
}

TEST(ReportHtml, EscapesEveryStringFromTheReport) {
  LoadReport r = sample();
  r.series[1].provider = "<script>alert(1)</script>";
  r.series[1].errors["<img src=x onerror=alert(2)>"] = 1;
  r.run.host = "\"><script>alert(3)</script>";
  r.run.faults = "a&b.json";
  r.run.mix["<b>"] = 1;
  r.by_fault_class["<svg onload=alert(4)>"].record(5);
  const std::string html = render_html(r);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_EQ(occurrences(html, "<svg"), 4u);
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("&quot;&gt;&lt;script&gt;"));
  EXPECT_THAT(html, HasSubstr("a&amp;b.json"));
}

TEST(ReportHtml, AnEmptyReportStillRenders) {
  const std::string html = render_html(LoadReport{});
  EXPECT_EQ(occurrences(html, "<svg"), 4u);
  EXPECT_THAT(html, HasSubstr("no data"));
  EXPECT_THAT(html, Not(HasSubstr("nan")));
  EXPECT_THAT(html, Not(HasSubstr("inf")));
}

TEST(ReportHtml, ReceiptDurationsOverTimeOnlyWhenRecorded) {
  LoadReport r;
  r.series.emplace_back();
  r.series[0].channel = "sms";
  r.series[0].provider = "mmg";
  r.timeline.resize(2);
  r.timeline[1].start_s = 1;
  const std::string without = render_html(r);
  EXPECT_THAT(without, Not(HasSubstr("Deliver and callback durations over time")));
  r.timeline[0].deliver.record(700'000);
  r.timeline[1].callback.record(1'900'000);
  const std::string html = render_html(r);
  EXPECT_EQ(occurrences(html, "<svg"), occurrences(without, "<svg") + 1);
  EXPECT_THAT(html, HasSubstr("<h2>Deliver and callback durations over time</h2>"));
  for (const char* legend : {">deliver p50<", ">deliver p99<", ">callback p50<", ">callback p99<"})
    EXPECT_THAT(html, HasSubstr(legend)) << legend;
}

TEST(ReportHtml, LatencyTicksPickTheirUnit) {
  LoadReport r;
  r.series.emplace_back();
  r.series[0].channel = "email";
  r.series[0].provider = "ses";
  r.timeline.resize(3);
  for (std::size_t i = 0; i < 3; ++i) r.timeline[i].start_s = static_cast<double>(i);
  r.timeline[1].dispatch.record(400);
  r.series[0].dispatch.record(400);
  std::string html = render_html(r);
  EXPECT_THAT(html, HasSubstr(">100 µs<"));
  EXPECT_THAT(html, HasSubstr(">1 ms<"));
  EXPECT_THAT(html, Not(HasSubstr(">1 s</text>")));
  r.timeline[2].dispatch.record(2'500'000);
  r.series[0].dispatch.record(2'500'000);
  html = render_html(r);
  EXPECT_THAT(html, HasSubstr(">1 s<"));
  EXPECT_THAT(html, HasSubstr(">10 s<"));
}

}  // namespace
}  // namespace notify::report
