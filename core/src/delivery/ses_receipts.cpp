// SES delivery receipts: Notify's process_ses_results (app/celery/process_ses_receipts_tasks.py)
// over the SNS notification JSON SES publishes. The body carries recipient addresses,
// so nothing here ever logs or echoes it.
#include "notify/delivery/email_delivery.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace notify::delivery {

namespace {

constexpr std::string_view kLogger = "delivery.ses_receipts";

using nlohmann::json;

const json* string_field(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? &*it : nullptr;
}

using EventResult = boost::system::result<SesEvent, std::string>;

EventResult fail(std::string why) {
  return EventResult(boost::system::in_place_error, std::move(why));
}

transport::Reply reply(int status, const std::string& text) {
  transport::Reply r;
  r.response.status = status;
  r.response.headers.set("Content-Type", "application/json");
  // A reference or a reason may quote the body, and the body is full of addresses.
  r.response.body =
      json{{"result", status == 200 ? "success" : "error"}, {"message", telemetry::scrub_pii(text)}}
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace

boost::system::result<SesEvent, std::string> parse_ses_event(const std::string& body) {
  auto outer = json::parse(body, nullptr, false);
  if (outer.is_discarded() || !outer.is_object()) return fail("the body is not a JSON object");

  // The SES JSON is the envelope itself, or its Message parsed on its own: point at whichever it
  // is rather than copying the envelope's tree.
  json inner;
  const json* ses_json = &outer;
  if (auto message = outer.find("Message"); message != outer.end()) {
    if (auto type = string_field(outer, "Type"); type && *type != "Notification") {
      return fail("an SNS " + type->get<std::string>() +
                  " is not an SES event; only Type \"Notification\" is accepted");
    }
    if (!message->is_string()) return fail("the SNS envelope's Message is not a string");
    inner = json::parse(message->get_ref<const std::string&>(), nullptr, false);
    if (inner.is_discarded() || !inner.is_object()) {
      return fail("the SNS envelope's Message is not a JSON object");
    }
    ses_json = &inner;
  }
  const json& ses = *ses_json;

  SesEvent event;
  const json* type = string_field(ses, "notificationType");
  if (type == nullptr) type = string_field(ses, "eventType");
  if (type == nullptr) {
    return fail("the SES event has no notificationType (or eventType) string");
  }
  event.notification_type = type->get<std::string>();

  auto mail = ses.find("mail");
  const json* id =
      mail != ses.end() && mail->is_object() ? string_field(*mail, "messageId") : nullptr;
  if (id == nullptr || id->get<std::string>().empty()) {
    return fail("the SES event has no mail.messageId string");
  }
  event.message_id = id->get<std::string>();

  if (event.notification_type == "Delivery" || event.notification_type == "Complaint") {
    event.status = store::status::kDelivered;
  } else if (event.notification_type == "Bounce") {
    auto bounce = ses.find("bounce");
    const json* bounce_type =
        bounce != ses.end() && bounce->is_object() ? string_field(*bounce, "bounceType") : nullptr;
    if (bounce_type == nullptr) return fail("the Bounce event has no bounce.bounceType");
    event.bounce_type = bounce_type->get<std::string>();
    // Notify's determine_notification_bounce_type: anything but Permanent is temporary.
    event.status = event.bounce_type == "Permanent" ? store::status::kPermanentFailure
                                                    : store::status::kTemporaryFailure;
  } else {
    return fail("notificationType '" + event.notification_type +
                "' is not one of Delivery, Bounce, Complaint");
  }
  return event;
}

boost::system::result<std::string> apply_ses_event(store::Store& store, runtime::Clock& clock,
                                                   telemetry::Logger& logger,
                                                   telemetry::Metrics& metrics,
                                                   const std::string& body) {
  auto event = parse_ses_event(body);
  if (!event) {
    logger.warning(kLogger, "SES event rejected: " + event.error());
    return make_error_code(errc::invalid_argument);
  }
  auto notification = store.find_by_reference("ses", event->message_id);
  if (!notification) {
    logger.warning(kLogger, "SES event " + event->notification_type +
                                ": no notification with reference " + event->message_id);
    return notification.error();
  }
  if (notification->status != store::status::kSending &&
      notification->status != store::status::kPending) {
    logger.info(kLogger, "SES event " + event->notification_type + " for notification " +
                             notification->id + " ignored: it is already " + notification->status +
                             ", not sending or pending");
    return notification->status;
  }
  auto now = clock.now();
  if (auto updated = store.update_status(notification->id, event->status, now); !updated) {
    logger.error(kLogger, "SES event for notification " + notification->id +
                              " could not be stored: " + updated.error().message());
    return updated.error();
  }
  logger.info(kLogger, "SES callback return status of " + event->status +
                           " for notification: " + notification->id);
  metrics.incr("callback.ses." + event->status);
  if (notification->sent_at) {
    metrics.timing("callback.ses.elapsed-time", now - *notification->sent_at);
  }
  return event->status;
}

void add_ses_receipts(ReceiptRouter& router, store::Store& store, runtime::Clock& clock,
                      telemetry::Logger& logger, telemetry::Metrics& metrics) {
  router.add(
      std::string(kSesReceiptPath), [&store, &clock, &logger, &metrics](
                                        transport::Request request, transport::Responder respond) {
        if (request.method != "POST") {
          auto r = reply(405, "SES events must be POSTed, not sent with " + request.method);
          r.response.headers.set("Allow", "POST");
          respond(std::move(r));
          return;
        }
        auto event = parse_ses_event(request.body);
        if (!event) {
          respond(reply(400, event.error()));
          return;
        }
        auto applied = apply_ses_event(store, clock, logger, metrics, request.body);
        if (applied) {
          respond(reply(200, *applied));
        } else if (applied.error() == make_error_code(errc::not_found)) {
          // The event may have overtaken the answer to the send that it is about. Like Notify's
          // task, hold it and try once more later; if it is still unknown then, it is dropped
          // with a warning (apply_ses_event logs it).
          clock.schedule_after(kReceiptRetryDelay,
                               [&store, &clock, &logger, &metrics, body = std::move(request.body)] {
                                 (void)apply_ses_event(store, clock, logger, metrics, body);
                               });
          respond(reply(200, "no notification has SES reference " + event->message_id +
                                 " yet; the event will be applied again in " +
                                 std::to_string(kReceiptRetryDelay.count()) + " s"));
        } else {
          respond(reply(500, "the event could not be stored: " + applied.error().message()));
        }
      });
}

}  // namespace notify::delivery
