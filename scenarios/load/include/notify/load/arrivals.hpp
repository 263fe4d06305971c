// When notifications arrive in an open-loop load run, and on which channel: a schedule of
// arrival times (evenly spaced, or a Poisson process from a seeded stream) and the channel mix.
// Both are pure and deterministic for a seed, so a run's workload can be replayed and tested
// without a socket.
#pragma once

#include "notify/runtime/rng.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace notify::load {

enum class ArrivalKind { constant, poisson };

/// "constant" or "poisson"; throws std::invalid_argument naming the value otherwise.
ArrivalKind parse_arrival_kind(std::string_view text);
std::string_view to_string(ArrivalKind kind) noexcept;

/// Arrival times as offsets from the run's start. Constant: arrival n (0-based) is at exactly
/// n / rate, computed from n so that no rounding accumulates. Poisson: gaps are exponential with
/// mean 1 / rate, drawn by inversion from the seeded stream.
class ArrivalSchedule {
 public:
  ArrivalSchedule(ArrivalKind kind, double rate_per_s, std::uint64_t seed);

  /// The offset of the next arrival.
  std::chrono::nanoseconds next();
  std::size_t produced() const { return produced_; }

 private:
  ArrivalKind kind_;
  double rate_per_s_;
  runtime::Rng rng_;
  std::size_t produced_ = 0;
  double poisson_at_s_ = 0;
};

/// One channel's share of the arrivals, in percent.
struct MixShare {
  std::string channel;
  double percent = 0;
};
using Mix = std::vector<MixShare>;

/// Parses "email=70,sms=29,broadcast=1". Every name must be in `known`, appear once, have a
/// share from 0 to 100, and the shares must add up to 100. Channels with a share of 0 are
/// dropped. Throws std::invalid_argument with one line naming what is wrong.
Mix parse_mix(std::string_view text, const std::vector<std::string>& known);

/// Which channel each arrival goes to: a smooth weighted round robin, so that after any number
/// of arrivals each channel's count is within one of its exact share, with no randomness.
class ChannelPicker {
 public:
  explicit ChannelPicker(const Mix& mix);
  /// The index in the mix of the next arrival's channel.
  std::size_t next();

 private:
  std::vector<double> weight_;
  std::vector<double> current_;
};

}  // namespace notify::load
