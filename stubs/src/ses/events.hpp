// SES delivery events as SES publishes them through SNS (SES Developer Guide, "Amazon SNS
// notification contents"): the notification JSON (Delivery, Bounce, Complaint) and the SNS HTTP
// envelope around it. The outcome for a recipient follows Notify's simulator addresses
// (notifications-api app/celery/research_mode_tasks.py) and SES's own mailbox simulator
// (SES Developer Guide, "Using the mailbox simulator").
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/transport/http.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace notify::stubs::ses {

enum class EventKind { delivery, bounce_permanent, bounce_transient, complaint };

inline constexpr std::string_view kPermFailAddress = "perm-fail@simulator.notify";
inline constexpr std::string_view kTempFailAddress = "temp-fail@simulator.notify";
inline constexpr std::string_view kComplaintAddress = "complaint@simulator.notify";
inline constexpr std::string_view kAccountId = "123456789012";

/// Notify's perm-fail@ / temp-fail@ / complaint@simulator.notify -> permanent bounce / transient
/// bounce / complaint. SES's simulator.amazonses.com boxes (a "+label" is ignored): bounce@ and
/// suppressionlist@ -> permanent bounce (General with a DSN; Suppressed), ooto@ -> transient
/// bounce, complaint@ -> complaint, success@ -> delivery. Anything else -> delivery.
/// Case-insensitive; display names are ignored.
EventKind event_kind_for(std::string_view recipient);

/// The sent message an event refers to (the "mail" object).
struct SentMail {
  std::string message_id;
  std::string source;
  std::vector<std::string> destination;
  runtime::TimePoint sent_at;
  std::string operation;  // SendEmail, SendRawEmail, ... for tags."ses:operation"
};

struct EventContext {
  std::string region;
  runtime::TimePoint at;         // when the event happens
  runtime::Duration processing;  // from send to event, for processingTimeMillis
  std::string feedback_id;       // for bounces and complaints
};

/// The SES notification for one recipient (empty `recipient`: Notify's stub contract, which has
/// no recipients).
nlohmann::json notification_json(const SentMail& mail, std::string_view recipient, EventKind kind,
                                 const EventContext& context);

/// The POST an SNS HTTP subscription receives: envelope JSON (Type, MessageId, TopicArn,
/// Message as a string, ...) with the x-amz-sns-* headers; or, without the envelope, the bare
/// notification as application/json.
transport::Request event_request(const std::string& callback_url,
                                 const nlohmann::json& notification, bool sns_envelope,
                                 const std::string& sns_message_id, std::string_view region,
                                 runtime::TimePoint at);

}  // namespace notify::stubs::ses
