// What both SMS clients share, as Notify's SmsClient base class has it: the timing and outcome
// records around one request, HTTP errors and "no response" classified the same way, and a
// client-specific check of a 2xx answer.
#pragma once

#include "notify/sms/sms_client.hpp"

#include <functional>
#include <optional>
#include <string>

namespace notify::sms::detail {

/// Checks a 2xx answer's body: nullopt when it is a success, or the Failure.
using AnswerCheck = std::function<std::optional<Failure>(const transport::Response& response)>;

struct SendContext {
  transport::HttpTransport& transport;
  runtime::Clock& clock;
  telemetry::Metrics& metrics;
  telemetry::Logger& logger;
  std::string name;          // "firetext"
  std::string display_name;  // "Firetext", as Notify's log lines spell it
  std::string url;
  transport::SendOptions send_options;
};

/// Sends `request` and calls `done` with the message's reference or the Failure. Records
/// clients.<name>.request-time on every outcome (Notify's `finally`), raw-request-time and
/// success on success, error on failure, and logs the outcome with the HTTP status.
void send_sms_request(const SendContext& context, transport::Request request,
                      const std::string& reference, SmsHandler done, AnswerCheck check);

/// A Failure for an answer whose body did not satisfy the client (`why` as Notify's exception
/// says it). Retried on the other provider.
Failure invalid_answer(const transport::Response& response, std::string code, std::string why,
                       LogLevel level = LogLevel::warning);

}  // namespace notify::sms::detail
