#include "notify/load/arrivals.hpp"

#include "notify/runtime/assert.hpp"

#include <cmath>
#include <set>
#include <stdexcept>

namespace notify::load {

ArrivalKind parse_arrival_kind(std::string_view text) {
  if (text == "constant") return ArrivalKind::constant;
  if (text == "poisson") return ArrivalKind::poisson;
  throw std::invalid_argument("--arrivals " + std::string(text) +
                              ": expected \"constant\" or \"poisson\"");
}

std::string_view to_string(ArrivalKind kind) noexcept {
  return kind == ArrivalKind::constant ? "constant" : "poisson";
}

ArrivalSchedule::ArrivalSchedule(ArrivalKind kind, double rate_per_s, std::uint64_t seed)
    : kind_(kind), rate_per_s_(rate_per_s), rng_(runtime::Rng(seed).fork("arrivals")) {
  NOTIFY_ASSERT(rate_per_s > 0);
}

std::chrono::nanoseconds ArrivalSchedule::next() {
  double at_s = 0;
  if (kind_ == ArrivalKind::constant) {
    at_s = static_cast<double>(produced_) / rate_per_s_;
  } else {
    // Inversion: -ln(1 - U) / rate is exponential for U uniform in [0, 1).
    poisson_at_s_ += -std::log1p(-rng_.uniform01()) / rate_per_s_;
    at_s = poisson_at_s_;
  }
  ++produced_;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(at_s * 1e9)));
}

Mix parse_mix(std::string_view text, const std::vector<std::string>& known) {
  auto known_list = [&] {
    std::string s;
    for (const auto& k : known) s += (s.empty() ? "" : ", ") + k;
    return s;
  };
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument("--mix " + std::string(text) + ": " + what);
  };
  Mix mix;
  std::set<std::string> seen;
  double sum = 0;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find(',', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(begin, end - begin);
    begin = end + 1;
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
      fail("\"" + std::string(item) + "\" is not CHANNEL=PERCENT (e.g. email=70,sms=30)");
    std::string name(item.substr(0, eq));
    std::string value(item.substr(eq + 1));
    bool is_known = false;
    for (const auto& k : known) is_known = is_known || k == name;
    if (!is_known) fail("unknown channel \"" + name + "\"; expected one of " + known_list());
    if (!seen.insert(name).second) fail("channel \"" + name + "\" is given twice");
    double percent = 0;
    std::size_t used = 0;
    try {
      percent = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (value.empty() || used != value.size() || !std::isfinite(percent))
      fail(name + "=" + value + ": the share is not a number");
    if (percent < 0 || percent > 100)
      fail(name + "=" + value + ": the share must be from 0 to 100");
    sum += percent;
    if (percent > 0) mix.push_back({name, percent});
  }
  if (std::fabs(sum - 100) > 1e-6)
    fail("the shares add up to " +
         std::to_string(sum).substr(0, std::to_string(sum).find('.') + 3) + ", not 100");
  return mix;
}

ChannelPicker::ChannelPicker(const Mix& mix) {
  NOTIFY_ASSERT(!mix.empty());
  for (const auto& s : mix) weight_.push_back(s.percent);
  current_.assign(weight_.size(), 0);
}

std::size_t ChannelPicker::next() {
  // Smooth weighted round robin (as nginx balances upstreams): every channel gains its weight,
  // the one ahead is picked and pays back the total.
  double total = 0;
  std::size_t best = 0;
  for (std::size_t i = 0; i < weight_.size(); ++i) {
    current_[i] += weight_[i];
    total += weight_[i];
    if (current_[i] > current_[best]) best = i;
  }
  current_[best] -= total;
  return best;
}

}  // namespace notify::load
