// SqsStub: reads a request in either protocol, checks its signature in strict mode, renders
// injected faults, runs the operation under the state lock and answers; a ReceiveMessage that
// finds nothing waits (long polling) on the run's clock until a message arrives or becomes
// visible, or until its WaitTimeSeconds are up.
#include "core.hpp"

#include "notify/aws/sigv4.hpp"
#include "notify/runtime/assert.hpp"
#include "notify/stubs/fields.hpp"

#include <algorithm>

namespace notify::stubs {

using nlohmann::json;
using sqs::Core;
using sqs::Input;
using sqs::Protocol;
using sqs::SqsError;

namespace {

// One ReceiveMessage waiting for a message.
struct Waiter {
  Input input;
  std::string request_id;
  runtime::TimePoint deadline{};
  Answer answer;
};

std::optional<SqsError> check_auth(const SqsOptions& options, const transport::Request& r) {
  const bool strict = !options.strict_sigv4.empty();
  auto header = r.headers.get("Authorization");
  if (!header) {
    if (!strict) return std::nullopt;
    return SqsError{403, "MissingAuthenticationToken",
                    "com.amazon.coral.service#MissingAuthenticationTokenException",
                    "Request is missing Authentication Token"};
  }
  auto parsed = aws::parse_authorization(*header);
  if (!parsed)
    return SqsError{400, "IncompleteSignature",
                    "com.amazon.coral.service#IncompleteSignatureException",
                    "The request signature does not conform to AWS standards."};
  if (!strict) return std::nullopt;
  auto key = options.strict_sigv4.find(parsed->access_key_id);
  if (key == options.strict_sigv4.end())
    return SqsError{403, "InvalidClientTokenId", "com.amazon.coral.service#InvalidClientTokenId",
                    "The security token included in the request is invalid."};
  if (parsed->service != "sqs" || !aws::verify_request(r, key->second).empty())
    return SqsError{403, "SignatureDoesNotMatch", "com.amazon.coral.service#SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you "
                    "provided. Check your AWS Secret Access Key and signing method. Consult the "
                    "service documentation for details."};
  return std::nullopt;
}

std::optional<SqsError> fault_error(const std::string& name) {
  if (name == kSqsThrottled) return sqs::throttled();
  if (name == kSqsOverLimit)
    return SqsError{403, "OverLimit", "OverLimit",
                    "The specified action violates a limit. For example, ReceiveMessage returns "
                    "this error if the maximum number of in flight messages is reached."};
  if (name == kSqsInternalError)
    return SqsError{500, "InternalError", "com.amazon.coral.service#InternalFailure",
                    "We encountered an internal error. Please try again.", false};
  if (name == kSqsServiceUnavailable)
    return SqsError{503, "ServiceUnavailable",
                    "com.amazon.coral.service#ServiceUnavailableException",
                    "Service is unable to handle request.", false};
  return std::nullopt;
}

bool mutates_messages(std::string_view action) {
  return action == "SendMessage" || action == "SendMessageBatch" ||
         action == "ChangeMessageVisibility" || action == "ChangeMessageVisibilityBatch" ||
         action == "SetQueueAttributes";
}

}  // namespace

struct SqsStub::Impl : std::enable_shared_from_this<SqsStub::Impl> {
  explicit Impl(SqsOptions options) : core(std::move(options)) {}
  Core core;  // core.mutex guards everything here
  std::map<std::uint64_t, Waiter> waiters;
  std::uint64_t next_waiter = 1;

  sqs::Result run(const Input& in, bool duplicate);
  void receive(Input in, std::string rid, bool empty_fault, Answer answer);
  void check_waiter(std::uint64_t id);
  void wake_all();
  void schedule_check(std::uint64_t id, runtime::TimePoint at);
};

sqs::Result SqsStub::Impl::run(const Input& in, bool duplicate) {
  const std::string& a = in.action;
  if (a == "CreateQueue") return sqs::create_queue(core, in);
  if (a == "GetQueueUrl") return sqs::get_queue_url(core, in);
  if (a == "ListQueues") return sqs::list_queues(core, in);
  if (a == "GetQueueAttributes") return sqs::get_queue_attributes(core, in);
  if (a == "SetQueueAttributes") return sqs::set_queue_attributes(core, in);
  if (a == "DeleteQueue") return sqs::delete_queue(core, in);
  if (a == "PurgeQueue") return sqs::purge_queue(core, in);
  if (a == "SendMessage") return sqs::send_message(core, in, duplicate);
  if (a == "SendMessageBatch") return sqs::send_message_batch(core, in, duplicate);
  if (a == "DeleteMessage") return sqs::delete_message(core, in);
  if (a == "DeleteMessageBatch") return sqs::delete_message_batch(core, in);
  if (a == "ChangeMessageVisibility") return sqs::change_visibility(core, in);
  if (a == "ChangeMessageVisibilityBatch") return sqs::change_visibility_batch(core, in);
  return sqs::tag_ops(core, in);
}

void SqsStub::Impl::schedule_check(std::uint64_t id, runtime::TimePoint at) {
  std::weak_ptr<Impl> weak = weak_from_this();
  core.services->clock().schedule_after(at - core.now(), [weak, id] {
    if (auto self = weak.lock()) self->check_waiter(id);
  });
}

void SqsStub::Impl::receive(Input in, std::string rid, bool empty_fault, Answer answer) {
  std::unique_lock lock(core.mutex);
  auto wait = sqs::wait_seconds(core, in);
  if (auto* e = std::get_if<SqsError>(&wait)) {
    lock.unlock();
    return answer(sqs::render_error(in.protocol, *e, rid));
  }
  const auto deadline = core.now() + std::chrono::seconds(std::get<std::int64_t>(wait));
  if (!empty_fault) {
    auto result = sqs::receive_message(core, in, std::get<std::int64_t>(wait) == 0);
    if (result) {
      lock.unlock();
      if (auto* e = std::get_if<SqsError>(&*result))
        return answer(sqs::render_error(in.protocol, *e, rid));
      return answer(sqs::render_result(in, std::get<json>(*result), rid));
    }
  }
  const std::uint64_t id = next_waiter++;
  waiters.emplace(id, Waiter{std::move(in), std::move(rid), deadline, std::move(answer)});
  if (empty_fault) {
    // The fault answers nothing however many messages wait: only the deadline ends it.
    waiters.at(id).input.params["__empty"] = true;
    schedule_check(id, deadline);
    return;
  }
  Input probe = waiters.at(id).input;
  auto found = core.find_queue(probe);
  auto next = std::holds_alternative<sqs::Queue*>(found)
                  ? core.next_visible(*std::get<sqs::Queue*>(found))
                  : std::nullopt;
  schedule_check(id, next && *next < deadline ? *next : deadline);
}

void SqsStub::Impl::check_waiter(std::uint64_t id) {
  std::unique_lock lock(core.mutex);
  auto it = waiters.find(id);
  if (it == waiters.end()) return;
  Waiter& w = it->second;
  const bool give_up = core.now() >= w.deadline;
  std::optional<sqs::Result> result;
  if (w.input.params.contains("__empty")) {
    if (give_up) result = sqs::Result(json::object());
  } else {
    result = sqs::receive_message(core, w.input, give_up);
  }
  if (!result) {
    auto found = core.find_queue(w.input);
    auto next = std::holds_alternative<sqs::Queue*>(found)
                    ? core.next_visible(*std::get<sqs::Queue*>(found))
                    : std::nullopt;
    schedule_check(id, next && *next < w.deadline ? *next : w.deadline);
    return;
  }
  Waiter done = std::move(w);
  waiters.erase(it);
  lock.unlock();
  if (auto* e = std::get_if<SqsError>(&*result))
    return done.answer(sqs::render_error(done.input.protocol, *e, done.request_id));
  done.answer(sqs::render_result(done.input, std::get<json>(*result), done.request_id));
}

void SqsStub::Impl::wake_all() {
  std::vector<std::uint64_t> ids;
  {
    std::lock_guard lock(core.mutex);
    for (const auto& [id, w] : waiters) ids.push_back(id);
  }
  std::weak_ptr<Impl> weak = weak_from_this();
  for (auto id : ids)
    core.services->clock().post([weak, id] {
      if (auto self = weak.lock()) self->check_waiter(id);
    });
}

SqsStub::SqsStub() : SqsStub(SqsOptions{}) {}
SqsStub::SqsStub(SqsOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}
SqsStub::~SqsStub() = default;

bool SqsStub::accepts(const transport::Request& request) const {
  return sqs::is_sqs_request(request);
}

RequestInfo SqsStub::describe(const transport::Request& request) const {
  RequestInfo info{"sqs", "", "", sqs::operation_of(request), ""};
  // The queue's name is the "recipient", so that a fault rule can name one queue.
  std::string url;
  if (request.headers.contains("X-Amz-Target")) {
    json body = json::parse(request.body, nullptr, false);
    if (body.is_object()) url = body.value("QueueUrl", "");
  } else if (request.path().size() > 1) {
    url = std::string(request.path());
  } else if (auto form = transport::parse_form(request.body)) {
    for (const auto& [k, v] : *form)
      if (k == "QueueUrl" || k == "QueueName") url = v;
  }
  info.recipient = url.substr(url.rfind('/') + 1);
  return info;
}

StubAnswer SqsStub::handle(const Call& call) {
  auto out = std::make_shared<std::optional<StubAnswer>>();
  handle_async(call, [out](StubAnswer a) { *out = std::move(a); });
  if (*out) return std::move(**out);
  return sqs::render_error(Protocol::query,
                           SqsError{500, "InternalError", "InternalError",
                                    "the receive answers later; use handle_async", false},
                           "0");
}

void SqsStub::handle_async(const Call& call, Answer answer) {
  NOTIFY_ASSERT(impl_->core.services != nullptr);
  const transport::Request& r = call.request;
  const std::string rid = impl_->core.services->rng().uuid4();
  const Protocol guess = r.headers.contains("X-Amz-Target") ? Protocol::json : Protocol::query;
  SqsOptions options;
  {
    std::lock_guard lock(impl_->core.mutex);
    options = impl_->core.options;
  }
  if (auto denied = check_auth(options, r)) return answer(sqs::render_error(guess, *denied, rid));
  auto read = sqs::read_input(r);
  if (auto* e = std::get_if<SqsError>(&read)) return answer(sqs::render_error(guess, *e, rid));
  Input in = std::get<Input>(std::move(read));
  if (auto e = fault_error(call.error)) return answer(sqs::render_error(in.protocol, *e, rid));
  if (!call.error.empty()) {
    // A fault answered with success (a duplicated send, an empty receive) is journaled under
    // its name, as the host journals any injected error, so a reader sees why.
    answer = [answer = std::move(answer), name = "error:" + call.error](StubAnswer a) {
      if (a.outcome == "ok") a.outcome = name;
      answer(std::move(a));
    };
  }
  if (in.action == "ReceiveMessage")
    return impl_->receive(std::move(in), rid, call.error == kSqsEmptyReceive, std::move(answer));
  sqs::Result result;
  {
    std::lock_guard lock(impl_->core.mutex);
    result = impl_->run(in, call.error == kSqsDuplicateDelivery);
  }
  if (auto* e = std::get_if<SqsError>(&result))
    return answer(sqs::render_error(in.protocol, *e, rid));
  StubAnswer a = sqs::render_result(in, std::get<json>(result), rid);
  a.reference = std::get<json>(result).value("MessageId", "");
  if (mutates_messages(in.action)) impl_->wake_all();
  answer(std::move(a));
}

std::optional<SelectorNames> SqsStub::selector_names() const {
  SelectorNames names;
  for (const auto& op : sqs::operation_names()) names.operations.insert(op);
  names.operations.insert("Unknown");
  return names;
}

std::vector<std::string> SqsStub::error_names() const {
  return {kSqsThrottled,          kSqsOverLimit,         kSqsInternalError,
          kSqsServiceUnavailable, kSqsDuplicateDelivery, kSqsEmptyReceive};
}

void SqsStub::reset() {
  std::map<std::uint64_t, Waiter> pending;
  {
    std::lock_guard lock(impl_->core.mutex);
    pending.swap(impl_->waiters);
    impl_->core.queues.clear();
    impl_->core.deleted_at.clear();
    impl_->core.generation += 1;
    if (impl_->core.services != nullptr) impl_->core.create_default_queues();
  }
  // A receive still waiting is answered, empty, so that every request gets its one answer.
  for (auto& [id, w] : pending) w.answer(sqs::render_result(w.input, json::object(), w.request_id));
}

namespace {

bool is_fifo(const std::string& name) {
  return name.size() > 5 && name.compare(name.size() - 5, 5, ".fifo") == 0;
}

// `queue_attributes` ({"queue": {"RedrivePolicy": "..."}}) and `messages` ({"queue": ["body"]}),
// each naming queues of `queues`.
void read_queue_extras(Fields& f, SqsOptions& o) {
  auto listed = [&o](const std::string& name) {
    return std::find(o.queues.begin(), o.queues.end(), name) != o.queues.end();
  };
  if (const auto* a = f.object("queue_attributes")) {
    o.queue_attributes.clear();
    for (const auto& [queue, attrs] : a->items()) {
      const std::string at = f.at("queue_attributes") + "." + queue;
      if (!listed(queue)) f.fail(at, "a queue named in stubs.sqs.queues", "\"" + queue + "\"");
      if (!attrs.is_object())
        f.fail(at, "an object of attribute names to string values", attrs.dump());
      for (const auto& [name, value] : attrs.items()) {
        if (name == "FifoQueue")
          f.fail(at + "." + name, "no FifoQueue (a name ending .fifo makes a FIFO queue)",
                 value.dump());
        if (auto e = sqs::check_attribute(name, value, is_fifo(queue), true))
          f.fail(at + "." + name, "a valid " + name + " (" + e->message + ")", value.dump());
        o.queue_attributes[queue][name] = value.get<std::string>();
      }
    }
  }
  if (const auto* m = f.object("messages")) {
    o.messages.clear();
    for (const auto& [queue, bodies] : m->items()) {
      const std::string at = f.at("messages") + "." + queue;
      if (!listed(queue)) f.fail(at, "a queue named in stubs.sqs.queues", "\"" + queue + "\"");
      if (!bodies.is_array()) f.fail(at, "an array of message bodies", bodies.dump());
      for (const auto& body : bodies) {
        if (!body.is_string() || body.get<std::string>().empty())
          f.fail(at, "an array of non-empty message body strings", body.dump());
        o.messages[queue].push_back(body.get<std::string>());
      }
    }
  }
}

}  // namespace

std::optional<FieldError> SqsStub::configure(const json& config) {
  SqsOptions o = options();
  try {
    Fields f(config, "");
    if (auto v = f.string("region")) o.region = *v;
    if (auto v = f.string("account")) {
      if (v->size() != 12 || v->find_first_not_of("0123456789") != std::string::npos)
        f.fail_value("account", "a 12-digit AWS account id");
      o.account = *v;
    }
    if (const auto* s = f.object("strict_sigv4")) {
      o.strict_sigv4.clear();
      for (const auto& [akid, secret] : s->items()) {
        if (!secret.is_string())
          f.fail(f.at("strict_sigv4") + "." + akid, "a secret access key string",
                 quote_json(secret));
        o.strict_sigv4[akid] = secret.get<std::string>();
      }
    }
    if (auto v = f.integer("queues_max", 1)) o.queues_max = static_cast<std::size_t>(*v);
    if (auto v = f.integer("queue_messages_max", 1))
      o.queue_messages_max = static_cast<std::size_t>(*v);
    if (auto v = f.integer("queue_bytes_max", 1))
      o.queue_bytes_max = static_cast<std::uint64_t>(*v);
    if (const auto* a = f.array("queues")) {
      o.queues.clear();
      for (const auto& x : *a) {
        const bool ok = x.is_string() && !x.get<std::string>().empty() &&
                        x.get<std::string>().size() <= 80 &&
                        x.get<std::string>().find_first_not_of(
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
                            std::string::npos;
        if (!ok)
          f.fail_value("queues",
                       "an array of queue names (1 to 80 of A-Z a-z 0-9 - _, "
                       "and .fifo for a FIFO queue)");
        o.queues.push_back(x.get<std::string>());
      }
    }
    read_queue_extras(f, o);
    f.no_others();
  } catch (const ConfigError& e) {
    return e.error();
  }
  std::lock_guard lock(impl_->core.mutex);
  impl_->core.options = std::move(o);
  if (impl_->core.services != nullptr) {
    // Queues created at attach take the new attributes and messages too.
    std::set<std::string> existing;
    for (const auto& [name, q] : impl_->core.queues) existing.insert(name);
    impl_->core.create_default_queues();
    impl_->core.apply_queue_config(existing);
  }
  return std::nullopt;
}

void SqsStub::attach(StubServices& services) {
  Stub::attach(services);
  std::lock_guard lock(impl_->core.mutex);
  impl_->core.services = &services;
  impl_->core.create_default_queues();
}

SqsOptions SqsStub::options() const {
  std::lock_guard lock(impl_->core.mutex);
  return impl_->core.options;
}

std::vector<SqsQueueView> SqsStub::queues() const {
  std::lock_guard lock(impl_->core.mutex);
  std::vector<SqsQueueView> out;
  if (impl_->core.services == nullptr) return out;
  for (const auto& [name, q] : impl_->core.queues) out.push_back(impl_->core.view(q));
  return out;
}

json SqsStub::state() const {
  json queues = json::array();
  for (const auto& v : this->queues())
    queues.push_back({{"name", v.name},
                      {"url_path", v.url_path},
                      {"visible", v.visible},
                      {"in_flight", v.in_flight},
                      {"delayed", v.delayed},
                      {"bytes", v.bytes},
                      {"sent", v.sent},
                      {"duplicated", v.duplicated},
                      {"moved_in", v.moved_in},
                      {"received", v.received},
                      {"deleted", v.deleted},
                      {"dead_lettered", v.dead_lettered},
                      {"expired", v.expired}});
  std::lock_guard lock(impl_->core.mutex);
  return {{"queues", queues}, {"receives_waiting", impl_->waiters.size()}};
}

}  // namespace notify::stubs
