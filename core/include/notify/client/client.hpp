// What every provider client shares, whatever its channel: how a request is timed and reported
// (statsd timings and counters under Notify's names), and how "no response" is classified. A
// client supplies only the part that reads its provider's answer.
#pragma once

#include "notify/outcome/errc.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/http.hpp"

#include <boost/system/result.hpp>

#include <functional>
#include <memory>
#include <string>

namespace notify::client {

/// A provider's answer to one send: its reference for the message (SES MessageId, the
/// notification's own reference for SMS, a Lambda's payload) or a classified Failure.
using ProviderResult = boost::system::result<std::string, Failure>;
using ProviderHandler = std::function<void(ProviderResult)>;

/// Seconds as Python's str(float) prints them ("0.0", "0.25"), for "... finished in {elapsed}".
std::string python_seconds(runtime::Duration elapsed);

/// Classifies a transport failure (no response: refused, reset, time-out, truncated, ...). Every
/// such failure is retried on the same route; the code is the errc name.
Failure classify_no_response(boost::system::error_code ec);

/// What every client records for one finished request.
struct ClientTelemetry {
  runtime::Clock& clock;
  telemetry::Metrics& metrics;
  telemetry::Logger& logger;
  std::string metrics_name;  // "clients.ses"
  std::string log_text;      // "AWS SES request finished in "
  // The metric names under metrics_name, built once rather than on every request.
  std::string request_time_name = metrics_name + ".request-time";
  std::string raw_request_time_name = metrics_name + ".raw-request-time";
  std::string success_name = metrics_name + ".success";
  std::string error_name = metrics_name + ".error";

  // provider.request.duration under the otel format (Notify's @record_request_duration). A
  // client without a provider name (the CBC proxy's Lambda) keeps its StatsD names.
  std::string notification_type{};  // "email" | "sms"
  std::string provider_name{};      // "ses", "ses_stub", "firetext", "mmg"
  /// The fully qualified Python class Notify's client raises for `failure` (error.type).
  std::string (*error_type)(const Failure& failure) = nullptr;
  telemetry::Attributes ok_attributes{};       // built by instrument()
  telemetry::Metrics::OtelHandle ok_handle{};  // ok_attributes' point, resolved by instrument()

  /// Names the instrument's attributes; call once, before the first request.
  void instrument(std::string type, std::string provider,
                  std::string (*error_class)(const Failure&));
  bool records_otel() const { return metrics.otel() && !provider_name.empty(); }

  /// request-time, raw-request-time (when the transport measured it), success, and the log line;
  /// under otel, provider.request.duration instead of the StatsD names.
  void success(runtime::TimePoint started, runtime::Duration transport_time) const;
  /// `<metrics_name>.error`, `count` times (Notify counts some SES errors twice); nothing under
  /// otel, where failed() records the call.
  void error(int count = 1) const;
  /// Under otel, provider.request.duration with error.type for a call that raised.
  void failed(runtime::TimePoint started, const Failure& failure) const;
};

/// Turns one HTTP answer into the client's result, counting metrics through `telemetry`.
using AnswerInterpreter =
    std::function<void(const ClientTelemetry& telemetry, runtime::TimePoint started,
                       const transport::Response& response, const ProviderHandler& done)>;

/// Sends `request` and hands the answer to `interpret`; "no response" is counted and classified
/// here, the same way for every client. The completion holds the telemetry, not the client, so
/// a client destroyed with a request in flight leaves no dangling pointer behind.
void send_and_interpret(transport::HttpTransport& transport, transport::Request request,
                        transport::SendOptions options,
                        std::shared_ptr<const ClientTelemetry> telemetry, ProviderHandler done,
                        AnswerInterpreter interpret);

}  // namespace notify::client
