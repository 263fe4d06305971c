// Periodic export of the core's OpenTelemetry instruments as OTLP/HTTP JSON (POST /v1/metrics),
// the way the OTel SDK's PeriodicExportingMetricReader does it for today's Notify: cumulative
// temporality, every 60 s unless configured, on the run's clock.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/http.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace notify::client {

struct OtlpExporterOptions {
  std::string endpoint;  // the full URL posted to ("http://collector:4318/v1/metrics")
  runtime::Duration interval = std::chrono::seconds(60);  // OTEL_METRIC_EXPORT_INTERVAL
  std::string service_name = "notify-sim";                // OTEL_SERVICE_NAME
  transport::SendOptions send_options{std::chrono::seconds(10), std::chrono::seconds(10)};
};

/// The metrics endpoint as the OTel SDK resolves it: `explicit_endpoint` if given; else
/// OTEL_EXPORTER_OTLP_METRICS_ENDPOINT as is; else OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/metrics";
/// nullopt when none is set. `getenv` is injected so tests need not touch the environment.
std::optional<std::string> resolve_otlp_endpoint(
    const std::string& explicit_endpoint, const std::function<const char*(const char*)>& getenv);

/// Reads OTEL_METRIC_EXPORT_INTERVAL (milliseconds) and OTEL_SERVICE_NAME into `options`.
/// Throws std::invalid_argument naming the variable for an interval that is not a positive
/// whole number of milliseconds.
void read_otlp_environment(OtlpExporterOptions& options,
                           const std::function<const char*(const char*)>& getenv);

/// Exports every `interval` from start() until destroyed or stop(), and once more on flush().
/// A failed export is logged and dropped, as the SDK does; the next one carries the cumulative
/// values again.
class OtlpExporter {
 public:
  /// Throws std::invalid_argument when the endpoint is not an absolute http(s) URL.
  OtlpExporter(runtime::Clock& clock, transport::HttpTransport& transport,
               telemetry::Metrics& metrics, telemetry::Logger& logger, OtlpExporterOptions options);
  ~OtlpExporter();
  OtlpExporter(const OtlpExporter&) = delete;
  OtlpExporter& operator=(const OtlpExporter&) = delete;

  void start();
  void stop();
  /// Exports now (the SDK's force_flush at shutdown).
  void flush();

  std::size_t exports_sent() const { return sent_; }
  std::size_t exports_failed() const { return failed_; }

 private:
  void tick();

  runtime::Clock& clock_;
  transport::HttpTransport& transport_;
  telemetry::Metrics& metrics_;
  telemetry::Logger& logger_;
  OtlpExporterOptions options_;
  runtime::TimePoint started_at_;
  std::optional<runtime::TimerId> timer_;
  std::size_t sent_ = 0;
  std::size_t failed_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace notify::client
