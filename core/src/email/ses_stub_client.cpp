// The client for Notify's SES stub contract (SES_STUB_URL): a form POST of "id=dummy-data",
// a JSON {"MessageId": ...} back, and every failure retryable (app/clients/email/aws_ses_stub.py).
// Also Notify's choice between this client and the real one.
#include "notify/email/email_client.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace notify::email {

namespace {

// Notify's stub client uses requests' single 60 s timeout for connecting and for reading.
constexpr std::chrono::milliseconds kStubTimeout{60'000};

Failure stub_error(int status, std::string code, std::string message) {
  Failure error;
  error.kind = status >= 500 || status < 400 ? FailureKind::provider_5xx
               : status == 429               ? FailureKind::throttled
                                             : FailureKind::rejected_4xx;
  // AwsSesStubClientException derives from EmailClientException: always retried.
  error.retry = Retry::same;
  error.level = LogLevel::error;
  error.code = std::move(code);
  error.message = telemetry::scrub_pii(message);
  return error;
}

class SesStubClient final : public EmailClient {
 public:
  SesStubClient(transport::HttpTransport& transport, runtime::Clock& clock,
                telemetry::Metrics& metrics, telemetry::Logger& logger, std::string url)
      : transport_(transport),
        url_(std::move(url)),
        telemetry_(std::make_shared<client::ClientTelemetry>(client::ClientTelemetry{
            clock, metrics, logger, "clients.ses_stub", "AWS SES stub request finished in "})) {
    // aws_ses_stub.py wraps every failure, answered or not, in AwsSesStubClientException.
    telemetry_->instrument("email", "ses_stub", [](const Failure&) {
      return std::string("app.clients.email.aws_ses_stub.AwsSesStubClientException");
    });
  }

  std::string name() const override { return "ses"; }
  std::string metrics_name() const override { return telemetry_->metrics_name; }

  void send_email(const EmailMessage&, EmailHandler done) override {
    transport::Request request;
    request.method = "POST";
    request.target = url_;
    request.headers.set("Content-Type", "application/x-www-form-urlencoded");
    request.body = "id=dummy-data";
    client::send_and_interpret(transport_, std::move(request),
                               transport::SendOptions{kStubTimeout, kStubTimeout}, telemetry_,
                               std::move(done), &on_answer);
  }

 private:
  static void on_answer(const client::ClientTelemetry& telemetry, runtime::TimePoint started,
                        const transport::Response& response, const EmailHandler& done) {
    // requests' raise_for_status() fails 4xx and 5xx.
    if (response.status >= 400) {
      telemetry.error();
      auto failure = stub_error(response.status, std::to_string(response.status),
                                std::to_string(response.status) + " " +
                                    std::string(transport::reason_phrase(response.status)) +
                                    " from the SES stub");
      telemetry.failed(started, failure);
      done(std::move(failure));
      return;
    }
    auto json = nlohmann::json::parse(response.body, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("MessageId") ||
        !json["MessageId"].is_string() || json["MessageId"].get<std::string>().empty()) {
      telemetry.error();
      auto failure = stub_error(response.status, "bad_response",
                                "the SES stub answered " + std::to_string(response.status) +
                                    " without a JSON object holding a string MessageId");
      telemetry.failed(started, failure);
      done(std::move(failure));
      return;
    }
    telemetry.success(started, runtime::Duration::zero());
    done(json["MessageId"].get<std::string>());
  }

  transport::HttpTransport& transport_;
  std::string url_;
  std::shared_ptr<client::ClientTelemetry> telemetry_;
};

}  // namespace

std::unique_ptr<EmailClient> make_ses_stub_client(transport::HttpTransport& transport,
                                                  runtime::Clock& clock,
                                                  telemetry::Metrics& metrics,
                                                  telemetry::Logger& logger, std::string url) {
  if (!transport::parse_url(url)) {
    throw std::invalid_argument("SES_STUB_URL '" + url +
                                "' is not an absolute http(s) URL such as "
                                "http://localhost:6301/ses");
  }
  return std::make_unique<SesStubClient>(transport, clock, metrics, logger, std::move(url));
}

std::unique_ptr<EmailClient> make_email_client(const EmailClientChoice& choice,
                                               transport::HttpTransport& transport,
                                               runtime::Clock& clock, runtime::Rng& rng,
                                               telemetry::Metrics& metrics,
                                               telemetry::Logger& logger,
                                               SesClientOptions ses_options) {
  if (choice.ses_stub_url && !choice.ses_stub_url->empty()) {
    // Notify's Production and Live configs force SES_STUB_URL to None.
    if (choice.environment == "production" || choice.environment == "live") {
      throw std::invalid_argument("SES_STUB_URL is set but the environment is '" +
                                  choice.environment +
                                  "'; the SES stub is refused there, unset SES_STUB_URL");
    }
    return make_ses_stub_client(transport, clock, metrics, logger, *choice.ses_stub_url);
  }
  return make_ses_client(transport, clock, rng, metrics, logger, std::move(ses_options));
}

}  // namespace notify::email
