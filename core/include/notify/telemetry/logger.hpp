// Logger: structured log lines that cannot carry an email address or a phone number. Every
// message and field is scrubbed before any sink sees it, so a careless format string does not
// leak a recipient.
#pragma once

#include "notify/outcome/errc.hpp"
#include "notify/runtime/clock.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace notify::telemetry {

struct LogRecord {
  runtime::TimePoint at;
  LogLevel level;
  std::string logger;   // e.g. "delivery.email"
  std::string message;  // scrubbed
};

/// Replaces email addresses with "<email>" and phone numbers (7+ digits, optional +, spaces,
/// dashes or brackets) with "<phone>".
/// Errs towards scrubbing: an address is any run of local-part characters, '@' (or "%40", as in
/// a form body) and a domain, and punctuation legal in a local part ("to=a@b") goes with it.
/// UUIDs, ISO 8601 dates and timestamps, decimals ("0.1234567") and digit runs that touch a
/// letter (hex ids, "20260101T000000Z") are left alone.
std::string scrub_pii(std::string_view text);

std::string_view to_string(LogLevel level) noexcept;

/// Thread-safe.
class Logger {
 public:
  using Sink = std::function<void(const LogRecord&)>;

  explicit Logger(runtime::Clock& clock);

  void log(LogLevel level, std::string_view logger, std::string_view message);
  void debug(std::string_view logger, std::string_view m) { log(LogLevel::debug, logger, m); }
  void info(std::string_view logger, std::string_view m) { log(LogLevel::info, logger, m); }
  void warning(std::string_view logger, std::string_view m) { log(LogLevel::warning, logger, m); }
  void error(std::string_view logger, std::string_view m) { log(LogLevel::error, logger, m); }

  void add_sink(Sink sink);
  /// A sink that prints "time level logger: message" to stderr at or above `min`.
  static Sink stderr_sink(LogLevel min = LogLevel::info);

  /// Every record so far (kept for scenario expectations; bounded at `capacity`).
  std::vector<LogRecord> records() const;
  /// Keeps at most `capacity` records (at least 1), dropping the oldest first.
  void set_capacity(std::size_t capacity);
  /// Records dropped because the capacity was reached, since construction or clear().
  std::size_t dropped() const;
  void clear();

 private:
  runtime::Clock& clock_;
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<Sink>> sinks_;  // null until the first add_sink
  std::deque<LogRecord> records_;
  std::size_t capacity_ = 100'000;
  std::size_t dropped_ = 0;
};

}  // namespace notify::telemetry
