// deliver_email as Notify runs it: send through the email client, update the Store, and on
// failure either fail the notification (non-retryable) or retry on the Clock (48 times, 300 s
// apart), then technical-failure. Also the receipt side: SES events to final statuses.
#pragma once

#include "notify/delivery/receipts.hpp"
#include "notify/delivery/retry.hpp"
#include "notify/email/email_client.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/server.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace notify::delivery {

struct EmailDeliveryOptions {
  int max_retries = 48;
  /// Notify's countdown; a Duration rather than seconds so that a load run can retry after
  /// milliseconds.
  runtime::Duration retry_delay = std::chrono::seconds(300);
  std::string key_type = "live-key";  // for email.<key_type>.total-time
};

class EmailDelivery {
 public:
  EmailDelivery(store::Store& store, runtime::Clock& clock, email::EmailClient& client,
                telemetry::Metrics& metrics, telemetry::Logger& logger,
                EmailDeliveryOptions options = {});
  /// Cancels pending retries; answers still in flight are ignored when they arrive.
  ~EmailDelivery();
  EmailDelivery(const EmailDelivery&) = delete;
  EmailDelivery& operator=(const EmailDelivery&) = delete;

  /// Starts delivering a stored notification in status "created". `done` is called once the
  /// notification leaves the task (sending, or technical-failure), with its status.
  void deliver(const std::string& notification_id, const email::EmailMessage& message,
               std::function<void(const std::string& status)> done = {});

  /// Notifications whose task has not finished yet (sending attempts or retries pending).
  std::size_t in_flight() const { return in_flight_; }

 private:
  struct Task;
  void attempt(std::shared_ptr<Task> task);
  void on_result(const std::shared_ptr<Task>& task, email::EmailResult result);
  void on_failure(const std::shared_ptr<Task>& task, const Failure& error);
  void set_status(const std::string& id, const std::string& status,
                  const std::string& reference = {}, const std::string& failure_reason = {});
  void finish(const std::shared_ptr<Task>& task, const std::string& status);

  store::Store& store_;
  runtime::Clock& clock_;
  email::EmailClient& client_;
  telemetry::Metrics& metrics_;
  telemetry::Logger& logger_;
  EmailDeliveryOptions options_;
  const std::string total_time_name_;  // email.<key_type>.total-time, built once
  std::size_t in_flight_ = 0;
  RetryTimers retries_;
  // Callbacks hold a weak reference to this token and do nothing once it has gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

/// One SES event notification, reduced to what the core needs. Addresses are never kept.
struct SesEvent {
  std::string notification_type;  // "Delivery", "Bounce", "Complaint"
  std::string message_id;         // mail.messageId: the reference stored at send time
  std::string bounce_type;        // "Permanent", "Transient", "Undetermined"; Bounce only
  std::string status;             // the notification status it maps to
  // delivery.timestamp (or bounce.timestamp) as Notify reads it; nullopt when absent or bad.
  std::optional<runtime::TimePoint> delivered_at;
};

/// Parses an SNS envelope whose "Message" is the SES JSON (as a string), or the bare SES JSON.
/// The error names what is wrong with the body, without quoting it.
boost::system::result<SesEvent, std::string> parse_ses_event(const std::string& body);

/// Applies one SES event notification (the SNS envelope, or the bare SES JSON) to the Store:
/// Delivery and Complaint -> delivered, Bounce Permanent -> permanent-failure, Transient or
/// Undetermined -> temporary-failure. Only notifications in sending/pending change.
/// Returns the new status, or an error (not_found for an unknown reference, invalid_argument
/// for a body that is not an SES event).
boost::system::result<std::string> apply_ses_event(store::Store& store, runtime::Clock& clock,
                                                   telemetry::Logger& logger,
                                                   telemetry::Metrics& metrics,
                                                   const std::string& body);

/// The same for an event already parsed.
boost::system::result<std::string> apply_ses_event(store::Store& store, runtime::Clock& clock,
                                                   telemetry::Logger& logger,
                                                   telemetry::Metrics& metrics,
                                                   const SesEvent& event);

/// How long the receipt endpoint waits before applying again an event whose notification it
/// could not find: an event can arrive before the send's answer was stored. Notify's
/// process_ses_results retries once in that case (default_retry_delay 300 s, and only while
/// the message is less than 5 minutes old).
inline constexpr std::chrono::seconds kReceiptRetryDelay{300};

/// Where SES events arrive on the core's receipt endpoint.
inline constexpr std::string_view kSesReceiptPath = "/notifications/email/ses";

/// Adds SES events to the core's receipt endpoint: POST kSesReceiptPath takes SES events (SNS
/// envelope or bare). Answers 200 (applied, or held for one retry when no notification has the
/// reference yet), or 400 naming what is wrong.
void add_ses_receipts(ReceiptRouter& router, store::Store& store, runtime::Clock& clock,
                      telemetry::Logger& logger, telemetry::Metrics& metrics);

}  // namespace notify::delivery
