// Inbound SMS at Notify's receive routes. See inbound_sms.hpp. Answers are Flask's: jsonify's
// compact JSON with a newline, sorted keys, and the blueprint's error handlers' texts.
#include "notify/delivery/inbound_sms.hpp"

#include "notify/delivery/sms_provider_table.hpp"

#include "notify/transport/http.hpp"
#include "notify/transport/userinfo.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace notify::delivery {

namespace {

using nlohmann::json;

constexpr std::string_view kLogger = "delivery.inbound_sms";
// werkzeug's BadRequest description, which the blueprint's 400 handler answers with.
constexpr const char* kBadRequest =
    "The browser (or proxy) sent a request that this server could not understand.";

transport::Reply flask_json(int status, const json& body) {
  transport::Reply r;
  r.response.status = status;
  r.response.headers.set("Content-Type", "application/json");
  r.response.body = body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  return r;
}

transport::Reply error(int status, const std::string& message) {
  return flask_json(status, json{{"message", message}, {"result", "error"}});
}

transport::Reply unauthorized() {
  auto r = error(401, "Unauthorized: authentication token must be provided");
  r.response.headers.set("WWW-Authenticate", "Bearer");
  return r;
}

transport::Reply forbidden() { return error(403, "Forbidden: invalid authentication token provided"); }

transport::Reply ok() { return flask_json(200, json{{"status", "ok"}}); }

// The Basic credentials of a request, as werkzeug's request.authorization gives them; nullopt
// when there is no Authorization header it can read.
struct Credentials {
  std::string username, password;
};
std::optional<Credentials> basic_credentials(const transport::Request& request) {
  auto header = request.headers.get("Authorization");
  if (!header || header->find_first_not_of(' ') == std::string_view::npos) return std::nullopt;
  auto pair = transport::basic_credentials(*header);
  if (pair) return Credentials{std::move(pair->first), std::move(pair->second)};
  // werkzeug reads any other scheme too ("Bearer x"), with no user name: Notify answers 403.
  // A Basic header it cannot decode is no authorization at all: 401.
  std::string scheme(header->substr(0, header->find(' ')));
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == "basic") return std::nullopt;
  return Credentials{};
}

bool listed(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// notifications-utils' normalised format: the number in international form without '+', or the
// text as it came when it is not a phone number (an alphanumeric sender).
std::string format_user_number(const std::string& raw) {
  std::string digits;
  for (char c : raw) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ' && c != '+' && c != '(' && c != ')' && c != '-') {
      return raw;
    }
  }
  if (digits.size() == 11 && digits.rfind("07", 0) == 0) return "44" + digits.substr(1);
  if (digits.size() < 10 || digits.size() > 15) return raw;
  return digits;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// urllib's unquote: a malformed escape stays as it is.
std::string unquote(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Python's unicode_escape for the escapes a message may hold: \\ \' \" \n \r \t \a \b \f \v,
// \xHH, \uXXXX and \UXXXXXXXX. Anything else keeps its backslash, as Python does.
std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char e = s[i + 1];
    const char* simple = "\\\\''\"\"n\nr\rt\ta\ab\bf\fv\v";
    bool done = false;
    for (const char* p = simple; *p != '\0'; p += 2) {
      if (*p == e) {
        out += p[1];
        ++i;
        done = true;
        break;
      }
    }
    if (done) continue;
    const std::size_t width = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (width > 0 && i + 2 + width <= s.size()) {
      std::uint32_t cp = 0;
      bool hex = true;
      for (std::size_t k = 0; k < width; ++k) {
        int v = hex_value(s[i + 2 + k]);
        if (v < 0) hex = false;
        cp = cp * 16 + static_cast<std::uint32_t>(std::max(v, 0));
      }
      if (hex && cp <= 0x10FFFF) {
        append_utf8(out, cp);
        i += 1 + width;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::optional<int> digits_at(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t k = 0; k < n; ++k) {
    char c = s[at + k];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// What every provider's route shares once its reader has the message.
struct InboundContext {
  store::Store& store;
  runtime::Clock& clock;
  runtime::Rng& rng;
  telemetry::Logger& logger;
  telemetry::Metrics& metrics;
  InboundSmsOptions options;
};

// Stores one message for the service whose number it is; false when none has it.
bool store_inbound(InboundContext& c, const std::string& provider, const InboundRead& read) {
  if (c.options.numbers.count(read.number) == 0) {
    c.logger.warning(kLogger, "Inbound number from " + provider + " not associated with a service");
    return false;
  }
  store::InboundSms m;
  m.id = c.rng.uuid4();
  m.notify_number = read.number;
  m.user_number = format_user_number(read.from);
  m.provider = provider;
  m.provider_reference = read.reference;
  m.content = read.content;
  m.created_at = c.clock.now();
  // Notify reads an empty time as none, and one it cannot parse as now.
  if (!read.date.empty()) m.provider_date = parse_inbound_time(read.date).value_or(m.created_at);
  if (auto stored = c.store.insert_inbound_sms(m); !stored) {
    c.logger.error(kLogger, "Inbound SMS from " + provider + " could not be stored");
    return false;
  }
  c.metrics.incr("inbound_sms." + provider);
  c.logger.info(kLogger, "Service received inbound SMS with id " + m.id + " from " + provider);
  return true;
}

InboundRead answered(transport::Reply reply) {
  InboundRead r;
  r.answer = std::move(reply);
  return r;
}

}  // namespace

InboundRead read_firetext_inbound(const transport::Request& request, const InboundAuth& auth,
                                  const std::set<std::string>& numbers,
                                  telemetry::Logger& logger) {
  auto credentials = basic_credentials(request);
  if (!credentials) {
    logger.warning(kLogger, "Inbound sms (Firetext) no auth header");
    return answered(unauthorized());
  }
  if (credentials->username != "notify" || !listed(auth.passwords, credentials->password)) {
    logger.warning(kLogger, "Inbound sms (Firetext) incorrect username (" +
                                credentials->username + ") or password");
    return answered(forbidden());
  }
  auto form = transport::parse_form(request.body);
  auto field = [&form](const char* name) -> std::optional<std::string> {
    if (!form) return std::nullopt;
    for (const auto& [k, v] : *form)
      if (k == name) return v;
    return std::nullopt;
  };
  auto destination = field("destination");
  if (!destination) return answered(error(400, kBadRequest));
  InboundRead read;
  read.number = strip_leading_forty_four(*destination);
  if (numbers.count(read.number) == 0) {
    logger.warning(kLogger, "Inbound number from firetext not associated with a service");
    return answered(ok());
  }
  auto message = field("message"), source = field("source"), time = field("time");
  if (!message || !source || !time) return answered(error(400, kBadRequest));
  read.content = *message;
  read.from = *source;
  read.date = *time;
  return read;
}

InboundRead read_mmg_inbound(const transport::Request& request, const InboundAuth& auth,
                             const std::set<std::string>& numbers, telemetry::Logger& logger) {
  // Flask's get_json() comes before the auth check: 415 (caught as any exception, 500) without
  // a JSON content type, 400 for a body that is not JSON.
  if (request.headers.get_or("Content-Type", "").find("json") == std::string_view::npos)
    return answered(error(500, "Internal server error"));
  auto body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return answered(error(400, kBadRequest));
  auto credentials = basic_credentials(request);
  if (!credentials) {
    logger.warning(kLogger, "Inbound sms (MMG) no auth header");
    return answered(unauthorized());
  }
  if (!listed(auth.usernames, credentials->username) ||
      !listed(auth.passwords, credentials->password)) {
    logger.warning(kLogger, "Inbound sms (MMG) incorrect username (" + credentials->username +
                                ") or password");
    return answered(forbidden());
  }
  // post_data["Number"] and friends: a missing key or a body that is not an object is a Python
  // exception, which the blueprint answers 500.
  auto text = [&body](const char* name) -> std::optional<std::string> {
    if (!body.is_object()) return std::nullopt;
    auto it = body.find(name);
    if (it == body.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto number_field = text("Number");
  if (!number_field) return answered(error(500, "Internal server error"));
  InboundRead read;
  read.number = strip_leading_forty_four(*number_field);
  if (numbers.count(read.number) == 0) {
    logger.warning(kLogger, "Inbound number from mmg not associated with a service");
    transport::Reply r;
    r.response.status = 200;
    r.response.headers.set("Content-Type", "text/html; charset=utf-8");
    r.response.body = "RECEIVED";
    return answered(std::move(r));
  }
  auto message = text("Message"), from = text("MSISDN"), id = text("ID");
  if (!message || !from || !id) return answered(error(500, "Internal server error"));
  read.content = format_mmg_message(*message);
  read.from = *from;
  read.reference = *id;
  read.date = text("DateRecieved").value_or("");
  return read;
}

std::string format_mmg_message(std::string_view message) {
  std::string spaced(message);
  std::replace(spaced.begin(), spaced.end(), '+', ' ');
  return unescape(unquote(spaced));
}

std::optional<runtime::TimePoint> parse_inbound_time(std::string_view raw) {
  const std::string text = format_mmg_message(raw);
  auto y = digits_at(text, 0, 4), mo = digits_at(text, 5, 2), d = digits_at(text, 8, 2);
  if (!y || !mo || !d || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31) return std::nullopt;
  int h = 0, mi = 0, s = 0;
  if (text.size() > 10) {
    if (text[10] != ' ' && text[10] != 'T') return std::nullopt;
    auto hh = digits_at(text, 11, 2), mm = digits_at(text, 14, 2);
    if (!hh || !mm || text.size() < 16 || text[13] != ':') return std::nullopt;
    h = *hh;
    mi = *mm;
    if (text.size() > 16 && text[16] == ':') {
      auto ss = digits_at(text, 17, 2);
      if (!ss) return std::nullopt;
      s = *ss;
    }
    if (h > 23 || mi > 59 || s > 59) return std::nullopt;
  }
  // A fraction or an offset may follow; Notify drops the offset and keeps the wall time.
  const std::int64_t secs =
      days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d)) * 86400 +
      h * 3600 + mi * 60 + s;
  return runtime::TimePoint(std::chrono::duration_cast<runtime::Duration>(std::chrono::seconds(secs)));
}

std::string strip_leading_forty_four(std::string_view number) {
  if (number.rfind("44", 0) == 0) return "0" + std::string(number.substr(2));
  return std::string(number);
}

void add_inbound_sms(ReceiptRouter& router, store::Store& store, runtime::Clock& clock,
                     runtime::Rng& rng, telemetry::Logger& logger, telemetry::Metrics& metrics,
                     InboundSmsOptions options) {
  auto context = std::make_shared<InboundContext>(
      InboundContext{store, clock, rng, logger, metrics, std::move(options)});
  for (const SmsProvider& provider : sms_providers()) {
    if (provider.read_inbound == nullptr) continue;
    const std::string name = provider.name;
    const InboundReader reader = provider.read_inbound;
    router.add(provider.inbound_path, [context, name, reader](transport::Request request,
                                                             transport::Responder respond) {
      if (request.method != "POST") {
        auto r = error(405, "The method is not allowed for the requested URL.");
        r.response.headers.set("Allow", "POST");
        return respond(std::move(r));
      }
      static const InboundAuth kNone;
      auto it = context->options.auth.find(name);
      InboundRead read = reader(request, it == context->options.auth.end() ? kNone : it->second,
                                context->options.numbers, context->logger);
      if (read.answer) return respond(std::move(*read.answer));
      if (!store_inbound(*context, name, read)) return respond(error(500, "Internal server error"));
      respond(ok());
    });
  }
}

}  // namespace notify::delivery
