#include "query.hpp"

#include "notify/transport/http.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace notify::stubs::ses {

std::optional<QueryParams> QueryParams::parse(std::string_view text) {
  auto pairs = transport::parse_form(text);
  if (!pairs) return std::nullopt;
  QueryParams out;
  out.pairs_ = std::move(*pairs);
  return out;
}

void QueryParams::append(const QueryParams& other) {
  pairs_.insert(pairs_.end(), other.pairs_.begin(), other.pairs_.end());
}

const std::string* QueryParams::get(std::string_view key) const {
  for (const auto& [k, v] : pairs_) {
    if (k == key) return &v;
  }
  return nullptr;
}

bool QueryParams::has_member(std::string_view prefix) const {
  for (const auto& [k, v] : pairs_) {
    if (k.size() >= prefix.size() && std::string_view(k).substr(0, prefix.size()) == prefix &&
        (k.size() == prefix.size() || k[prefix.size()] == '.')) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> QueryParams::list(std::string_view prefix) const {
  std::string head(prefix);
  head += ".member.";
  std::vector<std::pair<std::uint64_t, const std::string*>> found;
  for (const auto& [k, v] : pairs_) {
    if (k.size() <= head.size() || k.compare(0, head.size(), head) != 0) continue;
    std::string_view index = std::string_view(k).substr(head.size());
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), n);
    // Only "prefix.member.N" itself: "Tags.member.1.Name" belongs to a list of structures.
    if (ec != std::errc{} || end != index.data() + index.size() || n == 0) continue;
    found.emplace_back(n, &v);
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  out.reserve(found.size());
  for (std::size_t i = 0; i < found.size(); ++i) {
    // A repeated index keeps its first value, like get().
    if (i > 0 && found[i].first == found[i - 1].first) continue;
    out.push_back(*found[i].second);
  }
  return out;
}

std::size_t QueryParams::bytes() const {
  std::size_t n = 0;
  for (const auto& [k, v] : pairs_) n += k.size() + v.size();
  return n;
}

}  // namespace notify::stubs::ses
