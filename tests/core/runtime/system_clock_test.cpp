#include "notify/runtime/clock.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

namespace notify::runtime {
namespace {

using namespace std::chrono_literals;

TEST(SystemClock, NowIsWallTime) {
  boost::asio::io_context io;
  auto clock = make_system_clock(io);
  // Any time after the project's virtual epoch would do; this one says "not zero, not 1970".
  EXPECT_GT(clock->now(), VirtualClock::default_start() - std::chrono::hours(24 * 365));
}

TEST(SystemClock, FiresATimer) {
  boost::asio::io_context io;
  auto clock = make_system_clock(io);
  bool fired = false;
  clock->schedule_after(1ms, [&] {
    fired = true;
    io.stop();
  });
  io.run_for(5s);
  EXPECT_TRUE(fired);
}

TEST(SystemClock, FiresInDueOrder) {
  boost::asio::io_context io;
  auto clock = make_system_clock(io);
  std::vector<int> order;
  clock->schedule_after(30ms, [&] {
    order.push_back(2);
    io.stop();
  });
  clock->schedule_after(-1s, [&] { order.push_back(1); });
  io.run_for(5s);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(SystemClock, CancelledTimerDoesNotFire) {
  boost::asio::io_context io;
  auto clock = make_system_clock(io);
  bool cancelled_fired = false;
  bool other_fired = false;
  TimerId id = clock->schedule_after(1ms, [&] { cancelled_fired = true; });
  clock->schedule_after(20ms, [&] {
    other_fired = true;
    io.stop();
  });
  EXPECT_TRUE(clock->cancel(id));
  EXPECT_FALSE(clock->cancel(id));
  io.run_for(5s);
  EXPECT_TRUE(other_fired);
  EXPECT_FALSE(cancelled_fired);
}

TEST(SystemClock, DestroyingTheClockWithPendingTimersIsSafe) {
  boost::asio::io_context io;
  bool fired = false;
  {
    auto clock = make_system_clock(io);
    clock->schedule_after(1ms, [&] { fired = true; });
  }
  io.run_for(100ms);
  EXPECT_FALSE(fired);
}

}  // namespace
}  // namespace notify::runtime
