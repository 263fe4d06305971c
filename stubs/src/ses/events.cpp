#include "events.hpp"

#include "mail.hpp"

#include <chrono>

namespace notify::stubs::ses {

namespace {

constexpr std::string_view kTopicName = "ses-events";
constexpr std::string_view kSuppressedDiagnostic =
    "Amazon SES has suppressed sending to this address because it has a recent history of "
    "bouncing as an invalid address. For more information about how to remove an address from "
    "the suppression list, see the Amazon SES Developer Guide: "
    "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/remove-from-suppressionlist.html";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string topic_arn(std::string_view region) {
  return "arn:aws:sns:" + std::string(region) + ":" + std::string(kAccountId) + ":" +
         std::string(kTopicName);
}

nlohmann::json mail_json(const SentMail& mail, std::string_view region) {
  std::string spec = addr_spec(mail.source);
  auto at = spec.rfind('@');
  std::string domain = at == std::string::npos ? spec : spec.substr(at + 1);
  nlohmann::json destination = nlohmann::json::array();
  for (const auto& d : mail.destination) destination.push_back(d);
  nlohmann::json j = {
      {"timestamp", runtime::format_iso8601(mail.sent_at)},
      {"messageId", mail.message_id},
      {"source", mail.source},
      {"sourceArn", "arn:aws:ses:" + std::string(region) + ":" + std::string(kAccountId) +
                        ":identity/" + domain},
      {"sourceIp", "127.0.0.1"},
      {"sendingAccountId", std::string(kAccountId)},
      {"callerIdentity", "notify-sim"},
      {"destination", std::move(destination)},
  };
  if (!mail.operation.empty()) {
    j["tags"] = {{"ses:operation", nlohmann::json::array({mail.operation})}};
  }
  return j;
}

// SES's mailbox simulator (SES Developer Guide, "Using the mailbox simulator"): the local part,
// before any "+label", of an address at simulator.amazonses.com; empty for any other address.
std::string amazonses_simulator_box(std::string_view recipient) {
  std::string a = lower(addr_spec(recipient));
  constexpr std::string_view kDomain = "@simulator.amazonses.com";
  if (a.size() <= kDomain.size() || a.compare(a.size() - kDomain.size(), kDomain.size(), kDomain))
    return {};
  std::string local = a.substr(0, a.size() - kDomain.size());
  return local.substr(0, local.find('+'));
}

}  // namespace

EventKind event_kind_for(std::string_view recipient) {
  std::string a = lower(addr_spec(recipient));
  if (a == kPermFailAddress) return EventKind::bounce_permanent;
  if (a == kTempFailAddress) return EventKind::bounce_transient;
  if (a == kComplaintAddress) return EventKind::complaint;
  std::string box = amazonses_simulator_box(recipient);
  if (box == "bounce" || box == "suppressionlist") return EventKind::bounce_permanent;
  // The simulator's out-of-office reply reaches SES's feedback loop as a soft bounce with no
  // DSN (Transient / General, only emailAddress), as captured from the real simulator.
  if (box == "ooto") return EventKind::bounce_transient;
  if (box == "complaint") return EventKind::complaint;
  return EventKind::delivery;
}

nlohmann::json notification_json(const SentMail& mail, std::string_view recipient, EventKind kind,
                                 const EventContext& context) {
  std::string at = runtime::format_iso8601(context.at);
  std::string address = addr_spec(recipient);
  nlohmann::json recipients = nlohmann::json::array();
  if (!address.empty()) recipients.push_back(address);
  nlohmann::json j;
  switch (kind) {
    case EventKind::delivery:
      j["notificationType"] = "Delivery";
      j["delivery"] = {
          {"timestamp", at},
          {"processingTimeMillis",
           std::chrono::duration_cast<std::chrono::milliseconds>(context.processing).count()},
          {"recipients", recipients},
          {"smtpResponse", "250 2.6.0 Message received"},
          {"reportingMTA", "a8-70.smtp-out.amazonses.com"},
          {"remoteMtaIp", "127.0.2.0"},
      };
      break;
    case EventKind::bounce_permanent:
      j["notificationType"] = "Bounce";
      if (amazonses_simulator_box(recipient) == "suppressionlist") {
        // SES refuses the send itself: no remote MTA, SES reports as amazonses.com.
        j["bounce"] = {
            {"bounceType", "Permanent"},
            {"bounceSubType", "Suppressed"},
            {"reportingMTA", "dns; amazonses.com"},
            {"bouncedRecipients", nlohmann::json::array({nlohmann::json{
                                      {"emailAddress", address},
                                      {"action", "failed"},
                                      {"status", "5.1.1"},
                                      {"diagnosticCode", std::string(kSuppressedDiagnostic)}}})},
            {"timestamp", at},
            {"feedbackId", context.feedback_id},
        };
        break;
      }
      // A DSN from the recipient's MTA: the simulator's 550 5.1.1, reported as SES reports it
      // ("dsn; <sending host>", as in captures of bounce@simulator.amazonses.com).
      j["bounce"] = {
          {"bounceType", "Permanent"},
          {"bounceSubType", "General"},
          {"reportingMTA", "dsn; a8-70.smtp-out.amazonses.com"},
          {"bouncedRecipients", nlohmann::json::array({nlohmann::json{
                                    {"emailAddress", address},
                                    {"action", "failed"},
                                    {"status", "5.1.1"},
                                    {"diagnosticCode", "smtp; 550 5.1.1 user unknown"}}})},
          {"timestamp", at},
          {"feedbackId", context.feedback_id},
          {"remoteMtaIp", "127.0.2.0"},
      };
      break;
    case EventKind::bounce_transient:
      j["notificationType"] = "Bounce";
      j["bounce"] = {
          {"bounceType", "Transient"},
          {"bounceSubType", "General"},
          {"bouncedRecipients", nlohmann::json::array({nlohmann::json{{"emailAddress", address}}})},
          {"timestamp", at},
          {"feedbackId", context.feedback_id},
      };
      break;
    case EventKind::complaint:
      j["notificationType"] = "Complaint";
      j["complaint"] = {
          {"complainedRecipients",
           nlohmann::json::array({nlohmann::json{{"emailAddress", address}}})},
          {"timestamp", at},
          {"feedbackId", context.feedback_id},
          {"complaintSubType", nullptr},
          {"userAgent", "notify-sim feedback loop"},
          {"complaintFeedbackType", "abuse"},
          {"arrivalDate", at},
      };
      break;
  }
  j["mail"] = mail_json(mail, context.region);
  return j;
}

transport::Request event_request(const std::string& callback_url,
                                 const nlohmann::json& notification, bool sns_envelope,
                                 const std::string& sns_message_id, std::string_view region,
                                 runtime::TimePoint at) {
  transport::Request r;
  r.method = "POST";
  r.target = callback_url;
  std::string message = notification.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!sns_envelope) {
    r.headers.set("Content-Type", "application/json");
    r.body = std::move(message);
    return r;
  }
  std::string arn = topic_arn(region);
  std::string host = "https://sns." + std::string(region) + ".amazonaws.com/";
  nlohmann::json envelope = {
      {"Type", "Notification"},
      {"MessageId", sns_message_id},
      {"TopicArn", arn},
      {"Message", std::move(message)},
      {"Timestamp", runtime::format_iso8601(at)},
      {"SignatureVersion", "1"},
      // The stub does not hold an SNS signing key; receivers that verify must be told to skip.
      {"Signature", "bm90aWZ5LXNpbQ=="},
      {"SigningCertURL", host + "SimpleNotificationService-notify-sim.pem"},
      {"UnsubscribeURL",
       host + "?Action=Unsubscribe&SubscriptionArn=" + arn + ":" + sns_message_id},
  };
  // SNS sends its JSON as text/plain.
  r.headers.set("Content-Type", "text/plain; charset=UTF-8");
  r.headers.set("x-amz-sns-message-type", "Notification");
  r.headers.set("x-amz-sns-message-id", sns_message_id);
  r.headers.set("x-amz-sns-topic-arn", arn);
  r.headers.set("x-amz-sns-subscription-arn", arn + ":" + sns_message_id);
  r.body = envelope.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace notify::stubs::ses
