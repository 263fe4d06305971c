// The "ses" block of a config file. Every error names the field (relative to the block, e.g.
// "events.delay_ms"; callers prefix where the block lives), what was wrong and what would be
// right. Keys left out keep their current values.
#include "core.hpp"
#include "notify/transport/userinfo.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace notify::stubs::ses {

namespace {

using nlohmann::json;

FieldError field_error(std::string_view field, std::string_view expected, const json& value) {
  return FieldError{{}, std::string(field), std::string(expected), quote_json(value)};
}

FieldError unknown_field(std::string field, std::string_view known) {
  return FieldError{{}, std::move(field), "one of " + std::string(known), "an unknown field"};
}

bool read_size(const json& v, std::size_t min, std::size_t& out) {
  if (!v.is_number_integer() && !v.is_number_unsigned()) return false;
  if (v.is_number_integer() && v.get<std::int64_t>() < static_cast<std::int64_t>(min)) return false;
  out = v.get<std::size_t>();
  return out >= min;
}

std::optional<FieldError> apply_celery(const json& celery, SesCeleryOptions& out) {
  if (!celery.is_object()) return field_error("events.celery", "an object", celery);
  const std::pair<const char*, std::string SesCeleryOptions::*> strings[] = {
      {"queue_prefix", &SesCeleryOptions::queue_prefix},
      {"queue", &SesCeleryOptions::queue},
      {"task", &SesCeleryOptions::task},
      {"account", &SesCeleryOptions::account},
      {"region", &SesCeleryOptions::region},
      {"access_key_id", &SesCeleryOptions::access_key_id},
      {"secret_access_key", &SesCeleryOptions::secret_access_key}};
  for (const auto& [key, v] : celery.items()) {
    const std::string field = "events.celery." + key;
    bool done = false;
    for (const auto& [name, member] : strings) {
      if (key != name) continue;
      if (!v.is_string() || (key != "queue_prefix" && v.get<std::string>().empty()))
        return field_error(field, "a non-empty string", v);
      out.*member = v.get<std::string>();
      done = true;
    }
    if (done) continue;
    if (key == "sqs_url") {
      if (!v.is_string() ||
          (!v.get<std::string>().empty() && !transport::parse_url(v.get<std::string>())))
        return field_error(field,
                           "an absolute http:// URL of an SQS endpoint, or \"\" for the "
                           "embedded SQS stub",
                           v);
      std::string url = v.get<std::string>();
      while (!url.empty() && url.back() == '/') url.pop_back();
      out.sqs_url = url;
    } else if (key == "receipt_iso_timestamp") {
      if (!v.is_boolean()) return field_error(field, "true or false", v);
      out.receipt_iso_timestamp = v.get<bool>();
    } else if (key == "countdown_s") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
        return field_error(field, "a whole number of seconds >= 0", v);
      out.countdown = std::chrono::seconds(v.get<std::int64_t>());
    } else if (key == "sdk_attempts_max") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 10)
        return field_error(field, "a whole number of attempts from 1 to 10", v);
      out.sdk_attempts_max = v.get<int>();
    } else if (key == "invocation_retries") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 2)
        return field_error(field, "0, 1 or 2 (Lambda's MaximumRetryAttempts)", v);
      out.invocation_retries = v.get<int>();
    } else {
      return unknown_field(field,
                           "sqs_url, queue_prefix, queue, task, account, region, "
                           "access_key_id, secret_access_key, receipt_iso_timestamp, "
                           "countdown_s, sdk_attempts_max, invocation_retries");
    }
  }
  return std::nullopt;
}

std::optional<FieldError> apply_events(const json& events, SesEventOptions& out) {
  if (!events.is_object()) return field_error("events", "an object", events);
  for (const auto& [key, v] : events.items()) {
    if (key == "callback_url") {
      if (!v.is_string()) return field_error("events.callback_url", "an http:// URL string", v);
      std::string url = v.get<std::string>();
      std::string authorization;
      if (!url.empty()) {
        // SNS delivers to an endpoint's "user:pass@" as Basic auth.
        auto split = transport::split_credentials(url);
        if (!split) {
          return field_error("events.callback_url",
                             "an absolute http:// URL (user:pass@ allowed) or \"\"", v);
        }
        url = std::move(split->url);
        if (split->present)
          authorization = transport::basic_authorization(split->username, split->password);
      }
      out.callback_url = url;
      out.callback_authorization = authorization;
    } else if (key == "delay_ms") {
      if (!v.is_number() || v.get<double>() < 0 || !std::isfinite(v.get<double>())) {
        return field_error("events.delay_ms", "a number of milliseconds >= 0", v);
      }
      out.delay = std::chrono::milliseconds(static_cast<std::int64_t>(v.get<double>()));
    } else if (key == "sns_envelope") {
      if (!v.is_boolean()) return field_error("events.sns_envelope", "true or false", v);
      out.sns_envelope = v.get<bool>();
    } else if (key == "pending_max") {
      if (!read_size(v, 1, out.pending_max)) {
        return field_error("events.pending_max", "an integer >= 1", v);
      }
    } else if (key == "destination") {
      if (!v.is_string() || (v != "http" && v != "celery-sqs" && v != "both"))
        return field_error("events.destination", "\"http\", \"celery-sqs\" or \"both\"", v);
      out.destination = v.get<std::string>();
    } else if (key == "celery") {
      if (auto e = apply_celery(v, out.celery)) return e;
    } else {
      return unknown_field("events." + key,
                           "callback_url, delay_ms, sns_envelope, pending_max, destination, "
                           "celery");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<FieldError> apply_config(const json& config, SesOptions& options) {
  if (!config.is_object()) return field_error("", "an object", config);
  SesOptions o = options;
  for (const auto& [key, v] : config.items()) {
    if (key == "events") {
      if (auto e = apply_events(v, o.events)) return e;
    } else if (key == "max_send_rate") {
      if (!v.is_number() || v.get<double>() < 0 || !std::isfinite(v.get<double>())) {
        return field_error(key, "a number of recipients per second >= 0 (0 = unlimited)", v);
      }
      o.limits.max_send_rate = v.get<double>();
    } else if (key == "max_24_hour_send") {
      if (!v.is_number() || !std::isfinite(v.get<double>()) ||
          (v.get<double>() < 0 && v.get<double>() != -1)) {
        return field_error(key, "a number of recipients >= 0, or -1 for unlimited", v);
      }
      o.limits.max_24_hour_send = v.get<double>();
    } else if (key == "header_line_limit") {
      if (!read_size(v, 1, o.limits.header_line_limit)) {
        return field_error(key, "an integer number of characters >= 1", v);
      }
    } else if (key == "recipients_max") {
      if (!read_size(v, 1, o.limits.recipients_max)) {
        return field_error(key, "an integer >= 1", v);
      }
    } else if (key == "v1_message_bytes_max") {
      if (!read_size(v, 1, o.limits.v1_message_bytes_max)) {
        return field_error(key, "an integer number of bytes >= 1", v);
      }
    } else if (key == "v2_message_bytes_max") {
      if (!read_size(v, 1, o.limits.v2_message_bytes_max)) {
        return field_error(key, "an integer number of bytes >= 1", v);
      }
    } else if (key == "region") {
      if (!v.is_string() || v.get<std::string>().empty()) {
        return field_error(key, "a region name such as \"eu-west-2\"", v);
      }
      o.region = v.get<std::string>();
    } else if (key == "path_prefix") {
      std::string p = v.is_string() ? v.get<std::string>() : std::string("?");
      if (!v.is_string() || (!p.empty() && (p.front() != '/' || p.back() == '/' || p == "/ses" ||
                                            p.rfind("/v2", 0) == 0))) {
        return field_error(key,
                           "\"\" or a path like \"/aws/ses\" (leading '/', no trailing '/', not "
                           "\"/ses\" or under \"/v2\")",
                           v);
      }
      o.path_prefix = p;
    } else if (key == "strict_sigv4") {
      if (!v.is_object()) {
        return field_error(key, "an object of access key id -> secret ({} = off)", v);
      }
      std::map<std::string, std::string> keys;
      for (const auto& [akid, secret] : v.items()) {
        if (!secret.is_string() || akid.empty()) {
          return field_error("strict_sigv4." + akid, "a secret access key string", secret);
        }
        keys[akid] = secret.get<std::string>();
      }
      o.strict_sigv4 = std::move(keys);
    } else {
      return unknown_field(key,
                           "events, max_send_rate, max_24_hour_send, header_line_limit, "
                           "recipients_max, v1_message_bytes_max, v2_message_bytes_max, region, "
                           "path_prefix, strict_sigv4");
    }
  }
  options = std::move(o);
  return std::nullopt;
}

}  // namespace notify::stubs::ses
