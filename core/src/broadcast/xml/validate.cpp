// The validator's entry: bounds and byte-level checks first (so the parser only sees bounded,
// well-encoded input without a DTD), then pugixml, then what the document is, then the schema
// and semantic layers.
#include "notify/broadcast/validate.hpp"

#include "notify/broadcast/language.hpp"
#include "validator_internal.hpp"

#include <algorithm>
#include <cstdio>

namespace notify::broadcast {
namespace {

using detail::LineMap;
using detail::Sink;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool is_utf8_name(std::string_view name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower == "utf-8" || lower == "utf8";
}

std::string code_point_name(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

// Checks what pugixml leaves alone: UTF-8 well-formedness, characters XML 1.0 forbids, and
// references to entities other than the five predefined ones (there is no DTD to define more).
// Comments, CDATA sections and processing instructions are skipped for the entity check.
bool check_bytes(std::string_view doc, Sink& sink) {
  std::size_t pos = 0;
  while (pos < doc.size()) {
    std::size_t at = pos;
    char32_t c = next_code_point(doc, pos);
    bool bad_utf8 = c == 0xFFFD && !(doc.substr(at, 3) == "\xEF\xBF\xBD");
    bool forbidden =
        (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF;
    if (bad_utf8 || forbidden) {
      sink.add_at_line(sink.lines().line_at(at), "/", Layer::xml, Severity::error,
                       bad_utf8 ? "xml-encoding" : "xml-character",
                       bad_utf8 ? "the document must be UTF-8; this byte sequence is not"
                                : "XML 1.0 does not allow this character",
                       bad_utf8 ? "byte offset " + std::to_string(at) : code_point_name(c));
      return false;
    }
  }
  auto skip_to = [&](std::size_t from, std::string_view end) {
    auto e = doc.find(end, from);
    return e == std::string_view::npos ? doc.size() : e + end.size();
  };
  for (pos = 0; pos < doc.size();) {
    auto rest = doc.substr(pos);
    if (rest.starts_with("<!--")) {
      pos = skip_to(pos + 4, "-->");
    } else if (rest.starts_with("<![CDATA[")) {
      pos = skip_to(pos + 9, "]]>");
    } else if (rest.starts_with("<?")) {
      pos = skip_to(pos + 2, "?>");
    } else if (rest.starts_with("<!DOCTYPE")) {
      // Reported once the parser has placed it; its contents are never read.
      return true;
    } else if (doc[pos] == '&') {
      auto semi = doc.find(';', pos);
      auto name =
          semi == std::string_view::npos ? rest.substr(0, 12) : doc.substr(pos + 1, semi - pos - 1);
      bool ok = name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos";
      if (!ok && name.size() > 1 && name[0] == '#') {
        auto digits = name.substr(1);
        int base = 10;
        if (digits.starts_with("x")) digits.remove_prefix(1), base = 16;
        unsigned long long v = 0;
        ok = !digits.empty() && digits.size() <= 8;
        for (char d : digits) {
          int x = (d >= '0' && d <= '9')   ? d - '0'
                  : (d >= 'a' && d <= 'f') ? d - 'a' + 10
                  : (d >= 'A' && d <= 'F') ? d - 'A' + 10
                                           : 99;
          if (x >= base) ok = false;
          v = v * static_cast<unsigned>(base) + static_cast<unsigned>(x < base ? x : 0);
        }
        ok = ok && (v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) ||
                    (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF));
      }
      if (!ok) {
        sink.add_at_line(
            sink.lines().line_at(pos), "/", Layer::xml, Severity::error, "xml-entity",
            "only &amp; &lt; &gt; &quot; &apos; and character references are "
            "allowed; there is no DTD to define other entities",
            semi == std::string_view::npos ? rest.substr(0, 12) : doc.substr(pos, semi - pos + 1));
        return false;
      }
      pos = semi + 1;
    } else {
      ++pos;
    }
  }
  return true;
}

// What a root element is, for the report and for people.
DocumentKind classify(const pugi::xml_node& root, std::string& description) {
  std::string_view name = root.name();
  auto prefix = detail::prefix_of(name);
  auto local = detail::local_name(root);
  std::string xmlns_attr = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  std::string_view ns = root.attribute(xmlns_attr.c_str()).value();
  if (local == "alert" && ns == detail::kCapNamespace) {
    description = "CAP 1.2";
    return DocumentKind::cap12;
  }
  if (local == "IBAG_Alert_Attributes" && ns == detail::kIbagNamespace) {
    description = "IBAG";
    return DocumentKind::ibag;
  }
  if (local == "alert" && ns == "urn:oasis:names:tc:emergency:cap:1.1") {
    description = "a CAP 1.1 document (namespace " + std::string(ns) + "); only CAP 1.2 is checked";
  } else if (local == "alert" && ns == "http://www.incident.com/cap/1.0") {
    description = "a CAP 1.0 document; only CAP 1.2 is checked";
  } else if ((local == "alert" || local == "IBAG_Alert_Attributes") && ns.empty()) {
    description = "<" + std::string(local) + "> without a namespace; CAP 1.2 needs xmlns=\"" +
                  std::string(detail::kCapNamespace) + "\" and IBAG xmlns=\"" +
                  std::string(detail::kIbagNamespace) + "\"";
  } else {
    description = "an XML document with root <" + std::string(name) + ">" +
                  (ns.empty() ? std::string() : " in namespace \"" + std::string(ns) + "\"") +
                  ", neither CAP 1.2 <alert> nor IBAG <IBAG_Alert_Attributes>";
  }
  return DocumentKind::unknown;
}

// The first start tag's name and namespace, read without parsing, for a document too large to
// parse.
DocumentKind sniff(std::string_view doc, std::string& description) {
  auto limit = doc.substr(0, 4096);
  for (std::size_t pos = limit.find('<'); pos != std::string_view::npos;
       pos = limit.find('<', pos + 1)) {
    char next = pos + 1 < limit.size() ? limit[pos + 1] : '\0';
    if (next == '?' || next == '!') continue;
    auto end = limit.find('>', pos);
    auto tag =
        limit.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    bool cap =
        tag.starts_with("<alert") && tag.find(detail::kCapNamespace) != std::string_view::npos;
    bool ibag = tag.starts_with("<IBAG_Alert_Attributes") &&
                tag.find(detail::kIbagNamespace) != std::string_view::npos;
    description = cap ? "CAP 1.2" : ibag ? "IBAG" : "a document of unknown kind";
    return cap ? DocumentKind::cap12 : ibag ? DocumentKind::ibag : DocumentKind::unknown;
  }
  description = "not XML";
  return DocumentKind::unknown;
}

// Iterative, so a hostile depth cannot overflow the stack here; the recursive layers run only
// when this passes.
std::pair<std::size_t, pugi::xml_node> deepest(const pugi::xml_node& root, std::size_t limit) {
  std::size_t depth = 1;
  pugi::xml_node n = root;
  while (true) {
    if (depth > limit) return {depth, n};
    auto first = n.first_child();
    while (first && first.type() != pugi::node_element) first = first.next_sibling();
    if (first) {
      n = first;
      ++depth;
      continue;
    }
    while (true) {
      if (n == root) return {depth, {}};
      auto next = n.next_sibling();
      while (next && next.type() != pugi::node_element) next = next.next_sibling();
      if (next) {
        n = next;
        break;
      }
      n = n.parent();
      --depth;
    }
  }
}

}  // namespace

bool Report::valid() const noexcept { return error_count() == 0; }

std::size_t Report::error_count() const noexcept {
  std::size_t n = 0;
  for (const auto& p : problems) n += p.severity == Severity::error;
  return n + problems_dropped;  // dropped problems are counted as errors: the report is partial
}

std::size_t Report::warning_count() const noexcept {
  std::size_t n = 0;
  for (const auto& p : problems) n += p.severity == Severity::warning;
  return n;
}

bool looks_like_xml(std::string_view bytes) noexcept {
  if (bytes.starts_with(kBom)) bytes.remove_prefix(kBom.size());
  auto first = bytes.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && bytes[first] == '<';
}

Report validate_document(std::string_view document, const ValidateOptions& options) {
  Report report;
  LineMap lines(document.substr(0, std::min(document.size(), options.document_bytes_max)));
  Sink sink(report, lines, options.problems_max);

  if (document.size() > options.document_bytes_max) {
    report.kind = sniff(document, report.kind_description);
    sink.add_at_line(
        0, "/", Layer::xml, Severity::error, "xml-too-large",
        "documents are limited to " + std::to_string(options.document_bytes_max) + " bytes",
        std::to_string(document.size()) + " bytes");
    return report;
  }
  if (document.starts_with("\xFE\xFF") || document.starts_with("\xFF\xFE")) {
    report.kind_description = "a UTF-16 document";
    sink.add_at_line(1, "/", Layer::xml, Severity::error, "xml-encoding",
                     "the document must be UTF-8", "UTF-16 byte order mark");
    return report;
  }
  std::string_view body = document.starts_with(kBom) ? document.substr(kBom.size()) : document;
  if (detail::trim_xml_space(body).empty()) {
    report.kind_description = "an empty file";
    sink.add_at_line(0, "/", Layer::xml, Severity::error, "xml-not-well-formed",
                     "the file is empty", "");
    return report;
  }
  if (!looks_like_xml(body)) {
    report.kind_description =
        body.starts_with("{") || body.starts_with("[") ? "JSON, not XML" : "not XML";
    sink.add_at_line(1, "/", Layer::xml, Severity::error, "not-xml",
                     "a CAP or IBAG document starts with '<'", detail::shorten(body, 20));
    return report;
  }
  if (!check_bytes(document, sink)) {
    report.kind = sniff(document, report.kind_description);
    return report;
  }

  pugi::xml_document doc;
  // No parse_ws_pcdata: whitespace between elements is not content. parse_doctype keeps a
  // DOCTYPE as a node so it can be refused; pugixml never reads its declarations.
  unsigned flags = pugi::parse_default | pugi::parse_declaration | pugi::parse_doctype;
  auto parsed = doc.load_buffer(document.data(), document.size(), flags, pugi::encoding_utf8);

  pugi::xml_node root;
  std::size_t roots = 0;
  for (auto n = doc.first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_element) {
      if (!root) root = n;
      ++roots;
    } else if (n.type() == pugi::node_doctype) {
      sink.add_at_line(
          lines.line_at(static_cast<std::size_t>(std::max<std::ptrdiff_t>(n.offset_debug(), 0))),
          "/", Layer::xml, Severity::error, "xml-doctype",
          "a DOCTYPE is not allowed: CAP and IBAG use no DTD, and one could define "
          "entities",
          detail::shorten(n.value(), 40));
    } else if (n.type() == pugi::node_declaration) {
      std::string_view encoding = n.attribute("encoding").value();
      if (!encoding.empty() && !is_utf8_name(encoding))
        sink.add_at_line(1, "/", Layer::xml, Severity::error, "xml-encoding",
                         "the document must be UTF-8", encoding);
    } else if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
      if (parsed)
        sink.add_at_line(
            lines.line_at(static_cast<std::size_t>(std::max<std::ptrdiff_t>(n.offset_debug(), 0))),
            "/", Layer::xml, Severity::error, "xml-not-well-formed",
            "text outside the root element", detail::shorten(n.value(), 20));
    }
  }
  if (root) {
    report.kind = classify(root, report.kind_description);
  } else {
    report.kind_description = "not XML";
  }
  if (!parsed) {
    sink.add_at_line(lines.line_at(static_cast<std::size_t>(parsed.offset)), "/", Layer::xml,
                     Severity::error, "xml-not-well-formed",
                     std::string("the XML is not well formed: ") + parsed.description(), "");
    return report;
  }
  if (roots > 1)
    sink.add_at_line(0, "/", Layer::xml, Severity::error, "xml-not-well-formed",
                     "a document has exactly one root element", std::to_string(roots) + " roots");
  if (!root) {
    sink.add_at_line(0, "/", Layer::xml, Severity::error, "xml-not-well-formed", "no root element",
                     "");
    return report;
  }
  if (report.kind == DocumentKind::unknown) {
    sink.add(root, Layer::xml, Severity::error, "not-cap-or-ibag",
             "expected CAP 1.2 <alert xmlns=\"" + std::string(detail::kCapNamespace) +
                 "\"> or IBAG <IBAG_Alert_Attributes xmlns=\"" +
                 std::string(detail::kIbagNamespace) + "\">",
             report.kind_description);
    return report;
  }
  auto [depth, deep] = deepest(root, options.depth_max);
  if (deep) {
    sink.add(deep, Layer::xml, Severity::error, "xml-too-deep",
             "elements may nest at most " + std::to_string(options.depth_max) + " deep",
             "depth " + std::to_string(depth));
    return report;
  }
  if (!report.problems.empty()) return report;  // a DOCTYPE or bad encoding: go no further

  detail::check_structure(root, report.kind, sink);
  detail::check_semantics(root, report.kind, options.profile, sink);
  return report;
}

std::string_view to_string(Severity severity) noexcept {
  return severity == Severity::error ? "error" : "warning";
}

std::string_view to_string(Profile profile) noexcept {
  switch (profile) {
    case Profile::oasis:
      return "oasis";
    case Profile::google:
      return "google";
    case Profile::uk:
      return "uk";
  }
  return "oasis";
}

std::string_view to_string(DocumentKind kind) noexcept {
  switch (kind) {
    case DocumentKind::cap12:
      return "cap12";
    case DocumentKind::ibag:
      return "ibag";
    case DocumentKind::unknown:
      break;
  }
  return "unknown";
}

std::string_view to_string(Layer layer) noexcept {
  switch (layer) {
    case Layer::xml:
      return "xml";
    case Layer::schema:
      return "schema";
    case Layer::semantic:
      return "semantic";
  }
  return "xml";
}

std::optional<Profile> parse_profile(std::string_view name) noexcept {
  if (name == "oasis") return Profile::oasis;
  if (name == "google") return Profile::google;
  if (name == "uk") return Profile::uk;
  return std::nullopt;
}

}  // namespace notify::broadcast
