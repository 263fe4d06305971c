#include "core.hpp"

#include "celery.hpp"
#include "query.hpp"

#include "notify/runtime/assert.hpp"

#include <chrono>
#include <cstdio>

namespace notify::stubs::ses {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool is_v2_path(std::string_view path) {
  return path == "/v2/email" || starts_with(path, "/v2/email/");
}

// The service in "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...".
std::string_view credential_service(std::string_view authorization) {
  auto pos = authorization.find("Credential=");
  if (pos == std::string_view::npos) return {};
  std::string_view cred = authorization.substr(pos + 11);
  cred = cred.substr(0, cred.find_first_of(", "));
  for (int i = 0; i < 3; ++i) {
    auto slash = cred.find('/');
    if (slash == std::string_view::npos) return {};
    cred.remove_prefix(slash + 1);
  }
  return cred.substr(0, cred.find('/'));
}

bool looks_like_v1(const transport::Request& request) {
  if (request.method == "GET") {
    // A query string with a broken percent-escape still names its Action, and is SES's to answer
    // (404 MalformedQueryString) rather than the edge's generic 404.
    std::string_view query = request.query();
    auto q = QueryParams::parse(query);
    if (q) return q->get("Action").has_value();
    return starts_with(query, "Action=") || query.find("&Action=") != std::string_view::npos;
  }
  if (request.method != "POST") return false;
  std::string_view type = request.headers.get_or("Content-Type", "");
  if (starts_with(type, "application/x-www-form-urlencoded")) return true;
  if (credential_service(request.headers.get_or("Authorization", "")) == "ses") return true;
  // A form body sent with the wrong content type still belongs here, so that it gets an SES
  // error rather than a generic 404.
  auto form = QueryParams::parse(request.body);
  return form && form->get("Action").has_value();
}

}  // namespace

Route route_of(const transport::Request& request, std::string_view path_prefix,
               std::string* v2_path) {
  std::string_view path = request.path();
  if (path == "/ses") return Route::contract;
  if (!path_prefix.empty() && starts_with(path, path_prefix)) {
    std::string_view rest = path.substr(path_prefix.size());
    if (rest.empty() || rest == "/") return looks_like_v1(request) ? Route::v1 : Route::none;
    if (is_v2_path(rest)) {
      if (v2_path) *v2_path = std::string(rest);
      return Route::v2;
    }
  }
  if (is_v2_path(path)) {
    if (v2_path) *v2_path = std::string(path);
    return Route::v2;
  }
  if (path == "/" || path.empty()) return looks_like_v1(request) ? Route::v1 : Route::none;
  return Route::none;
}

std::string Core::request_id() { return services->rng().uuid4(); }

std::string Core::message_id() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch());
  char head[32];
  std::snprintf(head, sizeof head, "0100%012llx-",
                static_cast<unsigned long long>(ms.count()) & 0xFFFFFFFFFFFFull);
  return head + services->rng().uuid4() + "-000000";
}

StubAnswer Core::error_answer(Protocol protocol, const SesError& error,
                              std::string_view request_id) {
  counters.rejected += 1;
  if (error.code == "MessageRejected") stats.add_reject(now());
  StubAnswer a;
  a.response = render_error(protocol, error, request_id);
  a.outcome = "error:" + error.code;
  return a;
}

std::optional<StubAnswer> Core::fault_answer(const std::string& name, Protocol protocol,
                                             std::string_view request_id, EventFaults& events) {
  if (name.empty()) return std::nullopt;
  if (name == kSesEventDrop) {
    events.drop = true;
    return std::nullopt;
  }
  if (name == kSesEventDuplicate) {
    events.duplicate = true;
    return std::nullopt;
  }
  auto error = fault_error(name, protocol, options.region);
  if (!error) {
    // Only names from error_names() reach a stub; anything else is a wiring mistake that
    // should be visible in the answer rather than silently ignored.
    error = SesError{500, "InternalFailure", "notify-sim: unknown SES fault '" + name + "'"};
  }
  return error_answer(protocol, *error, request_id);
}

std::optional<SesError> Core::admit(std::uint64_t recipients, Protocol protocol) {
  const bool v2 = protocol == Protocol::v2;
  const auto t = now();
  const double max_day = options.limits.max_24_hour_send;
  if (max_day >= 0 && static_cast<double>(quota.sent_last_24_hours(t) + recipients) > max_day) {
    counters.throttled += 1;
    return v2 ? SesError{429, "TooManyRequestsException", std::string(kDailyQuotaMessage)}
              : SesError{400, "Throttling", std::string(kDailyQuotaMessage)};
  }
  if (!rate.try_acquire(recipients, t)) {
    counters.throttled += 1;
    return v2 ? SesError{429, "TooManyRequestsException", std::string(kMaxSendRateMessage)}
              : SesError{400, "Throttling", std::string(kMaxSendRateMessage)};
  }
  quota.add(recipients, t);
  stats.add_attempts(recipients, t);
  counters.accepted_messages += 1;
  counters.accepted_recipients += recipients;
  return std::nullopt;
}

namespace {

// The event one scheduled callback sends, built once for all its copies.
struct BuiltEvent {
  std::mutex mutex;
  std::optional<transport::Request> request;
  bool counted = false;  // a Celery event built before, its statistics counted
};

}  // namespace

void Core::schedule_events(const SentMail& mail, const std::vector<std::string>& recipients,
                           EventFaults faults) {
  const std::string& destination = options.events.destination;
  const bool http = destination != "celery-sqs" && !options.events.callback_url.empty();
  const bool celery = destination != "http";
  if (!http && !celery) return;
  std::vector<std::string> targets = recipients;
  if (targets.empty()) targets.emplace_back();
  for (const auto& recipient : targets) {
    for (const bool as_celery : {false, true}) {
      if (as_celery ? !celery : !http) continue;
      Callback callback;
      // An event lost to the request's own fault (ses.event_drop) or to the pending bound goes
      // through the host too, which journals it as dropped.
      callback.dropped =
          faults.drop || services->callback_counters("ses").pending >= options.events.pending_max;
      callback.info.service = "ses";
      callback.info.operation = "Event";
      callback.info.recipient = recipient;
      callback.parent = current_seq;
      callback.delay = std::chrono::duration_cast<runtime::Duration>(options.events.delay);
      callback.drop_error = kSesEventDrop;
      callback.duplicate_error = kSesEventDuplicate;
      std::weak_ptr<Core> weak = weak_from_this();
      const bool count = !as_celery || !http;
      // A duplicate is SNS delivering the same notification again: the same MessageId and the
      // same body bytes. The copies share the request the first of them builds. (A Celery task
      // is built anew for each copy, as the Lambda behind SNS would enqueue it again.)
      auto built = std::make_shared<BuiltEvent>();
      callback.build = [weak, mail, recipient, generation = generation, as_celery, count,
                        built]() -> std::optional<transport::Request> {
        auto self = weak.lock();
        if (!self) return std::nullopt;
        if (as_celery) {
          // A run of the sender after a failed one builds a new task for the same event, which
          // the statistics have counted already.
          std::lock_guard lock(built->mutex);
          auto request =
              self->build_event(mail, recipient, generation, as_celery, count && !built->counted);
          built->counted = built->counted || request.has_value();
          return request;
        }
        std::lock_guard lock(built->mutex);
        if (built->request) {
          std::lock_guard core_lock(self->mutex);
          if (generation != self->generation) return std::nullopt;
          return built->request;
        }
        built->request = self->build_event(mail, recipient, generation, as_celery, count);
        return built->request;
      };
      // The Lambda that puts a Celery task on SQS retries as its SDK and Lambda do; SNS's own
      // HTTP redelivery is not modelled.
      if (as_celery)
        callback.retry = [weak](const transport::SendResult& result,
                                const CallbackAttempt& attempt) -> std::optional<CallbackRetry> {
          auto self = weak.lock();
          if (!self) return std::nullopt;
          std::lock_guard lock(self->mutex);
          return celery_sender_retry(self->options.events.celery, result, attempt,
                                     self->services->rng());
        };
      // A request-level ses.event_duplicate sends the event twice, as a rule on the event does.
      int copies = faults.duplicate ? 2 : 1;
      for (int i = 0; i < copies; ++i) services->schedule_callback(callback);
    }
  }
}

std::optional<transport::Request> Core::build_event(const SentMail& mail,
                                                    const std::string& recipient,
                                                    std::uint64_t scheduled_in, bool celery,
                                                    bool count) {
  std::lock_guard lock(mutex);
  // Scheduled before a reset(), or its destination was switched off since.
  if (scheduled_in != generation) return std::nullopt;
  if (!celery &&
      (options.events.callback_url.empty() || options.events.destination == "celery-sqs"))
    return std::nullopt;
  if (celery && options.events.destination == "http") return std::nullopt;
  const auto t = now();
  EventKind kind = recipient.empty() ? EventKind::delivery : event_kind_for(recipient);
  if (count && kind == EventKind::complaint) stats.add_complaint(t);
  if (count && (kind == EventKind::bounce_permanent || kind == EventKind::bounce_transient)) {
    stats.add_bounce(t);
  }
  EventContext context;
  context.region = options.region;
  context.at = t;
  context.processing = t - mail.sent_at;
  context.feedback_id = message_id();
  auto notification = notification_json(mail, recipient, kind, context);
  if (!celery) {
    auto request =
        event_request(options.events.callback_url, notification, options.events.sns_envelope,
                      services->rng().uuid4(), options.region, t);
    if (!options.events.callback_authorization.empty())
      request.headers.set("Authorization", options.events.callback_authorization);
    return request;
  }
  const SesCeleryOptions& c = options.events.celery;
  std::string base = c.sqs_url;
  if (base.empty()) base = services->listener_url("sqs").value_or("");
  if (base.empty()) return std::nullopt;  // no SQS endpoint to send to
  CeleryIds ids;
  ids.task_id = services->rng().uuid4();
  ids.delivery_tag = services->rng().uuid4();
  ids.reply_to = reply_to;
  std::optional<std::string> received_at;
  if (c.receipt_iso_timestamp) received_at = python_isoformat(t);
  std::string body = celery_message_body(
      c.task, notification.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
      received_at, c.queue, t, c.countdown, ids);
  return celery_send_request(c, base, body, t);
}

}  // namespace notify::stubs::ses
