#include "notify/runtime/clock.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace notify::runtime {
namespace {

using namespace std::chrono_literals;

TEST(VirtualClock, StartsAtTheDefaultInstant) {
  VirtualClock clock;
  EXPECT_EQ(format_iso8601(clock.now()), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(clock.now(), VirtualClock::default_start());
}

TEST(VirtualClock, FiresInTimeOrder) {
  VirtualClock clock;
  std::vector<int> order;
  clock.schedule_after(300ms, [&] { order.push_back(3); });
  clock.schedule_after(100ms, [&] { order.push_back(1); });
  clock.schedule_after(200ms, [&] { order.push_back(2); });
  EXPECT_EQ(clock.pending(), 3u);
  EXPECT_EQ(clock.run(), 3u);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(clock.now(), VirtualClock::default_start() + 300ms);
  EXPECT_EQ(clock.pending(), 0u);
}

TEST(VirtualClock, TiesFireInCreationOrder) {
  VirtualClock clock;
  std::vector<int> order;
  for (int i = 0; i < 10; ++i) clock.schedule_after(5s, [&order, i] { order.push_back(i); });
  clock.run();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(VirtualClock, CallbackSeesItsOwnDueTime) {
  VirtualClock clock;
  TimePoint seen;
  clock.schedule_after(4h, [&] { seen = clock.now(); });
  clock.run();
  EXPECT_EQ(seen, VirtualClock::default_start() + 4h);
}

TEST(VirtualClock, TimersScheduledFromCallbacksRun) {
  VirtualClock clock;
  std::vector<std::string> order;
  clock.schedule_after(10ms, [&] {
    order.push_back("a");
    // Same instant as "b" below but created later: it must run after "b".
    clock.schedule_after(0ms, [&] { order.push_back("a-child"); });
    clock.schedule_after(5ms, [&] { order.push_back("a-later"); });
  });
  clock.schedule_after(10ms, [&] { order.push_back("b"); });
  clock.schedule_after(12ms, [&] { order.push_back("c"); });
  EXPECT_EQ(clock.run(), 5u);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "a-child", "c", "a-later"}));
  EXPECT_EQ(clock.now(), VirtualClock::default_start() + 15ms);
}

TEST(VirtualClock, NegativeDelayCountsAsZero) {
  VirtualClock clock;
  clock.run_for(1s);
  TimePoint before = clock.now();
  bool fired = false;
  clock.schedule_after(-5s, [&] { fired = true; });
  EXPECT_TRUE(clock.step());
  EXPECT_TRUE(fired);
  EXPECT_EQ(clock.now(), before);
}

TEST(VirtualClock, CancelPreventsFiring) {
  VirtualClock clock;
  int fired = 0;
  TimerId a = clock.schedule_after(1s, [&] { fired += 1; });
  clock.schedule_after(2s, [&] { fired += 10; });
  EXPECT_TRUE(clock.cancel(a));
  EXPECT_FALSE(clock.cancel(a));
  EXPECT_EQ(clock.pending(), 1u);
  EXPECT_EQ(clock.run(), 1u);
  EXPECT_EQ(fired, 10);
}

TEST(VirtualClock, CancelAfterFiringReturnsFalse) {
  VirtualClock clock;
  TimerId id = clock.schedule_after(1s, [] {});
  clock.run();
  EXPECT_FALSE(clock.cancel(id));
  EXPECT_FALSE(clock.cancel(9999));
}

TEST(VirtualClock, CallbackCanCancelALaterTimer) {
  VirtualClock clock;
  bool later_fired = false;
  TimerId later = 0;
  clock.schedule_after(1s, [&] { EXPECT_TRUE(clock.cancel(later)); });
  later = clock.schedule_after(2s, [&] { later_fired = true; });
  EXPECT_EQ(clock.run(), 1u);
  EXPECT_FALSE(later_fired);
}

TEST(VirtualClock, RunUntilFiresDueTimersAndSetsTime) {
  VirtualClock clock;
  std::vector<int> order;
  clock.schedule_after(1s, [&] { order.push_back(1); });
  clock.schedule_after(2s, [&] { order.push_back(2); });
  clock.schedule_after(3s, [&] { order.push_back(3); });
  TimePoint deadline = VirtualClock::default_start() + 2s + 500ms;
  EXPECT_EQ(clock.run_until(deadline), 2u);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(clock.now(), deadline);
  EXPECT_EQ(clock.pending(), 1u);
}

TEST(VirtualClock, RunUntilIncludesTimersDueExactlyAtTheDeadline) {
  VirtualClock clock;
  bool fired = false;
  clock.schedule_after(2s, [&] { fired = true; });
  clock.run_for(2s);
  EXPECT_TRUE(fired);
}

TEST(VirtualClock, TimeNeverGoesBackwards) {
  VirtualClock clock;
  clock.run_for(10s);
  TimePoint t = clock.now();
  EXPECT_EQ(clock.run_until(t - 5s), 0u);
  EXPECT_EQ(clock.now(), t);
}

TEST(VirtualClock, RunRespectsItsLimit) {
  VirtualClock clock;
  int fired = 0;
  for (int i = 0; i < 5; ++i) clock.schedule_after(std::chrono::seconds(i), [&] { ++fired; });
  EXPECT_EQ(clock.run(2), 2u);
  EXPECT_EQ(fired, 2);
  EXPECT_EQ(clock.pending(), 3u);
}

TEST(VirtualClock, StepOnEmptyQueueReturnsFalse) {
  VirtualClock clock;
  EXPECT_FALSE(clock.step());
  TimerId id = clock.schedule_after(1s, [] {});
  clock.cancel(id);
  EXPECT_FALSE(clock.step());
  EXPECT_EQ(clock.now(), VirtualClock::default_start());
}

TEST(VirtualClock, PostRunsAfterTheCurrentCallback) {
  VirtualClock clock;
  std::vector<int> order;
  clock.post([&] {
    clock.post([&] { order.push_back(2); });
    order.push_back(1);
  });
  clock.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace notify::runtime
