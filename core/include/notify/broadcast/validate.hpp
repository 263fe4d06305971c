// A validator for the documents a CBC proxy sends: CAP 1.2 and IBAG. Two layers report into one
// list. The first checks what the schemas (CAP-v1.2.xsd, ibag10.xsd) check, written out by hand:
// element order, required elements, cardinality, enumerations, date-time and number formats. The
// second checks what the schemas cannot: polygons, references, times in order, IBAG lengths,
// language against text, and the rules of a chosen profile. Input is untrusted: any byte string
// is safe, no DTD is read and no entity is expanded, size and depth are bounded.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace notify::broadcast {

enum class Severity { error, warning };

/// oasis: the CAP 1.2 standard (schema plus the rules its text states). google: oasis plus the
/// Google Public Alerts profile. uk: oasis plus what the UK proxy and Notify's API rely on.
enum class Profile { oasis, google, uk };

enum class DocumentKind { unknown, cap12, ibag };

enum class Layer { xml, schema, semantic };

struct Problem {
  std::size_t line = 0;  // 1-based; 0 when the problem has no place (an empty file)
  std::string path;      // element path, e.g. /alert/info[1]/area[1]/polygon[1]
  std::string rule;      // stable identifier, e.g. "polygon-closed", "schema-enumeration"
  Severity severity = Severity::error;
  Layer layer = Layer::schema;
  std::string message;  // what the rule asks for
  std::string found;    // what the document had, shortened
};

struct ValidateOptions {
  Profile profile = Profile::oasis;
  /// A proxy document with three 100-point polygons is about 10 KB; one mebibyte leaves room for
  /// signatures and hand-written documents while bounding memory.
  std::size_t document_bytes_max = 1024 * 1024;
  /// CAP nests five deep and a signature about six more.
  std::size_t depth_max = 32;
  /// Further problems are counted in `Report::problems_dropped` but not kept.
  std::size_t problems_max = 200;
};

struct Report {
  DocumentKind kind = DocumentKind::unknown;
  /// For people: "CAP 1.2 alert", "IBAG", or what the document is when it is neither.
  std::string kind_description;
  std::vector<Problem> problems;
  std::size_t problems_dropped = 0;

  bool valid() const noexcept;  // no problem of severity error
  std::size_t error_count() const noexcept;
  std::size_t warning_count() const noexcept;
};

/// Validates `document` (the bytes of a file). Never throws for bad input.
Report validate_document(std::string_view document, const ValidateOptions& options = {});

/// True when `bytes` look like XML (after an optional UTF-8 byte order mark and whitespace, the
/// first character is '<'), for tools that sort files before validating them.
bool looks_like_xml(std::string_view bytes) noexcept;

std::string_view to_string(Severity severity) noexcept;
std::string_view to_string(Profile profile) noexcept;
std::string_view to_string(DocumentKind kind) noexcept;
std::string_view to_string(Layer layer) noexcept;
std::optional<Profile> parse_profile(std::string_view name) noexcept;

}  // namespace notify::broadcast
