#include "notify/telemetry/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace notify::telemetry {
namespace {

constexpr std::int64_t kSubBucketMask = LatencyHistogram::kSubBucketCount - 1;

// Which power-of-two bucket a value falls in: 0 for values below kSubBucketCount, then one more
// for every doubling.
int bucket_of(std::int64_t value) noexcept {
  auto v = static_cast<std::uint64_t>(value) | static_cast<std::uint64_t>(kSubBucketMask);
  return 64 - std::countl_zero(v) - (LatencyHistogram::kSubBucketHalfMagnitude + 1);
}

}  // namespace

LatencyHistogram::LatencyHistogram() = default;

std::int64_t& LatencyHistogram::slot(std::size_t index) {
  auto& chunk = chunks_[index / kChunk];
  if (chunk.empty()) chunk.assign(kChunk, 0);
  return chunk[index % kChunk];
}

std::size_t LatencyHistogram::index_of(std::int64_t value) noexcept {
  const int bucket = bucket_of(value);
  const std::int64_t sub = value >> bucket;
  // Bucket 0 uses all kSubBucketCount sub-buckets; later ones only the upper half, since the
  // lower half of each is covered, at finer grain, by the bucket before it.
  return static_cast<std::size_t>(((bucket + 1) << kSubBucketHalfMagnitude) +
                                  (sub - kSubBucketHalf));
}

std::int64_t LatencyHistogram::value_at(std::size_t index) noexcept {
  int bucket = static_cast<int>(index >> kSubBucketHalfMagnitude) - 1;
  std::int64_t sub = static_cast<std::int64_t>(index & (kSubBucketHalf - 1)) + kSubBucketHalf;
  if (bucket < 0) {
    sub -= kSubBucketHalf;
    bucket = 0;
  }
  return sub << bucket;
}

std::int64_t LatencyHistogram::lowest_equivalent(std::int64_t value) noexcept {
  value = std::clamp<std::int64_t>(value, 0, kHighest);
  return value_at(index_of(value));
}

std::int64_t LatencyHistogram::highest_equivalent(std::int64_t value) noexcept {
  value = std::clamp<std::int64_t>(value, 0, kHighest);
  const int bucket = bucket_of(value);
  return lowest_equivalent(value) + (std::int64_t{1} << bucket) - 1;
}

void LatencyHistogram::record(std::int64_t value_us, std::int64_t count) {
  if (count <= 0) return;
  if (value_us < 0) value_us = 0;
  if (value_us > kHighest) {
    value_us = kHighest;
    saturated_ += count;
  }
  slot(index_of(value_us)) += count;
  total_ += count;
  min_ = std::min(min_, value_us);
  max_ = std::max(max_, value_us);
  const auto v = static_cast<double>(value_us), n = static_cast<double>(count);
  sum_ += v * n;
  sum_squares_ += v * v * n;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.total_ == 0) return;
  for (std::size_t c = 0; c < kChunks; ++c) {
    const auto& theirs = other.chunks_[c];
    if (theirs.empty()) continue;
    auto& ours = chunks_[c];
    if (ours.empty()) {
      ours = theirs;
      continue;
    }
    for (std::size_t j = 0; j < kChunk; ++j) ours[j] += theirs[j];
  }
  total_ += other.total_;
  saturated_ += other.saturated_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  sum_squares_ += other.sum_squares_;
}

void LatencyHistogram::reset() { *this = LatencyHistogram(); }

std::size_t LatencyHistogram::allocated_bytes() const noexcept {
  std::size_t n = 0;
  for (const auto& chunk : chunks_) n += chunk.size() * sizeof(std::int64_t);
  return n;
}

double LatencyHistogram::mean() const noexcept {
  return total_ == 0 ? 0.0 : sum_ / static_cast<double>(total_);
}

double LatencyHistogram::stddev() const noexcept {
  if (total_ == 0) return 0.0;
  const double m = mean();
  return std::sqrt(std::max(0.0, sum_squares_ / static_cast<double>(total_) - m * m));
}

std::int64_t LatencyHistogram::percentile(double p) const noexcept {
  if (total_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // The rank of the value asked for, counting from 1; at least the first value.
  auto rank = static_cast<std::int64_t>(std::ceil(p / 100.0 * static_cast<double>(total_)));
  rank = std::clamp<std::int64_t>(rank, 1, total_);
  std::int64_t seen = 0, found = max_;
  bool done = false;
  for_each([&](std::int64_t lowest, std::int64_t highest, std::int64_t n) {
    (void)lowest;
    if (done) return;
    seen += n;
    if (seen >= rank) {
      found = std::min(highest, max_);
      done = true;
    }
  });
  if (done) return found;
  return max_;
}

nlohmann::json LatencyHistogram::to_json() const {
  auto counts = nlohmann::json::array();
  for_each([&](std::int64_t lowest, std::int64_t, std::int64_t n) {
    counts.push_back({lowest, n});
  });
  return {{"format", "log-linear-v1"},
          {"unit", "us"},
          {"significant_digits", kSignificantDigits},
          {"count", total_},
          {"min", min()},
          {"max", max_},
          {"sum", sum_},
          {"sum_squares", sum_squares_},
          {"saturated", saturated_},
          {"counts", std::move(counts)}};
}

LatencyHistogram LatencyHistogram::from_json(const nlohmann::json& j) {
  auto fail = [](const std::string& field, const std::string& what) {
    throw std::invalid_argument("histogram: " + field + ": " + what);
  };
  if (!j.is_object()) fail("(top)", "expected an object");
  if (j.value("format", "") != "log-linear-v1") fail("format", "expected \"log-linear-v1\"");
  if (j.value("unit", "") != "us") fail("unit", "expected \"us\"");
  if (!j.contains("counts") || !j["counts"].is_array()) fail("counts", "expected an array");
  LatencyHistogram h;
  std::int64_t total = 0;
  for (const auto& pair : j["counts"]) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_integer() ||
        !pair[1].is_number_integer())
      fail("counts", "expected [value, count] pairs of integers");
    const auto value = pair[0].get<std::int64_t>();
    const auto count = pair[1].get<std::int64_t>();
    if (value < 0 || value > kHighest)
      fail("counts", "value out of range: " + std::to_string(value));
    if (count <= 0) fail("counts", "count must be positive");
    h.slot(index_of(value)) += count;
    total += count;
  }
  h.total_ = total;
  if (j.contains("count") && j["count"] != total) fail("count", "does not match the counts");
  auto number = [&](const char* field, auto fallback) {
    using T = decltype(fallback);
    if (!j.contains(field)) return fallback;
    if (!j[field].is_number()) fail(field, "expected a number");
    return j[field].get<T>();
  };
  h.max_ = number("max", std::int64_t{0});
  h.min_ = total == 0 ? std::numeric_limits<std::int64_t>::max() : number("min", std::int64_t{0});
  h.saturated_ = number("saturated", std::int64_t{0});
  h.sum_ = number("sum", 0.0);
  h.sum_squares_ = number("sum_squares", 0.0);
  return h;
}

bool LatencyHistogram::same_counts(const LatencyHistogram& a, const LatencyHistogram& b) noexcept {
  for (std::size_t c = 0; c < kChunks; ++c) {
    const auto& x = a.chunks_[c];
    const auto& y = b.chunks_[c];
    if (x.empty() && y.empty()) continue;
    for (std::size_t j = 0; j < kChunk; ++j)
      if ((x.empty() ? 0 : x[j]) != (y.empty() ? 0 : y[j])) return false;
  }
  return true;
}

bool operator==(const LatencyHistogram& a, const LatencyHistogram& b) noexcept {
  return a.total_ == b.total_ && a.min() == b.min() && a.max_ == b.max_ &&
         a.saturated_ == b.saturated_ && LatencyHistogram::same_counts(a, b);
}

}  // namespace notify::telemetry
