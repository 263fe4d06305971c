#include "json_text.hpp"

namespace notify::stubs::detail {

namespace {
// Long values are cut so one bad field cannot flood an error line.
constexpr std::size_t kExcerptCharsMax = 60;
}  // namespace

std::string json_kind(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "a number";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    default:
      return "a value of another kind";
  }
}

std::string json_excerpt(const nlohmann::json& j) {
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > kExcerptCharsMax) {
    text.resize(kExcerptCharsMax);
    text += "...";
  }
  return text;
}

std::string got(const nlohmann::json& j) {
  if (j.is_null()) return "got null";
  return "got " + json_excerpt(j) + " (" + json_kind(j) + ")";
}

std::string one_of(const std::set<std::string>& allowed) {
  std::string out;
  std::size_t i = 0;
  for (const auto& a : allowed) {
    if (i > 0) out += (i + 1 == allowed.size()) ? " or " : ", ";
    out += "\"" + a + "\"";
    ++i;
  }
  return out;
}

std::string join_field(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  if (name.empty()) return std::string(prefix);
  if (name.front() == '[') return std::string(prefix) + std::string(name);
  return std::string(prefix) + "." + std::string(name);
}

}  // namespace notify::stubs::detail
