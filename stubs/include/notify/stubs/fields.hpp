// The one configuration-error model: every file notify-sim reads (scenarios, serve config, a
// stub's block, fault rules, control API bodies) reports a bad field as {file, field, expected,
// got}, worded the same way: "FILE: FIELD: expected EXPECTED, got GOT". Fields reads one JSON
// object with that reporting built in.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace notify::stubs {

struct FieldError {
  std::string file;      // empty when not read from a file (a control API body)
  std::string field;     // full path, e.g. "stubs.ses.events.delay_ms" or "faults[2].action"
  std::string expected;  // e.g. "a number of milliseconds >= 0"
  std::string got;       // the value as JSON text, "nothing" when missing, "an unknown field"

  /// "FILE: FIELD: expected EXPECTED, got GOT" (without "FILE: " when there is no file).
  std::string to_string() const;
  /// The same error one level down: `prefix` + "." + field (or `prefix` + field when the field
  /// starts with '[').
  FieldError under(std::string_view prefix) const;
  FieldError in_file(std::string file_name) const;
};

/// The value as the error message quotes it: JSON text, shortened past 80 characters.
std::string quote_json(const nlohmann::json& value);

/// FieldError as an exception, for readers that stop at the first problem.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(FieldError error)
      : std::runtime_error(error.to_string()), error_(std::move(error)) {}
  const FieldError& error() const noexcept { return error_; }

 private:
  FieldError error_;
};

/// Reads one JSON object field by field. Every problem throws ConfigError naming the field's
/// full path; no_others() reports keys nobody read (typos, unsupported options).
class Fields {
 public:
  Fields(const nlohmann::json& j, std::string path, std::string file = {});

  [[noreturn]] void fail(const std::string& field, std::string expected, std::string got) const;
  /// Fails on `key`'s value: expected `expected`, got the value.
  [[noreturn]] void fail_value(const std::string& key, std::string expected) const;
  std::string at(const std::string& key) const;
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }

  /// The value at `key`, or nullptr when absent or null. Marks the key as read.
  const nlohmann::json* get(const std::string& key);
  std::optional<std::string> string(const std::string& key);
  std::string required_string(const std::string& key);
  /// A whole number from `lo` to `hi`; an error gives the range when `hi` is given.
  std::optional<std::int64_t> integer(const std::string& key, std::int64_t lo = 0,
                                      std::int64_t hi = std::numeric_limits<std::int64_t>::max());
  std::optional<double> number(const std::string& key, double lo = -1e300);
  std::optional<bool> boolean(const std::string& key);
  const nlohmann::json* array(const std::string& key);
  const nlohmann::json* object(const std::string& key);
  /// Call last.
  void no_others() const;

 private:
  const nlohmann::json& j_;
  std::string path_;
  std::string file_;
  std::set<std::string> seen_;
};

}  // namespace notify::stubs
