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

}  // namespace notify::delivery
