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

}  // namespace notify::email::detail
