// The SES client as boto3 runs it for Notify: one send_email call is one or more signed HTTP
// attempts (botocore's legacy retries, on the Clock), then the last answer is classified as
// Notify's AwsSesClient does (app/clients/email/aws_ses.py) and timed as Notify times it.
#include "notify/email/email_client.hpp"
#include "ses_answer.hpp"

#include <memory>
#include <stdexcept>
#include <string>

namespace notify::email {

namespace {

constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded; charset=utf-8";
constexpr std::string_view kJsonContentType = "application/json";
constexpr std::string_view kV2SendEmailPath = "/v2/email/outbound-emails";

// What every attempt of every call shares. Completions and backoff timers hold it, so a client
// destroyed with a call in flight leaves nothing dangling behind.
struct Shared {
  transport::HttpTransport& transport;
  runtime::Rng& rng;
  SesClientOptions options;
  std::string target;
  client::ClientTelemetry telemetry;
};

// The class aws_ses.py raises for a classified failure (error.type): InvalidParameterValue is
// non-retryable, throttling has its own class, everything else is AwsSesClientException.
std::string ses_error_type(const Failure& failure) {
  return email_error_type("clients.ses", failure);
}

}  // namespace

std::string email_error_type(std::string_view metrics_name, const Failure& failure) {
  if (metrics_name == "clients.ses_stub")
    return "app.clients.email.aws_ses_stub.AwsSesStubClientException";
  if (!failure.retryable()) return "app.clients.email.EmailClientNonRetryableException";
  if (is_send_rate_throttling(failure))
    return "app.clients.email.aws_ses.AwsSesClientThrottlingSendRateException";
  return "app.clients.email.aws_ses.AwsSesClientException";
}

namespace {

// One send_email call, across its attempts.
struct Call {
  std::string body;
  EmailHandler done;
  runtime::TimePoint started;       // Notify's monotonic() before send_email
  runtime::TimePoint last_attempt;  // when the latest attempt was sent
  int attempts = 0;
};

void send_attempt(const std::shared_ptr<Shared>& shared, const std::shared_ptr<Call>& call,
                  const std::weak_ptr<int>& alive);

// Notify's success path: request-time around the whole call; for v1, raw-request-time from its
// boto3 event hooks (2020-2021): the first attempt's request-created to the last attempt's
// response-received, so botocore's retries and their backoff count as one request. The hooks
// were gone before Notify moved to SES v2, so v2 reports no raw-request-time.
void succeed(const Shared& shared, const Call& call, const transport::Response& response,
             std::string message_id) {
  runtime::Duration raw{0};
  if (shared.options.api == SesApi::v1 && response.transport_time.count() != 0)
    raw = (call.last_attempt - call.started) + response.transport_time;
  shared.telemetry.success(call.started, raw);
  call.done(std::move(message_id));
}

void fail(const Shared& shared, const Call& call, const detail::SesAnswer& answer) {
  auto error = shared.options.api == SesApi::v1
                   ? classify_ses_error(answer.status, answer.code, answer.message)
                   : classify_ses_v2_error(answer.status, answer.code, answer.message,
                                           shared.options.v2_bad_request);
  // Notify's generic ClientError branch increments clients.ses.error a second time
  // (aws_ses.py); the InvalidParameterValue and send-rate branches and non-ClientError
  // failures count once.
  bool generic_client_error =
      answer.client_error && error.retryable() && !is_send_rate_throttling(error);
  shared.telemetry.error(generic_client_error ? 2 : 1);
  shared.telemetry.failed(call.started, error);
  call.done(std::move(error));
}

// botocore sends the request again, after its backoff, when the mode and the attempts left allow
// it and the client still exists. Returns false when the caller is to see this answer.
bool retry_in_sdk(const std::shared_ptr<Shared>& shared, const std::shared_ptr<Call>& call,
                  const std::weak_ptr<int>& alive, const std::string& what) {
  const auto& o = shared->options;
  if (o.sdk_retry_mode != client::SdkRetryMode::legacy || call->attempts >= o.sdk_max_attempts ||
      alive.expired()) {
    return false;
  }
  auto delay = client::botocore_legacy_delay(shared->rng, call->attempts);
  shared->telemetry.logger.debug(
      shared->telemetry.metrics_name,
      "botocore: retry needed after " + what + ", retrying request after delay of " +
          client::python_seconds(delay) + " (attempt " + std::to_string(call->attempts + 1) +
          " of " + std::to_string(o.sdk_max_attempts) + ")");
  shared->telemetry.clock.schedule_after(delay, [shared, call, alive] {
    if (alive.expired()) return;
    send_attempt(shared, call, alive);
  });
  return true;
}

void send_attempt(const std::shared_ptr<Shared>& shared, const std::shared_ptr<Call>& call,
                  const std::weak_ptr<int>& alive) {
  const auto& o = shared->options;
  const bool v1 = o.api == SesApi::v1;
  transport::Request request;
  request.method = "POST";
  request.target = shared->target;
  request.headers.set("Content-Type", v1 ? kFormContentType : kJsonContentType);
  request.body = call->body;
  // botocore signs each attempt afresh (a new X-Amz-Date).
  aws::SigV4Scope scope{o.credentials.access_key_id, o.credentials.secret_access_key,
                        o.credentials.session_token, o.region, "ses"};
  auto now = shared->telemetry.clock.now();
  aws::sign_request(request, scope, now);
  ++call->attempts;
  call->last_attempt = now;
  shared->transport.send(
      std::move(request), o.send_options, [shared, call, alive](transport::SendResult result) {
        if (!result) {
          // Every "no response" is one of botocore's general socket errors.
          auto failure = client::classify_no_response(result.error());
          if (retry_in_sdk(shared, call, alive, failure.code)) return;
          shared->telemetry.error();
          shared->telemetry.failed(call->started, failure);
          call->done(std::move(failure));
          return;
        }
        const auto& response = *result;
        auto answer = shared->options.api == SesApi::v1 ? detail::read_v1_answer(response)
                                                        : detail::read_v2_answer(response);
        if (!answer.message_id.empty()) {
          succeed(*shared, *call, response, std::move(answer.message_id));
          return;
        }
        // Only an answer botocore parsed as an error is retried: a 200 without a MessageId is a
        // success to botocore, and a body its parser rejects is an exception, not a response.
        if (answer.client_error && client::botocore_legacy_retries(answer.status, answer.code) &&
            retry_in_sdk(shared, call, alive, std::to_string(answer.status) + " " + answer.code)) {
          return;
        }
        fail(*shared, *call, answer);
      });
}

class SesClient final : public EmailClient {
 public:
  explicit SesClient(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  std::string name() const override { return "ses"; }
  std::string metrics_name() const override { return shared_->telemetry.metrics_name; }

  void send_email(const EmailMessage& message, EmailHandler done) override {
    auto call = std::make_shared<Call>();
    call->body = shared_->options.api == SesApi::v1 ? build_send_email_body(message)
                                                    : build_send_email_v2_body(message);
    call->done = std::move(done);
    call->started = shared_->telemetry.clock.now();
    send_attempt(shared_, call, alive_);
  }

 private:
  std::shared_ptr<Shared> shared_;
  // botocore's pending retries stop with the client; an attempt already sent still answers.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace

std::unique_ptr<EmailClient> make_ses_client(transport::HttpTransport& transport,
                                             runtime::Clock& clock, runtime::Rng& rng,
                                             telemetry::Metrics& metrics, telemetry::Logger& logger,
                                             SesClientOptions options) {
  auto url = transport::parse_url(options.endpoint_url);
  if (!url) {
    throw std::invalid_argument("SES endpoint URL '" + options.endpoint_url +
                                "' is not an absolute http(s) URL such as "
                                "https://email.eu-west-1.amazonaws.com");
  }
  if (options.sdk_max_attempts < 1) {
    throw std::invalid_argument("SES client sdk_max_attempts is " +
                                std::to_string(options.sdk_max_attempts) +
                                "; it counts the first attempt, so it must be at least 1 "
                                "(botocore's default is 5)");
  }
  // v1: botocore posts to "/" for a bare endpoint and to exactly "/prefix" for one with a path.
  // v2: the operation's path follows the endpoint's own path.
  std::string target = url->scheme + "://" + url->authority();
  if (options.api == SesApi::v1) {
    target += url->target;
  } else {
    std::string prefix = url->target;
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    target += prefix + std::string(kV2SendEmailPath);
  }
  auto shared =
      std::make_shared<Shared>(Shared{transport, rng, std::move(options), std::move(target),
                                      client::ClientTelemetry{clock, metrics, logger, "clients.ses",
                                                              "AWS SES request finished in "}});
  shared->telemetry.instrument("email", "ses", &ses_error_type);
  return std::make_unique<SesClient>(std::move(shared));
}

}  // namespace notify::email
