// Email clients: SES SendEmail, v1 over the Query protocol or v2 over REST-JSON (signed with
// SigV4, retried by the modelled botocore before Notify sees an error), and the client for
// Notify's SES stub contract (SES_STUB_URL). Each answer is classified once, here, into a
// Failure that the delivery task reads without re-parsing.
#pragma once

#include "notify/aws/sigv4.hpp"
#include "notify/client/botocore_retry.hpp"
#include "notify/client/client.hpp"
#include "notify/outcome/errc.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/http.hpp"

#include <boost/system/result.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notify::email {

struct EmailMessage {
  std::string source;  // '"Service" <from@domain>'
  std::vector<std::string> to;
  std::string subject;
  std::string body;
  std::string html_body;  // omitted from the request when empty
  std::vector<std::string> reply_to;
  /// SES v2 only (Content.Simple.Headers, Name and Value), e.g. List-Unsubscribe; v1 has no
  /// place for them.
  std::vector<std::pair<std::string, std::string>> headers;
};

/// A send's result: the SES MessageId, or the classified Failure.
using EmailResult = client::ProviderResult;
using EmailHandler = client::ProviderHandler;

class EmailClient {
 public:
  virtual ~EmailClient() = default;
  /// Notify's provider name: "ses" for both the real and the stub client.
  virtual std::string name() const = 0;
  /// The metrics prefix: "clients.ses" or "clients.ses_stub".
  virtual std::string metrics_name() const = 0;
  virtual void send_email(const EmailMessage& message, EmailHandler done) = 0;
};

/// Which SES API the client speaks: v1 (boto3.client("ses"), Notify until 2024) or v2
/// (boto3.client("sesv2"), Notify since 2024).
enum class SesApi { v1, v2 };

/// What the v2 client makes of BadRequestException, v2's answer to invalid input such as
/// "Header too long". `as_notify`: Notify's client still tests for v1's InvalidParameterValue,
/// so it is a generic error, retried 48 times. `fixed`: not retried, as v1's
/// InvalidParameterValue is not.
enum class SesV2BadRequest { as_notify, fixed };

struct SesClientOptions {
  std::string endpoint_url;  // e.g. https://email.eu-west-1.amazonaws.com or the stub's URL
  std::string region = "eu-west-1";
  aws::Credentials credentials;
  transport::SendOptions send_options{std::chrono::milliseconds(10'000),
                                      std::chrono::milliseconds(60'000)};
  SesApi api = SesApi::v1;
  /// botocore's own retries inside one send_email call (legacy mode, Notify's default): a
  /// throttle, a 429 or 5xx, or no response is sent again up to `sdk_max_attempts` attempts in
  /// all, rand() * 2^(n-1) s apart, before Notify sees the last answer. `off`: one attempt.
  client::SdkRetryMode sdk_retry_mode = client::SdkRetryMode::legacy;
  int sdk_max_attempts = client::kBotocoreLegacyMaxAttempts;
  SesV2BadRequest v2_bad_request = SesV2BadRequest::as_notify;
};

/// Classifies an SES v1 answer as Notify does (app/clients/email/aws_ses.py, 2021). Exposed for
/// tests.
Failure classify_ses_error(int http_status, const std::string& code, const std::string& message);
/// Classifies an SES v2 answer as Notify's sesv2 client does (2024): InvalidParameterValue (which
/// v2 never sends) is not retried, TooManyRequestsException is send-rate throttling, anything
/// else is retried; with `fixed`, BadRequestException is not retried either.
Failure classify_ses_v2_error(int http_status, const std::string& code, const std::string& message,
                              SesV2BadRequest bad_request = SesV2BadRequest::as_notify);
/// True for SES send-rate throttling (Notify's AwsSesClientThrottlingSendRateException), which
/// the delivery task logs as a warning.
bool is_send_rate_throttling(const Failure& error);
/// The fully qualified class Notify's email client raises for `error` (OTel error.type): the
/// SES stub client's (`metrics_name` "clients.ses_stub") or aws_ses.py's.
std::string email_error_type(std::string_view metrics_name, const Failure& error);

/// The SES v1 SendEmail form body, in Notify's parameter order: Action, Version, Source,
/// Destination.ToAddresses.member.N, Message.Subject.Data/Charset, Message.Body.Text.Data,
/// Message.Body.Html.Data (when html_body is not empty), ReplyToAddresses.member.N. Recipient
/// and reply-to domains are Punycode-encoded first.
std::string build_send_email_body(const EmailMessage& message);

/// The SES v2 SendEmail JSON body as botocore writes Notify's call (json.dumps: ", " and ": "
/// separators, non-ASCII as \uXXXX): FromEmailAddress, Destination (ToAddresses, empty
/// CcAddresses and BccAddresses), Content.Simple (Subject.Data, Body.Text.Data, Body.Html.Data,
/// Headers), ReplyToAddresses. Addresses are Punycode-encoded first.
std::string build_send_email_v2_body(const EmailMessage& message);

/// The SES client for `options.api`. Backoff between botocore's retries is drawn from `rng`.
std::unique_ptr<EmailClient> make_ses_client(transport::HttpTransport& transport,
                                             runtime::Clock& clock, runtime::Rng& rng,
                                             telemetry::Metrics& metrics, telemetry::Logger& logger,
                                             SesClientOptions options);
std::unique_ptr<EmailClient> make_ses_stub_client(transport::HttpTransport& transport,
                                                  runtime::Clock& clock,
                                                  telemetry::Metrics& metrics,
                                                  telemetry::Logger& logger, std::string url);

/// Notify's choice: the stub client when SES_STUB_URL is set, the real client otherwise; a
/// stub URL in the production environment is refused (std::invalid_argument).
struct EmailClientChoice {
  std::optional<std::string> ses_stub_url;
  std::string environment = "development";  // "production" refuses the stub
};
std::unique_ptr<EmailClient> make_email_client(const EmailClientChoice& choice,
                                               transport::HttpTransport& transport,
                                               runtime::Clock& clock, runtime::Rng& rng,
                                               telemetry::Metrics& metrics,
                                               telemetry::Logger& logger,
                                               SesClientOptions ses_options);

/// IDNA-encodes the domain part of an address (punycode), leaving the local part alone.
std::string punycode_encode_email(const std::string& address);
/// RFC 3492 Punycode of one label's code points, without the "xn--" prefix; nullopt on
/// overflow.
std::optional<std::string> punycode_encode(std::u32string_view code_points);

}  // namespace notify::email
