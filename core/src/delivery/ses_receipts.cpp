// SES delivery receipts: Notify's process_ses_results (app/celery/process_ses_receipts_tasks.py)
// over the SNS notification JSON SES publishes. The body carries recipient addresses,
// so nothing here ever logs or echoes it.
#include "notify/delivery/email_delivery.hpp"

#include "notify/delivery/receipt_time.hpp"
#include "otel_records.hpp"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <string>
#include <string_view>

namespace notify::delivery {

namespace {

constexpr std::string_view kLogger = "delivery.ses_receipts";

using nlohmann::json;

// The fields an SES event is judged by. simdjson validates the whole document and leaves the
// rest (mail headers, recipients, ...) unread; walking every member, rather than looking one
// up, keeps the last of a repeated key, as nlohmann's parse into an object would.
struct EventFields {
  struct Field {
    bool present = false;    // the key was seen
    bool is_string = false;  // and its (last) value is a string
    std::string_view value;  // valid while the parser that read it is
  };
  Field type, message, notification_type, event_type, message_id, bounce_type;
  Field delivery_timestamp, bounce_timestamp;

  static void take(Field& field, simdjson::dom::element value) {
    field = Field{true, false, {}};
    field.is_string = value.get(field.value) == simdjson::SUCCESS;
  }
  // The string member `name` of `value`, if `value` is an object.
  static void take_member(Field& field, simdjson::dom::element value, std::string_view name) {
    field = Field{};
    simdjson::dom::object object;
    if (value.get(object) != simdjson::SUCCESS) return;
    for (auto member : object)
      if (member.key == name) take(field, member.value);
  }

  void read(simdjson::dom::object object) {
    for (auto member : object) {
      const std::string_view key = member.key;
      if (key == "Type") {
        take(type, member.value);
      } else if (key == "Message") {
        take(message, member.value);
      } else if (key == "notificationType") {
        take(notification_type, member.value);
      } else if (key == "eventType") {
        take(event_type, member.value);
      } else if (key == "mail") {
        take_member(message_id, member.value, "messageId");
      } else if (key == "bounce") {
        take_member(bounce_type, member.value, "bounceType");
        take_member(bounce_timestamp, member.value, "timestamp");
      } else if (key == "delivery") {
        take_member(delivery_timestamp, member.value, "timestamp");
      }
    }
  }
};

// Reads `text` with `parser` into `fields`; false when it is not a JSON object.
bool read_fields(simdjson::dom::parser& parser, std::string_view text, EventFields& fields) {
  simdjson::dom::object object;
  if (parser.parse(text.data(), text.size(), true).get(object) != simdjson::SUCCESS) return false;
  fields.read(object);
  return true;
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
  // One parser per thread for each level: a parser keeps its buffers from one event to the next.
  thread_local simdjson::dom::parser envelope_parser, message_parser;
  EventFields outer;
  if (!read_fields(envelope_parser, body, outer)) return fail("the body is not a JSON object");

  // The SES JSON is the envelope itself, or its Message read on its own.
  EventFields inner;
  const EventFields* ses = &outer;
  if (outer.message.present) {
    if (outer.type.is_string && outer.type.value != "Notification") {
      return fail("an SNS " + std::string(outer.type.value) +
                  " is not an SES event; only Type \"Notification\" is accepted");
    }
    if (!outer.message.is_string) return fail("the SNS envelope's Message is not a string");
    if (!read_fields(message_parser, outer.message.value, inner)) {
      return fail("the SNS envelope's Message is not a JSON object");
    }
    ses = &inner;
  }

  SesEvent event;
  const EventFields::Field* type = &ses->notification_type;
  if (!type->is_string) type = &ses->event_type;
  if (!type->is_string) {
    return fail("the SES event has no notificationType (or eventType) string");
  }
  event.notification_type = std::string(type->value);

  if (!ses->message_id.is_string || ses->message_id.value.empty()) {
    return fail("the SES event has no mail.messageId string");
  }
  event.message_id = std::string(ses->message_id.value);

  // process_ses_results: delivery.timestamp, else bounce.timestamp; unreadable is None.
  const EventFields::Field& at =
      ses->delivery_timestamp.present ? ses->delivery_timestamp : ses->bounce_timestamp;
  if (at.is_string) event.delivered_at = parse_receipt_time(at.value, NaiveTime::drop_offset);

  if (event.notification_type == "Delivery" || event.notification_type == "Complaint") {
    event.status = store::status::kDelivered;
  } else if (event.notification_type == "Bounce") {
    if (!ses->bounce_type.is_string) return fail("the Bounce event has no bounce.bounceType");
    event.bounce_type = std::string(ses->bounce_type.value);
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
  return apply_ses_event(store, clock, logger, metrics, *event);
}

boost::system::result<std::string> apply_ses_event(store::Store& store, runtime::Clock& clock,
                                                   telemetry::Logger& logger,
                                                   telemetry::Metrics& metrics,
                                                   const SesEvent& event) {
  auto notification = store.find_by_reference("ses", event.message_id);
  if (!notification) {
    logger.warning(kLogger, "SES event " + event.notification_type +
                                ": no notification with reference " + event.message_id);
    return notification.error();
  }
  if (notification->status != store::status::kSending &&
      notification->status != store::status::kPending) {
    logger.info(kLogger, "SES event " + event.notification_type + " for notification " +
                             notification->id + " ignored: it is already " + notification->status +
                             ", not sending or pending");
    return notification->status;
  }
  auto now = clock.now();
  if (auto updated = store.update_status(notification->id, event.status, now); !updated) {
    logger.error(kLogger, "SES event for notification " + notification->id +
                              " could not be stored: " + updated.error().message());
    return updated.error();
  }
  logger.info(kLogger, "SES callback return status of " + event.status +
                           " for notification: " + notification->id);
  if (metrics.otel()) {
    record_receipt_durations(metrics, *notification, event.status, "ses", event.delivered_at, now);
  } else {
    metrics.incr("callback.ses." + event.status);
    if (notification->sent_at) {
      metrics.timing("callback.ses.elapsed-time", now - *notification->sent_at);
    }
  }
  return event.status;
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
        auto applied = apply_ses_event(store, clock, logger, metrics, *event);
        if (applied) {
          respond(reply(200, *applied));
        } else if (applied.error() == make_error_code(errc::not_found)) {
          // The event may have overtaken the answer to the send that it is about. Like Notify's
          // task, hold it and try once more later; if it is still unknown then, it is dropped
          // with a warning (apply_ses_event logs it).
          clock.schedule_after(kReceiptRetryDelay,
                               [&store, &clock, &logger, &metrics, held = *event] {
                                 (void)apply_ses_event(store, clock, logger, metrics, held);
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
