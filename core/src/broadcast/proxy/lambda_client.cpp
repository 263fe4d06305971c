// The Lambda Invoke client as boto3 behaves for Notify: SigV4 with the CBC proxy's credentials,
// botocore's legacy retries for connection errors, throttles and 5xx, then the answer sorted
// the way _invoke_lambda sorts it.
#include "notify/broadcast/cbc_proxy.hpp"

#include "notify/client/botocore_retry.hpp"
#include "notify/client/client.hpp"

#include <cmath>

namespace notify::broadcast {

namespace {

std::string shorten(std::string_view s, std::size_t max = 1000) {
  return std::string(s.substr(0, max));
}

// A failed attempt the SDK retries by itself (botocore legacy mode): no response (one of its
// general socket errors), or an error answer its rule retries by status and code: 429, 500,
// 502, 503, 504, 509, and a 400 throttling code. A FunctionError is a 200: never retried.
bool sdk_retries(const Failure& f) {
  if (f.kind == FailureKind::transport || f.kind == FailureKind::timeout) return true;
  return f.status > 299 && client::botocore_legacy_retries(f.status, f.code);
}

// botocore's error code from a REST-JSON answer: the x-amzn-ErrorType header up to its first
// ':' ("ThrottlingException:http://internal.amazon.com/..."), or the status for a bare error.
std::string error_code(const transport::Response& r) {
  std::string_view type = r.headers.get_or("x-amzn-ErrorType", "");
  type = type.substr(0, type.find(':'));
  return type.empty() ? std::to_string(r.status) : std::string(type);
}

void interpret(const client::ClientTelemetry& telemetry, runtime::TimePoint started,
               const transport::Response& r, const client::ProviderHandler& done) {
  if (r.status > 299) {
    telemetry.error();
    Failure f;
    f.kind = r.status == 429   ? FailureKind::throttled
             : r.status >= 500 ? FailureKind::provider_5xx
                               : FailureKind::rejected_4xx;
    f.retry = Retry::failover;
    f.status = r.status;
    f.code = error_code(r);
    f.message = "StatusCode " + std::to_string(r.status) + ": " + shorten(r.body, 300);
    done(std::move(f));
    return;
  }
  if (auto fe = r.headers.get("X-Amz-Function-Error")) {
    telemetry.error();
    Failure f;
    f.kind = FailureKind::rejected_4xx;
    // Retry::never marks a payload Emergency Alerts' _convert_lambda_payload_to_json cannot read.
    f.retry = lambda_payload_decodes(r.body) ? Retry::failover : Retry::never;
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    std::string type = body.is_object() ? body.value("errorType", std::string()) : std::string();
    f.code = "FunctionError";
    f.message = std::string(*fe) + " " + type + ": " + shorten(r.body);
    done(std::move(f));
    return;
  }
  telemetry.success(started, r.transport_time);
  done(r.body);
}

class HttpLambdaClient final : public LambdaClient {
 public:
  HttpLambdaClient(transport::HttpTransport& transport, runtime::Clock& clock, runtime::Rng& rng,
                   telemetry::Metrics& metrics, telemetry::Logger& logger,
                   LambdaClientOptions options)
      : transport_(transport),
        rng_(rng),
        options_(std::move(options)),
        telemetry_(std::make_shared<client::ClientTelemetry>(client::ClientTelemetry{
            clock, metrics, logger, "clients.cbc-proxy", "CBC proxy Lambda request finished in "})),
        alive_(std::make_shared<int>(0)) {
    while (!options_.endpoint_url.empty() && options_.endpoint_url.back() == '/')
      options_.endpoint_url.pop_back();
  }

  void invoke(const std::string& name, const nlohmann::json& payload,
              std::function<void(InvokeResult)> done) override {
    std::string body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    telemetry_->logger.info("cbc_proxy",
                            "Calling lambda " + name + " with payload " + shorten(body));
    attempt(name, std::move(body), 1, std::move(done));
  }

 private:
  void attempt(const std::string& name, std::string body, int n,
               std::function<void(InvokeResult)> done) {
    transport::Request q;
    q.method = "POST";
    q.target = options_.endpoint_url + "/2015-03-31/functions/" + transport::percent_encode(name) +
               "/invocations";
    q.headers.set("X-Amz-Invocation-Type", "RequestResponse");
    q.body = body;
    aws::SigV4Scope scope{options_.credentials.access_key_id,
                          options_.credentials.secret_access_key,
                          options_.credentials.session_token, options_.region, "lambda"};
    aws::sign_request(q, scope, telemetry_->clock.now());
    std::weak_ptr<int> alive = alive_;
    client::send_and_interpret(
        transport_, std::move(q), options_.send_options, telemetry_,
        [this, alive, name, body = std::move(body), n,
         done = std::move(done)](client::ProviderResult r) mutable {
          if (alive.expired()) return;
          if (r) {
            done(InvokeResult{InvokeResult::Kind::ok, 200, "", shorten(*r, 300)});
            return;
          }
          const Failure& f = r.error();
          if (sdk_retries(f) && n < options_.sdk_max_attempts) {
            // botocore legacy: base * growth^(attempts - 1), base = random.random(), growth 2.
            double seconds = rng_.uniform01() * std::pow(2.0, n - 1);
            auto delay = std::chrono::duration_cast<runtime::Duration>(
                std::chrono::duration<double>(seconds));
            telemetry_->clock.schedule_after(delay, [this, alive, name, body = std::move(body), n,
                                                     done = std::move(done)]() mutable {
              if (alive.expired()) return;
              attempt(name, std::move(body), n + 1, std::move(done));
            });
            return;
          }
          InvokeResult out;
          if (f.kind == FailureKind::transport || f.kind == FailureKind::timeout) {
            out.kind = InvokeResult::Kind::unhandled;
            out.error =
                f.kind == FailureKind::timeout ? "ReadTimeoutError" : "EndpointConnectionError";
            out.detail = "Could not connect to the endpoint URL: \"" + options_.endpoint_url +
                         "/2015-03-31/functions/" + name + "/invocations\" (" + f.code + ")";
          } else {
            out.kind = InvokeResult::Kind::failed;
            out.error = f.code;
            out.detail = f.message;
            out.payload_undecodable = f.code == "FunctionError" && f.retry == Retry::never;
          }
          done(std::move(out));
        },
        &interpret);
  }

  transport::HttpTransport& transport_;
  runtime::Rng& rng_;
  LambdaClientOptions options_;
  std::shared_ptr<const client::ClientTelemetry> telemetry_;
  std::shared_ptr<int> alive_;
};

}  // namespace

std::unique_ptr<LambdaClient> make_lambda_client(transport::HttpTransport& transport,
                                                 runtime::Clock& clock, runtime::Rng& rng,
                                                 telemetry::Metrics& metrics,
                                                 telemetry::Logger& logger,
                                                 LambdaClientOptions options) {
  if (!transport::parse_url(options.endpoint_url))
    throw std::invalid_argument("Lambda endpoint URL '" + options.endpoint_url +
                                "' is not an absolute http(s) URL such as "
                                "https://lambda.eu-west-2.amazonaws.com");
  return std::make_unique<HttpLambdaClient>(transport, clock, rng, metrics, logger,
                                            std::move(options));
}

}  // namespace notify::broadcast
