// SES events from SQS: what a Notify Celery worker does with `process-ses-result` messages on
// `ses-callbacks` (kombu's SQS transport, boto3's JSON 1.0 protocol). The events carry recipient
// addresses, so nothing here logs a message body or quotes one in an error.
#include "notify/delivery/ses_sqs_consumer.hpp"

#include "notify/delivery/email_delivery.hpp"
#include "notify/delivery/receipt_time.hpp"
#include "notify/outcome/errc.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <unordered_set>
#include <utility>

namespace notify::delivery {

namespace {

constexpr std::string_view kLogger = "delivery.ses_sqs";

using nlohmann::json;
using TaskResult = boost::system::result<CeleryTask, std::string>;

TaskResult fail(std::string why) {
  return TaskResult(boost::system::in_place_error, std::move(why));
}

// RFC 4648 base64 (with or without padding); nullopt on any other character.
std::optional<std::string> base64_decode(std::string_view in) {
  static const std::array<int, 256> table = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    const std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i)
      t[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    return t;
  }();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

// Celery writes eta with an offset (+00:00); one without is the worker's timezone, UTC in Notify.
std::optional<runtime::TimePoint> parse_eta(std::string_view text) {
  const auto t = text.find('T');
  const bool offset =
      t != std::string_view::npos && text.find_first_of("Z+-", t) != std::string_view::npos;
  return parse_receipt_time(text, offset ? NaiveTime::london : NaiveTime::drop_offset);
}

json parse_json(std::string_view text) { return json::parse(text, nullptr, false); }

}  // namespace

TaskResult decode_celery_task(std::string_view sqs_body) {
  auto outer_text = base64_decode(sqs_body);
  if (!outer_text) return fail("the MessageBody is not base64");
  const json envelope = parse_json(*outer_text);
  if (!envelope.is_object()) return fail("the MessageBody is not a base64 JSON object");
  const auto headers = envelope.find("headers");
  if (headers == envelope.end() || !headers->is_object())
    return fail("the envelope has no headers object (not Celery protocol 2)");
  CeleryTask task;
  if (auto it = headers->find("task"); it != headers->end() && it->is_string())
    task.task = it->get<std::string>();
  else
    return fail("the envelope's headers have no task name");
  if (auto it = headers->find("id"); it != headers->end() && it->is_string())
    task.id = it->get<std::string>();
  if (auto it = headers->find("eta"); it != headers->end() && it->is_string()) {
    task.eta = parse_eta(it->get_ref<const std::string&>());
    if (!task.eta) return fail("the envelope's eta is not an ISO 8601 time");
  }

  const auto body = envelope.find("body");
  if (body == envelope.end() || !body->is_string()) return fail("the envelope has no body string");
  std::string encoding = "base64";
  if (auto p = envelope.find("properties"); p != envelope.end() && p->is_object())
    encoding = p->value("body_encoding", "base64");
  std::string payload_text = body->get<std::string>();
  if (encoding == "base64") {
    auto decoded = base64_decode(payload_text);
    if (!decoded) return fail("the envelope's body is not base64");
    payload_text = std::move(*decoded);
  } else {
    return fail("the envelope's body_encoding is not base64");
  }
  const json payload = parse_json(payload_text);
  if (!payload.is_array() || payload.size() != 3 || !payload[0].is_array() ||
      !payload[1].is_object())
    return fail("the task body is not [args, kwargs, embed]");
  const json& args = payload[0];
  if (args.empty() || !args[0].is_object())
    return fail("the task's first argument is not an object");
  const auto message = args[0].find("Message");
  if (message == args[0].end() || !message->is_string())
    return fail("the task's first argument has no Message string");
  task.ses_event = message->get<std::string>();
  if (args.size() > 1 && args[1].is_string()) {
    task.receipt_iso_timestamp = args[1].get<std::string>();
  } else if (auto k = payload[1].find("receipt_iso_timestamp");
             k != payload[1].end() && k->is_string()) {
    task.receipt_iso_timestamp = k->get<std::string>();
  }
  return task;
}

// ---------------------------------------------------------------------------------------------
// The consumer. Every callback holds a weak reference, so one that arrives after the consumer
// is gone (a wire-mode answer, a timer) does nothing.

struct SesSqsConsumer::Impl : std::enable_shared_from_this<SesSqsConsumer::Impl> {
  transport::HttpTransport& transport;
  runtime::Clock& clock;
  store::Store& store;
  telemetry::Logger& logger;
  telemetry::Metrics& metrics;
  SesSqsConsumerOptions options;
  std::function<bool()> active;
  std::string endpoint;  // the queue URL's origin, with a trailing '/'
  Stats stats;
  bool started = false, stopped = false, polling = false;
  std::size_t held = 0;

  Impl(transport::HttpTransport& t, runtime::Clock& c, store::Store& s, telemetry::Logger& l,
       telemetry::Metrics& m, SesSqsConsumerOptions o, std::function<bool()> a)
      : transport(t),
        clock(c),
        store(s),
        logger(l),
        metrics(m),
        options(std::move(o)),
        active(std::move(a)) {
    auto url = transport::parse_url(options.queue_url);
    if (!url)
      throw std::invalid_argument("queue_url " + options.queue_url + " is not an http(s) URL");
    endpoint = url->scheme + "://" + url->authority() + "/";
  }

  std::weak_ptr<Impl> weak() { return shared_from_this(); }

  transport::Request sqs_request(std::string_view action, const json& body) {
    transport::Request r;
    r.method = "POST";
    r.target = endpoint;
    r.headers.set("Content-Type", "application/x-amz-json-1.0");
    r.headers.set("X-Amz-Target", "AmazonSQS." + std::string(action));
    r.body = body.dump();
    aws::SigV4Scope scope{options.credentials.access_key_id, options.credentials.secret_access_key,
                          options.credentials.session_token, options.region, "sqs"};
    aws::sign_request(r, scope, clock.now());
    return r;
  }

  // The SQS error's type ("AWS.SimpleQueueService.NonExistentQueue", ...) for a log line.
  static std::string error_name(const transport::Response& response) {
    const json j = parse_json(response.body);
    std::string name = j.is_object() ? j.value("__type", "") : "";
    if (auto hash = name.rfind('#'); hash != std::string::npos) name = name.substr(hash + 1);
    return "HTTP " + std::to_string(response.status) + (name.empty() ? "" : " " + name);
  }

  void poll_later(runtime::Duration delay) {
    polling = true;
    clock.schedule_after(delay, [w = weak()] {
      if (auto self = w.lock()) {
        self->polling = false;
        self->receive();
      }
    });
  }

  void receive() {
    if (stopped || polling) return;
    if (active && !active()) return;  // idle until wake()
    polling = true;
    json body = {{"QueueUrl", options.queue_url},
                 {"MaxNumberOfMessages", options.max_messages},
                 {"WaitTimeSeconds", options.wait_time.count()},
                 {"VisibilityTimeout", options.visibility_timeout.count()},
                 {"AttributeNames", {"ApproximateReceiveCount"}}};
    transport::SendOptions send = options.send_options;
    send.read_timeout += std::chrono::duration_cast<std::chrono::milliseconds>(options.wait_time);
    transport.send(sqs_request("ReceiveMessage", body), send,
                   [w = weak()](transport::SendResult result) {
                     if (auto self = w.lock()) self->received(std::move(result));
                   });
  }

  void received(transport::SendResult result) {
    polling = false;
    if (!result || result->status != 200) {
      ++stats.receive_errors;
      logger.warning(kLogger, "ReceiveMessage on " + options.queue_url + " failed (" +
                                  (result ? error_name(*result) : result.error().message()) +
                                  "); next receive in " +
                                  std::to_string(options.error_backoff.count()) + " ms");
      poll_later(options.error_backoff);
      return;
    }
    ++stats.receives;
    const json answer = parse_json(result->body);
    if (answer.is_object()) {
      if (auto messages = answer.find("Messages"); messages != answer.end() && messages->is_array())
        for (const json& m : *messages) take(m);
    }
    receive();
  }

  void take(const json& m) {
    ++stats.messages;
    if (!m.is_object()) return;
    const std::string id = m.value("MessageId", "");
    const std::string handle = m.value("ReceiptHandle", "");
    std::string receives = "?";
    if (auto a = m.find("Attributes"); a != m.end() && a->is_object())
      receives = a->value("ApproximateReceiveCount", "?");
    auto task = decode_celery_task(m.value("Body", ""));
    if (task && task->task != kSesResultTask)
      task = fail("task " + task->task + " is not " + std::string(kSesResultTask));
    if (!task) {
      ++stats.undecodable;
      logger.warning(kLogger, "SQS message " + id + " (receive " + receives +
                                  ") left on the queue for its redrive policy: " + task.error());
      return;
    }
    // Like a Celery worker with an eta: held in memory, unacknowledged, until it is due.
    ++held;
    const auto delay = task->eta ? *task->eta - clock.now() : runtime::Duration::zero();
    clock.schedule_after(delay, [w = weak(), t = std::move(*task), handle] {
      if (auto self = w.lock()) self->run(t, handle);
    });
  }

  void run(const CeleryTask& task, const std::string& handle) {
    auto applied = apply_ses_event(store, clock, logger, metrics, task.ses_event);
    ++stats.applied;
    if (!applied && applied.error() == make_error_code(errc::not_found)) {
      // Notify's task retries an event that overtook the send's answer; so does the HTTP path.
      auto event = parse_ses_event(task.ses_event);
      if (event)
        clock.schedule_after(kReceiptRetryDelay, [w = weak(), held_event = *event] {
          if (auto self = w.lock())
            (void)apply_ses_event(self->store, self->clock, self->logger, self->metrics,
                                  held_event);
        });
    }
    // acks_late is off in Notify: the message is acknowledged (deleted) once the task has run,
    // whatever its outcome.
    transport.send(
        sqs_request("DeleteMessage", {{"QueueUrl", options.queue_url}, {"ReceiptHandle", handle}}),
        options.send_options, [w = weak(), id = task.id](transport::SendResult r) {
          auto self = w.lock();
          if (!self) return;
          --self->held;
          if (r && r->status == 200) {
            ++self->stats.deleted;
          } else {
            ++self->stats.delete_errors;
            self->logger.warning(kLogger,
                                 "DeleteMessage for task " + id + " failed (" +
                                     (r ? error_name(*r) : r.error().message()) +
                                     "); the message comes back after its visibility time-out");
          }
        });
  }
};

SesSqsConsumer::SesSqsConsumer(transport::HttpTransport& transport, runtime::Clock& clock,
                               store::Store& store, telemetry::Logger& logger,
                               telemetry::Metrics& metrics, SesSqsConsumerOptions options,
                               std::function<bool()> active)
    : impl_(std::make_shared<Impl>(transport, clock, store, logger, metrics, std::move(options),
                                   std::move(active))) {}

SesSqsConsumer::~SesSqsConsumer() { impl_->stopped = true; }

void SesSqsConsumer::start() {
  if (impl_->started) return;
  impl_->started = true;
  impl_->poll_later(impl_->options.start_delay);
}

void SesSqsConsumer::stop() { impl_->stopped = true; }

void SesSqsConsumer::wake() {
  if (impl_->started) impl_->receive();
}

const SesSqsConsumer::Stats& SesSqsConsumer::stats() const { return impl_->stats; }

std::size_t SesSqsConsumer::held() const { return impl_->held; }

}  // namespace notify::delivery
