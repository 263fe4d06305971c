// A log-linear latency histogram in the manner of HdrHistogram: values from 1 µs to 1 hour kept
// to 3 significant decimal digits in bounded memory, so runs of any length cost the same, two
// histograms merge by adding counts, and the whole thing serialises to a small JSON object that
// a later run or another machine can read back.
//
// Layout: the range is cut into buckets that each cover twice the span of the one before; every
// bucket is cut into 1024 equal sub-buckets (2048 in the first), which is what keeps the relative
// error of any recorded value below 1/1024 < 0.1%. Each group of 1024 slots (8 KB) is allocated
// the first time a value falls in it: an empty histogram costs next to nothing, and one whose
// values span three orders of magnitude about 80 KB, never more than 188 KB.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace notify::telemetry {

class LatencyHistogram {
 public:
  static constexpr std::int64_t kLowest = 1;               // 1 µs: values are microseconds
  static constexpr std::int64_t kHighest = 3'600'000'000;  // 1 hour
  static constexpr int kSignificantDigits = 3;
  static constexpr int kSubBucketHalfMagnitude = 10;  // 2 * 10^3 rounded up to 2^11
  static constexpr std::int64_t kSubBucketHalf = 1 << kSubBucketHalfMagnitude;
  static constexpr std::int64_t kSubBucketCount = 2 * kSubBucketHalf;
  static constexpr int kBucketCount = 22;  // 2048 * 2^21 > kHighest
  static constexpr std::size_t kCountsLength = (kBucketCount + 1) * kSubBucketHalf;

  LatencyHistogram();

  /// Records `count` occurrences of `value_us`. Negative values count as 0; values above
  /// kHighest are recorded as kHighest and counted in saturated().
  void record(std::int64_t value_us, std::int64_t count = 1);
  /// Adds every count of `other`: the result is what recording both streams would have given.
  void merge(const LatencyHistogram& other);
  void reset();

  std::int64_t count() const noexcept { return total_; }
  std::int64_t saturated() const noexcept { return saturated_; }
  /// Exact smallest and largest value recorded (0 when empty).
  std::int64_t min() const noexcept { return total_ == 0 ? 0 : min_; }
  std::int64_t max() const noexcept { return max_; }
  double mean() const noexcept;
  /// Memory held by the counts: 8 KB per group of slots in use, at most 188 KB.
  std::size_t allocated_bytes() const noexcept;
  double stddev() const noexcept;
  /// The value at or below which `p` percent of the recorded values fall (p in [0, 100]),
  /// reported as the highest value equivalent to it at this precision, and never above max().
  /// 0 when empty.
  std::int64_t percentile(double p) const noexcept;

  /// Smallest and largest values that share `value`'s slot.
  static std::int64_t lowest_equivalent(std::int64_t value) noexcept;
  static std::int64_t highest_equivalent(std::int64_t value) noexcept;

  /// Calls f(lowest_value, highest_value, count) for each non-empty slot, in increasing order.
  template <typename F>
  void for_each(F&& f) const {
    for (std::size_t c = 0; c < chunks_.size(); ++c) {
      if (chunks_[c].empty()) continue;
      for (std::size_t j = 0; j < kChunk; ++j) {
        const auto n = chunks_[c][j];
        if (n != 0) f(value_at(c * kChunk + j), highest_equivalent(value_at(c * kChunk + j)), n);
      }
    }
  }

  /// {"format": "log-linear-v1", "unit": "us", "significant_digits": 3, "count": N,
  ///  "min": .., "max": .., "saturated": .., "counts": [[slot_lowest_value, count], ...]}
  nlohmann::json to_json() const;
  /// Reads what to_json() wrote. Throws std::invalid_argument naming the field that is wrong.
  static LatencyHistogram from_json(const nlohmann::json& j);

  friend bool operator==(const LatencyHistogram& a, const LatencyHistogram& b) noexcept;

 private:
  static std::size_t index_of(std::int64_t value) noexcept;
  std::int64_t& slot(std::size_t index);
  static std::int64_t value_at(std::size_t index) noexcept;
  static bool same_counts(const LatencyHistogram& a, const LatencyHistogram& b) noexcept;

  static constexpr std::size_t kChunk = kSubBucketHalf;
  static constexpr std::size_t kChunks = kCountsLength / kChunk;
  // kChunks groups of kChunk slots; a group stays empty until a value falls in it.
  std::vector<std::vector<std::int64_t>> chunks_ = std::vector<std::vector<std::int64_t>>(kChunks);
  std::int64_t total_ = 0;
  std::int64_t saturated_ = 0;
  std::int64_t min_ = std::numeric_limits<std::int64_t>::max();
  std::int64_t max_ = 0;
  double sum_ = 0;          // for the mean
  double sum_squares_ = 0;  // for the standard deviation
};

}  // namespace notify::telemetry
