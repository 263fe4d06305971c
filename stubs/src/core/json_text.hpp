// Small helpers for error messages about JSON input: they quote what the user sent, briefly, so
// an error names both the field and the value that was wrong with it.
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <string_view>

namespace notify::stubs::detail {

/// The JSON type of `j` as a user would call it: "a string", "a number", "an object", ...
std::string json_kind(const nlohmann::json& j);
/// `j` dumped and cut to a readable length, for "got ..." in messages.
std::string json_excerpt(const nlohmann::json& j);
/// "got 12 (a number)"-style suffix.
std::string got(const nlohmann::json& j);
/// "a", "b" or "c"
std::string one_of(const std::set<std::string>& allowed);
/// `prefix`.`name`, or just `name` when there is no prefix.
std::string join_field(std::string_view prefix, std::string_view name);

}  // namespace notify::stubs::detail
