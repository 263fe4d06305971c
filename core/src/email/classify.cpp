// The one place an SES answer or a transport failure becomes a FailureKind and a retry decision.
// The table is Notify's 2021 (03d438b0c) `AwsSesClient.send_email` (app/clients/email/aws_ses.py).
#include "notify/email/email_client.hpp"

#include "notify/telemetry/logger.hpp"

#include <string>

namespace notify::email {

namespace {

// Notify's exact test for send-rate throttling; the daily quota message must not match.
constexpr std::string_view kSendRateExceeded = "Maximum sending rate exceeded.";

std::string_view errc_name(errc e) {
  switch (e) {
    case errc::connection_refused:
      return "connection_refused";
    case errc::connection_reset:
      return "connection_reset";
    case errc::timed_out:
      return "timed_out";
    case errc::host_not_found:
      return "host_not_found";
    case errc::truncated_response:
      return "truncated_response";
    case errc::protocol_error:
      return "protocol_error";
    case errc::pool_exhausted:
      return "pool_exhausted";
    case errc::request_too_large:
      return "request_too_large";
    case errc::provider_rejected:
      return "provider_rejected";
    case errc::provider_throttled:
      return "provider_throttled";
    case errc::provider_unavailable:
      return "provider_unavailable";
    case errc::bad_response:
      return "bad_response";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::not_found:
      return "not_found";
    case errc::store_error:
      return "store_error";
    case errc::schema_too_new:
      return "schema_too_new";
  }
  return "unknown";
}

}  // namespace

EmailError classify_ses_error(int http_status, const std::string& code,
                              const std::string& message) {
  EmailError error;
  error.code = code;
  // SES messages can name an address (MessageRejected lists unverified identities).
  error.message = telemetry::scrub_pii(message);
  error.decision.level = LogLevel::error;
  if (code == "InvalidParameterValue") {
    error.kind = FailureKind::rejected_4xx;
    error.decision.retry = false;
    return error;
  }
  error.decision.retry = true;
  if (code == "Throttling") {
    error.kind = FailureKind::throttled;
    // Only send-rate throttling is expected under load; a spent daily quota needs a person.
    if (message == kSendRateExceeded) error.decision.level = LogLevel::warning;
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

EmailError classify_transport_error(boost::system::error_code ec) {
  EmailError error;
  bool timed_out = ec == make_error_code(errc::timed_out) || ec == boost::system::errc::timed_out;
  error.kind = timed_out ? FailureKind::timeout : FailureKind::transport;
  error.decision.retry = true;
  error.decision.level = LogLevel::error;
  error.code = ec.category() == notify_category()
                   ? std::string(errc_name(errc(ec.value())))
                   : ec.category().name() + std::string(":") + std::to_string(ec.value());
  error.message = telemetry::scrub_pii(ec.message());
  return error;
}

bool is_send_rate_throttling(const EmailError& error) {
  return error.kind == FailureKind::throttled && error.code == "Throttling" &&
         error.decision.retry && error.decision.level == LogLevel::warning;
}

}  // namespace notify::email
