// Journal entries as JSON, and journal queries from URL parameters or a JSON body. URL
// parameters arrive as strings, so numeric fields accept "250" as well as 250.
#include "notify/stubs/journal.hpp"

#include "json_text.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <set>

namespace notify::stubs {

namespace {

using nlohmann::json;

// Keys the control API's /journal/wait reads itself; a query ignores them.
const std::set<std::string> kWaitKeys = {"count", "timeout_ms"};
const std::set<std::string> kQueryKeys = {"service",  "operation", "recipient", "reference",
                                          "outcome",  "direction", "parent",    "since_ms",
                                          "until_ms", "limit",     "count",     "timeout_ms"};

std::optional<double> as_number(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  double out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

}  // namespace

nlohmann::json to_json(const JournalEntry& e) {
  return {{"seq", e.seq},
          {"parent", e.parent},
          {"direction", e.direction},
          {"at", runtime::format_iso8601(e.at)},
          {"service", e.service},
          {"operation", e.operation},
          {"provider", e.provider},
          {"az", e.az},
          {"recipient", e.recipient},
          {"reference", e.reference},
          {"method", e.method},
          {"target", e.target},
          {"status", e.status},
          {"outcome", e.outcome},
          {"faults", e.faults},
          {"request_body", e.request_body},
          {"response_body", e.response_body}};
}

std::optional<std::string> parse_journal_query(const nlohmann::json& j, runtime::TimePoint origin,
                                               JournalQuery& out) {
  if (!j.is_object()) return "query: expected an object of filters, " + detail::got(j);
  for (const auto& [key, value] : j.items()) {
    if (kQueryKeys.count(key) == 0) {
      return key + ": unknown field; expected one of " + detail::one_of(kQueryKeys);
    }
    if (kWaitKeys.count(key) != 0) continue;
    if (key == "since_ms" || key == "until_ms" || key == "limit" || key == "parent") {
      auto n = as_number(value);
      if (!n || !std::isfinite(*n) || *n < 0 || (key == "limit" && *n != std::floor(*n))) {
        return key + ": expected a " + (key == "limit" ? "whole number" : "number") + " >= 0, " +
               detail::got(value);
      }
      if (key == "parent") {
        if (*n != std::floor(*n))
          return "parent: expected a whole number >= 0, " + detail::got(value);
        out.parent = static_cast<std::uint64_t>(std::min(*n, 1e15));
      } else if (key == "limit") {
        out.limit = static_cast<std::size_t>(std::min(*n, 1e15));
      } else {
        auto at = origin + std::chrono::duration_cast<runtime::Duration>(
                               std::chrono::duration<double, std::milli>(std::min(*n, 1e12)));
        (key == "since_ms" ? out.since : out.until) = at;
      }
      continue;
    }
    if (!value.is_string()) return key + ": expected a string, " + detail::got(value);
    auto s = value.get<std::string>();
    if (key == "service") out.service = s;
    if (key == "operation") out.operation = s;
    if (key == "recipient") out.recipient = s;
    if (key == "reference") out.reference = s;
    if (key == "outcome") out.outcome = s;
    if (key == "direction") {
      if (s != "in" && s != "out")
        return "direction: expected \"in\" or \"out\", " + detail::got(value);
      out.direction = s;
    }
  }
  return std::nullopt;
}

}  // namespace notify::stubs
