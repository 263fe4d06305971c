// --metrics-listen HOST:PORT: the core's Prometheus page (client::MetricsPage) on a socket of
// its own, served from a thread of its own so that a scrape never waits on the core's loop,
// for as long as the command runs.
#pragma once

#include "notify/client/metrics_page.hpp"

#include <memory>
#include <string>

namespace notify::cli {

class MetricsListener {
 public:
  /// Parses `listen` ("127.0.0.1:9464", "[::1]:0", "0.0.0.0:9464"; port 0: any free port),
  /// binds and starts serving `page`, which must outlive this. Throws std::invalid_argument
  /// naming the option and the value when it does not parse or cannot be bound.
  MetricsListener(const std::string& listen, client::MetricsPage& page);
  /// Stops serving and joins the thread.
  ~MetricsListener();
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  /// "http://127.0.0.1:PORT/metrics", with the port bound.
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace notify::cli
