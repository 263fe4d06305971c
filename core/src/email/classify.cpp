// The one place an SES answer is classified into a Failure (no response is classified in
// notify/client).
// The table is Notify's 2021 (03d438b0c) `AwsSesClient.send_email` (app/clients/email/aws_ses.py).
#include "notify/email/email_client.hpp"

#include "notify/telemetry/logger.hpp"

#include <string>

namespace notify::email {

namespace {

// Notify's exact test for send-rate throttling; the daily quota message must not match.
constexpr std::string_view kSendRateExceeded = "Maximum sending rate exceeded.";

}  // namespace

Failure classify_ses_error(int http_status, const std::string& code, const std::string& message) {
  Failure error;
  error.code = code;
  // SES messages can name an address (MessageRejected lists unverified identities).
  error.message = telemetry::scrub_pii(message);
  error.level = LogLevel::error;
  if (code == "InvalidParameterValue") {
    error.kind = FailureKind::rejected_4xx;
    error.retry = Retry::never;
    return error;
  }
  error.retry = Retry::same;
  if (code == "Throttling") {
    error.kind = FailureKind::throttled;
    // Only send-rate throttling is expected under load; a spent daily quota needs a person.
    if (message == kSendRateExceeded) error.level = LogLevel::warning;
    return error;
  }
  if (http_status >= 500) {
    error.kind = FailureKind::provider_5xx;
  } else if (http_status == 429) {
    error.kind = FailureKind::throttled;
  } else if (http_status >= 400) {
    error.kind = FailureKind::rejected_4xx;
  } else {
    // A success status whose body was not a success: the provider misbehaved.
    error.kind = FailureKind::provider_5xx;
  }
  return error;
}

bool is_send_rate_throttling(const Failure& error) {
  return error.kind == FailureKind::throttled && error.code == "Throttling" && error.retryable() &&
         error.level == LogLevel::warning;
}

}  // namespace notify::email
