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
#include <deque>
#include <stdexcept>
#include <unordered_map>

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

// The OTel points, one entry per (instrument, attribute set) ever recorded or resolved. A flat,
// length-prefixed encoding of the instrument name and attributes finds an entry with one hash
// and one compare, where a map keyed by Attributes compared string by string on every level.
// Entries are never removed (reset() zeroes them), so a handle's index stays valid.
struct Metrics::OtelStore {
  struct Entry {
    const InstrumentSpec* spec;
    Attributes attributes;
    OtelPoint point;
  };
  std::deque<Entry> entries;  // a deque: the observer reads attributes outside the lock
  std::unordered_map<std::string, std::uint32_t> index;
  std::string key;  // the key being looked up, reused so a hit allocates nothing

  void append(std::string_view text) {
    auto size = static_cast<std::uint32_t>(text.size());
    key.append(reinterpret_cast<const char*>(&size), sizeof size);
    key.append(text);
  }

  void start(std::string_view instrument) {
    key.clear();
    append(instrument);
  }

  void add(std::string_view name, const AttributeValue& value) {
    append(name);
    if (const auto* s = std::get_if<std::string>(&value)) {
      key += 's';
      append(*s);
    } else if (const auto* b = std::get_if<bool>(&value)) {
      key += *b ? 'T' : 'F';
    } else {
      auto i = std::get<std::int64_t>(value);
      key += 'i';
      key.append(reinterpret_cast<const char*>(&i), sizeof i);
    }
  }

  void add(const AttributeRef& ref) {
    append(ref.key);
    key += 's';
    append(ref.value);
  }

  // The entry for `key`, made with `make_attributes()` the first time it is seen.
  template <typename MakeAttributes>
  std::uint32_t find(std::string_view instrument, MakeAttributes make_attributes) {
    if (auto it = index.find(key); it != index.end()) return it->second;
    const InstrumentSpec* spec = find_instrument(instrument);
    NOTIFY_ASSERT(spec != nullptr);
    entries.push_back(Entry{spec, make_attributes(), {}});
    auto id = static_cast<std::uint32_t>(entries.size() - 1);
    index.emplace(key, id);
    return id;
  }

  std::uint32_t find(std::string_view instrument, const Attributes& attributes) {
    start(instrument);
    for (const auto& [name, value] : attributes) add(name, value);
    return find(instrument, [&attributes] { return attributes; });
  }
};

Metrics::Metrics() : otel_(std::make_unique<OtelStore>()) {}
Metrics::~Metrics() = default;

void Metrics::record(std::string_view instrument, double value, const Attributes& attributes) {
  std::unique_lock lock(mutex_);
  auto id = otel_->find(instrument, attributes);
  record_locked(id, instrument, value, lock);
}

void Metrics::record_strings(std::string_view instrument, double value,
                             std::initializer_list<AttributeRef> attributes) {
  auto by_key = [](const AttributeRef& a, const AttributeRef& b) { return a.key < b.key; };
  if (!std::is_sorted(attributes.begin(), attributes.end(), by_key)) {
    Attributes sorted;
    for (const auto& a : attributes) sorted.emplace_back(std::string(a.key), std::string(a.value));
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    record(instrument, value, sorted);
    return;
  }
  std::unique_lock lock(mutex_);
  otel_->start(instrument);
  for (const auto& a : attributes) otel_->add(a);
  auto id = otel_->find(instrument, [&attributes] {
    Attributes out;
    out.reserve(attributes.size());
    for (const auto& a : attributes) out.emplace_back(std::string(a.key), std::string(a.value));
    return out;
  });
  record_locked(id, instrument, value, lock);
}

Metrics::OtelHandle Metrics::otel_handle(std::string_view instrument,
                                         const Attributes& attributes) {
  std::lock_guard lock(mutex_);
  return OtelHandle{otel_->find(instrument, attributes)};
}

void Metrics::record(OtelHandle handle, double value) {
  std::unique_lock lock(mutex_);
  NOTIFY_ASSERT(handle.index < otel_->entries.size());
  record_locked(handle.index, otel_->entries[handle.index].spec->name, value, lock);
}

void Metrics::record_locked(std::uint32_t id, std::string_view instrument, double value,
                            std::unique_lock<std::mutex>& lock) {
  auto& entry = otel_->entries[id];
  record_point(*entry.spec, entry.point, value);
  if (!observer_) return;
  OtelObserver observer = observer_;
  lock.unlock();
  observer(instrument, value, entry.attributes);
}

void Metrics::observe_otel(OtelObserver observer) {
  std::lock_guard lock(mutex_);
  observer_ = std::move(observer);
}

OtelSnapshot Metrics::otel_snapshot() const {
  std::lock_guard lock(mutex_);
  OtelSnapshot snapshot;
  // Only what was recorded since the last reset(): a resolved handle alone is no point.
  for (const auto& entry : otel_->entries) {
    if (entry.point.count == 0) continue;
    auto& series = snapshot[std::string(entry.spec->name)];
    series.spec = entry.spec;
    series.points.emplace(entry.attributes, entry.point);
  }
  return snapshot;
}

void Metrics::reset() {
  std::lock_guard lock(mutex_);
  counters_.clear();
  timings_.clear();
  gauges_.clear();
  for (auto& entry : otel_->entries) entry.point = OtelPoint{};
}

}  // namespace notify::telemetry
