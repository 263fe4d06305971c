#include "notify/runtime/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace notify::runtime {
namespace {

// 8-4-4-4-12 lower-case hex, version 4, variant 10xx. Hand-written: std::regex trips a
// false -Wmaybe-uninitialized in g++ 12 sanitizer builds.
bool is_uuid4(const std::string& id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = id[i];
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return id[14] == '4' && std::string_view("89ab").find(id[19]) != std::string_view::npos;
}

std::vector<std::uint64_t> draws(Rng& rng, int n) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(rng.next_u64());
  return out;
}

TEST(Rng, SameSeedSameSequence) {
  Rng a(1234);
  Rng b(1234);
  EXPECT_EQ(draws(a, 100), draws(b, 100));
}

TEST(Rng, DifferentSeedsDiffer) {
  Rng a(1);
  Rng b(2);
  EXPECT_NE(draws(a, 10), draws(b, 10));
}

TEST(Rng, KnownValuesPinTheAlgorithm) {
  // A seed must reproduce a run on every platform and every release. These values come from
  // an independent implementation of splitmix64 seeding and xoshiro256** (Python, by hand).
  Rng zero(0);
  EXPECT_EQ(zero.next_u64(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(zero.next_u64(), 0xbf6e1f784956452aULL);
  EXPECT_EQ(zero.next_u64(), 0x1a5f849d4933e6e0ULL);
  Rng other(1234);
  EXPECT_EQ(other.next_u64(), 0x0bab45d9a0e3ae53ULL);
  EXPECT_EQ(other.seed(), 1234u);
}

TEST(Rng, Uniform01InRange) {
  Rng rng(7);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    double u = rng.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

TEST(Rng, UniformIntCoversTheClosedRange) {
  Rng rng(99);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    auto v = rng.uniform_int(3, 8);
    ASSERT_GE(v, 3u);
    ASSERT_LE(v, 8u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_EQ(rng.uniform_int(5, 5), 5u);
  // The full range must not divide by zero.
  rng.uniform_int(0, UINT64_MAX);
}

TEST(Rng, NormalHasRoughlyUnitMoments) {
  Rng rng(42);
  double sum = 0;
  double sum_sq = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    double x = rng.normal();
    ASSERT_TRUE(std::isfinite(x));
    sum += x;
    sum_sq += x * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.05);
  EXPECT_NEAR(sum_sq / n, 1.0, 0.05);
}

TEST(Rng, Uuid4Format) {
  Rng rng(5);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = rng.uuid4();
    EXPECT_TRUE(is_uuid4(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(Rng, Uuid4CheckerRejectsNonUuids) {
  EXPECT_TRUE(is_uuid4("123e4567-e89b-42d3-a456-426614174000"));
  EXPECT_FALSE(is_uuid4("123E4567-e89b-42d3-a456-426614174000"));
  EXPECT_FALSE(is_uuid4("123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_FALSE(is_uuid4("123e4567-e89b-42d3-c456-426614174000"));
  EXPECT_FALSE(is_uuid4("123e4567e89b-42d3-a456-426614174000-"));
}

TEST(Rng, ForkIsIndependentOfParentDraws) {
  Rng fresh(1000);
  Rng used(1000);
  draws(used, 57);
  Rng a = fresh.fork("faults");
  Rng b = used.fork("faults");
  EXPECT_EQ(draws(a, 20), draws(b, 20));
}

TEST(Rng, ForksByNameDiffer) {
  Rng root(1000);
  Rng a = root.fork("faults");
  Rng b = root.fork("latency");
  Rng c = root.fork("");
  auto da = draws(a, 5);
  EXPECT_NE(da, draws(b, 5));
  EXPECT_NE(da, draws(c, 5));
  Rng again(1000);
  EXPECT_NE(draws(again, 5), draws(c, 5));
}

TEST(Rng, ForkDependsOnSeed) {
  Rng a = Rng(1).fork("x");
  Rng b = Rng(2).fork("x");
  EXPECT_NE(draws(a, 5), draws(b, 5));
}

TEST(Rng, DrawsFromAForkDoNotShiftTheParent) {
  Rng a(77);
  Rng b(77);
  Rng child = a.fork("child");
  draws(child, 10);
  EXPECT_EQ(draws(a, 10), draws(b, 10));
}

}  // namespace
}  // namespace notify::runtime
