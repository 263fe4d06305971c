#include "notify/stubs/fields.hpp"

namespace notify::stubs {

std::string FieldError::to_string() const {
  std::string out = file.empty() ? std::string() : file + ": ";
  out += field.empty() ? std::string("(top level)") : field;
  out += ": expected " + expected;
  if (!got.empty()) out += ", got " + got;
  return out;
}

FieldError FieldError::under(std::string_view prefix) const {
  FieldError e = *this;
  if (prefix.empty()) return e;
  if (field.empty()) {
    e.field = std::string(prefix);
  } else if (field.front() == '[') {
    e.field = std::string(prefix) + field;
  } else {
    e.field = std::string(prefix) + "." + field;
  }
  return e;
}

FieldError FieldError::in_file(std::string file_name) const {
  FieldError e = *this;
  e.file = std::move(file_name);
  return e;
}

std::string quote_json(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

Fields::Fields(const nlohmann::json& j, std::string path, std::string file)
    : j_(j), path_(std::move(path)), file_(std::move(file)) {
  if (!j_.is_object()) fail(path_, "an object", quote_json(j_));
}

void Fields::fail(const std::string& field, std::string expected, std::string got) const {
  throw ConfigError(FieldError{file_, field, std::move(expected), std::move(got)});
}

void Fields::fail_value(const std::string& key, std::string expected) const {
  auto it = j_.find(key);
  fail(at(key), std::move(expected), it == j_.end() ? "nothing" : quote_json(*it));
}

std::string Fields::at(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

const nlohmann::json* Fields::get(const std::string& key) {
  seen_.insert(key);
  auto it = j_.find(key);
  return it == j_.end() || it->is_null() ? nullptr : &*it;
}

std::optional<std::string> Fields::string(const std::string& key) {
  const nlohmann::json* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) fail_value(key, "a string");
  return v->get<std::string>();
}

std::string Fields::required_string(const std::string& key) {
  auto v = string(key);
  if (!v || v->empty())
    fail(at(key), "a non-empty string (it is required)", v ? "\"\"" : "nothing");
  return *v;
}

std::optional<std::int64_t> Fields::integer(const std::string& key, std::int64_t lo,
                                            std::int64_t hi) {
  const nlohmann::json* v = get(key);
  if (!v) return std::nullopt;
  const std::string range =
      hi == std::numeric_limits<std::int64_t>::max()
          ? "a whole number >= " + std::to_string(lo)
          : "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!v->is_number_integer())
    fail_value(key, hi == std::numeric_limits<std::int64_t>::max() ? std::string("a whole number")
                                                                   : range);
  // Past the largest int64 (an unsigned JSON number) is out of range, not a negative number.
  if (v->is_number_unsigned() &&
      v->get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    fail_value(key, range);
  auto n = v->get<std::int64_t>();
  if (n < lo || n > hi) fail_value(key, range);
  return n;
}

std::optional<double> Fields::number(const std::string& key, double lo) {
  const nlohmann::json* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_number()) fail_value(key, "a number");
  double d = v->get<double>();
  if (d < lo) fail_value(key, "a number >= " + quote_json(lo));
  return d;
}

std::optional<bool> Fields::boolean(const std::string& key) {
  const nlohmann::json* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) fail_value(key, "true or false");
  return v->get<bool>();
}

const nlohmann::json* Fields::array(const std::string& key) {
  const nlohmann::json* v = get(key);
  if (v && !v->is_array()) fail_value(key, "an array");
  return v;
}

const nlohmann::json* Fields::object(const std::string& key) {
  const nlohmann::json* v = get(key);
  if (v && !v->is_object()) fail_value(key, "an object");
  return v;
}

void Fields::no_others() const {
  for (auto it = j_.begin(); it != j_.end(); ++it) {
    if (seen_.count(it.key())) continue;
    std::string allowed;
    for (const auto& k : seen_) allowed += (allowed.empty() ? "" : ", ") + k;
    fail(at(it.key()), "one of the known fields (" + allowed + ")", "an unknown field");
  }
}

}  // namespace notify::stubs
