// What the delivery tasks record under the otel metrics format, as today's Notify's
// send_to_providers.py, process_sms_client_response_tasks.py and process_ses_receipts_tasks.py
// call app/otel_metrics/notification.py. Each function records nothing under statsd.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/metrics.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace notify::delivery {

/// Notify's key.type for a delivery option's key ("test-key" -> "test", otherwise "normal").
std::string otel_key_type(std::string_view key_type);

/// notification.send.duration (now - created_at) for one provider call, with error.type when
/// the call raised (`error_type` empty when it did not).
void record_send_duration(telemetry::Metrics& metrics, runtime::Duration since_created,
                          const std::string& key_type, const std::string& notification_type,
                          const std::string& provider, const std::string& error_type);

/// record_deliver_duration: notification.callback.duration (receipt time - created_at) and,
/// when the provider's time was read, notification.deliver.duration (that time - created_at),
/// with key.type, notification.status (the status now stored), notification.type,
/// provider.name and, for SMS, notification.sms.international.
void record_receipt_durations(telemetry::Metrics& metrics, const store::Notification& notification,
                              const std::string& status, const std::string& provider,
                              std::optional<runtime::TimePoint> delivered_at,
                              runtime::TimePoint received_at);

/// Notify's notification.international for an SMS recipient: the number is not a UK one.
bool is_international_number(std::string_view number);

/// Notify's notification.phone_prefix for a number in international form ("33612345678" ->
/// "33"; a leading "+" or "00" is skipped, a national "0..." is a UK number, "44"): the country
/// calling code, or for the North American plan the "1xxx" area code when Notify's billing table
/// lists it ("12425550123" -> "1242", "12025550123" -> "1"), as notifications-utils'
/// PhoneNumber.prefix gives it. "unsupported" for a code Notify's table does not list (Notify
/// refuses such a number with UNSUPPORTED_COUNTRY_CODE before it is stored).
std::string sms_country_prefix(std::string_view number);

/// One notification.sms.internationals increment with notification.status = `status` and
/// notification.sms.country_code = sms_country_prefix(`number`), as record_international_sms.
void record_international_sms(telemetry::Metrics& metrics, std::string_view status,
                              std::string_view number);

}  // namespace notify::delivery
