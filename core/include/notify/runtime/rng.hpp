// Rng: seeded randomness for everything that decides by chance (fault probabilities, latency
// distributions, message ids). The same seed gives the same sequence on every platform, so
// a scenario's seed reproduces its whole history.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace notify::runtime {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next_u64();
  /// Uniform in [0, 1).
  double uniform01();
  /// Uniform integer in [lo, hi].
  std::uint64_t uniform_int(std::uint64_t lo, std::uint64_t hi);
  /// Standard normal, by Box-Muller (deterministic, unlike std::normal_distribution).
  double normal();
  /// A random UUID version 4, lower-case hex.
  std::string uuid4();
  /// An independent stream for a named component, so adding draws in one component does
  /// not shift the draws of another.
  Rng fork(std::string_view name) const;

  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  std::uint64_t state_[4];
};

}  // namespace notify::runtime
