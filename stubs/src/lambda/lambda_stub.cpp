// LambdaStub: routes an Invoke to its function after the checks Lambda makes first (auth,
// injected service errors, the name, the qualifier, size, invocation type, JSON).
#include "core.hpp"

#include "notify/aws/sigv4.hpp"
#include "notify/runtime/assert.hpp"
#include "notify/stubs/cbc.hpp"
#include "notify/stubs/fields.hpp"

#include <memory>

namespace notify::stubs {

namespace {

constexpr std::size_t kSyncPayloadMax = 6 * 1024 * 1024;      // 6291456 bytes
constexpr std::size_t kAsyncPayloadMax = 256 * 1024;          // 262144 bytes

std::string query_param(std::string_view query, std::string_view name) {
  auto form = transport::parse_form(query);
  if (!form) return {};
  for (const auto& [k, v] : *form)
    if (k == name) return v;
  return {};
}

nlohmann::json typed(const char* key, std::string message) {
  return {{"Type", "User"}, {key, std::move(message)}};
}

}  // namespace

struct LambdaStub::Impl {
  mutable std::mutex mutex;
  LambdaOptions options;
  LambdaCounters counters;
  StubServices* services = nullptr;
  std::uint64_t generation = 0;

  std::optional<StubAnswer> check_auth(const transport::Request& r, const std::string& rid);
  std::string arn(const std::string& name, const std::string& qualifier) const {
    return "arn:aws:lambda:" + options.region + ":" + options.account + ":function:" + name +
           (qualifier.empty() ? "" : ":" + qualifier);
  }
};

std::optional<StubAnswer> LambdaStub::Impl::check_auth(const transport::Request& r,
                                                       const std::string& rid) {
  const bool strict = !options.strict_sigv4.empty();
  auto header = r.headers.get("Authorization");
  if (!header) {
    if (!strict) return std::nullopt;
    return lambda::service_error(403, "MissingAuthenticationTokenException",
                                 {{"message", "Missing Authentication Token"}}, rid);
  }
  auto parsed = aws::parse_authorization(*header);
  if (!parsed)
    return lambda::service_error(
        400, "IncompleteSignatureException",
        {{"message", "Authorization header requires 'Credential', 'Signature' and "
                     "'SignedHeaders' parameters."}},
        rid);
  if (!strict) return std::nullopt;
  auto key = options.strict_sigv4.find(parsed->access_key_id);
  if (key == options.strict_sigv4.end())
    return lambda::service_error(
        403, "UnrecognizedClientException",
        {{"message", "The security token included in the request is invalid."}}, rid);
  // Lambda checks the scope's region before the signature.
  if (parsed->region != options.region)
    return lambda::service_error(
        403, "InvalidSignatureException",
        {{"message", "Credential should be scoped to a valid region, not '" + parsed->region +
                         "'. "}},
        rid);
  if (parsed->service != "lambda" || !aws::verify_request(r, key->second).empty())
    return lambda::service_error(
        403, "InvalidSignatureException",
        {{"message", "The request signature we calculated does not match the signature you "
                     "provided. Check your AWS Secret Access Key and signing method. Consult "
                     "the service documentation for details."}},
        rid);
  return std::nullopt;
}

LambdaStub::LambdaStub() : LambdaStub(LambdaOptions{}) {}
LambdaStub::LambdaStub(LambdaOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
}
LambdaStub::~LambdaStub() = default;

bool LambdaStub::accepts(const transport::Request& request) const {
  return request.path().substr(0, 12) == "/2015-03-31/";
}

RequestInfo LambdaStub::describe(const transport::Request& request) const {
  RequestInfo info{"lambda", "", "", "Unknown", ""};
  auto segment = lambda::invoke_function_segment(request.path());
  if (!segment || request.method != "POST") return info;
  info.operation = "Invoke";
  auto ref = lambda::parse_function_name(*segment);
  if (auto* r = std::get_if<lambda::FunctionRef>(&ref)) {
    info.recipient = r->name;  // selectors may glob on the function name
    if (auto fn = lambda::find_function(r->name)) {
      info.provider = fn->op;
      info.az = fn->az;
    }
  }
  return info;
}

StubAnswer LambdaStub::handle(const Call& call) {
  // A proxy function answers later; the completion must not outlive this frame's storage.
  auto out = std::make_shared<std::optional<StubAnswer>>();
  handle_async(call, [out](StubAnswer a) { *out = std::move(a); });
  if (*out) return std::move(**out);
  return lambda::service_error(500, "ServiceException",
                               {{"Type", "Service"},
                                {"Message", "the function answers later; use handle_async"}},
                               "0");
}

void LambdaStub::handle_async(const Call& call, Answer answer) {
  const transport::Request& r = call.request;
  NOTIFY_ASSERT(impl_->services != nullptr);
  StubServices& services = *impl_->services;
  const std::string rid = services.rng().uuid4();
  auto segment = lambda::invoke_function_segment(r.path());
  if (!segment || r.method != "POST") {
    answer(not_found(r));
    return;
  }
  std::unique_lock lock(impl_->mutex);
  const LambdaOptions options = impl_->options;
  auto service_error = [&](StubAnswer a) {
    impl_->counters.service_errors += 1;
    lock.unlock();
    answer(std::move(a));
  };
  if (auto denied = impl_->check_auth(r, rid)) return service_error(std::move(*denied));
  if (call.error == kLambdaCredentialsRevoked)
    return service_error(lambda::service_error(
        403, "UnrecognizedClientException",
        {{"message", "The security token included in the request is invalid."}}, rid));
  if (call.error == kLambdaThrottled) {
    auto a = lambda::service_error(429, "TooManyRequestsException",
                                   {{"Reason", "ReservedFunctionConcurrentInvocationLimitExceeded"},
                                    {"Type", "User"},
                                    {"message", "Rate Exceeded."}},
                                   rid);
    a.response.headers.set("Retry-After", "1");
    return service_error(std::move(a));
  }
  if (call.error == kLambdaServiceError)
    return service_error(lambda::service_error(
        500, "ServiceException",
        {{"Type", "Service"}, {"Message", "Lambda was unable to process the request."}}, rid));

  auto parsed = lambda::parse_function_name(*segment);
  if (auto* message = std::get_if<std::string>(&parsed))
    return service_error(
        lambda::service_error(400, "ValidationException", {{"message", *message}}, rid));
  const auto& ref = std::get<lambda::FunctionRef>(parsed);
  std::string qualifier = query_param(r.query(), "Qualifier");
  if (std::string message = lambda::qualifier_error(qualifier); !message.empty())
    return service_error(
        lambda::service_error(400, "ValidationException", {{"message", message}}, rid));
  if (!ref.qualifier.empty() && !qualifier.empty() && qualifier != ref.qualifier)
    return service_error(lambda::service_error(
        400, "InvalidParameterValueException",
        typed("message",
              "The derived qualifier from the function name does not match the specified "
              "qualifier."),
        rid));
  if (qualifier.empty()) qualifier = ref.qualifier;
  auto fn = lambda::find_function(ref.name);
  const bool other_place = (!ref.region.empty() && ref.region != options.region) ||
                           (!ref.account.empty() && ref.account != options.account);
  const bool known_qualifier = qualifier.empty() || qualifier == "$LATEST" ||
                               options.aliases.contains(qualifier);
  if (!fn || other_place || !known_qualifier)
    return service_error(lambda::service_error(
        404, "ResourceNotFoundException",
        typed("Message", "Function not found: " + impl_->arn(ref.name, qualifier)), rid));

  std::string type(r.headers.get_or("X-Amz-Invocation-Type", "RequestResponse"));
  if (type != "RequestResponse" && type != "Event" && type != "DryRun")
    return service_error(lambda::service_error(
        400, "InvalidParameterValueException",
        typed("message", "Unsupported invocation type: " + type +
                             " (RequestResponse, Event or DryRun)"),
        rid));
  // LogType is None or Tail in the model; another value is refused like another invocation type
  // rather than ignored.
  std::string log_type(r.headers.get_or("X-Amz-Log-Type", "None"));
  if (log_type != "None" && log_type != "Tail")
    return service_error(lambda::service_error(
        400, "InvalidParameterValueException",
        typed("message", "Unsupported log type: " + log_type + " (None or Tail)"), rid));
  const std::size_t max = type == "Event" ? kAsyncPayloadMax : kSyncPayloadMax;
  if (r.body.size() > max) {
    std::string m = type == "Event" ? std::to_string(r.body.size()) +
                                          " byte payload is too large for the Event invocation "
                                          "type (limit 262144 bytes)"
                                    : "Request must be smaller than 6291456 bytes for the "
                                      "InvokeFunction operation";
    return service_error(
        lambda::service_error(413, "RequestTooLargeException", typed("message", m), rid));
  }
  nlohmann::json payload = r.body.empty() ? nlohmann::json::object()
                                          : nlohmann::json::parse(r.body, nullptr, false);
  if (payload.is_discarded())
    return service_error(lambda::service_error(
        400, "InvalidRequestContentException",
        typed("message", "Could not parse request body into json: Could not parse payload into "
                         "json: Unexpected character in the request body"),
        rid));
  if (type == "DryRun") {
    lock.unlock();
    StubAnswer a;
    a.response.status = 204;
    a.response.headers.set("x-amzn-RequestId", rid);
    a.outcome = "ok";
    answer(std::move(a));
    return;
  }

  impl_->counters.invocations += 1;
  impl_->counters.by_function[fn->name] += 1;
  const bool tail = log_type == "Tail";
  // An Event invocation is accepted at once; the function still runs, and its result is dropped.
  if (type == "Event") {
    StubAnswer accepted;
    accepted.response.status = 202;
    accepted.response.headers.set("x-amzn-RequestId", rid);
    accepted.outcome = "ok";
    lock.unlock();
    answer(std::move(accepted));
    answer = [](StubAnswer) {};
  } else {
    lock.unlock();
  }
  std::weak_ptr<Impl> weak = impl_;
  // The function's answer, with Lambda's headers and counters, however it ends.
  auto finish = [weak, rid, tail, fn = *fn, type,
                 answer = std::move(answer)](StubAnswer a) mutable {
    if (auto impl = weak.lock()) {
      std::lock_guard l(impl->mutex);
      if (a.response.headers.contains("X-Amz-Function-Error")) impl->counters.function_errors += 1;
    }
    if (type == "Event") return;  // already answered 202
    if (tail) {
      std::string log = "START RequestId: " + rid + " Version: $LATEST\n";
      if (a.response.headers.contains("X-Amz-Function-Error"))
        log += "[ERROR] " + a.response.body.substr(0, 1000) + "\n";
      log += "END RequestId: " + rid + "\nREPORT RequestId: " + rid + "\n";
      a.response.headers.set("X-Amz-Log-Result", lambda::base64(log));
    }
    answer(std::move(a));
  };
  if (call.error == kLambdaFunctionTimeout) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f",
                  std::chrono::duration<double>(options.function_timeout).count());
    services.clock().schedule_after(
        options.function_timeout, [finish = std::move(finish), rid, seconds = std::string(seconds)]() mutable {
          finish(lambda::function_error(
              "Sandbox.Timedout",
              "RequestId: " + rid + " Error: Task timed out after " + seconds + " seconds", rid));
        });
    return;
  }
  if (call.error == kLambdaFunctionError) {
    finish(lambda::function_error("Exception", "the function failed (injected fault)", rid));
    return;
  }
  if (call.error == kLambdaFunctionErrorText) {
    // A runtime that died before it could write its error document: the payload is plain text.
    StubAnswer a = lambda::function_error("Runtime.ExitError", "", rid);
    a.response.headers.set("Content-Type", "text/plain");
    a.response.body = "RequestId: " + rid + " Error: Runtime exited with error: signal: killed";
    finish(std::move(a));
    return;
  }
  if (fn->op.empty()) {  // the canary answers that it ran
    finish(lambda::function_result(
        {{"success", true}, {"identifier", payload.value("identifier", nlohmann::json())}}, rid));
    return;
  }
  // lambda.tamper_document is no error of the function's: it runs as usual, and the canary,
  // which sends no document, is not affected.
  lambda::run_proxy(services, options, *fn, payload, call.seq, rid,
                    call.error == kLambdaTamperDocument, std::move(finish));
}

std::optional<SelectorNames> LambdaStub::selector_names() const {
  // A proxy function carries its operator and AZ; the canary carries neither.
  SelectorNames names{{"Invoke", "Unknown"}, {}, {}};
  for (auto op : kCbcOperators) names.providers.emplace(op);
  for (auto az : kCbcAzs) names.azs.emplace(az);
  return names;
}

std::vector<std::string> LambdaStub::error_names() const {
  return {kLambdaThrottled,       kLambdaServiceError,  kLambdaCredentialsRevoked,
          kLambdaFunctionTimeout, kLambdaFunctionError, kLambdaFunctionErrorText,
          kLambdaTamperDocument};
}

StubAnswer LambdaStub::not_found(const transport::Request& request) const {
  std::string rid = impl_->services != nullptr ? impl_->services->rng().uuid4() : "0";
  // API Gateway-fronted AWS APIs answer an unknown route this way.
  StubAnswer a = lambda::service_error(
      404, "UnknownOperationException",
      {{"message", "notify-sim's Lambda serves only POST /2015-03-31/functions/{FunctionName}/"
                   "invocations, not " +
                       request.method + " " + std::string(request.path())}},
      rid);
  return a;
}

void LambdaStub::reset() {
  std::lock_guard lock(impl_->mutex);
  impl_->counters = LambdaCounters{};
  impl_->generation += 1;
}

std::optional<FieldError> LambdaStub::configure(const nlohmann::json& config) {
  LambdaOptions o = options();
  try {
    Fields f(config, "");
    if (auto v = f.string("region")) o.region = *v;
    if (auto v = f.string("account")) o.account = *v;
    if (const auto* a = f.array("aliases")) {
      o.aliases.clear();
      for (const auto& x : *a) {
        if (!x.is_string()) f.fail_value("aliases", "an array of alias names");
        o.aliases.insert(x.get<std::string>());
      }
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
    if (auto v = f.integer("function_timeout_ms", 1))
      o.function_timeout = std::chrono::milliseconds(*v);
    if (auto v = f.integer("cbc_connect_timeout_ms", 1))
      o.cbc_connect_timeout = std::chrono::milliseconds(*v);
    if (auto v = f.integer("cbc_read_timeout_ms", 1))
      o.cbc_read_timeout = std::chrono::milliseconds(*v);
    if (auto v = f.string("generator")) {
      if (*v == "auto") {
        o.generator.reset();
      } else if (auto g = broadcast::parse_generator(*v)) {
        o.generator = *g;
      } else {
        f.fail_value("generator", "auto, notify-2023 or emergency-alerts");
      }
    }
    if (const auto* signing = f.object("signing")) {
      Fields g(*signing, f.at("signing"));
      auto key = g.string("key");
      auto certificate = g.string("certificate");
      auto test_pair = g.boolean("test_pair");
      g.no_others();
      o.signer.reset();
      o.signing_test_pair = false;
      if (test_pair.value_or(false)) {
        // The built-in pair is a key and a certificate: a path beside it would be ignored.
        if (key || certificate)
          g.fail(g.at("test_pair"), "true alone, or key and certificate without it",
                 std::string("true beside ") + (key && certificate ? "key and certificate"
                                                : key              ? "key"
                                                                   : "certificate"));
        try {
          const auto& pair = broadcast::test_pair();
          o.signer = std::make_shared<const broadcast::Signer>(broadcast::Signer::from_pem(
              pair.key_pem, pair.certificate_pem, std::string(broadcast::kTestPairLabel)));
          o.signing_test_pair = true;
        } catch (const std::runtime_error& e) {
          g.fail(g.at("test_pair"), "a test pair OpenSSL can make", e.what());
        }
      } else if (key || certificate) {
        if (!key) g.fail(g.at("key"), "the path of a PEM private key", "nothing");
        if (!certificate) g.fail(g.at("certificate"), "the path of a PEM certificate", "nothing");
        try {
          o.signer = std::make_shared<const broadcast::Signer>(
              broadcast::Signer::from_files(*key, *certificate));
        } catch (const std::runtime_error& e) {
          g.fail(g.at("key"), "a readable PEM key and certificate", e.what());
        }
      }
    }
    f.no_others();
  } catch (const ConfigError& e) {
    return e.error();
  }
  std::lock_guard lock(impl_->mutex);
  impl_->options = std::move(o);
  return std::nullopt;
}

void LambdaStub::attach(StubServices& services) {
  Stub::attach(services);
  std::lock_guard lock(impl_->mutex);
  impl_->services = &services;
}

LambdaOptions LambdaStub::options() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->options;
}

LambdaCounters LambdaStub::counters() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->counters;
}

}  // namespace notify::stubs
