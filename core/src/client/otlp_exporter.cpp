// OTLP/HTTP JSON export on the Clock. Nothing here may slow or fail a send: an export that
// fails is counted and logged, and the values stay cumulative for the next one.
#include "notify/client/otlp_exporter.hpp"

#include "notify/runtime/assert.hpp"

#include <charconv>
#include <stdexcept>

namespace notify::client {

namespace {

constexpr std::string_view kLogger = "telemetry.otlp";

std::uint64_t unix_ns(runtime::TimePoint t) {
  return static_cast<std::uint64_t>(t.time_since_epoch().count());
}

}  // namespace

std::optional<std::string> resolve_otlp_endpoint(
    const std::string& explicit_endpoint, const std::function<const char*(const char*)>& getenv) {
  if (!explicit_endpoint.empty()) return explicit_endpoint;
  if (const char* v = getenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"); v != nullptr && *v != '\0')
    return std::string(v);
  if (const char* v = getenv("OTEL_EXPORTER_OTLP_ENDPOINT"); v != nullptr && *v != '\0') {
    std::string base(v);
    // The SDK appends the signal's path to the base endpoint, with exactly one slash.
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/v1/metrics";
  }
  return std::nullopt;
}

void read_otlp_environment(OtlpExporterOptions& options,
                           const std::function<const char*(const char*)>& getenv) {
  if (const char* v = getenv("OTEL_METRIC_EXPORT_INTERVAL"); v != nullptr && *v != '\0') {
    std::string_view text(v);
    long long ms = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc{} || end != text.data() + text.size() || ms <= 0) {
      throw std::invalid_argument("OTEL_METRIC_EXPORT_INTERVAL '" + std::string(text) +
                                  "' is not a positive whole number of milliseconds (e.g. 60000)");
    }
    options.interval = std::chrono::milliseconds(ms);
  }
  if (const char* v = getenv("OTEL_SERVICE_NAME"); v != nullptr && *v != '\0')
    options.service_name = v;
}

OtlpExporter::OtlpExporter(runtime::Clock& clock, transport::HttpTransport& transport,
                           telemetry::Metrics& metrics, telemetry::Logger& logger,
                           OtlpExporterOptions options)
    : clock_(clock),
      transport_(transport),
      metrics_(metrics),
      logger_(logger),
      options_(std::move(options)),
      started_at_(clock.now()) {
  if (!transport::parse_url(options_.endpoint)) {
    throw std::invalid_argument("OTLP metrics endpoint '" + options_.endpoint +
                                "' is not an absolute http(s) URL such as "
                                "http://127.0.0.1:4318/v1/metrics");
  }
  if (options_.interval <= runtime::Duration::zero()) {
    throw std::invalid_argument("the OTLP export interval must be positive");
  }
}

OtlpExporter::~OtlpExporter() { stop(); }

void OtlpExporter::start() {
  if (timer_) return;
  timer_ = clock_.schedule_after(options_.interval, [this] { tick(); });
}

void OtlpExporter::stop() {
  if (timer_) clock_.cancel(*timer_);
  timer_.reset();
}

void OtlpExporter::tick() {
  timer_ = clock_.schedule_after(options_.interval, [this] { tick(); });
  flush();
}

void OtlpExporter::flush() {
  auto snapshot = metrics_.otel_snapshot();
  if (snapshot.empty()) return;
  transport::Request request;
  request.method = "POST";
  request.target = options_.endpoint;
  request.headers.set("Content-Type", "application/json");
  request.body = telemetry::encode_otlp_json(snapshot, unix_ns(started_at_), unix_ns(clock_.now()),
                                             options_.service_name);
  std::weak_ptr<int> alive = alive_;
  transport_.send(
      std::move(request), options_.send_options, [this, alive](transport::SendResult result) {
        if (alive.expired()) return;
        if (result && result->status >= 200 && result->status < 300) {
          ++sent_;
          return;
        }
        ++failed_;
        logger_.warning(kLogger, "Failed to export metrics to " + options_.endpoint + ": " +
                                     (result ? "HTTP " + std::to_string(result->status)
                                             : result.error().message()));
      });
}

}  // namespace notify::client
