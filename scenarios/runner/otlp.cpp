#include "otlp.hpp"

#include "notify/transport/clients.hpp"

#include <boost/asio/io_context.hpp>

#include <optional>

namespace notify::scenarios {

client::OtlpExporterOptions otlp_options(const RunOptions& options) {
  client::OtlpExporterOptions o;
  o.endpoint = options.otlp_endpoint;
  o.interval = options.otlp_interval;
  o.service_name = options.otlp_service_name;
  return o;
}

std::string export_otlp_now(const telemetry::Metrics& metrics, const RunOptions& options,
                            runtime::TimePoint start, runtime::TimePoint now) {
  auto snapshot = metrics.otel_snapshot();
  if (snapshot.empty()) return {};
  const auto o = otlp_options(options);
  transport::Request request;
  request.method = "POST";
  request.target = o.endpoint;
  request.headers.set("Content-Type", "application/json");
  request.body = telemetry::encode_otlp_json(
      snapshot, static_cast<std::uint64_t>(start.time_since_epoch().count()),
      static_cast<std::uint64_t>(now.time_since_epoch().count()), o.service_name);
  boost::asio::io_context io;
  auto client = transport::make_beast_client(io);
  std::optional<std::string> outcome;
  client->send(std::move(request), o.send_options, [&](transport::SendResult result) {
    if (!result) {
      outcome = result.error().message();
    } else if (result->status < 200 || result->status >= 300) {
      outcome = "HTTP " + std::to_string(result->status);
    } else {
      outcome = "";
    }
  });
  io.run();
  return outcome.value_or("no answer");
}

}  // namespace notify::scenarios
