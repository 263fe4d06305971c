// SES events as Notify receives them today: a Celery (protocol 2) task `process-ses-result` on
// the SQS queue `{prefix}ses-callbacks`, put there with SendMessage exactly as Celery's
// send_task does through kombu's SQS transport (the MessageBody is base64 of kombu's JSON
// envelope, whose "body" is base64 of the task's [args, kwargs, embed]).
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/stubs/ses.hpp"
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

}  // namespace notify::stubs::ses
