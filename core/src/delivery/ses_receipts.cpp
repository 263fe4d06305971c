// SES delivery receipts: Notify's process_ses_results (app/celery/process_ses_receipts_tasks.py)
// over the SNS notification JSON SES publishes. The body carries recipient addresses,
// so nothing here ever logs or echoes it.
#include "notify/delivery/email_delivery.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace notify::delivery {

namespace {

constexpr std::string_view kLogger = "delivery.ses_receipts";

using nlohmann::json;

// The fields an SES event is judged by, picked out of the JSON as it is read, without building
// a tree of the rest (mail headers, recipients, ...). A key seen twice keeps its last value, as
// a parsed object would.
class EventFields {
 public:
  struct Field {
    bool present = false;    // the key was seen
    bool is_string = false;  // and its (last) value is a string
    std::string value;
  };
  bool is_object = false;  // the document is an object
  Field type, message, notification_type, event_type, message_id, bounce_type;

  // nlohmann's SAX interface.
  bool null() { return scalar(); }
  bool boolean(bool) { return scalar(); }
  bool number_integer(json::number_integer_t) { return scalar(); }
  bool number_unsigned(json::number_unsigned_t) { return scalar(); }
  bool number_float(json::number_float_t, const std::string&) { return scalar(); }
  bool binary(json::binary_t&) { return scalar(); }
  bool string(std::string& value) {
    if (Field* f = begin_value().field) {
      f->is_string = true;
      f->value = std::move(value);
    }
    return true;
  }
  bool start_object(std::size_t) {
    if (stack_.empty()) is_object = true;
    stack_.push_back({true, begin_value().parent});
    return true;
  }
  bool start_array(std::size_t) {
    (void)begin_value();
    stack_.push_back({false, Parent::none});
    return true;
  }
  bool end_object() { return end_container(); }
  bool end_array() { return end_container(); }
  bool key(std::string& name) {
    next_ = {};
    const Level& level = stack_.back();
    if (stack_.size() == 1) {
      if (name == "Type") {
        next_.field = &type;
      } else if (name == "Message") {
        next_.field = &message;
      } else if (name == "notificationType") {
        next_.field = &notification_type;
      } else if (name == "eventType") {
        next_.field = &event_type;
      } else if (name == "mail") {
        next_.parent = Parent::mail;
        message_id = {};
      } else if (name == "bounce") {
        next_.parent = Parent::bounce;
        bounce_type = {};
      }
    } else if (stack_.size() == 2 && level.object) {
      if (level.parent == Parent::mail && name == "messageId") {
        next_.field = &message_id;
      } else if (level.parent == Parent::bounce && name == "bounceType") {
        next_.field = &bounce_type;
      }
    }
    if (next_.field != nullptr) *next_.field = Field{true, false, {}};
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

 private:
  // The top-level object whose members a level-two key belongs to.
  enum class Parent { none, mail, bounce };
  struct Level {
    bool object;
    Parent parent;
  };
  // What the value after the last key is: a field to fill, or an object to look into.
  struct Next {
    Field* field = nullptr;
    Parent parent = Parent::none;
  };

  Next begin_value() { return std::exchange(next_, Next{}); }
  bool scalar() {
    (void)begin_value();
    return true;
  }
  bool end_container() {
    stack_.pop_back();
    return true;
  }

  std::vector<Level> stack_;
  Next next_;
};

// Reads `text` into `fields`; false when it is not JSON.
bool read_fields(const std::string& text, EventFields& fields) {
  return json::sax_parse(text, &fields, json::input_format_t::json, true, false);
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
  EventFields outer;
  if (!read_fields(body, outer) || !outer.is_object) return fail("the body is not a JSON object");

  // The SES JSON is the envelope itself, or its Message read on its own.
  EventFields inner;
  const EventFields* ses = &outer;
  if (outer.message.present) {
    if (outer.type.is_string && outer.type.value != "Notification") {
      return fail("an SNS " + outer.type.value +
                  " is not an SES event; only Type \"Notification\" is accepted");
    }
    if (!outer.message.is_string) return fail("the SNS envelope's Message is not a string");
    if (!read_fields(outer.message.value, inner) || !inner.is_object) {
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
  event.notification_type = type->value;

  if (!ses->message_id.is_string || ses->message_id.value.empty()) {
    return fail("the SES event has no mail.messageId string");
  }
  event.message_id = ses->message_id.value;

  if (event.notification_type == "Delivery" || event.notification_type == "Complaint") {
    event.status = store::status::kDelivered;
  } else if (event.notification_type == "Bounce") {
    if (!ses->bounce_type.is_string) return fail("the Bounce event has no bounce.bounceType");
    event.bounce_type = ses->bounce_type.value;
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
  metrics.incr("callback.ses." + event.status);
  if (notification->sent_at) {
    metrics.timing("callback.ses.elapsed-time", now - *notification->sent_at);
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
