// The OTLP/HTTP JSON exporter against a receiver: what it posts, when, and what the SDK's
// environment variables change.
#include "notify/client/otlp_exporter.hpp"
#include "support/client_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <stdexcept>
#include <vector>

namespace notify::client {
namespace {

using nlohmann::json;

struct ExporterTest : notify::testing::ClientFixture {
  std::vector<transport::Request> received;
  int answer = 200;

  ExporterTest() {
    metrics.set_format(telemetry::MetricsFormat::otel);
    transport.route("collector.test:4318",
                    [this](transport::Request r, transport::Responder respond) {
                      received.push_back(std::move(r));
                      transport::Reply reply;
                      reply.response.status = answer;
                      respond(std::move(reply));
                    });
  }

  OtlpExporterOptions options() {
    OtlpExporterOptions o;
    o.endpoint = "http://collector.test:4318/v1/metrics";
    return o;
  }
};

TEST_F(ExporterTest, PostsCumulativeJsonEveryIntervalOnTheRunsClock) {
  OtlpExporter exporter(clock, transport, metrics, logger, options());
  exporter.start();
  auto attributes = telemetry::make_attributes(
      {{"notification.type", std::string("email")}, {"provider.name", std::string("ses")}});
  metrics.record("provider.request.duration", 0.04, attributes);
  clock.run_for(std::chrono::seconds(59));
  EXPECT_TRUE(received.empty());
  clock.run_for(std::chrono::seconds(1));
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].method, "POST");
  EXPECT_EQ(received[0].path(), "/v1/metrics");
  EXPECT_EQ(received[0].headers.get("Content-Type"), "application/json");

  metrics.record("provider.request.duration", 12, attributes);
  clock.run_for(std::chrono::seconds(60));
  ASSERT_EQ(received.size(), 2u);
  auto body = json::parse(received[1].body);
  const auto& metric =
      body.at("resourceMetrics").at(0).at("scopeMetrics").at(0).at("metrics").at(0);
  EXPECT_EQ(metric.at("name"), "provider.request.duration");
  const auto& point = metric.at("histogram").at("dataPoints").at(0);
  EXPECT_EQ(point.at("count"), "2");                // cumulative: both recordings
  EXPECT_EQ(point.at("bucketCounts").at(3), "1");   // 0.04 in (0.025, 0.05]
  EXPECT_EQ(point.at("bucketCounts").at(14), "1");  // 12 past the last bound
  std::map<std::string, std::string> attrs;
  for (const auto& kv : point.at("attributes"))
    attrs[kv.at("key")] = kv.at("value").at("stringValue");
  EXPECT_EQ(attrs.at("provider.name"), "ses");
  EXPECT_EQ(attrs.at("notification.type"), "email");
  // The second export's window starts where the first did.
  auto first = json::parse(received[0].body);
  EXPECT_EQ(point.at("startTimeUnixNano"), first.at("resourceMetrics")
                                               .at(0)
                                               .at("scopeMetrics")
                                               .at(0)
                                               .at("metrics")
                                               .at(0)
                                               .at("histogram")
                                               .at("dataPoints")
                                               .at(0)
                                               .at("startTimeUnixNano"));
  EXPECT_EQ(exporter.exports_sent(), 2u);
  exporter.stop();
  clock.run_for(std::chrono::seconds(600));
  EXPECT_EQ(received.size(), 2u);
}

TEST_F(ExporterTest, NothingRecordedSendsNothingAndAFailedExportIsLoggedNotFatal) {
  OtlpExporter exporter(clock, transport, metrics, logger, options());
  exporter.flush();
  clock.run();
  EXPECT_TRUE(received.empty());
  answer = 503;
  metrics.record("provider.priority", 51,
                 telemetry::make_attributes({{"provider.name", std::string("mmg")}}));
  exporter.flush();
  clock.run();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(exporter.exports_failed(), 1u);
  bool logged = false;
  for (const auto& r : logger.records())
    logged = logged || r.message.find("Failed to export metrics") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST(OtlpEndpoint, ResolvedAsTheSdkDoes) {
  std::map<std::string, std::string> env;
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  EXPECT_FALSE(resolve_otlp_endpoint("", getenv));
  env["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://otel:4318/";
  EXPECT_EQ(*resolve_otlp_endpoint("", getenv), "http://otel:4318/v1/metrics");
  env["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = "http://m:9/custom";
  EXPECT_EQ(*resolve_otlp_endpoint("", getenv), "http://m:9/custom");
  EXPECT_EQ(*resolve_otlp_endpoint("http://x:1/v1/metrics", getenv), "http://x:1/v1/metrics");

  OtlpExporterOptions o;
  env["OTEL_METRIC_EXPORT_INTERVAL"] = "5000";
  env["OTEL_SERVICE_NAME"] = "notify-api";
  read_otlp_environment(o, getenv);
  EXPECT_EQ(o.interval, std::chrono::seconds(5));
  EXPECT_EQ(o.service_name, "notify-api");
  env["OTEL_METRIC_EXPORT_INTERVAL"] = "5s";
  EXPECT_THROW(read_otlp_environment(o, getenv), std::invalid_argument);
}

TEST_F(ExporterTest, ABadEndpointIsAConfigurationError) {
  auto o = options();
  o.endpoint = "collector:4318";
  EXPECT_THROW(OtlpExporter(clock, transport, metrics, logger, o), std::invalid_argument);
}

}  // namespace
}  // namespace notify::client
