#include "scaled_clock.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace notify::scenarios {
namespace {

using namespace std::chrono_literals;

TEST(ScaledClock, RunsScaleTimesFasterThanItsBase) {
  runtime::VirtualClock base;
  ScaledClock clock(base, 100);
  const auto start = clock.now();
  std::vector<std::string> fired;
  clock.schedule_after(100s, [&] { fired.push_back("a"); });
  base.run_for(999ms);
  EXPECT_TRUE(fired.empty());
  base.run_for(1ms);
  EXPECT_EQ(fired, std::vector<std::string>{"a"});
  EXPECT_EQ(clock.now() - start, runtime::Duration(100s));
}

TEST(ScaledClock, ASkipReachesTheNextTimerAtOnceAndKeepsTheOthersDeadlines) {
  runtime::VirtualClock base;
  ScaledClock clock(base, 10);
  const auto start = clock.now();
  std::vector<std::string> fired;
  clock.schedule_after(3600s, [&] { fired.push_back("hour"); });
  clock.schedule_after(3600s, [&] { fired.push_back("hour, second"); });
  clock.schedule_after(7200s, [&] { fired.push_back("two hours"); });
  ASSERT_TRUE(clock.next_deadline().has_value());
  EXPECT_EQ(*clock.next_deadline(), start + runtime::Duration(3600s));

  EXPECT_EQ(clock.advance_to(*clock.next_deadline()), runtime::Duration(3600s));
  base.run_for(0s);
  EXPECT_EQ(fired, (std::vector<std::string>{"hour", "hour, second"}));
  EXPECT_EQ(clock.skipped(), runtime::Duration(3600s));

  // The two-hour timer is still an hour of scenario time away: 360 s of base time.
  base.run_for(359s);
  EXPECT_EQ(fired.size(), 2u);
  base.run_for(1s);
  EXPECT_EQ(fired.back(), "two hours");
  EXPECT_FALSE(clock.next_deadline().has_value());
}

TEST(ScaledClock, NeverMovesBackAndCancelsAcrossASkip) {
  runtime::VirtualClock base;
  ScaledClock clock(base, 10);
  const auto start = clock.now();
  bool fired = false;
  auto id = clock.schedule_after(60s, [&] { fired = true; });
  EXPECT_EQ(clock.advance_to(start - 1s), runtime::Duration::zero());
  EXPECT_EQ(clock.now(), start);
  clock.advance_to(start + 30s);
  EXPECT_TRUE(clock.cancel(id));
  EXPECT_FALSE(clock.cancel(id));
  base.run_for(60s);
  EXPECT_FALSE(fired);
}

}  // namespace
}  // namespace notify::scenarios
