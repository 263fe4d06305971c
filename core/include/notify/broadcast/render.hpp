// The CAP 1.2 and IBAG documents the UK CBC proxy renders from the Lambda payload Notify sends
// it, byte for byte: the proxy's element order, constants and number formats, no XML declaration,
// no indentation. Facts from alphagov/emergency-alerts-utils emergency_alerts_utils/xml/ (the
// proxy's generators) and notifications-api app/clients/cbc_proxy.py (the payload).
#pragma once

#include "notify/broadcast/language.hpp"

#include <boost/system/result.hpp>
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace notify::broadcast {

/// `update` parses but is never rendered: Notify's update_and_send_broadcast is a no-op and the
/// proxy has no Update branch.
enum class MessageType { alert, update, cancel, test };

/// The four broadcast channels the proxy maps to event codes and channel categories.
/// `operator_` is "operator" on the wire.
enum class Channel { test, operator_, severe, government };

/// One point as the payload gives it, [lat, lon]. The proxy prints each number with Python's
/// str(): a JSON integer prints without a decimal point, a float as its shortest repr.
struct LatLon {
  double lat = 0;
  double lon = 0;
  bool lat_is_integer = false;
  bool lon_is_integer = false;
};

using Polygon = std::vector<LatLon>;

/// One payload area, its keys kept apart because the generators read them differently: CAP takes
/// `polygons` when non-empty and `polygon` otherwise; emergency-alerts IBAG reads only `polygon`.
struct Area {
  std::vector<Polygon> polygons;          // payload "polygons"; empty when absent
  std::optional<Polygon> polygon;         // payload "polygon"
  std::optional<std::string> description;  // CAP areaDesc (emergency-alerts generator)
  std::vector<std::string> geocodes;      // IBAG_geocode elements (emergency-alerts generator)
};

/// An earlier provider message a cancel refers to. CAP references every one; IBAG only the last.
struct Reference {
  std::string message_id;      // the earlier message's identifier
  std::string sent;            // Notify sends created_at as %Y-%m-%dT%H:%M:%S.%fZ
  std::string message_number;  // IBAG only: 8 lowercase hex digits
};

/// The Lambda payload, typed. Fields a message type does not use stay empty.
struct Payload {
  MessageType message_type = MessageType::alert;
  MessageFormat message_format = MessageFormat::cap;
  std::string identifier;
  std::string headline;
  std::string description;
  std::vector<Area> areas;
  std::string sent;
  std::string expires;
  std::string language;  // en-GB / cy-GB (CAP) or English / Welsh (IBAG)
  Channel channel = Channel::test;
  std::vector<Reference> references;
  std::string message_number;      // IBAG only
  std::optional<std::string> web;  // CAP alerts only; emitted only when non-empty
  /// CAP only (emergency-alerts generator): `sender` replaces the constant sender in the header
  /// and in cancel references; `sender_name` replaces "GOV.UK Emergency Alerts". Empty means
  /// the constant, as Python's `x or DEFAULT` reads it.
  std::optional<std::string> sender;
  std::optional<std::string> sender_name;
};

/// A payload the proxy could not render. `field` is a path into the payload
/// ("areas[0].polygon[2][1]", "message_number").
struct PayloadError {
  PayloadError() = default;
  PayloadError(std::string field_in, std::string message_in, bool not_sent_in = false)
      : field(std::move(field_in)), message(std::move(message_in)), not_sent(not_sent_in) {}

  std::string field;
  std::string message;
  /// True for an update: valid, but nothing is sent.
  bool not_sent = false;
};

using PayloadResult = boost::system::result<Payload, PayloadError>;
using RenderResult = boost::system::result<std::string, PayloadError>;

/// Checks and converts the payload. Field names, types and values are checked per message type,
/// as the proxy would find them missing; strings are passed through unchanged.
PayloadResult parse_payload(const nlohmann::json& payload);

/// Which proxy generator the document follows. notify_2023: the proxy's XML as Notify's payloads
/// reached it (emergency-alerts-utils faeeb40, plus several `polygons` per area): one constant
/// sender, `area-N` descriptions, no `web`, and IBAG polygons from `polygon` or `polygons`.
/// emergency_alerts: emergency-alerts-utils 8d681d6e, which reads the optional keys `web`,
/// `sender`, `sender_name` and area `description` (CAP) and `geocodes` (IBAG), and whose IBAG
/// reads only an area's `polygon`.
enum class Generator { notify_2023, emergency_alerts };

struct RenderOptions {
  /// A link test carries the proxy's clock, not the payload's: the current minute in UTC, written
  /// with "+00:00". Injected so rendering stays deterministic.
  std::chrono::sys_seconds now{};
  Generator generator = Generator::notify_2023;
};

/// The document the proxy sends for `payload`. Fails for an update (not_sent) and for a payload
/// whose strings XML cannot carry (control characters).
RenderResult render(const Payload& payload, const RenderOptions& options = {});

/// parse_payload then render.
RenderResult render_json(const nlohmann::json& payload, const RenderOptions& options = {});

/// Python's str(float): the shortest round-trip digits, fixed notation for exponents -4..15,
/// otherwise d.ddde+XX; "1.0", "-1.2", "1e-05", "1e+16".
std::string python_float_repr(double value);

std::string_view to_string(MessageType type) noexcept;
std::string_view to_string(Channel channel) noexcept;
std::string_view to_string(MessageFormat format) noexcept;
/// "notify-2023" or "emergency-alerts".
std::string_view to_string(Generator generator) noexcept;
std::optional<Generator> parse_generator(std::string_view name) noexcept;

}  // namespace notify::broadcast
