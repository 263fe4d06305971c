// Writes the proxy's documents. The proxy builds them with lxml and serialises with
// ET.tostring(encoding="unicode"): no declaration, no indentation, every element written as a
// start and an end tag (an empty text is still "<x></x>"), and text escaped as libxml2 does it.
#include "notify/broadcast/render.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace notify::broadcast {
namespace {

constexpr std::string_view kSender = "broadcasts@notifications.service.gov.uk";
constexpr std::string_view kCapNamespace = "urn:oasis:names:tc:emergency:cap:1.2";
constexpr std::string_view kIbagNamespace = "ibag:1.0";
constexpr std::string_view kCapAlertUri = "https://www.gov.uk/alerts";
constexpr std::string_view kSenderName = "GOV.UK Emergency Alerts";

class Writer {
 public:
  void open_root(std::string_view name, std::string_view xmlns) {
    out_ += '<';
    out_ += name;
    out_ += " xmlns=\"";
    out_ += xmlns;
    out_ += "\">";
  }
  void open(std::string_view name) {
    out_ += '<';
    out_ += name;
    out_ += '>';
  }
  void close(std::string_view name) {
    out_ += "</";
    out_ += name;
    out_ += '>';
  }
  void leaf(std::string_view name, std::string_view text) {
    open(name);
    // libxml2 escapes these three in text, and a carriage return as a character reference so
    // that it survives the reader's end-of-line normalisation.
    for (char c : text) {
      switch (c) {
        case '&':
          out_ += "&amp;";
          break;
        case '<':
          out_ += "&lt;";
          break;
        case '>':
          out_ += "&gt;";
          break;
        case '\r':
          out_ += "&#13;";
          break;
        default:
          out_ += c;
      }
    }
    close(name);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// lxml refuses text holding characters XML 1.0 cannot carry; so does this renderer, by name.
std::optional<PayloadError> check_xml_text(std::string_view field, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      char hex[8];
      std::snprintf(hex, sizeof hex, "U+%04X", c);
      return PayloadError{std::string(field),
                          "contains the control character " + std::string(hex) + " at byte " +
                              std::to_string(i) + ", which XML cannot carry",
                          false};
    }
  }
  return std::nullopt;
}

std::string format_number(double v, bool integer) {
  if (integer) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
    return std::string(buf, end);
  }
  return python_float_repr(v);
}

// The proxy's " ".join("{},{}".format(lat, lon) for pair in polygon).
std::string polygon_text(const Polygon& polygon) {
  std::string out;
  out.reserve(polygon.size() * 20);
  for (const auto& p : polygon) {
    if (!out.empty()) out += ' ';
    out += format_number(p.lat, p.lat_is_integer);
    out += ',';
    out += format_number(p.lon, p.lon_is_integer);
  }
  return out;
}

// datetime.now() with seconds and microseconds zeroed, tz UTC, .astimezone().isoformat() on a UTC
// host: "2021-07-19T10:00:00+00:00".
std::string link_test_sent(std::chrono::sys_seconds now) {
  auto minute = std::chrono::floor<std::chrono::minutes>(now);
  std::time_t t = std::chrono::system_clock::to_time_t(minute);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
  return buf;
}

std::string_view cap_event(Channel channel) {
  switch (channel) {
    case Channel::operator_:
      return "OPR";
    case Channel::severe:
      return "Alert";
    case Channel::government:
      return "EAN";
    case Channel::test:
      break;
  }
  return "RMT";
}

std::string_view ibag_channel_category(Channel channel) {
  // Always "-ENGLISH", Welsh text included: the proxy has no other value.
  switch (channel) {
    case Channel::operator_:
      return "4382-CAT7-ENGLISH";
    case Channel::severe:
      return "4378-CAT3-ENGLISH";
    case Channel::government:
      return "4370-CAT1-ENGLISH";
    case Channel::test:
      break;
  }
  return "4380-CAT5-ENGLISH";
}

// Python's `value or DEFAULT`: an empty or absent value gives the default.
std::string_view or_default(const std::optional<std::string>& value, std::string_view fallback) {
  return value && !value->empty() ? std::string_view(*value) : fallback;
}

// The polygons a CAP area shows. Notify's generator read "polygon" (this model also takes
// "polygons" when it is absent); emergency-alerts reads `a.get("polygons") or [a["polygon"]]`.
std::vector<const Polygon*> cap_polygons(const Area& a, Generator g) {
  std::vector<const Polygon*> out;
  bool polygons_first = g == Generator::emergency_alerts || !a.polygon;
  if (polygons_first && !a.polygons.empty()) {
    for (const auto& polygon : a.polygons) out.push_back(&polygon);
  } else if (a.polygon) {
    out.push_back(&*a.polygon);
  }
  return out;
}

void cap_header(Writer& w, const Payload& p, std::string_view sender, std::string_view sent,
                std::string_view status, std::string_view msg_type) {
  w.open_root("alert", kCapNamespace);
  w.leaf("identifier", p.identifier);
  w.leaf("sender", sender);
  w.leaf("sent", sent);
  w.leaf("status", status);
  w.leaf("msgType", msg_type);
  w.leaf("scope", "Public");
}

std::string render_cap(const Payload& p, const RenderOptions& options) {
  const bool ea = options.generator == Generator::emergency_alerts;
  // The link test keeps the constant sender in both generators.
  const std::string_view sender = ea ? or_default(p.sender, kSender) : kSender;
  Writer w;
  switch (p.message_type) {
    case MessageType::test:
      cap_header(w, p, kSender, link_test_sent(options.now), "Test", "Alert");
      break;
    case MessageType::cancel: {
      cap_header(w, p, sender, p.sent, "Actual", "Cancel");
      // Every earlier message for this provider, each as sender,identifier,sent.
      std::string refs;
      for (const auto& r : p.references) {
        if (!refs.empty()) refs += ' ';
        refs.append(sender).append(",").append(r.message_id).append(",").append(r.sent);
      }
      w.leaf("references", refs);
      break;
    }
    case MessageType::alert:
    case MessageType::update:
      cap_header(w, p, sender, p.sent, "Actual", "Alert");
      w.open("info");
      w.leaf("language", p.language);
      w.leaf("category", "Safety");
      w.leaf("event", cap_event(p.channel));
      w.leaf("urgency", "Expected");
      w.leaf("severity", "Severe");
      w.leaf("certainty", "Likely");
      w.leaf("expires", p.expires);
      w.leaf("senderName", ea ? or_default(p.sender_name, kSenderName) : kSenderName);
      w.leaf("headline", p.headline);
      w.leaf("description", p.description);
      if (ea && p.web && !p.web->empty()) w.leaf("web", *p.web);
      for (std::size_t i = 0; i < p.areas.size(); ++i) {
        const auto& a = p.areas[i];
        w.open("area");
        // a.get("description", "area-{}".format(i + 1)): an empty description stays empty.
        if (ea && a.description)
          w.leaf("areaDesc", *a.description);
        else
          w.leaf("areaDesc", "area-" + std::to_string(i + 1));
        for (const auto* polygon : cap_polygons(a, options.generator))
          w.leaf("polygon", polygon_text(*polygon));
        w.close("area");
      }
      w.close("info");
      break;
  }
  w.close("alert");
  return w.take();
}

std::string render_ibag(const Payload& p, const RenderOptions& options) {
  Writer w;
  w.open_root("IBAG_Alert_Attributes", kIbagNamespace);
  w.leaf("IBAG_protocol_version", "1.0");
  w.leaf("IBAG_sending_gateway_id", kSender);
  w.leaf("IBAG_message_number", p.message_number);
  switch (p.message_type) {
    case MessageType::test:
      // A link test has no IBAG_sender and no CAP fields.
      w.leaf("IBAG_sent_date_time", link_test_sent(options.now));
      w.leaf("IBAG_status", "System");
      w.leaf("IBAG_message_type", "Link Test");
      break;
    case MessageType::cancel: {
      // "reference last message in the series": only the last earlier message.
      const auto& last = p.references.back();
      w.leaf("IBAG_referenced_message_number", last.message_number);
      w.leaf("IBAG_referenced_message_cap_identifier", last.message_id);
      w.leaf("IBAG_sender", kSender);
      w.leaf("IBAG_sent_date_time", p.sent);
      w.leaf("IBAG_status", "Actual");
      w.leaf("IBAG_message_type", "Cancel");
      w.leaf("IBAG_cap_alert_uri", kCapAlertUri);
      w.leaf("IBAG_cap_identifier", p.identifier);
      w.leaf("IBAG_cap_sent_date_time", p.sent);
      break;
    }
    case MessageType::alert:
    case MessageType::update:
      w.leaf("IBAG_sender", kSender);
      w.leaf("IBAG_sent_date_time", p.sent);
      w.leaf("IBAG_status", "Actual");
      w.leaf("IBAG_message_type", "Alert");
      w.leaf("IBAG_cap_alert_uri", kCapAlertUri);
      w.leaf("IBAG_cap_identifier", p.identifier);
      w.leaf("IBAG_cap_sent_date_time", p.sent);
      w.open("IBAG_alert_info");
      w.leaf("IBAG_category", "Safety");
      w.leaf("IBAG_event_code", "LAE");
      w.leaf("IBAG_severity", "Severe");
      w.leaf("IBAG_urgency", "Expected");
      w.leaf("IBAG_certainty", "Likely");
      w.leaf("IBAG_expires_date_time", p.expires);
      w.leaf("IBAG_text_language", p.language);
      // "length in octets/bytes": the UTF-8 byte count, not characters or septets.
      w.leaf("IBAG_text_alert_message_length", std::to_string(p.description.size()));
      w.leaf("IBAG_text_alert_message", p.description);
      w.leaf("IBAG_channel_category", ibag_channel_category(p.channel));
      for (std::size_t i = 0; i < p.areas.size(); ++i) {
        const auto& a = p.areas[i];
        w.open("IBAG_Alert_Area");
        w.leaf("IBAG_area_description", "area-" + std::to_string(i + 1));
        if (options.generator == Generator::emergency_alerts) {
          // `if polygon := a.get("polygon", [])`: "polygons" is never read, an empty polygon
          // gives no element, and the geocodes follow.
          if (a.polygon && !a.polygon->empty()) w.leaf("IBAG_polygon", polygon_text(*a.polygon));
          for (const auto& geocode : a.geocodes) w.leaf("IBAG_geocode", geocode);
        } else {
          for (const auto* polygon : cap_polygons(a, options.generator))
            w.leaf("IBAG_polygon", polygon_text(*polygon));
        }
        w.close("IBAG_Alert_Area");
      }
      w.close("IBAG_alert_info");
      break;
  }
  // Left empty for an enveloped signature to be moved into.
  w.leaf("IBAG_Digital_Signature", "");
  w.close("IBAG_Alert_Attributes");
  return w.take();
}

}  // namespace

std::string python_float_repr(double value) {
  char buf[64];
  // Shortest round-trip digits, in scientific form so the exponent is explicit.
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view s(buf, static_cast<std::size_t>(end - buf));
  std::string sign;
  if (!s.empty() && s.front() == '-') {
    sign = "-";
    s.remove_prefix(1);
  }
  if (s == "inf" || s == "nan") return sign + (s == "inf" ? "inf" : "nan");
  auto e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits += c;
  int exponent = 0;
  std::from_chars(s.data() + e + (s[e + 1] == '+' ? 2 : 1), s.data() + s.size(), exponent);
  auto n = static_cast<int>(digits.size());
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0)
      return sign + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    if (n <= exponent + 1)
      return sign + digits + std::string(static_cast<std::size_t>(exponent + 1 - n), '0') + ".0";
    return sign + digits.substr(0, static_cast<std::size_t>(exponent + 1)) + "." +
           digits.substr(static_cast<std::size_t>(exponent + 1));
  }
  std::string out = sign + digits.substr(0, 1);
  if (n > 1) out += "." + digits.substr(1);
  char exp[16];
  std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+',
                exponent < 0 ? -exponent : exponent);
  return out + exp;
}

RenderResult render(const Payload& p, const RenderOptions& options) {
  if (p.message_type == MessageType::update)
    return PayloadError{"message_type",
                        "update is not sent: Notify's update_and_send_broadcast does nothing and "
                        "the proxy has no Update branch",
                        true};
  for (auto [field, text] :
       {std::pair<std::string_view, std::string_view>{"identifier", p.identifier},
        {"headline", p.headline},
        {"description", p.description},
        {"sent", p.sent},
        {"expires", p.expires},
        {"language", p.language}}) {
    if (auto e = check_xml_text(field, text)) return *e;
  }
  for (auto [field, text] : {std::pair<std::string_view, const std::optional<std::string>*>{
                                 "web", &p.web},
                             {"sender", &p.sender},
                             {"sender_name", &p.sender_name}}) {
    if (*text)
      if (auto e = check_xml_text(field, **text)) return *e;
  }
  const bool ea = options.generator == Generator::emergency_alerts;
  const bool cap = p.message_format == MessageFormat::cap;
  if (p.message_type == MessageType::alert) {
    for (std::size_t i = 0; i < p.areas.size(); ++i) {
      const auto& a = p.areas[i];
      auto base = "areas[" + std::to_string(i) + "]";
      // Only emergency-alerts IBAG manages without a polygon (a["polygon"] is a KeyError else).
      if ((cap || !ea) && cap_polygons(a, options.generator).empty())
        return PayloadError{base + ".polygon", "missing; each area needs a \"polygon\"", false};
      if (a.description)
        if (auto e = check_xml_text(base + ".description", *a.description)) return *e;
      for (std::size_t k = 0; k < a.geocodes.size(); ++k)
        if (auto e = check_xml_text(base + ".geocodes[" + std::to_string(k) + "]", a.geocodes[k]))
          return *e;
    }
  }
  for (std::size_t i = 0; i < p.references.size(); ++i) {
    auto base = "references[" + std::to_string(i) + "].";
    if (auto e = check_xml_text(base + "message_id", p.references[i].message_id)) return *e;
    if (auto e = check_xml_text(base + "sent", p.references[i].sent)) return *e;
  }
  if (p.message_format == MessageFormat::ibag && p.message_type == MessageType::cancel &&
      p.references.empty())
    return PayloadError{"references", "empty; an IBAG cancel refers to the last message sent",
                        false};
  return p.message_format == MessageFormat::cap ? render_cap(p, options) : render_ibag(p, options);
}

RenderResult render_json(const nlohmann::json& payload, const RenderOptions& options) {
  auto p = parse_payload(payload);
  if (!p) return p.error();
  return render(*p, options);
}

std::string_view to_string(MessageType type) noexcept {
  switch (type) {
    case MessageType::alert:
      return "alert";
    case MessageType::update:
      return "update";
    case MessageType::cancel:
      return "cancel";
    case MessageType::test:
      return "test";
  }
  return "alert";
}

std::string_view to_string(Channel channel) noexcept {
  switch (channel) {
    case Channel::test:
      return "test";
    case Channel::operator_:
      return "operator";
    case Channel::severe:
      return "severe";
    case Channel::government:
      return "government";
  }
  return "test";
}

std::string_view to_string(MessageFormat format) noexcept {
  return format == MessageFormat::cap ? "cap" : "ibag";
}

std::string_view to_string(Generator generator) noexcept {
  return generator == Generator::emergency_alerts ? "emergency-alerts" : "notify-2023";
}

std::optional<Generator> parse_generator(std::string_view name) noexcept {
  if (name == "notify-2023") return Generator::notify_2023;
  if (name == "emergency-alerts") return Generator::emergency_alerts;
  return std::nullopt;
}

}  // namespace notify::broadcast
