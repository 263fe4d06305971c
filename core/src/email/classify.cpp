// The one place an SES answer is classified into a Failure (no response is classified in
// notify/client).
// v1: Notify's 2021 (03d438b0c) `AwsSesClient.send_email` (app/clients/email/aws_ses.py).
// v2: the same method after the move to boto3.client("sesv2") (47d5294a0, 2024) and its
// throttling change (a87693933): the InvalidParameterValue test stayed, though SES v2 says
// BadRequestException for the same input.
#include "notify/email/email_client.hpp"

#include "notify/telemetry/logger.hpp"

#include <string>

namespace notify::email {

namespace {

// Notify's exact test for send-rate throttling; the daily quota message must not match.
constexpr std::string_view kSendRateExceeded = "Maximum sending rate exceeded.";

// The kind for an answer no rule of Notify's names: by its HTTP status.
FailureKind kind_by_status(int http_status) {
  if (http_status >= 500) return FailureKind::provider_5xx;
  if (http_status == 429) return FailureKind::throttled;
  if (http_status >= 400) return FailureKind::rejected_4xx;
  // A success status whose body was not a success: the provider misbehaved.
  return FailureKind::provider_5xx;
}

Failure base_failure(const std::string& code, const std::string& message) {
  Failure error;
  error.code = code;
  // SES messages can name an address (MessageRejected lists unverified identities).
  error.message = telemetry::scrub_pii(message);
  error.level = LogLevel::error;
  error.retry = Retry::same;
  return error;
}

}  // namespace

Failure classify_ses_error(int http_status, const std::string& code, const std::string& message) {
  Failure error = base_failure(code, message);
  if (code == "InvalidParameterValue") {
    error.kind = FailureKind::rejected_4xx;
    error.retry = Retry::never;
    return error;
  }
  if (code == "Throttling") {
    error.kind = FailureKind::throttled;
    // Only send-rate throttling is expected under load; a spent daily quota needs a person.
    if (message == kSendRateExceeded) error.level = LogLevel::warning;
    return error;
  }
  error.kind = kind_by_status(http_status);
  return error;
}

Failure classify_ses_v2_error(int http_status, const std::string& code, const std::string& message,
                              SesV2BadRequest bad_request) {
  Failure error = base_failure(code, message);
  // Notify's test, kept from v1. SES v2 never answers this code, so the branch is dead.
  const bool invalid_parameter = code == "InvalidParameterValue";
  // The fix: v2's name for the same class of answer (invalid input; sending it again cannot help).
  const bool bad_request_fixed =
      bad_request == SesV2BadRequest::fixed && code == "BadRequestException";
  if (invalid_parameter || bad_request_fixed) {
    error.kind = FailureKind::rejected_4xx;
    error.retry = Retry::never;
    return error;
  }
  if (code == "TooManyRequestsException") {
    // Notify's v2 client takes every TooManyRequestsException as send-rate throttling, whatever
    // the message says.
    error.kind = FailureKind::throttled;
    error.level = LogLevel::warning;
    return error;
  }
  error.kind = kind_by_status(http_status);
  return error;
}

bool is_send_rate_throttling(const Failure& error) {
  return error.kind == FailureKind::throttled &&
         (error.code == "Throttling" || error.code == "TooManyRequestsException") &&
         error.retryable() && error.level == LogLevel::warning;
}

}  // namespace notify::email
