#include "notify/client/client.hpp"

#include <algorithm>
#include <charconv>

namespace notify::client {

std::string python_seconds(runtime::Duration elapsed) {
  double seconds = std::chrono::duration<double>(elapsed).count();
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, seconds);
  std::string out(buffer, ec == std::errc{} ? end : buffer);
  if (out.find_first_of(".en") == std::string::npos) out += ".0";
  return out;
}

Failure classify_no_response(boost::system::error_code ec) {
  Failure failure;
  bool timed_out = ec == make_error_code(errc::timed_out) || ec == boost::system::errc::timed_out;
  failure.kind = timed_out ? FailureKind::timeout : FailureKind::transport;
  failure.retry = Retry::same;
  failure.level = LogLevel::error;
  failure.code = ec.category() == notify_category()
                     ? std::string(to_string(errc(ec.value())))
                     : ec.category().name() + std::string(":") + std::to_string(ec.value());
  failure.message = telemetry::scrub_pii(ec.message());
  return failure;
}

void ClientTelemetry::instrument(std::string type, std::string provider,
                                 std::string (*error_class)(const Failure&)) {
  notification_type = std::move(type);
  provider_name = std::move(provider);
  error_type = error_class;
  ok_attributes = telemetry::make_attributes(
      {{"notification.type", notification_type}, {"provider.name", provider_name}});
  // Every successful call records this one point: resolve it once, not per request.
  ok_handle = metrics.otel_handle("provider.request.duration", ok_attributes);
}

void ClientTelemetry::success(runtime::TimePoint started, runtime::Duration transport_time) const {
  auto elapsed = clock.now() - started;
  logger.info(metrics_name, log_text + python_seconds(elapsed));
  if (records_otel()) {
    metrics.record(ok_handle, std::chrono::duration<double>(elapsed).count());
    return;
  }
  metrics.timing(request_time_name, elapsed);
  if (transport_time.count() != 0) metrics.timing(raw_request_time_name, transport_time);
  metrics.incr(success_name);
}

void ClientTelemetry::error(int count) const {
  if (records_otel()) return;
  for (int i = 0; i < count; ++i) metrics.incr(error_name);
}

void ClientTelemetry::failed(runtime::TimePoint started, const Failure& failure) const {
  if (!records_otel()) return;
  auto attributes = ok_attributes;
  attributes.emplace_back("error.type",
                          error_type ? error_type(failure) : std::string("Exception"));
  std::sort(attributes.begin(), attributes.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  metrics.record("provider.request.duration",
                 std::chrono::duration<double>(clock.now() - started).count(), attributes);
}

void send_and_interpret(transport::HttpTransport& transport, transport::Request request,
                        transport::SendOptions options,
                        std::shared_ptr<const ClientTelemetry> telemetry, ProviderHandler done,
                        AnswerInterpreter interpret) {
  auto started = telemetry->clock.now();
  transport.send(std::move(request), options,
                 [telemetry = std::move(telemetry), started, done = std::move(done),
                  interpret = std::move(interpret)](transport::SendResult result) {
                   if (!result) {
                     telemetry->error();
                     auto failure = classify_no_response(result.error());
                     telemetry->failed(started, failure);
                     done(std::move(failure));
                     return;
                   }
                   interpret(*telemetry, started, *result, done);
                 });
}

}  // namespace notify::client
