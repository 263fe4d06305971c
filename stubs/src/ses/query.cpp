#include "query.hpp"

#include "notify/transport/http.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace notify::stubs::ses {

std::optional<QueryParams> QueryParams::parse(std::string_view text) {
  QueryParams out;
  out.pairs_.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '&')) + 1);
  // As transport::parse_form: '+' is a space, %XX a byte, empty segments are skipped.
  auto decode = [&out](std::string_view raw) -> std::optional<std::string_view> {
    if (std::none_of(raw.begin(), raw.end(), [](char c) { return c == '+' || c == '%'; })) {
      return raw;
    }
    auto decoded = transport::url_decode(raw);
    if (!decoded) return std::nullopt;
    return std::string_view(out.decoded_.emplace_back(std::move(*decoded)));
  };
  while (!text.empty()) {
    auto amp = text.find('&');
    auto pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto key = decode(pair.substr(0, eq));
    auto value = decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!key || !value) return std::nullopt;
    out.pairs_.emplace_back(*key, *value);
  }
  return out;
}

void QueryParams::append(QueryParams&& other) {
  pairs_.insert(pairs_.end(), other.pairs_.begin(), other.pairs_.end());
  decoded_.splice(decoded_.end(), other.decoded_);
  other.pairs_.clear();
}

std::optional<std::string_view> QueryParams::get(std::string_view key) const {
  for (const auto& [k, v] : pairs_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

bool QueryParams::has_member(std::string_view prefix) const {
  for (const auto& [k, v] : pairs_) {
    if (k.size() >= prefix.size() && k.substr(0, prefix.size()) == prefix &&
        (k.size() == prefix.size() || k[prefix.size()] == '.')) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> QueryParams::list(std::string_view prefix) const {
  std::string head(prefix);
  head += ".member.";
  std::vector<std::pair<std::uint64_t, std::string_view>> found;
  for (const auto& [k, v] : pairs_) {
    if (k.size() <= head.size() || k.compare(0, head.size(), head) != 0) continue;
    std::string_view index = k.substr(head.size());
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), n);
    // Only "prefix.member.N" itself: "Tags.member.1.Name" belongs to a list of structures.
    if (ec != std::errc{} || end != index.data() + index.size() || n == 0) continue;
    found.emplace_back(n, v);
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  out.reserve(found.size());
  for (std::size_t i = 0; i < found.size(); ++i) {
    // A repeated index keeps its first value, like get().
    if (i > 0 && found[i].first == found[i - 1].first) continue;
    out.emplace_back(found[i].second);
  }
  return out;
}

std::size_t QueryParams::bytes() const {
  std::size_t n = 0;
  for (const auto& [k, v] : pairs_) n += k.size() + v.size();
  return n;
}

}  // namespace notify::stubs::ses
