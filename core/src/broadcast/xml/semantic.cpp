// The semantic layer: rules the schemas cannot express. Some come from the CAP 1.2 text
// (polygons, references, identifier characters), some from what the UK proxy and Notify rely on
// (IBAG byte lengths, the language tag against the text), and some from Google's profile.
// Elements are found by local name; the schema layer has already judged their namespaces.
#include "notify/broadcast/language.hpp"
#include "validator_internal.hpp"

#include <utility>
#include <cmath>
#include <cstdlib>

namespace notify::broadcast::detail {
namespace {

std::vector<std::string_view> split_space(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (i < s.size()) {
    while (i < s.size() && space(s[i])) ++i;
    std::size_t start = i;
    while (i < s.size() && !space(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto at = s.find(sep, start);
    out.push_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

bool has_exponent(std::string_view s) { return s.find_first_of("eE") != std::string_view::npos; }

// A WGS-84 coordinate: an optionally signed decimal, as the CAP text describes. An exponent is
// accepted (Google's parser reads Java doubles) and flagged by the caller: Python prints
// 0.00001 as 1e-05, so the proxy can emit it for points near the Greenwich meridian.
std::optional<double> coordinate(std::string_view s) {
  if (s.empty() || s.size() > 32) return std::nullopt;
  std::size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  bool digit = false, dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digit = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digit) return std::nullopt;
  if (i < s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return std::nullopt;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i == s.size()) return std::nullopt;
    for (; i < s.size(); ++i)
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  return std::strtod(std::string(s).c_str(), nullptr);
}

struct Point {
  double lat, lon;
};

std::optional<Point> point(std::string_view pair) {
  auto parts = split(pair, ',');
  if (parts.size() != 2) return std::nullopt;
  auto lat = coordinate(parts[0]);
  auto lon = coordinate(parts[1]);
  if (!lat || !lon) return std::nullopt;
  return Point{*lat, *lon};
}

bool in_range(const Point& p) { return std::fabs(p.lat) <= 90 && std::fabs(p.lon) <= 180; }

class Rules {
 public:
  Rules(Sink& sink, Profile profile) : sink_(sink), profile_(profile) {}

  void cap(const pugi::xml_node& alert) {
    auto identifier = text_of(child(alert, "identifier"));
    auto sender = text_of(child(alert, "sender"));
    identifier_characters(child(alert, "identifier"), "identifier");
    identifier_characters(child(alert, "sender"), "sender");

    auto msg_type = text_of(child(alert, "msgType"));
    auto references = child(alert, "references");
    if (references) {
      references_format(references, sender, identifier);
    } else if (msg_type == "Cancel" || msg_type == "Update") {
      sink_.add(child(alert, "msgType"), Layer::semantic, references_required_severity(),
                "references-required",
                "an " + msg_type + " must name the messages it applies to in <references>",
                msg_type);
    }

    auto sent = parse_xs_datetime(text_of(child(alert, "sent")));
    auto infos = children(alert, "info");
    for (const auto& info : infos) {
      auto expires = child(info, "expires");
      if (expires) expires_after_sent(expires, sent);
      auto language = text_of(child(info, "language"));
      if (!child(info, "language")) language = "en-US";  // the schema's default
      std::string text = text_of(child(info, "headline")) + "\n" +
                         text_of(child(info, "description")) + "\n" +
                         text_of(child(info, "instruction"));
      language_matches_text(child(info, "language") ? child(info, "language") : info, language,
                            text);
      for (const auto& area : children(info, "area")) {
        for (const auto& p : children(area, "polygon")) polygon(p);
        for (const auto& c : children(area, "circle")) circle(c);
        if (child(area, "ceiling") && !child(area, "altitude"))
          sink_.add(child(area, "ceiling"), Layer::semantic, Severity::error,
                    "ceiling-without-altitude", "<ceiling> needs an <altitude>", "");
      }
      if (profile_ == Profile::google) google_info(info, sent);
    }
    if (profile_ == Profile::google && infos.empty())
      sink_.add(alert, Layer::semantic, Severity::error, "google-info-required",
                "Google's profile requires at least one <info>", "");
  }

  void ibag(const pugi::xml_node& root) {
    for (auto name : {"IBAG_message_number", "IBAG_referenced_message_number"}) {
      auto n = child(root, name);
      auto text = text_of(n);
      bool upper = text.find_first_of("ABCDEF") != std::string::npos;
      if (n && upper)
        sink_.add(n, Layer::semantic, profile_ == Profile::uk ? Severity::error : Severity::warning,
                  "ibag-message-number-case",
                  "Notify writes message numbers in lowercase hex (format(n, \"x\").zfill(8))",
                  text);
    }
    auto type = text_of(child(root, "IBAG_message_type"));
    if ((type == "Cancel" || type == "Update") && !child(root, "IBAG_referenced_message_number"))
      sink_.add(child(root, "IBAG_message_type"), Layer::semantic, references_required_severity(),
                "references-required",
                "an IBAG " + type + " must carry <IBAG_referenced_message_number>", type);

    auto sent = parse_xs_datetime(text_of(child(root, "IBAG_sent_date_time")));
    auto info = child(root, "IBAG_alert_info");
    if (!info) return;
    if (auto expires = child(info, "IBAG_expires_date_time")) expires_after_sent(expires, sent);

    auto message = child(info, "IBAG_text_alert_message");
    auto length = child(info, "IBAG_text_alert_message_length");
    auto text = text_of(message);
    if (length) {
      auto length_text = text_of(length);
      auto declared = trim_xml_space(length_text);
      auto bytes = std::to_string(text.size());
      if (declared != bytes)
        sink_.add(length, Layer::semantic, Severity::error, "ibag-message-length",
                  "must be the UTF-8 byte length of <IBAG_text_alert_message>, " + bytes, declared);
    }
    if (auto language = child(info, "IBAG_text_language"))
      language_matches_text(language, text_of(language), text);
    for (const auto& area : children(info, "IBAG_Alert_Area")) {
      auto polygons = children(area, "IBAG_polygon");
      for (const auto& p : polygons) polygon(p);
      // emergency-alerts-utils' IBAG reads only an area's "polygon": an area the payload gave
      // as "polygons" arrives with no shape at all, which the CBC cannot broadcast to.
      if (profile_ == Profile::uk && polygons.empty() && !child(area, "IBAG_circle"))
        sink_.add(area, Layer::semantic, Severity::warning, "ibag-area-without-polygon",
                  "an <IBAG_Alert_Area> with no <IBAG_polygon> or <IBAG_circle> has no shape; "
                  "emergency-alerts-utils writes none when the payload area has \"polygons\" "
                  "instead of \"polygon\"");
    }
  }

 private:
  Severity references_required_severity() const {
    // CAP 1.2 itself does not require references; Notify's API and Google's profile do.
    return profile_ == Profile::oasis ? Severity::warning : Severity::error;
  }

  void identifier_characters(const pugi::xml_node& node, std::string_view what) {
    if (!node) return;
    auto text = text_of(node);
    if (text.find_first_of(" \t\r\n,<&") != std::string::npos)
      sink_.add(node, Layer::semantic, Severity::error, std::string(what) + "-characters",
                "CAP 1.2 forbids spaces, commas, < and & in <" + std::string(what) + ">", text);
  }

  void references_format(const pugi::xml_node& node, std::string_view sender,
                         std::string_view identifier) {
    auto text = text_of(node);
    auto triples = split_space(text);
    if (triples.empty())
      sink_.add(node, Layer::semantic, Severity::error, "references-format",
                "must hold one or more sender,identifier,sent triples", text);
    for (auto triple : triples) {
      auto parts = split(triple, ',');
      bool shape = parts.size() == 3 && !parts[0].empty() && !parts[1].empty() && !parts[2].empty();
      if (!shape) {
        sink_.add(node, Layer::semantic, Severity::error, "references-format",
                  "each reference must be sender,identifier,sent", triple);
        continue;
      }
      auto when = parse_xs_datetime(parts[2]);
      if (!when) {
        sink_.add(node, Layer::semantic, Severity::error, "references-format",
                  "the third part of a reference must be the referenced message's sent time",
                  triple);
        continue;
      }
      // Notify's references carry created_at as %Y-%m-%dT%H:%M:%S.%fZ. OASIS does not forbid it;
      // Google's extended schema requires CAP's own date-time form.
      if (profile_ == Profile::google && !matches_cap_datetime(parts[2]))
        sink_.add(node, Layer::semantic, Severity::warning, "references-timestamp",
                  "Google's profile expects the sent part as YYYY-MM-DDThh:mm:ss+hh:mm, without "
                  "fractions or Z",
                  parts[2]);
      // Real Environment Agency alerts reference themselves; Google's validator rejects that.
      if (parts[0] == sender && parts[1] == identifier)
        sink_.add(node, Layer::semantic,
                  profile_ == Profile::google ? Severity::error : Severity::warning,
                  "references-circular", "a message cannot reference itself", triple);
    }
  }

  void expires_after_sent(const pugi::xml_node& expires, const std::optional<DateTime>& sent) {
    auto e = parse_xs_datetime(text_of(expires));
    if (!e || !sent) return;  // the schema layer reports unreadable times
    // Compared as (seconds, nanoseconds): a year far out of range must not overflow.
    auto ns = [](const DateTime& d) { return std::make_pair(d.seconds, d.nanos); };
    if (ns(*e) < ns(*sent)) {
      sink_.add(expires, Layer::semantic, Severity::error, "expires-after-sent",
                "expires before the message was sent", text_of(expires));
    } else if (ns(*e) == ns(*sent)) {
      sink_.add(expires, Layer::semantic, Severity::warning, "expires-after-sent",
                "expires at the moment it was sent, so it is never in force", text_of(expires));
    }
  }

  void language_matches_text(const pugi::xml_node& at, std::string_view language,
                             std::string_view text) {
    bool welsh_text = infer_language(text) == Language::welsh;
    bool english_tag = language.starts_with("en") || language == "English";
    bool welsh_tag = language.starts_with("cy") || language == "Welsh";
    if (english_tag && welsh_text) {
      // Notify tags any text with a Welsh non-GSM character as Welsh; an English tag means the
      // sender chose the language wrongly.
      sink_.add(at, Layer::semantic, profile_ == Profile::uk ? Severity::error : Severity::warning,
                "language-text",
                "the text has Welsh characters outside GSM 03.38, which Notify tags as Welsh",
                language);
    } else if (welsh_tag && !welsh_text && profile_ == Profile::uk) {
      sink_.add(at, Layer::semantic, Severity::warning, "language-text",
                "the text has no Welsh non-GSM character, which Notify would tag as English",
                language);
    }
  }

  void polygon(const pugi::xml_node& node) {
    auto text = text_of(node);
    auto pairs = split_space(text);
    std::vector<Point> points;
    bool exponent_reported = false;
    for (auto pair : pairs) {
      auto p = point(pair);
      if (!p) {
        sink_.add(node, Layer::semantic, Severity::error, "polygon-syntax",
                  "each point must be lat,lon in decimal degrees, points separated by spaces",
                  pair);
        return;
      }
      if (!in_range(*p)) {
        sink_.add(node, Layer::semantic, Severity::error, "coordinate-range",
                  "latitude must be within -90..90 and longitude within -180..180", pair);
        return;
      }
      if (has_exponent(pair) && !exponent_reported) {
        sink_.add(node, Layer::semantic, Severity::warning, "coordinate-notation",
                  "a coordinate is in exponent notation (Python's str() of a small float); "
                  "CAP expects plain decimal degrees",
                  pair);
        exponent_reported = true;
      }
      points.push_back(*p);
    }
    if (points.size() < 4) {
      sink_.add(node, Layer::semantic, Severity::error, "polygon-points",
                "a polygon needs at least 4 points (3 corners and the first repeated)",
                std::to_string(points.size()) + " point(s)");
      return;
    }
    if (points.front().lat != points.back().lat || points.front().lon != points.back().lon) {
      sink_.add(node, Layer::semantic, Severity::error, "polygon-closed",
                "the last point must repeat the first",
                std::string(pairs.front()) + " ... " + std::string(pairs.back()));
      return;
    }
    ring_validity(node, points);
  }

  // Emergency Alerts' functional tests require shapely's Polygon.is_valid of every polygon the
  // CBC receives; Google's validator has the same crossing rule. CAP's text does not say it.
  void ring_validity(const pugi::xml_node& node, const std::vector<Point>& points) {
    const Severity severity = profile_ == Profile::oasis ? Severity::warning : Severity::error;
    if (points.size() > kRingPointsCheckedMax) {
      if (profile_ == Profile::uk)
        sink_.add(node, Layer::semantic, Severity::warning, "polygon-validity-unchecked",
                  "a polygon of more than " + std::to_string(kRingPointsCheckedMax) +
                      " points is not checked for self-intersection",
                  std::to_string(points.size()) + " points");
      return;
    }
    std::vector<std::pair<double, double>> ring;
    ring.reserve(points.size());
    for (const auto& p : points) ring.emplace_back(p.lat, p.lon);
    auto fault = ring_fault(ring);
    if (!fault) return;
    if (fault->kind == RingFault::Kind::collapsed) {
      sink_.add(node, Layer::semantic, severity, "polygon-self-intersection",
                "the polygon has fewer than three distinct corners, so it encloses no area "
                "(shapely's is_valid is false)");
      return;
    }
    sink_.add(node, Layer::semantic, severity, "polygon-self-intersection",
              "edges " + std::to_string(fault->edge_a + 1) + " and " +
                  std::to_string(fault->edge_b + 1) +
                  " cross, touch or fold back; a polygon's outline must not meet itself "
                  "(shapely's is_valid is false)");
  }

  void circle(const pugi::xml_node& node) {
    auto text = text_of(node);
    auto parts = split_space(text);
    std::optional<Point> centre = parts.size() == 2 ? point(parts[0]) : std::nullopt;
    auto radius = parts.size() == 2 ? coordinate(parts[1]) : std::nullopt;
    if (!centre || !radius || *radius < 0) {
      sink_.add(node, Layer::semantic, Severity::error, "circle-syntax",
                "must be \"lat,lon radius\" with the radius in kilometres", text);
    } else if (!in_range(*centre)) {
      sink_.add(node, Layer::semantic, Severity::error, "coordinate-range",
                "latitude must be within -90..90 and longitude within -180..180", parts[0]);
    }
  }

  void google_info(const pugi::xml_node& info, const std::optional<DateTime>& sent) {
    auto require = [&](std::string_view element, std::string_view rule) {
      if (trim_xml_space(text_of(child(info, element))).empty())
        sink_.add(info, Layer::semantic, Severity::error, rule,
                  "Google's profile requires a non-empty <" + std::string(element) + ">", "");
    };
    require("description", "google-description-required");
    require("web", "google-web-required");
    require("expires", "google-expires-required");
    auto areas = children(info, "area");
    if (areas.empty())
      sink_.add(info, Layer::semantic, Severity::error, "google-area-required",
                "Google's profile requires at least one <area>", "");
    for (const auto& area : areas)
      if (!child(area, "polygon") && !child(area, "circle") && !child(area, "geocode"))
        sink_.add(area, Layer::semantic, Severity::error, "google-area-location-required",
                  "Google's profile requires a <polygon>, <circle> or <geocode> in each <area>",
                  "");
    auto expires = parse_xs_datetime(text_of(child(info, "expires")));
    auto effective_node = child(info, "effective");
    auto effective = effective_node ? parse_xs_datetime(text_of(effective_node)) : sent;
    if (expires && effective && effective->seconds > expires->seconds)
      sink_.add(effective_node ? effective_node : info, Layer::semantic, Severity::error,
                "google-effective-after-expires",
                "<effective> (or <sent>) must not come after <expires>", "");
  }

  Sink& sink_;
  Profile profile_;
};

}  // namespace

void check_semantics(const pugi::xml_node& root, DocumentKind kind, Profile profile, Sink& sink) {
  Rules rules(sink, profile);
  if (kind == DocumentKind::cap12) {
    rules.cap(root);
  } else if (kind == DocumentKind::ibag) {
    rules.ibag(root);
  }
}

}  // namespace notify::broadcast::detail
