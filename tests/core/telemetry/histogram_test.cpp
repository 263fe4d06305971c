#include "notify/telemetry/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

namespace notify::telemetry {
namespace {

// The exact percentile of a sorted sample, by the same rank rule as the histogram.
std::int64_t exact(const std::vector<std::int64_t>& sorted, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// Within 3 significant digits: the reported value is in the same slot as the exact one, so it
// differs by less than one part in 1024 (values below 2048 are exact).
void expect_within_precision(std::int64_t reported, std::int64_t truth) {
  EXPECT_EQ(LatencyHistogram::lowest_equivalent(reported),
            LatencyHistogram::lowest_equivalent(truth))
      << "reported " << reported << ", exact " << truth;
  EXPECT_LE(std::abs(static_cast<double>(reported - truth)),
            std::max(1.0, static_cast<double>(truth) / 1024.0));
}

TEST(LatencyHistogram, ValuesBelowTwoThousandAreExact) {
  LatencyHistogram h;
  for (std::int64_t v = 0; v < 2048; ++v) {
    EXPECT_EQ(LatencyHistogram::lowest_equivalent(v), v);
    EXPECT_EQ(LatencyHistogram::highest_equivalent(v), v);
  }
  h.record(1);
  h.record(2047);
  EXPECT_EQ(h.percentile(50), 1);
  EXPECT_EQ(h.percentile(100), 2047);
}

TEST(LatencyHistogram, EverySlotKeepsThreeSignificantDigitsUpToAnHour) {
  for (std::int64_t v = 1; v <= LatencyHistogram::kHighest; v = v * 3 / 2 + 1) {
    const auto lo = LatencyHistogram::lowest_equivalent(v);
    const auto hi = LatencyHistogram::highest_equivalent(v);
    EXPECT_LE(lo, v);
    EXPECT_GE(hi, v);
    EXPECT_LE(static_cast<double>(hi - lo), std::max(0.0, static_cast<double>(v) / 1000.0))
        << "slot of " << v << " is " << lo << ".." << hi;
  }
}

TEST(LatencyHistogram, UniformDistributionGivesKnownPercentiles) {
  LatencyHistogram h;
  for (std::int64_t v = 1; v <= 1'000'000; ++v) h.record(v);
  EXPECT_EQ(h.count(), 1'000'000);
  for (double p : {1.0, 25.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const auto truth = static_cast<std::int64_t>(p * 10'000);
    expect_within_precision(h.percentile(p), truth);
  }
  EXPECT_EQ(h.percentile(100), 1'000'000);
  EXPECT_EQ(h.min(), 1);
  EXPECT_NEAR(h.mean(), 500'000.5, 1e-6);
  EXPECT_NEAR(h.stddev(), 1'000'000 / std::sqrt(12.0), 1.0);
}

TEST(LatencyHistogram, ExponentialAndLognormalSamplesMatchTheirExactPercentiles) {
  std::mt19937_64 rng(42);
  std::exponential_distribution<double> exp_dist(1.0 / 800.0);  // mean 800 µs
  std::lognormal_distribution<double> log_dist(8.0, 1.5);       // long tail into seconds
  for (int which = 0; which < 2; ++which) {
    LatencyHistogram h;
    std::vector<std::int64_t> sample;
    for (int i = 0; i < 200'000; ++i) {
      auto v = static_cast<std::int64_t>(which == 0 ? exp_dist(rng) : log_dist(rng));
      sample.push_back(v);
      h.record(v);
    }
    std::sort(sample.begin(), sample.end());
    for (double p : {50.0, 90.0, 99.0, 99.9, 99.99})
      expect_within_precision(h.percentile(p), exact(sample, p));
    EXPECT_EQ(h.max(), sample.back());
  }
}

TEST(LatencyHistogram, MergeEqualsRecordingBoth) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> a_dist(10, 5'000), b_dist(1'000, 90'000'000);
  LatencyHistogram a, b, both;
  for (int i = 0; i < 50'000; ++i) {
    auto x = a_dist(rng), y = b_dist(rng);
    a.record(x);
    b.record(y);
    both.record(x);
    both.record(y);
  }
  a.merge(b);
  EXPECT_EQ(a, both);
  for (double p : {50.0, 99.0, 99.9}) EXPECT_EQ(a.percentile(p), both.percentile(p));
  EXPECT_DOUBLE_EQ(a.mean(), both.mean());
}

TEST(LatencyHistogram, OutOfRangeValuesAreClampedAndCounted) {
  LatencyHistogram h;
  h.record(-5);
  h.record(LatencyHistogram::kHighest * 2, 3);
  EXPECT_EQ(h.count(), 4);
  EXPECT_EQ(h.saturated(), 3);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), LatencyHistogram::kHighest);
  EXPECT_EQ(h.percentile(100), LatencyHistogram::kHighest);
}

TEST(LatencyHistogram, EmptyHistogramReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.percentile(99), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0);
  EXPECT_EQ(LatencyHistogram::from_json(h.to_json()), h);
}

TEST(LatencyHistogram, JsonRoundTripKeepsEveryCount) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> dist(6.0, 2.0);
  LatencyHistogram h;
  for (int i = 0; i < 100'000; ++i) h.record(static_cast<std::int64_t>(dist(rng)));
  const auto j = h.to_json();
  EXPECT_EQ(j["format"], "log-linear-v1");
  const auto back = LatencyHistogram::from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(back, h);
  EXPECT_EQ(back.percentile(99.9), h.percentile(99.9));
  EXPECT_NEAR(back.mean(), h.mean(), 1e-9 * h.mean());
}

TEST(LatencyHistogram, FromJsonNamesTheFieldThatIsWrong) {
  auto message = [](const nlohmann::json& j) {
    try {
      LatencyHistogram::from_json(j);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(message(nlohmann::json::array()), "histogram: (top): expected an object");
  EXPECT_EQ(message({{"format", "hdr"}}), "histogram: format: expected \"log-linear-v1\"");
  nlohmann::json ok = LatencyHistogram().to_json();
  ok["counts"] = {{5, -1}};
  EXPECT_EQ(message(ok), "histogram: counts: count must be positive");
  ok["counts"] = {{5, 2}};
  ok["count"] = 3;
  EXPECT_EQ(message(ok), "histogram: count: does not match the counts");
  ok["counts"] = {"x"};
  EXPECT_EQ(message(ok), "histogram: counts: expected [value, count] pairs of integers");
}

// A report holds hundreds of histograms that may never see a value; those cost no slots, and
// behave exactly like one that has them.
TEST(LatencyHistogram, EmptyHistogramsBehaveLikeAnyOther) {
  LatencyHistogram empty, other;
  EXPECT_EQ(empty, other);
  other.merge(empty);
  EXPECT_EQ(other, LatencyHistogram());
  EXPECT_EQ(LatencyHistogram::from_json(empty.to_json()), empty);
  int calls = 0;
  empty.for_each([&](std::int64_t, std::int64_t, std::int64_t) { ++calls; });
  EXPECT_EQ(calls, 0);

  LatencyHistogram recorded;
  recorded.record(1500, 3);
  other.merge(recorded);
  EXPECT_EQ(other, recorded);
  EXPECT_EQ(other.percentile(50), recorded.percentile(50));
  EXPECT_NE(other, empty);
  other.reset();
  EXPECT_EQ(other, empty);
  other.record(1500, 3);
  EXPECT_EQ(other, recorded);
}

TEST(LatencyHistogram, MemoryFollowsTheSpanOfValuesNotTheirNumber) {
  LatencyHistogram h;
  EXPECT_EQ(h.allocated_bytes(), 0u);
  for (int i = 0; i < 100'000; ++i) h.record(100 + i % 1000);  // 100 µs .. 1.1 ms
  const auto narrow = h.allocated_bytes();
  EXPECT_LE(narrow, 8u * 1024 * 2);  // the first group of 2048 exact slots, one more at most
  for (int i = 0; i < 100'000; ++i) h.record(100 + i % 1000);
  EXPECT_EQ(h.allocated_bytes(), narrow);  // twice the values, the same memory
  for (std::int64_t v = 1; v <= LatencyHistogram::kHighest; v *= 2) h.record(v);
  EXPECT_EQ(h.allocated_bytes(), LatencyHistogram::kCountsLength * sizeof(std::int64_t));
}

}  // namespace
}  // namespace notify::telemetry
