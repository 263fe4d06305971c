// The regression gate: p99 dispatch latency up, or throughput down, by more than the limit.
#include "notify/report/load_report.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace notify::report {
namespace {

// A run whose dispatch latencies are all `p99_us` and whose achieved rate is `rate`.
LoadReport run_with(std::int64_t p99_us, double rate) {
  LoadReport r;
  r.run.achieved_rate = rate;
  r.series.emplace_back();
  r.series[0].channel = "email";
  r.series[0].provider = "ses";
  if (p99_us > 0) r.series[0].dispatch.record(p99_us, 100);
  return r;
}

// By value: callers pass compare()'s result straight in.
Regression metric(const std::vector<Regression>& all, const std::string& name) {
  for (const auto& r : all)
    if (r.metric == name) return r;
  throw std::runtime_error("no metric " + name);
}

TEST(ReportCompare, LatencyRegressesOnlyPastTheLimit) {
  const LoadReport baseline = run_with(10'000, 500);
  const auto under = compare(baseline, run_with(10'900, 500), 10);
  const auto& l = metric(under, "p99_dispatch_us");
  EXPECT_EQ(l.unit, "us");
  EXPECT_NEAR(l.baseline, 10'000, 10);
  EXPECT_NEAR(l.current, 10'900, 11);
  EXPECT_NEAR(l.change_pct, 9.0, 0.2);
  EXPECT_EQ(l.limit_pct, 10);
  EXPECT_FALSE(l.regressed);

  const auto& over = metric(compare(baseline, run_with(11'200, 500), 10), "p99_dispatch_us");
  EXPECT_NEAR(over.change_pct, 12.0, 0.2);
  EXPECT_TRUE(over.regressed);
  EXPECT_EQ(describe(over),
            "p99 dispatch latency: 10.0 ms -> 11.2 ms (+12% worse, limit +10%): REGRESSED");

  // Faster is never a regression, however large the change.
  const auto& faster = metric(compare(baseline, run_with(2'000, 500), 10), "p99_dispatch_us");
  EXPECT_LT(faster.change_pct, -70);
  EXPECT_FALSE(faster.regressed);
  EXPECT_EQ(describe(faster),
            "p99 dispatch latency: 10.0 ms -> 2.00 ms (80% better, limit +10%): ok");
}

TEST(ReportCompare, ThroughputRegressesWhenItDrops) {
  const LoadReport baseline = run_with(10'000, 500);
  const auto& drop = metric(compare(baseline, run_with(10'000, 400), 10), "throughput");
  EXPECT_EQ(drop.unit, "/s");
  EXPECT_EQ(drop.baseline, 500);
  EXPECT_EQ(drop.current, 400);
  EXPECT_DOUBLE_EQ(drop.change_pct, 20);
  EXPECT_TRUE(drop.regressed);
  EXPECT_EQ(describe(drop), "throughput: 500/s -> 400/s (+20% worse, limit +10%): REGRESSED");

  const auto& small = metric(compare(baseline, run_with(10'000, 460), 10), "throughput");
  EXPECT_DOUBLE_EQ(small.change_pct, 8);
  EXPECT_FALSE(small.regressed);
  const auto& more = metric(compare(baseline, run_with(10'000, 900), 10), "throughput");
  EXPECT_DOUBLE_EQ(more.change_pct, -80);
  EXPECT_FALSE(more.regressed);
}

TEST(ReportCompare, BothMetricsInOrder) {
  const auto all = compare(run_with(10'000, 500), run_with(20'000, 100), 5);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].metric, "p99_dispatch_us");
  EXPECT_EQ(all[1].metric, "throughput");
  EXPECT_TRUE(all[0].regressed);
  EXPECT_TRUE(all[1].regressed);
}

TEST(ReportCompare, ZeroBaselinesAreNotJudgedButANothingRunIs) {
  const auto empty_baseline = compare(run_with(0, 0), run_with(10'000, 500), 10);
  for (const auto& r : empty_baseline) {
    EXPECT_FALSE(r.regressed) << r.metric;
    EXPECT_EQ(r.change_pct, 0) << r.metric;
    EXPECT_FALSE(r.note.empty()) << r.metric;
    EXPECT_TRUE(std::isfinite(r.change_pct));
  }
  EXPECT_EQ(describe(empty_baseline[1]),
            "throughput: 0.00/s -> 500/s (the baseline achieved no throughput; not judged): ok");

  // Nothing accepted is not a latency improvement.
  const auto& nothing =
      metric(compare(run_with(10'000, 500), run_with(0, 500), 10), "p99_dispatch_us");
  EXPECT_TRUE(nothing.regressed);
  EXPECT_NE(nothing.note.find("nothing was accepted"), std::string::npos);

  // A p99 of 0 µs with values recorded is a real, if tiny, baseline.
  LoadReport zero = run_with(0, 500);
  zero.series[0].dispatch.record(0, 100);
  const auto& from_zero = metric(compare(zero, run_with(3, 500), 10), "p99_dispatch_us");
  EXPECT_TRUE(std::isfinite(from_zero.change_pct));
  EXPECT_TRUE(from_zero.regressed);
}

TEST(ReportCompare, LatenciesReadInTheirUnit) {
  EXPECT_EQ(format_latency_us(850), "850 µs");
  EXPECT_EQ(format_latency_us(12'400), "12.4 ms");
  EXPECT_EQ(format_latency_us(3'200'000), "3.20 s");
  EXPECT_EQ(format_latency_us(999'999), "1.00 s");
  EXPECT_EQ(format_latency_us(999.7), "1.00 ms");
}

}  // namespace
}  // namespace notify::report
