// SES events as Notify receives them today: a Celery (protocol 2) task `process-ses-result` on
// the SQS queue `{prefix}ses-callbacks`, put there with SendMessage exactly as Celery's
// send_task does through kombu's SQS transport (the MessageBody is base64 of kombu's JSON
// envelope, whose "body" is base64 of the task's [args, kwargs, embed]).
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/stubs/ses.hpp"
#include "notify/stubs/stub.hpp"
#include "notify/transport/http.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace notify::stubs::ses {

/// The ids a task message carries: the task's id (also correlation_id and root_id), kombu's
/// delivery tag, the producer's reply_to and origin ("gen<pid>@<host>").
struct CeleryIds {
  std::string task_id;
  std::string delivery_tag;
  std::string reply_to;
  std::string origin = "gen1@notify-sim";
};

/// json.dumps as Python writes it: ", " and ": " separators, non-ASCII as \uXXXX.
std::string python_json(const nlohmann::ordered_json& value);

/// Celery's argsrepr for args ({"Message": message}[, extra]): saferepr with its 1024-character
/// budget, quotes and truncation as celery.utils.saferepr has them.
std::string celery_argsrepr(std::string_view message, const std::optional<std::string>& extra);

/// The SQS MessageBody for send_task(task, args=({"Message": message}[, extra],),
/// queue=routing_key, countdown=countdown) sent at `now`.
std::string celery_message_body(std::string_view task, std::string_view message,
                                const std::optional<std::string>& extra,
                                std::string_view routing_key, runtime::TimePoint now,
                                std::chrono::seconds countdown, const CeleryIds& ids);

/// Python's datetime.isoformat(): "2026-12-07T03:30:32.470996" (no fraction when it is zero),
/// with `suffix` ("+00:00" for an aware UTC time) appended.
std::string python_isoformat(runtime::TimePoint t, std::string_view suffix = {});

/// The SigV4-signed SQS SendMessage (Query protocol) that puts `message_body` on
/// {queue_prefix}{queue} at `sqs_base` ("http://host:port").
transport::Request celery_send_request(const SesCeleryOptions& options, const std::string& sqs_base,
                                       const std::string& message_body, runtime::TimePoint now);

/// The error code of an SQS answer in either protocol: the x-amzn-query-error header's code, or
/// the Query protocol's <Code>; empty when it names none.
std::string sqs_error_code(const transport::Response& response);

/// Whether botocore's legacy retry mode (its _retry.json, for SQS) sends again after this: no
/// answer (a connection error or a read time-out), 429, 500, 502, 503, 504 or 509 whatever the
/// code, 400 with Throttling, ThrottlingException, ThrottledException or
/// RequestThrottledException, and SQS's own 403 RequestThrottled. SQS answers its throttling
/// as 400 RequestThrottled, which legacy mode does not retry.
bool botocore_legacy_retries(const transport::SendResult& result);

/// What the sender of a Celery event does after a send that got no 2xx answer: botocore's next
/// attempt with the same request after rand() * 2^(sends - 1) s (`rng`) while the answer is one
/// it retries and fewer than options.sdk_attempts_max sends were made; else, while fewer than
/// options.invocation_retries + 1 runs were made, Lambda's next run with a request built anew,
/// 60 s after the first run and 120 s after the second; else nothing: the event is lost.
std::optional<CallbackRetry> celery_sender_retry(const SesCeleryOptions& options,
                                                 const transport::SendResult& result,
                                                 const CallbackAttempt& attempt, runtime::Rng& rng);

}  // namespace notify::stubs::ses
