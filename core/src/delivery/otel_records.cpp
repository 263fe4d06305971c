// The otel recordings of the delivery tasks (see otel_records.hpp).
#include "otel_records.hpp"

#include <cctype>
#include <chrono>

namespace notify::delivery {

namespace {

double seconds(runtime::Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

std::string otel_key_type(std::string_view key_type) {
  return key_type == "test-key" ? "test" : "normal";
}

void record_send_duration(telemetry::Metrics& metrics, runtime::Duration since_created,
                          const std::string& key_type, const std::string& notification_type,
                          const std::string& provider, const std::string& error_type) {
  if (!metrics.otel()) return;
  // Keys in sorted order, as make_attributes() would put them.
  if (error_type.empty()) {
    metrics.record_strings("notification.send.duration", seconds(since_created),
                           {{"key.type", key_type},
                            {"notification.type", notification_type},
                            {"provider.name", provider}});
  } else {
    metrics.record_strings("notification.send.duration", seconds(since_created),
                           {{"error.type", error_type},
                            {"key.type", key_type},
                            {"notification.type", notification_type},
                            {"provider.name", provider}});
  }
}

bool is_international_number(std::string_view number) {
  std::string digits;
  for (char c : number) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  if (digits.rfind("00", 0) == 0) digits.erase(0, 2);
  // A UK mobile is 07... nationally or 447... with the country code.
  return !(digits.rfind("44", 0) == 0 || digits.rfind("07", 0) == 0);
}

void record_receipt_durations(telemetry::Metrics& metrics, const store::Notification& notification,
                              const std::string& status, const std::string& provider,
                              std::optional<runtime::TimePoint> delivered_at,
                              runtime::TimePoint received_at) {
  if (!metrics.otel()) return;
  // The core has no API keys: every notification is a live ("normal") key's. Keys in sorted
  // order, as make_attributes() would put them.
  const bool sms = notification.type == "sms";
  // Notify writes the boolean JSON-encoded, as OTel's conventions ask.
  const std::string_view international =
      sms && is_international_number(notification.recipient) ? "true" : "false";
  auto record = [&](std::string_view instrument, double value) {
    if (sms) {
      metrics.record_strings(instrument, value,
                             {{"key.type", "normal"},
                              {"notification.sms.international", international},
                              {"notification.status", status},
                              {"notification.type", notification.type},
                              {"provider.name", provider}});
    } else {
      metrics.record_strings(instrument, value,
                             {{"key.type", "normal"},
                              {"notification.status", status},
                              {"notification.type", notification.type},
                              {"provider.name", provider}});
    }
  };
  record("notification.callback.duration", seconds(received_at - notification.created_at));
  if (delivered_at) {
    record("notification.deliver.duration", seconds(*delivered_at - notification.created_at));
  }
}

}  // namespace notify::delivery
