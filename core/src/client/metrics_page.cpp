#include "notify/client/metrics_page.hpp"

#include "notify/telemetry/prometheus.hpp"

namespace notify::client {

namespace {

constexpr std::string_view kPath = "/metrics";

transport::Response plain(int status, std::string body) {
  transport::Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

}  // namespace

void MetricsPage::attach(const telemetry::Metrics& metrics) {
  std::lock_guard lock(mutex_);
  metrics_ = &metrics;
}

void MetricsPage::detach() {
  std::lock_guard lock(mutex_);
  if (metrics_ == nullptr) return;
  kept_ = telemetry::prometheus_text(*metrics_);
  metrics_ = nullptr;
}

std::string MetricsPage::text() const {
  // Held while the text is built, so that detach() cannot let the Metrics go meanwhile. The
  // core's recordings take only the Metrics' own lock, never this one.
  std::lock_guard lock(mutex_);
  return metrics_ != nullptr ? telemetry::prometheus_text(*metrics_) : kept_;
}

transport::Response MetricsPage::answer(const transport::Request& request) const {
  if (request.path() != kPath) {
    return plain(404, "Not found: " + std::string(request.path()) +
                          ". The core's metrics are at /metrics.\n");
  }
  if (request.method != "GET") {
    auto r = plain(405, "/metrics takes GET, not " + request.method + ".\n");
    r.headers.set("Allow", "GET");
    return r;
  }
  transport::Response r;
  r.headers.set("Content-Type", telemetry::kPrometheusContentType);
  r.body = text();
  return r;
}

transport::ServerHandler MetricsPage::handler() {
  return [this](transport::Request request, transport::Responder respond) {
    transport::Reply reply;
    reply.response = answer(request);
    respond(std::move(reply));
  };
}

MetricsPage::Attached::Attached(MetricsPage* page, const telemetry::Metrics& metrics)
    : page_(page) {
  if (page_ != nullptr) page_->attach(metrics);
}

MetricsPage::Attached::~Attached() {
  if (page_ != nullptr) page_->detach();
}

}  // namespace notify::client
