// Helpers the SES and SES-stub clients share: how they time a request and report it, as
// Notify's clients do (statsd timings and counters, 2021).
#pragma once

#include "notify/email/email_client.hpp"

#include <memory>
#include <string>

namespace notify::email::detail {

// Seconds as Python's str(float) prints them ("0.0", "0.25"), for "... finished in {elapsed}".
std::string python_seconds(runtime::Duration elapsed);

// What every client records for one finished request.
struct ClientTelemetry {
  runtime::Clock& clock;
  telemetry::Metrics& metrics;
  telemetry::Logger& logger;
  std::string metrics_name;  // "clients.ses"
  std::string log_text;      // "AWS SES request finished in "

  // request-time, raw-request-time (when the transport measured it), success, and the log line.
  void success(runtime::TimePoint started, runtime::Duration transport_time) const;
  // `<metrics_name>.error`, `count` times (Notify counts some SES errors twice).
  void error(int count = 1) const;
};

// Turns one HTTP answer into the client's result, counting metrics through `telemetry`.
using AnswerInterpreter = void (*)(const ClientTelemetry& telemetry, runtime::TimePoint started,
                                   const transport::Response& response, const EmailHandler& done);

// Sends `request` and hands the answer to `interpret`; "no response" is counted and classified
// here, the same way for every client. The completion holds the telemetry, not the client, so a
// client destroyed with a request in flight leaves no dangling pointer behind.
void send_and_interpret(transport::HttpTransport& transport, transport::Request request,
                        transport::SendOptions options,
                        std::shared_ptr<const ClientTelemetry> telemetry, EmailHandler done,
                        AnswerInterpreter interpret);

}  // namespace notify::email::detail
