// A rule naming something no request will ever carry (an AZ of a service without AZs, an
// operation spelt with the wrong case, another service's error) would be accepted and never
// fire, and a scenario would pass for the wrong reason. These checks refuse it, and point at the
// name the user most likely meant.
#include "vocabulary_check.hpp"

#include "json_text.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace notify::stubs::detail {

namespace {

// A list longer than this is summarised in messages rather than printed whole.
constexpr std::size_t kNamesListedMax = 8;

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Edit distance with adjacent transpositions ("SendEmial"), ignoring case ("receipt").
std::size_t distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

const char* describe_field(const std::string& field) {
  if (field == "az") return "availability zone";
  return field == "provider" ? "provider" : "operation";
}

using NameSet = std::set<std::string> SelectorNames::*;

NameSet member_of(const std::string& field) {
  if (field == "az") return &SelectorNames::azs;
  return field == "provider" ? &SelectorNames::providers : &SelectorNames::operations;
}

std::optional<RuleError> check_one(const std::string& value, const std::string& field,
                                   const std::string& service, const std::string& path,
                                   const FaultVocabulary& known) {
  if (value.empty()) return std::nullopt;
  const auto member = member_of(field);
  const std::string what = describe_field(field);
  std::set<std::string> allowed;
  std::string scope;
  if (service != "any") {
    auto it = known.selectors.find(service);
    if (it == known.selectors.end()) return std::nullopt;  // the service declared nothing
    allowed = it->second.*member;
    scope = " for service \"" + service + "\"";
    if (allowed.empty()) {
      std::set<std::string> with;
      for (const auto& [name, names] : known.selectors) {
        if (!(names.*member).empty()) with.insert(name);
      }
      std::string hint = with.empty() ? "" : "; only " + one_of(with) + " have one";
      return RuleError{join_field(path, field),
                       "service \"" + service + "\" has no " + what +
                           ", so a rule naming one could never fire; remove \"" + field + "\"" +
                           hint};
    }
  } else {
    // "any" may name what any service carries, when every service said what that is.
    if (known.services.empty()) return std::nullopt;
    for (const auto& s : known.services) {
      auto it = known.selectors.find(s);
      if (it == known.selectors.end()) return std::nullopt;
      allowed.insert((it->second.*member).begin(), (it->second.*member).end());
    }
  }
  if (allowed.count(value) != 0) return std::nullopt;
  return RuleError{join_field(path, field),
                   "unknown " + what + " \"" + value + "\"" + scope + "; " +
                       expected_names(value, allowed)};
}

}  // namespace

std::optional<std::string> nearest(std::string_view value,
                                   const std::set<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& c : candidates) {
    std::size_t d = distance(value, c);
    if (!best || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // Close enough to be a slip of the keyboard: a couple of edits, a few more in a long name.
  const std::size_t limit = std::max<std::size_t>(2, value.size() / 4);
  if (!best || best_distance > limit) return std::nullopt;
  return best;
}

std::string expected_names(std::string_view value, const std::set<std::string>& candidates) {
  if (auto near = nearest(value, candidates)) return "did you mean \"" + *near + "\"?";
  if (candidates.size() <= kNamesListedMax) return "expected one of " + one_of(candidates);
  std::set<std::string> some;
  for (const auto& c : candidates) {
    if (some.size() == 3) break;
    some.insert(c);
  }
  return "expected one of " + std::to_string(candidates.size()) + " names such as " +
         one_of(some) + " (docs/faults.md lists them)";
}

std::optional<RuleError> check_selector_names(const FaultSelector& match, const std::string& path,
                                              const FaultVocabulary& known) {
  if (auto e = check_one(match.provider, "provider", match.service, path, known)) return e;
  if (auto e = check_one(match.az, "az", match.service, path, known)) return e;
  return check_one(match.operation, "operation", match.service, path, known);
}

std::optional<RuleError> check_error_name(const std::string& name, const std::string& service,
                                          const std::string& path, const FaultVocabulary& known) {
  if (!known.errors.empty() && known.errors.count(name) == 0) {
    return RuleError{path, "unknown error \"" + name + "\"; " + expected_names(name, known.errors)};
  }
  if (service == "any") return std::nullopt;
  auto it = known.errors_by_service.find(service);
  if (it == known.errors_by_service.end() || it->second.count(name) != 0) return std::nullopt;
  if (it->second.empty()) {
    return RuleError{path, "error \"" + name + "\" is not one service \"" + service +
                               "\" renders (it renders none); expected a connection action or "
                               "another service"};
  }
  return RuleError{path, "error \"" + name + "\" is not one service \"" + service +
                             "\" renders, so the rule could never fire; " +
                             expected_names(name, it->second)};
}

}  // namespace notify::stubs::detail
