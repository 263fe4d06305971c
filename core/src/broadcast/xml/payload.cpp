// The Lambda payload to a typed Payload. The proxy reads each field with event["name"], so a
// missing field is a KeyError there; here it is a PayloadError naming the field, and so is a
// field of the wrong type or an unknown message type, format or channel.
#include "notify/broadcast/render.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace notify::broadcast {
namespace {

std::string json_type_name(const nlohmann::json& j) {
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  if (j.is_boolean()) return "a boolean";
  return "null";
}

PayloadError field_error(std::string field, std::string message) {
  return PayloadError{std::move(field), std::move(message), false};
}

// Fetches a required string member. The proxy lower-cases message_type and message_format, so
// callers normalise those themselves.
boost::system::result<std::string, PayloadError> required_string(const nlohmann::json& payload,
                                                                 const std::string& name,
                                                                 const std::string& why) {
  auto it = payload.find(name);
  if (it == payload.end()) return field_error(name, "missing; " + why);
  if (!it->is_string()) return field_error(name, "expected a string, got " + json_type_name(*it));
  return it->get<std::string>();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool is_message_number(std::string_view s) {
  return s.size() == 8 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

boost::system::result<std::string, PayloadError> message_number_field(const nlohmann::json& j,
                                                                      const std::string& field) {
  if (!j.is_string()) return field_error(field, "expected a string, got " + json_type_name(j));
  auto s = j.get<std::string>();
  // Notify formats its sequence with format(n, "x").zfill(8); IBAG's schema wants 4 octets.
  if (!is_message_number(s))
    return field_error(field,
                       "expected 8 lowercase hex digits such as \"0000007b\", got \"" + s + "\"");
  return s;
}

boost::system::result<LatLon, PayloadError> parse_point(const nlohmann::json& j,
                                                        const std::string& field) {
  if (!j.is_array() || j.size() != 2)
    return field_error(field, "expected a [lat, lon] pair, got " + json_type_name(j) +
                                  (j.is_array() ? " of " + std::to_string(j.size()) : ""));
  LatLon p;
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& v = j[i];
    std::string f = field + "[" + std::to_string(i) + "]";
    if (!v.is_number()) return field_error(f, "expected a number, got " + json_type_name(v));
    double d = v.get<double>();
    bool integer = v.is_number_integer();
    (i == 0 ? p.lat : p.lon) = d;
    (i == 0 ? p.lat_is_integer : p.lon_is_integer) = integer;
  }
  return p;
}

boost::system::result<Polygon, PayloadError> parse_polygon(const nlohmann::json& j,
                                                           const std::string& field) {
  if (!j.is_array()) return field_error(field, "expected an array of [lat, lon] pairs");
  Polygon polygon;
  polygon.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    auto p = parse_point(j[i], field + "[" + std::to_string(i) + "]");
    if (!p) return p.error();
    polygon.push_back(*p);
  }
  return polygon;
}

boost::system::result<std::vector<Area>, PayloadError> parse_areas(const nlohmann::json& payload) {
  auto it = payload.find("areas");
  if (it == payload.end()) return field_error("areas", "missing; an alert needs its areas");
  if (!it->is_array()) return field_error("areas", "expected an array, got " + json_type_name(*it));
  std::vector<Area> areas;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& a = (*it)[i];
    std::string field = "areas[" + std::to_string(i) + "]";
    if (!a.is_object()) return field_error(field, "expected an object with \"polygon\"");
    Area area;
    // Notify sends one "polygon" per area; later versions of the proxy also take "polygons".
    // Both are kept: which one a document shows depends on the generator and the format.
    if (auto p = a.find("polygon"); p != a.end()) {
      auto polygon = parse_polygon(*p, field + ".polygon");
      if (!polygon) return polygon.error();
      area.polygon = std::move(*polygon);
    }
    if (auto ps = a.find("polygons"); ps != a.end() && !ps->is_null()) {
      if (!ps->is_array()) return field_error(field + ".polygons", "expected an array of polygons");
      for (std::size_t k = 0; k < ps->size(); ++k) {
        auto polygon = parse_polygon((*ps)[k], field + ".polygons[" + std::to_string(k) + "]");
        if (!polygon) return polygon.error();
        area.polygons.push_back(std::move(*polygon));
      }
    }
    if (auto d = a.find("description"); d != a.end()) {
      if (!d->is_string())
        return field_error(field + ".description", "expected a string, got " + json_type_name(*d));
      area.description = d->get<std::string>();
    }
    if (auto g = a.find("geocodes"); g != a.end()) {
      if (!g->is_array())
        return field_error(field + ".geocodes",
                           "expected an array of strings such as [\"E07000008\"], got " +
                               json_type_name(*g));
      for (std::size_t k = 0; k < g->size(); ++k) {
        if (!(*g)[k].is_string())
          return field_error(field + ".geocodes[" + std::to_string(k) + "]",
                             "expected a string, got " + json_type_name((*g)[k]));
        area.geocodes.push_back((*g)[k].get<std::string>());
      }
    }
    areas.push_back(std::move(area));
  }
  return areas;
}

boost::system::result<std::vector<Reference>, PayloadError> parse_references(
    const nlohmann::json& payload, MessageFormat format) {
  auto it = payload.find("references");
  if (it == payload.end())
    return field_error("references", "missing; a cancel names the messages it cancels");
  if (!it->is_array())
    return field_error("references", "expected an array, got " + json_type_name(*it));
  // The proxy reads references[-1] for IBAG; an empty list is an IndexError there.
  if (format == MessageFormat::ibag && it->empty())
    return field_error("references", "empty; an IBAG cancel refers to the last message sent");
  std::vector<Reference> refs;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& r = (*it)[i];
    std::string field = "references[" + std::to_string(i) + "]";
    if (!r.is_object()) return field_error(field, "expected an object");
    Reference ref;
    auto id = required_string(r, "message_id", "each reference names an earlier message");
    if (!id) return field_error(field + "." + id.error().field, id.error().message);
    ref.message_id = *id;
    if (format == MessageFormat::cap) {
      auto sent = required_string(r, "sent", "CAP references carry the earlier message's time");
      if (!sent) return field_error(field + "." + sent.error().field, sent.error().message);
      ref.sent = *sent;
    } else if (i + 1 == it->size()) {
      // Only the last reference reaches an IBAG document, so only its number is required.
      auto n = r.find("message_number");
      if (n == r.end())
        return field_error(field + ".message_number", "missing; IBAG cancels carry it");
      auto number = message_number_field(*n, field + ".message_number");
      if (!number) return number.error();
      ref.message_number = *number;
    }
    refs.push_back(std::move(ref));
  }
  return refs;
}

}  // namespace

PayloadResult parse_payload(const nlohmann::json& payload) {
  if (!payload.is_object())
    return field_error("(payload)", "expected a JSON object, got " + json_type_name(payload));
  Payload p;

  auto format = required_string(payload, "message_format", "expected \"cap\" or \"ibag\"");
  if (!format) return format.error();
  auto f = lower(*format);
  if (f == "cap") {
    p.message_format = MessageFormat::cap;
  } else if (f == "ibag") {
    p.message_format = MessageFormat::ibag;
  } else {
    return field_error("message_format", "expected \"cap\" or \"ibag\", got \"" + *format + "\"");
  }

  auto type = required_string(payload, "message_type",
                              "expected \"alert\", \"cancel\", \"test\" or \"update\"");
  if (!type) return type.error();
  auto t = lower(*type);
  if (t == "alert") {
    p.message_type = MessageType::alert;
  } else if (t == "cancel") {
    p.message_type = MessageType::cancel;
  } else if (t == "test") {
    p.message_type = MessageType::test;
  } else if (t == "update") {
    p.message_type = MessageType::update;
  } else {
    return field_error(
        "message_type",
        "expected \"alert\", \"cancel\", \"test\" or \"update\", got \"" + *type + "\"");
  }

  auto identifier = required_string(payload, "identifier", "every message has one");
  if (!identifier) return identifier.error();
  p.identifier = *identifier;

  if (p.message_type == MessageType::update) return p;

  if (p.message_format == MessageFormat::ibag) {
    auto n = payload.find("message_number");
    if (n == payload.end())
      return field_error("message_number", "missing; every IBAG message carries one");
    auto number = message_number_field(*n, "message_number");
    if (!number) return number.error();
    p.message_number = *number;
  }

  // A link test's time comes from the proxy's clock, so it needs nothing more.
  if (p.message_type == MessageType::test) return p;

  auto sent = required_string(payload, "sent", "expected e.g. \"2021-02-15T10:00:00-00:00\"");
  if (!sent) return sent.error();
  p.sent = *sent;

  if (p.message_type == MessageType::cancel) {
    auto refs = parse_references(payload, p.message_format);
    if (!refs) return refs.error();
    p.references = std::move(*refs);
    if (auto it = payload.find("sender"); it != payload.end() && !it->is_null()) {
      if (!it->is_string())
        return field_error("sender", "expected a string, got " + json_type_name(*it));
      p.sender = it->get<std::string>();
    }
    return p;
  }

  auto channel = required_string(payload, "channel",
                                 "expected \"test\", \"operator\", \"severe\" or \"government\"");
  if (!channel) return channel.error();
  // The proxy compares the channel as given, without lower-casing it.
  if (*channel == "test") {
    p.channel = Channel::test;
  } else if (*channel == "operator") {
    p.channel = Channel::operator_;
  } else if (*channel == "severe") {
    p.channel = Channel::severe;
  } else if (*channel == "government") {
    p.channel = Channel::government;
  } else {
    return field_error("channel",
                       "expected \"test\", \"operator\", \"severe\" or \"government\", "
                       "got \"" +
                           *channel + "\"");
  }

  for (auto [name, target] :
       {std::pair{"headline", &p.headline}, std::pair{"description", &p.description},
        std::pair{"expires", &p.expires}}) {
    auto v = required_string(payload, name, "an alert carries it");
    if (!v) return v.error();
    *target = *v;
  }

  auto language = required_string(payload, "language", "an alert carries it");
  if (!language) return language.error();
  bool cap = p.message_format == MessageFormat::cap;
  bool known = cap ? (*language == "en-GB" || *language == "cy-GB")
                   : (*language == "English" || *language == "Welsh");
  if (!known)
    return field_error("language", std::string(cap ? "CAP takes \"en-GB\" or \"cy-GB\""
                                                   : "IBAG takes \"English\" or \"Welsh\"") +
                                       ", got \"" + *language + "\"");
  p.language = *language;

  auto areas = parse_areas(payload);
  if (!areas) return areas.error();
  p.areas = std::move(*areas);

  // Optional strings read with event.get(...): absent or null is "not given".
  for (auto [name, target] : {std::pair{"web", &p.web}, std::pair{"sender", &p.sender},
                              std::pair{"sender_name", &p.sender_name}}) {
    auto it = payload.find(name);
    if (it == payload.end() || it->is_null()) continue;
    if (!it->is_string())
      return field_error(name, "expected a string, got " + json_type_name(*it));
    *target = it->get<std::string>();
  }
  return p;
}

}  // namespace notify::broadcast
