// The core's Prometheus page as a handler: what GET /metrics answers, how other requests are
// refused, and what it shows before, during and after a run's Metrics.
#include "notify/client/metrics_page.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

namespace notify::client {
namespace {

transport::Request get(std::string target, std::string method = "GET") {
  transport::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

telemetry::Attributes ses() {
  return telemetry::make_attributes(
      {{"notification.type", std::string("email")}, {"provider.name", std::string("ses")}});
}

TEST(MetricsPage, ServesTheAttachedMetricsInTheTextFormat) {
  MetricsPage page;
  telemetry::Metrics metrics;
  metrics.set_format(telemetry::MetricsFormat::otel);
  MetricsPage::Attached attached(&page, metrics);
  metrics.record("provider.request.duration", 0.02, ses());

  auto r = page.answer(get("/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get_or("Content-Type", ""), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("provider_request_duration_seconds_bucket{notification_type=\"email\","
                        "provider_name=\"ses\",le=\"0.025\"} 1\n"),
            std::string::npos)
      << r.body;
  // Each scrape reads the values as they are then.
  metrics.record("provider.request.duration", 0.02, ses());
  EXPECT_NE(page.answer(get("/metrics?x=1"))
                .body.find("provider_request_duration_seconds_count{notification_type=\"email\","
                           "provider_name=\"ses\"} 2\n"),
            std::string::npos);
}

TEST(MetricsPage, RefusesOtherPathsAndMethods) {
  MetricsPage page;
  auto missing = page.answer(get("/"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("/metrics"), std::string::npos);
  auto post = page.answer(get("/metrics", "POST"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers.get_or("Allow", ""), "GET");
}

TEST(MetricsPage, KeepsARunsLastValuesAfterItEnds) {
  MetricsPage page;
  EXPECT_EQ(page.answer(get("/metrics")).body, "") << "before any run";
  {
    auto metrics = std::make_unique<telemetry::Metrics>();
    MetricsPage::Attached attached(&page, *metrics);
    metrics->incr("clients.ses.success", 4);
  }
  // The Metrics is gone; the page still answers with what it held.
  EXPECT_NE(page.text().find("clients_ses_success 4\n"), std::string::npos) << page.text();
  telemetry::Metrics next;
  MetricsPage::Attached attached(&page, next);
  EXPECT_EQ(page.text(), "") << "the next run starts empty";
}

TEST(MetricsPage, WithoutAPageAttachedDoesNothing) {
  telemetry::Metrics metrics;
  MetricsPage::Attached attached(nullptr, metrics);
  SUCCEED();
}

// Scrapes from another thread while the core records and a run ends: each answer is whole, and
// detach waits for the scrape in progress (ThreadSanitizer runs this through the threads label).
TEST(MetricsPage, ScrapesFromAnotherThreadWhileTheCoreRecords) {
  MetricsPage page;
  auto metrics = std::make_unique<telemetry::Metrics>();
  metrics->set_format(telemetry::MetricsFormat::otel);
  page.attach(*metrics);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::thread scraper([&] {
    while (!stop.load()) {
      auto r = page.answer(get("/metrics"));
      if (r.status != 200 || (!r.body.empty() && r.body.back() != '\n')) ++bad;
    }
  });
  for (int i = 0; i < 2000; ++i) metrics->record("provider.request.duration", 0.001 * i, ses());
  page.detach();
  metrics.reset();
  stop = true;
  scraper.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_NE(page.text().find("_count{notification_type=\"email\",provider_name=\"ses\"} 2000\n"),
            std::string::npos);
}

}  // namespace
}  // namespace notify::client
