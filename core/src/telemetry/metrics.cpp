// Metrics: in-process counters, timings and gauges for scenario expectations, and an optional
// StatsD sink over UDP. The sink uses a plain non-blocking POSIX socket: a metric must never
// slow down or fail a send, so anything that goes wrong on the way out is dropped silently.
#include "notify/telemetry/metrics.hpp"

#include "notify/runtime/assert.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace notify::telemetry {

struct Metrics::Sink {
  int fd = -1;
  sockaddr_storage address{};
  socklen_t address_length = 0;
  std::string prefix;

  Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  ~Sink() {
    if (fd >= 0) ::close(fd);
  }

  void send(const std::string& line) const {
    // MSG_DONTWAIT as well as SOCK_NONBLOCK: a full socket buffer drops the datagram.
    (void)::sendto(fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                   reinterpret_cast<const sockaddr*>(&address), address_length);
  }
};

namespace {

std::string format_value(double value) {
  char buffer[64];
  // Whole numbers print without a fraction ("1|c"); others in their shortest exact form.
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, static_cast<long long>(value));
    return std::string(buffer, end);
  }
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (ec != std::errc{}) return "0";
  return std::string(buffer, end);
}

double to_ms(std::chrono::nanoseconds elapsed) {
  return static_cast<double>(elapsed.count()) / 1e6;
}

}  // namespace

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

std::string Metrics::statsd_line(const std::string& name, double value, const char* type) {
  std::string line;
  line.reserve(name.size() + 24);
  for (char c : name) {
    line += (c == ':' || c == '|' || c == '@' || c == '\n' || c == '\r') ? '_' : c;
  }
  line += ':';
  line += format_value(value);
  line += '|';
  line += type;
  return line;
}

void Metrics::send_locked(const std::string& name, double value, const char* type) {
  if (!sink_) return;
  sink_->send(statsd_line(sink_->prefix + name, value, type));
}

void Metrics::incr(const std::string& name, std::int64_t n) {
  std::lock_guard lock(mutex_);
  counters_[name] += n;
  send_locked(name, static_cast<double>(n), "c");
}

void Metrics::timing(const std::string& name, std::chrono::nanoseconds elapsed) {
  double ms = to_ms(elapsed);
  std::lock_guard lock(mutex_);
  auto& stats = timings_[name];
  stats.count += 1;
  stats.sum_ms += ms;
  stats.max_ms = stats.count == 1 ? ms : std::max(stats.max_ms, ms);
  send_locked(name, ms, "ms");
}

void Metrics::gauge(const std::string& name, double value) {
  std::lock_guard lock(mutex_);
  gauges_[name] = value;
  send_locked(name, value, "g");
}

std::int64_t Metrics::counter(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(name);
  return it == counters_.end() ? 0 : it->second;
}

TimingStats Metrics::timing_stats(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = timings_.find(name);
  return it == timings_.end() ? TimingStats{} : it->second;
}

std::map<std::string, std::int64_t> Metrics::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

std::map<std::string, TimingStats> Metrics::timings() const {
  std::lock_guard lock(mutex_);
  return timings_;
}

double Metrics::gauge_value(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = gauges_.find(name);
  return it == gauges_.end() ? 0.0 : it->second;
}

std::map<std::string, double> Metrics::gauges() const {
  std::lock_guard lock(mutex_);
  return gauges_;
}

void Metrics::send_statsd_to(const std::string& host, std::uint16_t port, std::string prefix) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    throw std::invalid_argument("StatsD address '" + host + ":" + service + "' does not resolve (" +
                                ::gai_strerror(rc) +
                                "); give an IP address or a resolvable host name");
  }
  auto sink = std::make_unique<Sink>();
  sink->fd = ::socket(found->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (sink->fd < 0) {
    ::freeaddrinfo(found);
    throw std::invalid_argument("cannot open a UDP socket for StatsD at '" + host +
                                "': " + std::strerror(errno));
  }
  std::memcpy(&sink->address, found->ai_addr, found->ai_addrlen);
  sink->address_length = static_cast<socklen_t>(found->ai_addrlen);
  sink->prefix = std::move(prefix);
  ::freeaddrinfo(found);

  std::lock_guard lock(mutex_);
  sink_ = std::move(sink);
}

void Metrics::stop_statsd() {
  std::lock_guard lock(mutex_);
  sink_.reset();
}

void Metrics::record(std::string_view instrument, double value, const Attributes& attributes) {
  OtelObserver observer;
  {
    std::lock_guard lock(mutex_);
    auto it = otel_.find(instrument);
    if (it == otel_.end()) {
      const InstrumentSpec* spec = find_instrument(instrument);
      NOTIFY_ASSERT(spec != nullptr);
      it = otel_.emplace(std::string(instrument), OtelSeries{spec, {}}).first;
    }
    record_point(*it->second.spec, it->second.points[attributes], value);
    if (!observer_) return;
    observer = observer_;
  }
  observer(instrument, value, attributes);
}

void Metrics::observe_otel(OtelObserver observer) {
  std::lock_guard lock(mutex_);
  observer_ = std::move(observer);
}

OtelSnapshot Metrics::otel_snapshot() const {
  std::lock_guard lock(mutex_);
  return otel_;
}

void Metrics::reset() {
  std::lock_guard lock(mutex_);
  counters_.clear();
  timings_.clear();
  gauges_.clear();
  otel_.clear();
}

}  // namespace notify::telemetry
