#include "send.hpp"

#include "notify/runtime/assert.hpp"

#include <memory>
#include <utility>

namespace notify::sms::detail {

namespace {

// A provider's error page can be long and can quote the request; only its start is kept, and
// it is scrubbed like everything else.
constexpr std::size_t kBodyExcerptMax = 200;

std::string excerpt(const std::string& body) {
  auto text = body.substr(0, kBodyExcerptMax);
  if (body.size() > kBodyExcerptMax) text += "...";
  return telemetry::scrub_pii(text);
}

// Every failure of an SMS client is an SmsClientResponseException in Notify: logged as a
// warning, the provider's priority reduced, and the task retried at once on a new choice of
// provider.
Failure sms_failure(FailureKind kind, std::string code, std::string message,
                    LogLevel level = LogLevel::warning) {
  Failure failure;
  failure.kind = kind;
  failure.retry = Retry::failover;
  failure.level = level;
  failure.code = std::move(code);
  failure.message = telemetry::scrub_pii(message);
  return failure;
}

Failure http_error(const transport::Response& response) {
  auto status = response.status;
  auto kind = status == 429   ? FailureKind::throttled
              : status >= 500 ? FailureKind::provider_5xx
                              : FailureKind::rejected_4xx;
  // S-2021's exception text: "Code {status_code} text {text} exception {exception}".
  return sms_failure(kind, std::to_string(status),
                     "Code " + std::to_string(status) + " text " + excerpt(response.body) +
                         " exception " + std::to_string(status) + " " +
                         std::string(transport::reason_phrase(status)));
}

// The outcome of one request, shared by the answer's interpreter and the completion.
struct Attempt {
  bool answered = false;
  int status = 0;
};

}  // namespace

Failure invalid_answer(const transport::Response& response, std::string code, std::string why,
                       LogLevel level) {
  return sms_failure(FailureKind::provider_5xx, std::move(code),
                     "Code " + std::to_string(response.status) + " text " + excerpt(response.body) +
                         " exception " + why,
                     level);
}

// try_send_sms wraps every failure, answered or not, in SmsClientResponseException.
static std::string sms_error_type(const Failure&) {
  return "app.clients.sms.SmsClientResponseException";
}

void send_sms_request(const SendContext& context, transport::Request request,
                      const std::string& reference, SmsHandler done, AnswerCheck check) {
  NOTIFY_ASSERT(done != nullptr);
  NOTIFY_ASSERT(check != nullptr);
  // One telemetry per request: Notify's "finished in" line names the message's reference.
  auto telemetry = std::make_shared<client::ClientTelemetry>(client::ClientTelemetry{
      context.clock, context.metrics, context.logger, "clients." + context.name,
      context.display_name + " request for " + reference + " finished in "});
  telemetry->instrument("sms", context.name, &sms_error_type);
  auto attempt = std::make_shared<Attempt>();
  auto started = context.clock.now();
  std::string url = context.url;

  // Failures (answered or not) pass through here: request-time and the "finished in" line are
  // recorded whatever happened, and "no response" becomes Notify's 504 "Gateway Time-out"
  // instead of a crash on a missing status code.
  auto finish = [telemetry, attempt, started, url,
                 done = std::move(done)](client::ProviderResult result) {
    if (result) {
      done(std::move(result));
      return;
    }
    Failure failure = result.error();
    std::string status_text;
    if (attempt->answered) {
      status_text = std::to_string(attempt->status);
    } else {
      status_text = "none (no response: " + failure.code + ")";
      failure.retry = Retry::failover;
      failure.level = LogLevel::warning;
      failure.message =
          "Code 504 text Gateway Time-out exception " + failure.code + ": " + failure.message;
    }
    auto elapsed = telemetry->clock.now() - started;
    telemetry->logger.log(
        failure.level, telemetry->metrics_name,
        "API POST request failed on " + url + " response status_code " + status_text);
    if (!telemetry->records_otel()) {
      telemetry->metrics.timing(telemetry->request_time_name, elapsed);
    } else if (attempt->answered) {
      // send_and_interpret recorded a call that got no answer.
      telemetry->failed(started, failure);
    }
    telemetry->logger.info(telemetry->metrics_name,
                           telemetry->log_text + client::python_seconds(elapsed));
    done(std::move(failure));
  };

  auto interpret = [attempt, reference, url, check = std::move(check)](
                       const client::ClientTelemetry& telemetry, runtime::TimePoint started,
                       const transport::Response& response, const SmsHandler& done) {
    attempt->answered = true;
    attempt->status = response.status;
    // requests' raise_for_status() fails 4xx and 5xx; the transport does not follow redirects,
    // so a 3xx is not the answer either.
    std::optional<Failure> failure;
    if (response.status < 200 || response.status >= 300) {
      failure = http_error(response);
    } else {
      failure = check(response);
    }
    if (failure) {
      telemetry.error();
      done(std::move(*failure));
      return;
    }
    telemetry.logger.info(telemetry.metrics_name, "API POST request succeeded on " + url +
                                                      " response status_code " +
                                                      std::to_string(response.status));
    telemetry.success(started, response.transport_time);
    done(reference);
  };

  client::send_and_interpret(context.transport, std::move(request), context.send_options,
                             std::move(telemetry), std::move(finish), std::move(interpret));
}

}  // namespace notify::sms::detail
