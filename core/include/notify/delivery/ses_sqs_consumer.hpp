// SES events read from SQS, as Notify receives them: a Celery worker consuming the task
// `process-ses-result` from the queue `{prefix}ses-callbacks` (kombu's SQS transport) and running
// it through the same receipt path as the HTTP endpoint (apply_ses_event).
#pragma once

#include "notify/aws/sigv4.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/http.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace notify::delivery {

/// The Celery task name Notify's SES receipts travel as.
inline constexpr std::string_view kSesResultTask = "process-ses-result";

/// One Celery protocol-2 message taken off SQS, decoded.
struct CeleryTask {
  std::string task;                       // headers.task
  std::string id;                         // headers.id
  std::string ses_event;                  // args[0]["Message"]: the SES notification JSON
  std::optional<runtime::TimePoint> eta;  // headers.eta, when set (send_task's countdown)
  std::string receipt_iso_timestamp;      // args[1] or kwargs, when present
};

/// Decodes an SQS MessageBody as kombu's SQS transport writes it: base64 of kombu's JSON
/// envelope, whose `body` is base64 (properties.body_encoding) of [args, kwargs, embed]. The
/// error says which part is wrong without quoting any of it (the event holds addresses).
boost::system::result<CeleryTask, std::string> decode_celery_task(std::string_view sqs_body);

struct SesSqsConsumerOptions {
  /// The queue's URL, http(s)://host[:port]/{account}/{prefix}ses-callbacks. Requests go to
  /// the URL's origin, as boto3 sends them.
  std::string queue_url;
  std::string region = "eu-west-2";
  aws::Credentials credentials;
  /// kombu's SQS transport: long polls of 10 s (default_wait_time_seconds), up to 10 messages.
  std::chrono::seconds wait_time{10};
  int max_messages = 10;
  /// kombu's default_visibility_timeout (1800 s), which Notify has used since bf3e3c722 dropped
  /// its own 310 s from broker_transport_options.
  std::chrono::seconds visibility_timeout{1800};
  /// Between a failed receive and the next (kombu's polling_interval, 1 s).
  std::chrono::milliseconds error_backoff{1000};
  /// The worker starts this long after start() (a consumer down for a while).
  std::chrono::milliseconds start_delay{0};
  /// Added to wait_time for each ReceiveMessage's read time-out.
  transport::SendOptions send_options;
};

/// Polls the queue while `active()` is true (checked before each receive, so a simulated run
/// ends), holds each task until its eta, applies its event, then deletes the message. A message
/// it cannot decode, or a task it does not know, is logged and left on the queue: it comes back
/// after the visibility time-out, until the queue's RedrivePolicy dead-letters it.
class SesSqsConsumer {
 public:
  struct Stats {
    std::size_t receives = 0;        // ReceiveMessage calls answered 200
    std::size_t receive_errors = 0;  // no answer, or an SQS error
    std::size_t messages = 0;        // messages received (a redelivery counts again)
    std::size_t applied = 0;         // events through the receipt path
    std::size_t undecodable = 0;     // left on the queue
    std::size_t deleted = 0;         // DeleteMessage answered 200
    std::size_t delete_errors = 0;
  };

  SesSqsConsumer(transport::HttpTransport& transport, runtime::Clock& clock, store::Store& store,
                 telemetry::Logger& logger, telemetry::Metrics& metrics,
                 SesSqsConsumerOptions options, std::function<bool()> active);
  ~SesSqsConsumer();
  SesSqsConsumer(const SesSqsConsumer&) = delete;
  SesSqsConsumer& operator=(const SesSqsConsumer&) = delete;

  /// Starts polling after options.start_delay. Calling it again while polling does nothing.
  void start();
  /// No receive after this one; held tasks still run and answers still arrive.
  void stop();
  /// Starts polling again if it went idle because active() was false.
  void wake();

  const Stats& stats() const;
  /// Tasks held until their eta, or waiting for DeleteMessage.
  std::size_t held() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace notify::delivery
