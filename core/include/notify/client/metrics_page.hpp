// The core's Prometheus page: GET /metrics answers with the text exposition of the Metrics the
// running core records. One page outlives the runs it shows: each run attaches its Metrics while
// it lives, and when it detaches the page keeps that run's last values until the next attaches.
#pragma once

#include "notify/telemetry/metrics.hpp"
#include "notify/transport/server.hpp"

#include <mutex>
#include <string>

namespace notify::client {

/// Thread-safe: scrapes may come from another thread than the one the core records on.
class MetricsPage {
 public:
  /// Serves `metrics` from now on; it must stay alive until detach().
  void attach(const telemetry::Metrics& metrics);
  /// Keeps the attached Metrics' values as they are now and forgets it. Waits for a scrape in
  /// progress, so the Metrics may be destroyed once this returns.
  void detach();

  /// The page's text now: telemetry::prometheus_text of the attached Metrics, else the values
  /// kept at the last detach() (empty before any run).
  std::string text() const;
  /// GET /metrics (any query): 200 in the text format. Another path: 404; another method on
  /// /metrics: 405 with Allow: GET. Never blocks on the core beyond one snapshot.
  transport::Response answer(const transport::Request& request) const;
  /// answer() as a server handler; the page must outlive the server.
  transport::ServerHandler handler();

  /// Attaches on construction and detaches on destruction; does nothing without a page.
  class Attached {
   public:
    Attached(MetricsPage* page, const telemetry::Metrics& metrics);
    ~Attached();
    Attached(const Attached&) = delete;
    Attached& operator=(const Attached&) = delete;

   private:
    MetricsPage* page_;
  };

 private:
  mutable std::mutex mutex_;
  const telemetry::Metrics* metrics_ = nullptr;
  std::string kept_;
};

}  // namespace notify::client
