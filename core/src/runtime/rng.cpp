// xoshiro256** seeded through splitmix64 (the seeding its authors recommend). Every operation
// is written out here rather than taken from <random>, whose distributions differ between
// standard libraries: a seed must reproduce the same run everywhere.
#include "notify/runtime/rng.hpp"

#include "notify/runtime/assert.hpp"

#include <cmath>
#include <numbers>

namespace notify::runtime {

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return h;
}

}  // namespace

Rng::Rng(std::uint64_t seed) : seed_(seed) {
  std::uint64_t x = seed;
  for (auto& s : state_) s = splitmix64(x);
}

std::uint64_t Rng::next_u64() {
  std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double Rng::uniform01() {
  // The top 53 bits fill a double's mantissa exactly; the low bits of xoshiro are the weakest.
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

std::uint64_t Rng::uniform_int(std::uint64_t lo, std::uint64_t hi) {
  NOTIFY_ASSERT(lo <= hi);
  std::uint64_t range = hi - lo;
  if (range == UINT64_MAX) return next_u64();
  std::uint64_t n = range + 1;
  // Rejecting the first (2^64 mod n) values leaves a multiple of n equally likely values.
  std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    std::uint64_t r = next_u64();
    if (r >= threshold) return lo + r % n;
  }
}

double Rng::normal() {
  // 1 - u lies in (0, 1], so the logarithm is finite.
  double u1 = 1.0 - uniform01();
  double u2 = uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::string Rng::uuid4() {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char bytes[16];
  std::uint64_t a = next_u64();
  std::uint64_t b = next_u64();
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(a >> (56 - 8 * i));
    bytes[8 + i] = static_cast<unsigned char>(b >> (56 - 8 * i));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0x0F];
  }
  return out;
}

Rng Rng::fork(std::string_view name) const {
  // Derived from the seed, not the state, so a fork does not depend on how many draws the
  // parent has made.
  std::uint64_t x = seed_ ^ rotl(fnv1a64(name), 17);
  return Rng(splitmix64(x));
}

}  // namespace notify::runtime
