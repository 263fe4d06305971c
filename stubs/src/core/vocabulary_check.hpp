// Checks the names in a fault rule against what the loaded stubs can report, and suggests the
// nearest valid name for a typo rather than listing every name there is.
#pragma once

#include "notify/stubs/faults.hpp"

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace notify::stubs::detail {

/// The candidate closest to `value` (ignoring case), when it is close enough to be the name the
/// user meant; nullopt otherwise.
std::optional<std::string> nearest(std::string_view value, const std::set<std::string>& candidates);

/// "; did you mean \"x\"?" for a near miss; else the allowed values when there are a few, or
/// some of them and how many there are.
std::string expected_names(std::string_view value, const std::set<std::string>& candidates);

/// Checks the selector's provider, az and operation against the vocabulary. `path` is the
/// match object's field path.
std::optional<RuleError> check_selector_names(const FaultSelector& match, const std::string& path,
                                              const FaultVocabulary& known);

/// Checks an error action's name: a name some stub renders, and for a rule that names one
/// service, a name that service renders. `path` is the name's field path.
std::optional<RuleError> check_error_name(const std::string& name, const std::string& service,
                                          const std::string& path, const FaultVocabulary& known);

}  // namespace notify::stubs::detail
