// The content models of CAP-v1.2.xsd and ibag10.xsd as data: for each complex element, the
// sequence of child elements with their bounds; for each simple element, its type and
// enumeration. Both schemas use xs:sequence only, so a model is a list walked in order.
#pragma once

#include <climits>
#include <span>
#include <string_view>

namespace notify::broadcast::detail {

enum class ValueType {
  complex,       // element-only content
  string,        // any text
  cap_datetime,  // xs:dateTime restricted by CAP's pattern
  datetime,      // xs:dateTime
  enumeration,   // xs:string restricted to `values` (whitespace preserved)
  language,      // xs:language
  hex_binary_4,  // xs:hexBinary of exactly four octets
  any_uri,       // xs:anyURI
  integer,       // xs:integer
  int32,         // xs:int
  decimal,       // xs:decimal
};

inline constexpr unsigned kUnbounded = UINT_MAX;

struct ElementModel;

struct Particle {
  std::string_view name;
  unsigned min = 1;
  unsigned max = 1;
  const ElementModel* model = nullptr;
};

struct ElementModel {
  ValueType type = ValueType::string;
  std::span<const std::string_view> values{};  // enumeration
  std::span<const Particle> sequence{};        // complex
  /// A trailing xs:any (lax, skipped): "" none, "##any", or a namespace URI.
  std::string_view wildcard_namespace{};
};

/// The global element of each schema.
const Particle& cap_alert_particle() noexcept;
const Particle& ibag_root_particle() noexcept;

}  // namespace notify::broadcast::detail
