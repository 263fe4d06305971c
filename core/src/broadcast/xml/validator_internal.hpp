// Pieces the validator's layers share: where a node is (line and path), how problems are
// collected, text and names without namespace prefixes, and the date-time grammar.
#pragma once

#include "notify/broadcast/validate.hpp"

#include <pugixml.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notify::broadcast::detail {

inline constexpr std::string_view kCapNamespace = "urn:oasis:names:tc:emergency:cap:1.2";
inline constexpr std::string_view kIbagNamespace = "ibag:1.0";
inline constexpr std::string_view kXmldsigNamespace = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr std::string_view kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

/// Maps byte offsets in the document to 1-based line numbers.
class LineMap {
 public:
  explicit LineMap(std::string_view bytes);
  std::size_t line_at(std::size_t offset) const noexcept;
  std::size_t line_of(const pugi::xml_node& node) const noexcept;

 private:
  std::vector<std::size_t> starts_;
};

/// Collects problems up to the report's bound.
class Sink {
 public:
  Sink(Report& report, const LineMap& lines, std::size_t problems_max)
      : report_(report), lines_(lines), problems_max_(problems_max) {}

  void add(const pugi::xml_node& at, Layer layer, Severity severity, std::string_view rule,
           std::string message, std::string_view found = {});
  void add_at_line(std::size_t line, std::string path, Layer layer, Severity severity,
                   std::string_view rule, std::string message, std::string_view found = {});
  const LineMap& lines() const noexcept { return lines_; }

 private:
  Report& report_;
  const LineMap& lines_;
  std::size_t problems_max_;
};

/// The element name without its prefix.
std::string_view local_name(const pugi::xml_node& node) noexcept;
std::string_view prefix_of(std::string_view qualified_name) noexcept;

/// /alert/info/area[2]/polygon: local names, with a 1-based index where siblings share a name.
std::string path_of(const pugi::xml_node& node);

/// The element's character data (text and CDATA children joined), as a schema sees it.
std::string text_of(const pugi::xml_node& node);

/// The first child element with this local name, or an empty node.
pugi::xml_node child(const pugi::xml_node& node, std::string_view local);
std::vector<pugi::xml_node> children(const pugi::xml_node& node, std::string_view local);

/// `text` cut to about `max` bytes (on a UTF-8 boundary) with "..." appended, for messages.
std::string shorten(std::string_view text, std::size_t max = 60);

/// Strips the XML whitespace a schema's "collapse" facet removes from both ends.
std::string_view trim_xml_space(std::string_view s) noexcept;

/// An xs:dateTime value. `seconds` counts from 1970-01-01T00:00:00Z (local time when the value
/// has no zone).
struct DateTime {
  long long seconds = 0;
  long long nanos = 0;
  bool has_zone = false;
  bool zulu = false;
  bool has_fraction = false;
};

/// Parses the xs:dateTime lexical space (XSD 1.0 part 2 §3.2.7) with its range rules: month
/// 1-12, a day that exists in that month, hour 0-23, zone within ±14:00.
std::optional<DateTime> parse_xs_datetime(std::string_view text) noexcept;

/// CAP's own pattern on top: \d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d.
bool matches_cap_datetime(std::string_view text) noexcept;

/// Why a closed ring is not simple: two edges (0-based, edge k runs from point k to k + 1 once
/// repeated points are dropped) cross, touch or fold back; or it has fewer than three corners.
struct RingFault {
  enum class Kind { crossing, collapsed };
  Kind kind = Kind::crossing;
  std::size_t edge_a = 0;
  std::size_t edge_b = 0;
};

/// Rings above this many points are not checked for crossings (and a warning says so): the check
/// compares every pair of edges, and 2,000 points (about two million pairs) keeps it to
/// milliseconds while a 1 MiB document could otherwise hold tens of thousands.
inline constexpr std::size_t kRingPointsCheckedMax = 2000;

/// shapely's is_valid for a closed ring of (lat, lon) points; nullopt when it is simple or open.
std::optional<RingFault> ring_fault(const std::vector<std::pair<double, double>>& points);

void check_structure(const pugi::xml_node& root, DocumentKind kind, Sink& sink);
void check_semantics(const pugi::xml_node& root, DocumentKind kind, Profile profile, Sink& sink);

}  // namespace notify::broadcast::detail
