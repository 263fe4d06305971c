// Arrival schedules and the channel mix: constant spacing is exact, Poisson arrivals have the
// asked mean rate and exponential gaps and replay per seed, and --mix errors name the problem.
#include "notify/load/arrivals.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <stdexcept>

namespace notify::load {
namespace {

using std::chrono::nanoseconds;

TEST(Arrivals, ConstantSpacingIsExactWithoutDrift) {
  ArrivalSchedule s(ArrivalKind::constant, 4000, 1);
  for (std::int64_t n = 0; n < 1'000'000; ++n) {
    ASSERT_EQ(s.next(), nanoseconds(n * 250'000)) << "arrival " << n;
  }
  // A rate that does not divide a second: each offset is n / rate rounded, never accumulated.
  ArrivalSchedule t(ArrivalKind::constant, 3, 1);
  EXPECT_EQ(t.next(), nanoseconds(0));
  EXPECT_EQ(t.next(), nanoseconds(333'333'333));
  EXPECT_EQ(t.next(), nanoseconds(666'666'667));
  EXPECT_EQ(t.next(), nanoseconds(1'000'000'000));
}

TEST(Arrivals, PoissonHasTheMeanRateAndExponentialGaps) {
  constexpr double kRate = 5000;
  constexpr int kCount = 200'000;
  ArrivalSchedule s(ArrivalKind::poisson, kRate, 42);
  std::vector<double> gaps;
  double last = 0;
  for (int i = 0; i < kCount; ++i) {
    const double at = static_cast<double>(s.next().count()) / 1e9;
    ASSERT_GE(at, last);
    gaps.push_back(at - last);
    last = at;
  }
  const double rate = kCount / last;
  EXPECT_NEAR(rate, kRate, kRate * 0.01);
  // Exponential: P(gap > k * mean) = e^-k, and the standard deviation equals the mean.
  const double mean = 1 / kRate;
  for (double k : {0.1, 0.5, 1.0, 2.0, 4.0}) {
    const auto above =
        std::count_if(gaps.begin(), gaps.end(), [&](double g) { return g > k * mean; });
    EXPECT_NEAR(static_cast<double>(above) / kCount, std::exp(-k), 0.006) << "k = " << k;
  }
  double sum = 0, squares = 0;
  for (double g : gaps) {
    sum += g;
    squares += g * g;
  }
  const double m = sum / kCount;
  const double sd = std::sqrt(squares / kCount - m * m);
  EXPECT_NEAR(sd / m, 1.0, 0.02);
}

TEST(Arrivals, PoissonReplaysPerSeed) {
  ArrivalSchedule a(ArrivalKind::poisson, 1000, 7), b(ArrivalKind::poisson, 1000, 7),
      c(ArrivalKind::poisson, 1000, 8);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const auto x = a.next();
    ASSERT_EQ(x, b.next());
    differs = differs || x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(Arrivals, ArrivalKindParses) {
  EXPECT_EQ(parse_arrival_kind("constant"), ArrivalKind::constant);
  EXPECT_EQ(parse_arrival_kind("poisson"), ArrivalKind::poisson);
  EXPECT_THROW(parse_arrival_kind("uniform"), std::invalid_argument);
}

const std::vector<std::string> kChannels = {"email", "sms", "broadcast"};

std::string mix_error(const std::string& text) {
  try {
    parse_mix(text, kChannels);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

TEST(Mix, ParsesSharesInOrder) {
  Mix m = parse_mix("email=70,sms=29,broadcast=1", kChannels);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].channel, "email");
  EXPECT_EQ(m[0].percent, 70);
  EXPECT_EQ(m[2].channel, "broadcast");
  EXPECT_EQ(m[2].percent, 1);
  // A share of 0 leaves the channel out; decimals are allowed.
  Mix n = parse_mix("email=99.5,sms=0.5,broadcast=0", kChannels);
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n[1].percent, 0.5);
}

TEST(Mix, ErrorsNameTheProblemOnOneLine) {
  EXPECT_EQ(
      mix_error("email=70,fax=30"),
      "--mix email=70,fax=30: unknown channel \"fax\"; expected one of email, sms, broadcast");
  EXPECT_EQ(mix_error("email=70,sms=20"),
            "--mix email=70,sms=20: the shares add up to 90.00, not 100");
  EXPECT_EQ(mix_error("email=110,sms=-10"),
            "--mix email=110,sms=-10: email=110: the share must be from 0 to 100");
  EXPECT_EQ(mix_error("email=-5,sms=105"),
            "--mix email=-5,sms=105: email=-5: the share must be from 0 to 100");
  EXPECT_EQ(mix_error("email=lots"), "--mix email=lots: email=lots: the share is not a number");
  EXPECT_EQ(mix_error("email"),
            "--mix email: \"email\" is not CHANNEL=PERCENT (e.g. email=70,sms=30)");
  EXPECT_EQ(mix_error("email=50,email=50"),
            "--mix email=50,email=50: channel \"email\" is given twice");
  EXPECT_EQ(mix_error(""), "--mix : \"\" is not CHANNEL=PERCENT (e.g. email=70,sms=30)");
  for (const auto& e : {mix_error("email=70,fax=30"), mix_error("email=1")})
    EXPECT_EQ(e.find('\n'), std::string::npos);
}

TEST(Mix, PickerKeepsEveryPrefixWithinOneOfItsShare) {
  Mix m = parse_mix("email=70,sms=29,broadcast=1", kChannels);
  ChannelPicker p(m);
  std::vector<int> counts(3, 0);
  for (int n = 1; n <= 10'000; ++n) {
    ++counts[p.next()];
    for (std::size_t c = 0; c < 3; ++c)
      ASSERT_LE(std::fabs(counts[c] - n * m[c].percent / 100), 1.0) << "after " << n;
  }
  EXPECT_EQ(counts, (std::vector<int>{7000, 2900, 100}));
}

}  // namespace
}  // namespace notify::load
