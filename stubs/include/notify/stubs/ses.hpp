// SesStub: Amazon SES as boto3, the AWS CLI and Notify's SES_STUB_URL client see it. It speaks
// SES v1 (Query/XML), SES v2 (REST-JSON) and Notify's "/ses" stub contract, models SES's send
// rate, 24-hour quota and validation limits, renders injected faults in each protocol's own
// error format, and sends SNS-wrapped delivery events to a callback URL through the host's
// callback service, on the run's clock.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/stubs/stub.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace notify::stubs {

/// The SES limits the stub enforces. Every one is a config key (docs/stubs/ses.md).
struct SesLimits {
  double max_send_rate = 14;            // recipients per second; 0 = unlimited
  double max_24_hour_send = 50'000;     // recipients per rolling 24 hours; -1 = unlimited
  std::size_t header_line_limit = 998;  // characters per header line (RFC 5322)
  std::size_t recipients_max = 50;      // To + Cc + Bcc per message
  std::size_t v1_message_bytes_max = 10 * 1024 * 1024;  // after base64, as SES counts it
  std::size_t v2_message_bytes_max = 40 * 1024 * 1024;
};

/// Where SES events go as Notify receives them today: a Celery task on an SQS queue.
struct SesCeleryOptions {
  /// The SQS endpoint ("http://host:port"); empty: the embedded SQS stub's listener.
  std::string sqs_url;
  std::string queue_prefix;  // Notify's NOTIFICATION_QUEUE_PREFIX
  std::string queue = "ses-callbacks";
  std::string task = "process-ses-result";
  std::string account = "123456789012";  // in the queue URL
  std::string region = "eu-west-2";
  std::string access_key_id = "AKIDEXAMPLE";
  std::string secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  /// Pass the time the event was queued as the task's second argument (notifications-api
  /// 05e14d7f5, 2026-03: process_ses_results(response, receipt_iso_timestamp)).
  bool receipt_iso_timestamp = true;
  std::chrono::seconds countdown{2};  // send_task's countdown, the message's eta
  /// The sender's retries, as the Lambda behind SES's SNS topic makes them: its botocore client
  /// (legacy retry mode, the default) sends a SendMessage up to this many times in one run...
  int sdk_attempts_max = 5;
  /// ...and when a run fails, Lambda's asynchronous invocation runs it again this many times
  /// (0 to 2, Lambda's MaximumRetryAttempts), 60 s and then 120 s later. After that the event is
  /// lost, and its last send is journaled as failed.
  int invocation_retries = 2;
};

/// Where and how delivery events (SNS notifications) are sent after a successful send.
struct SesEventOptions {
  std::string callback_url;  // empty: no events; without its userinfo
  /// "Basic ..." from the callback URL's "user:pass@", as SNS sends an HTTP subscription's
  /// credentials; empty when it had none.
  std::string callback_authorization;
  std::chrono::milliseconds delay{1000};
  bool sns_envelope = true;           // false: POST the bare SES notification JSON
  std::size_t pending_max = 100'000;  // events waiting on the clock; beyond, new ones drop
  /// "http" (SNS POSTs to callback_url), "celery-sqs" (Celery tasks on SQS) or "both".
  std::string destination = "http";
  SesCeleryOptions celery;
};

struct SesOptions {
  SesLimits limits;
  SesEventOptions events;
  std::string region = "eu-west-2";
  /// SES v1 is also accepted at this path (botocore posts to exactly the endpoint's path) and
  /// SES v2 under it; "" means "/" only.
  std::string path_prefix;
  /// Strict SigV4: access key id -> secret. Empty: any well-formed Authorization (or none).
  std::map<std::string, std::string> strict_sigv4;
};

/// Counters since the last reset(), for tests and metrics.
struct SesCounters {
  std::uint64_t accepted_messages = 0;
  std::uint64_t accepted_recipients = 0;
  std::uint64_t rejected = 0;   // answered with an error, injected or not
  std::uint64_t throttled = 0;  // by the modelled send rate or daily quota
  std::uint64_t events_scheduled = 0;
  std::uint64_t events_sent = 0;     // POSTs handed to the callback transport
  std::uint64_t events_dropped = 0;  // by an event_drop fault or the host's pending limit
  std::uint64_t events_failed = 0;   // its last send got no 2xx answer: the event is lost
  std::uint64_t events_retried = 0;  // sends of Celery events that failed and were tried again
};

class SesStub final : public Stub {
 public:
  SesStub();
  explicit SesStub(SesOptions options);
  ~SesStub() override;

  std::string_view service() const override { return "ses"; }
  bool accepts(const transport::Request& request) const override;
  RequestInfo describe(const transport::Request& request) const override;
  StubAnswer handle(const Call& call) override;
  std::vector<std::string> error_names() const override;
  std::optional<SelectorNames> selector_names() const override;
  void reset() override;
  std::optional<FieldError> configure(const nlohmann::json& config) override;
  void attach(StubServices& services) override;

  SesOptions options() const;
  SesCounters counters() const;
  std::size_t pending_events() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Registers the SES stub: its routes, environment and callbacks.
void register_ses(StubRegistry& registry);

/// The fault names SesStub renders (error_names()).
inline constexpr const char* kSesThrottling = "ses.throttling";
inline constexpr const char* kSesDailyQuota = "ses.daily_quota";
inline constexpr const char* kSesHeaderTooLong = "ses.header_too_long";
inline constexpr const char* kSesMessageRejected = "ses.message_rejected";
inline constexpr const char* kSesServiceUnavailable = "ses.service_unavailable";
inline constexpr const char* kSesInternalFailure = "ses.internal_failure";
inline constexpr const char* kSesEventDrop = "ses.event_drop";
inline constexpr const char* kSesEventDuplicate = "ses.event_duplicate";

}  // namespace notify::stubs
