#include "notify/telemetry/metrics.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace notify::telemetry {
namespace {

TEST(Metrics, CountersTimingsGauges) {
  Metrics m;
  m.incr("clients.ses.success");
  m.incr("clients.ses.success", 2);
  m.timing("clients.ses.request-time", std::chrono::milliseconds(10));
  m.timing("clients.ses.request-time", std::chrono::microseconds(30'500));
  m.gauge("queue.depth", 3);
  m.gauge("queue.depth", 4.5);
  EXPECT_EQ(m.counter("clients.ses.success"), 3);
  EXPECT_EQ(m.counter("never"), 0);
  auto t = m.timing_stats("clients.ses.request-time");
  EXPECT_EQ(t.count, 2u);
  EXPECT_DOUBLE_EQ(t.sum_ms, 40.5);
  EXPECT_DOUBLE_EQ(t.max_ms, 30.5);
  EXPECT_DOUBLE_EQ(m.gauge_value("queue.depth"), 4.5);
  EXPECT_EQ(m.counters().size(), 1u);
  EXPECT_EQ(m.timings().size(), 1u);
  EXPECT_EQ(m.gauges().size(), 1u);
  m.reset();
  EXPECT_EQ(m.counter("clients.ses.success"), 0);
  EXPECT_TRUE(m.timings().empty());
}

TEST(Metrics, StatsdLines) {
  EXPECT_EQ(Metrics::statsd_line("clients.ses.success", 1, "c"), "clients.ses.success:1|c");
  EXPECT_EQ(Metrics::statsd_line("clients.ses.request-time", 12.5, "ms"),
            "clients.ses.request-time:12.5|ms");
  EXPECT_EQ(Metrics::statsd_line("queue", 3, "g"), "queue:3|g");
  EXPECT_EQ(Metrics::statsd_line("a:b|c@d\ne", -2, "c"), "a_b_c_d_e:-2|c");
}

TEST(Metrics, SendsStatsdOverUdp) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);

  Metrics m;
  m.send_statsd_to("127.0.0.1", ntohs(addr.sin_port), "notify.");
  m.incr("clients.ses.success");
  m.timing("clients.ses.request-time", std::chrono::milliseconds(12));

  auto receive = [&]() -> std::string {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return "<timeout>";
    char buffer[512];
    auto n = ::recv(fd, buffer, sizeof buffer, 0);
    return n < 0 ? "<error>" : std::string(buffer, static_cast<std::size_t>(n));
  };
  EXPECT_EQ(receive(), "notify.clients.ses.success:1|c");
  EXPECT_EQ(receive(), "notify.clients.ses.request-time:12|ms");
  ::close(fd);
  // In-process names carry no prefix.
  EXPECT_EQ(m.counter("clients.ses.success"), 1);
}

TEST(Metrics, SendingToAClosedPortIsSilent) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);  // nothing listens there now: ICMP errors come back and must be ignored

  Metrics m;
  m.send_statsd_to("127.0.0.1", ntohs(addr.sin_port));
  for (int i = 0; i < 100; ++i) m.incr("x");
  EXPECT_EQ(m.counter("x"), 100);
  m.stop_statsd();
  m.incr("x");
  EXPECT_EQ(m.counter("x"), 101);
}

TEST(Metrics, BadAddressThrows) {
  Metrics m;
  EXPECT_THROW(m.send_statsd_to("not a host name!", 8125), std::invalid_argument);
}

// The metrics promise thread safety: counting from several threads while another reads them
// and switches StatsD on and off. Under ThreadSanitizer (scripts/tsan.sh) this is the check that
// they keep the promise; elsewhere, that no increment is lost.
TEST(Metrics, CountsFromSeveralThreadsWhileReadAndReconfigured) {
  Metrics m;
  constexpr int kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        m.incr("requests");
        m.timing("latency", std::chrono::milliseconds(i));
        m.gauge("depth", i);
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 50; ++i) {
      if (i % 10 == 0) m.send_statsd_to("127.0.0.1", 9, "notify.");  // discard port
      if (i % 10 == 5) m.stop_statsd();
      EXPECT_LE(m.counter("requests"), 2 * kPerThread);
      (void)m.counters();
      (void)m.timings();
      (void)m.gauges();
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.counter("requests"), 2 * kPerThread);
  EXPECT_EQ(m.timing_stats("latency").count, 2u * kPerThread);
  m.reset();
  EXPECT_EQ(m.counter("requests"), 0);
}

}  // namespace
}  // namespace notify::telemetry
