// SES v1 Query parameters: the form body (and, for GET, the query string) as a flat key/value
// list, with the awsQuery conventions for nested members and lists (botocore's QuerySerializer).
#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notify::stubs::ses {

class QueryParams {
 public:
  /// Parses form-encoded text; nullopt when an escape is malformed. Later duplicates of a key
  /// are kept but get() returns the first, as SES does with repeated parameters. Keys and
  /// values without escapes are views into `text`, which must outlive the result.
  static std::optional<QueryParams> parse(std::string_view text);
  QueryParams() = default;
  QueryParams(QueryParams&&) = default;
  QueryParams& operator=(QueryParams&&) = default;
  // A copy's views would point into the original's decoded strings.
  QueryParams(const QueryParams&) = delete;
  QueryParams& operator=(const QueryParams&) = delete;
  /// Appends the pairs of `other` (the body after the query string).
  void append(QueryParams&& other);

  std::optional<std::string_view> get(std::string_view key) const;
  /// Whether any key equals `prefix` or starts with `prefix` + ".".
  bool has_member(std::string_view prefix) const;
  /// The values of `prefix.member.N`, ordered by N (1-based; gaps are skipped). An empty bare
  /// `prefix=` (botocore's empty list) contributes nothing.
  std::vector<std::string> list(std::string_view prefix) const;
  std::size_t size() const { return pairs_.size(); }
  /// Total bytes of keys and values, for the message-size limit.
  std::size_t bytes() const;

 private:
  std::vector<std::pair<std::string_view, std::string_view>> pairs_;
  // The keys and values that had escapes, decoded. List nodes never move, so views into them
  // stay valid when the params are moved or appended to others.
  std::list<std::string> decoded_;
};

}  // namespace notify::stubs::ses
