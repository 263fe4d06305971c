// Logger: scrubs every line before keeping it or handing it to a sink, keeps a bounded history
// for scenario expectations, and fans records out to sinks outside its lock so that a sink may
// log without deadlocking.
#include "notify/telemetry/logger.hpp"

#include <algorithm>
#include <cstdio>

namespace notify::telemetry {

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "unknown";
}

Logger::Logger(runtime::Clock& clock) : clock_(clock) {}

void Logger::log(LogLevel level, std::string_view logger, std::string_view message) {
  LogRecord record{clock_.now(), level, scrub_pii(logger), scrub_pii(message)};
  std::shared_ptr<const std::vector<Sink>> sinks;
  {
    std::lock_guard lock(mutex_);
    while (records_.size() >= capacity_) {
      records_.pop_front();
      ++dropped_;
    }
    sinks = sinks_;
    // Without sinks the kept copy is the only one.
    if (sinks == nullptr) {
      records_.push_back(std::move(record));
      return;
    }
    records_.push_back(record);
  }
  for (const auto& sink : *sinks) sink(record);
}

void Logger::add_sink(Sink sink) {
  std::lock_guard lock(mutex_);
  // Copy on write: log() takes a snapshot of the list under the lock and calls it outside.
  auto next =
      sinks_ ? std::make_shared<std::vector<Sink>>(*sinks_) : std::make_shared<std::vector<Sink>>();
  next->push_back(std::move(sink));
  sinks_ = std::move(next);
}

Logger::Sink Logger::stderr_sink(LogLevel min) {
  return [min](const LogRecord& record) {
    if (record.level < min) return;
    auto line = runtime::format_iso8601(record.at) + " " + std::string(to_string(record.level)) +
                " " + record.logger + ": " + record.message + "\n";
    // One fwrite per line keeps lines from different threads whole.
    std::fwrite(line.data(), 1, line.size(), stderr);
  };
}

std::vector<LogRecord> Logger::records() const {
  std::lock_guard lock(mutex_);
  return {records_.begin(), records_.end()};
}

void Logger::set_capacity(std::size_t capacity) {
  std::lock_guard lock(mutex_);
  capacity_ = std::max<std::size_t>(capacity, 1);
  while (records_.size() > capacity_) {
    records_.pop_front();
    ++dropped_;
  }
}

std::size_t Logger::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void Logger::clear() {
  std::lock_guard lock(mutex_);
  records_.clear();
  dropped_ = 0;
}

}  // namespace notify::telemetry
