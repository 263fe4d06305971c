#include "client_common.hpp"

#include <charconv>

namespace notify::email::detail {

std::string python_seconds(runtime::Duration elapsed) {
  double seconds = std::chrono::duration<double>(elapsed).count();
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, seconds);
  std::string out(buffer, ec == std::errc{} ? end : buffer);
  if (out.find_first_of(".en") == std::string::npos) out += ".0";
  return out;
}

void ClientTelemetry::success(runtime::TimePoint started, runtime::Duration transport_time) const {
  auto elapsed = clock.now() - started;
  logger.info(metrics_name, log_text + python_seconds(elapsed));
  metrics.timing(metrics_name + ".request-time", elapsed);
  if (transport_time.count() != 0)
    metrics.timing(metrics_name + ".raw-request-time", transport_time);
  metrics.incr(metrics_name + ".success");
}

void ClientTelemetry::error(int count) const {
  for (int i = 0; i < count; ++i) metrics.incr(metrics_name + ".error");
}

void send_and_interpret(transport::HttpTransport& transport, transport::Request request,
                        transport::SendOptions options,
                        std::shared_ptr<const ClientTelemetry> telemetry, EmailHandler done,
                        AnswerInterpreter interpret) {
  auto started = telemetry->clock.now();
  transport.send(std::move(request), options,
                 [telemetry = std::move(telemetry), started, done = std::move(done),
                  interpret](transport::SendResult result) {
                   if (!result) {
                     telemetry->error();
                     done(classify_transport_error(result.error()));
                     return;
                   }
                   interpret(*telemetry, started, *result, done);
                 });
}

}  // namespace notify::email::detail
