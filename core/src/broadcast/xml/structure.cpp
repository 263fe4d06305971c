// The schema layer: walks the document against the content models in schema_models.cpp the way
// an XSD validator does. Like xmllint, it reports the first place a sequence goes wrong and stops
// matching that element's children, so one misplaced element gives one problem, not a cascade.
#include "schema_models.hpp"
#include "validator_internal.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace notify::broadcast::detail {
namespace {

// In-scope namespace declarations, innermost last.
using Scope = std::vector<std::pair<std::string_view, std::string_view>>;

std::optional<std::string_view> resolve(const Scope& scope, std::string_view prefix) {
  if (prefix == "xml") return std::string_view("http://www.w3.org/XML/1998/namespace");
  for (auto it = scope.rbegin(); it != scope.rend(); ++it)
    if (it->first == prefix) return it->second;
  if (prefix.empty()) return std::string_view{};  // no default namespace declared
  return std::nullopt;
}

std::string join(std::span<const std::string_view> values) {
  std::string out;
  for (auto v : values) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

bool is_integer_text(std::string_view s) {
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_decimal_text(std::string_view s) {
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  auto dot = s.find('.');
  auto whole = s.substr(0, dot);
  auto fraction = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  auto all_digits = [](std::string_view d) {
    return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return !(whole.empty() && fraction.empty()) && all_digits(whole) && all_digits(fraction);
}

bool is_int32_text(std::string_view s) {
  if (!is_integer_text(s)) return false;
  std::string copy(s);
  errno = 0;
  long long v = std::strtoll(copy.c_str(), nullptr, 10);
  return errno == 0 && v >= INT32_MIN && v <= INT32_MAX;
}

bool is_language_text(std::string_view s) {
  // [a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*
  std::size_t start = 0;
  bool first = true;
  while (true) {
    auto dash = s.find('-', start);
    auto part =
        s.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start);
    if (part.empty() || part.size() > 8) return false;
    for (char c : part) {
      bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      bool digit = c >= '0' && c <= '9';
      if (!alpha && !(digit && !first)) return false;
    }
    if (dash == std::string_view::npos) return true;
    start = dash + 1;
    first = false;
  }
}

class Walker {
 public:
  explicit Walker(Sink& sink) : sink_(sink) {}

  void element(const pugi::xml_node& node, const ElementModel& model, Scope& scope) {
    std::size_t pushed = declare(node, scope);
    check_attributes(node, scope);
    if (model.type == ValueType::complex) {
      complex_content(node, model, scope);
    } else {
      simple_content(node, model);
    }
    scope.resize(scope.size() - pushed);
  }

 private:
  // Pushes this element's xmlns declarations; returns how many.
  std::size_t declare(const pugi::xml_node& node, Scope& scope) {
    std::size_t n = 0;
    for (auto a = node.first_attribute(); a; a = a.next_attribute()) {
      std::string_view name = a.name();
      if (name == "xmlns") {
        scope.emplace_back(std::string_view{}, a.value());
        ++n;
      } else if (name.starts_with("xmlns:")) {
        scope.emplace_back(name.substr(6), a.value());
        ++n;
      }
    }
    return n;
  }

  void check_attributes(const pugi::xml_node& node, const Scope& scope) {
    for (auto a = node.first_attribute(); a; a = a.next_attribute()) {
      std::string_view name = a.name();
      if (name == "xmlns" || name.starts_with("xmlns:")) continue;
      auto prefix = prefix_of(name);
      if (!prefix.empty()) {
        auto ns = resolve(scope, prefix);
        if (!ns) {
          sink_.add(node, Layer::xml, Severity::error, "xml-namespace-prefix",
                    "the attribute's prefix is not declared", name);
          continue;
        }
        // xsi:schemaLocation and friends are for the validator, not the document.
        if (*ns == kXsiNamespace) continue;
      }
      sink_.add(node, Layer::schema, Severity::error, "schema-attribute",
                "the schema allows no attributes here", name);
    }
  }

  // The namespace an element is in, or nullopt (reported) when its prefix is undeclared.
  std::optional<std::string_view> namespace_of(const pugi::xml_node& node, const Scope& scope) {
    auto prefix = prefix_of(node.name());
    auto ns = resolve(scope, prefix);
    if (!ns)
      sink_.add(node, Layer::xml, Severity::error, "xml-namespace-prefix",
                "the element's prefix is not declared", node.name());
    return ns;
  }

  void complex_content(const pugi::xml_node& node, const ElementModel& model, Scope& scope) {
    for (auto c = node.first_child(); c; c = c.next_sibling()) {
      if ((c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) &&
          !trim_xml_space(c.value()).empty()) {
        sink_.add(node, Layer::schema, Severity::error, "schema-text-not-allowed",
                  "this element holds only elements, not text", trim_xml_space(c.value()));
        break;
      }
    }
    auto particles = model.sequence;
    std::size_t index = 0;
    unsigned count = 0;
    for (auto c = node.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      std::size_t pushed = declare(c, scope);
      auto ns = namespace_of(c, scope);
      scope.resize(scope.size() - pushed);
      if (!ns) return;
      auto local = local_name(c);
      bool own_namespace = *ns == target_namespace_;
      // Advance through the sequence to the particle this child matches.
      while (index < particles.size() && !(own_namespace && particles[index].name == local)) {
        if (count < particles[index].min) {
          sink_.add(c, Layer::schema, Severity::error, "schema-unexpected-element",
                    "expected <" + std::string(particles[index].name) + "> here", local);
          return;
        }
        ++index;
        count = 0;
      }
      if (index < particles.size()) {
        if (count == particles[index].max) {
          sink_.add(c, Layer::schema, Severity::error, "schema-too-many",
                    "<" + std::string(local) + "> may appear at most " +
                        std::to_string(particles[index].max) + " time(s) here",
                    local);
          return;
        }
        ++count;
        element(c, *particles[index].model, scope);
        continue;
      }
      // Past the sequence: only the trailing wildcard can take it, and it is not checked.
      bool wildcard = !model.wildcard_namespace.empty() &&
                      (model.wildcard_namespace == "##any" || *ns == model.wildcard_namespace);
      if (!wildcard) {
        sink_.add(c, Layer::schema, Severity::error, "schema-unexpected-element",
                  "no element is allowed here" +
                      (own_namespace ? std::string(" (out of order, or repeated)")
                                     : " in namespace \"" + std::string(*ns) + "\""),
                  local);
        return;
      }
      // Once in the wildcard, nothing from the sequence may follow.
      index = particles.size();
    }
    for (; index < particles.size(); ++index, count = 0) {
      if (count < particles[index].min) {
        sink_.add(node, Layer::schema, Severity::error, "schema-missing-element",
                  "<" + std::string(particles[index].name) + "> is required", "");
        return;
      }
    }
  }

  void simple_content(const pugi::xml_node& node, const ElementModel& model) {
    for (auto c = node.first_child(); c; c = c.next_sibling()) {
      if (c.type() == pugi::node_element) {
        sink_.add(c, Layer::schema, Severity::error, "schema-element-not-allowed",
                  "<" + std::string(local_name(node)) + "> holds text, not elements",
                  local_name(c));
        return;
      }
    }
    std::string text = text_of(node);
    std::string_view collapsed = trim_xml_space(text);
    switch (model.type) {
      case ValueType::complex:
      case ValueType::string:
        return;
      case ValueType::any_uri:
        // libxml2 accepts almost any string as xs:anyURI (it escapes before parsing), so
        // rejecting here would disagree with xmllint; the semantic layer judges URLs.
        return;
      case ValueType::enumeration:
        // xs:string keeps whitespace, so " Actual" is not "Actual".
        if (std::find(model.values.begin(), model.values.end(), text) == model.values.end())
          sink_.add(node, Layer::schema, Severity::error, "schema-enumeration",
                    "must be one of: " + join(model.values), text);
        return;
      case ValueType::cap_datetime:
        if (!parse_xs_datetime(text) || !matches_cap_datetime(text))
          sink_.add(node, Layer::schema, Severity::error, "schema-cap-datetime",
                    "must be YYYY-MM-DDThh:mm:ss with a +hh:mm or -hh:mm offset, no \"Z\" and no "
                    "fraction of a second, e.g. 2021-02-15T10:00:00-00:00",
                    text);
        return;
      case ValueType::datetime:
        if (!parse_xs_datetime(text))
          sink_.add(node, Layer::schema, Severity::error, "schema-datetime",
                    "must be an xs:dateTime, e.g. 2021-02-15T10:00:00-00:00", text);
        return;
      case ValueType::language:
        if (!is_language_text(collapsed))
          sink_.add(node, Layer::schema, Severity::error, "schema-language",
                    "must be a language tag such as en-GB", text);
        return;
      case ValueType::hex_binary_4: {
        bool hex = std::all_of(collapsed.begin(), collapsed.end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        });
        if (!hex || collapsed.size() != 8)
          sink_.add(node, Layer::schema, Severity::error, "schema-hex-binary-4",
                    "must be exactly 8 hex digits (4 octets), e.g. 0000007b", text);
        return;
      }
      case ValueType::integer:
        if (!is_integer_text(collapsed))
          sink_.add(node, Layer::schema, Severity::error, "schema-integer", "must be an integer",
                    text);
        return;
      case ValueType::int32:
        if (!is_int32_text(collapsed))
          sink_.add(node, Layer::schema, Severity::error, "schema-int",
                    "must be an integer between -2147483648 and 2147483647", text);
        return;
      case ValueType::decimal:
        if (!is_decimal_text(collapsed))
          sink_.add(node, Layer::schema, Severity::error, "schema-decimal",
                    "must be a decimal number", text);
        return;
    }
  }

 public:
  std::string_view target_namespace_;

 private:
  Sink& sink_;
};

}  // namespace

void check_structure(const pugi::xml_node& root, DocumentKind kind, Sink& sink) {
  Walker walker(sink);
  walker.target_namespace_ = kind == DocumentKind::ibag ? kIbagNamespace : kCapNamespace;
  const Particle& top = kind == DocumentKind::ibag ? ibag_root_particle() : cap_alert_particle();
  Scope scope;
  walker.element(root, *top.model, scope);
}

}  // namespace notify::broadcast::detail
