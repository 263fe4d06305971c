// Today's Notify's OTel instruments: bucket rules, the OTLP JSON encoding and the Prometheus
// names, read back as a collector or a scraper would read them.
#include "notify/telemetry/otel.hpp"
#include "notify/telemetry/metrics.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace notify::telemetry {
namespace {

using nlohmann::json;

TEST(Otel, InstrumentsCarryNotifysNamesUnitsAndBounds) {
  const auto* request = find_instrument("provider.request.duration");
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->kind, InstrumentKind::histogram);
  EXPECT_EQ(request->unit, "s");
  ASSERT_EQ(request->bounds.size(), 14u);
  EXPECT_DOUBLE_EQ(request->bounds.front(), 0.005);
  EXPECT_DOUBLE_EQ(request->bounds.back(), 10);
  const auto* send = find_instrument("notification.send.duration");
  ASSERT_NE(send, nullptr);
  EXPECT_DOUBLE_EQ(send->bounds.front(), 0.05);
  EXPECT_DOUBLE_EQ(send->bounds.back(), 600);
  for (const char* name : {"notification.deliver.duration", "notification.callback.duration"}) {
    const auto* spec = find_instrument(name);
    ASSERT_NE(spec, nullptr) << name;
    EXPECT_DOUBLE_EQ(spec->bounds.front(), 1) << name;
    EXPECT_DOUBLE_EQ(spec->bounds.back(), 30 * 3600) << name;
  }
  EXPECT_EQ(find_instrument("provider.priority")->kind, InstrumentKind::gauge);
  EXPECT_EQ(find_instrument("notification.sms.internationals")->kind, InstrumentKind::counter);
  EXPECT_EQ(find_instrument("clients.ses.request-time"), nullptr);
}

TEST(Otel, AValueOnABoundGoesInThatBucket) {
  const auto& spec = *find_instrument("provider.request.duration");
  OtelPoint p;
  record_point(spec, p, 0.005);   // bucket 0: (-inf, 0.005]
  record_point(spec, p, 0.0051);  // bucket 1: (0.005, 0.01]
  record_point(spec, p, 11);      // overflow
  ASSERT_EQ(p.bucket_counts.size(), 15u);
  EXPECT_EQ(p.bucket_counts[0], 1u);
  EXPECT_EQ(p.bucket_counts[1], 1u);
  EXPECT_EQ(p.bucket_counts[14], 1u);
  EXPECT_EQ(p.count, 3u);
  EXPECT_DOUBLE_EQ(p.min, 0.005);
  EXPECT_DOUBLE_EQ(p.max, 11);
}

TEST(Otel, AttributeOrderDoesNotMakeANewSeries) {
  Metrics m;
  m.record("provider.request.duration", 0.1,
           make_attributes({{"provider.name", std::string("ses")},
                            {"notification.type", std::string("email")}}));
  m.record("provider.request.duration", 0.2,
           make_attributes({{"notification.type", std::string("email")},
                            {"provider.name", std::string("ses")}}));
  auto snapshot = m.otel_snapshot();
  ASSERT_EQ(snapshot.at("provider.request.duration").points.size(), 1u);
  EXPECT_EQ(snapshot.at("provider.request.duration").points.begin()->second.count, 2u);
  m.reset();
  EXPECT_TRUE(m.otel_snapshot().empty());
}

TEST(Otel, HandlesAndStringReferencesRecordTheSamePoint) {
  Metrics m;
  auto ok = make_attributes(
      {{"notification.type", std::string("email")}, {"provider.name", std::string("ses")}});
  auto handle = m.otel_handle("provider.request.duration", ok);
  // A resolved handle is not yet a point.
  EXPECT_TRUE(m.otel_snapshot().empty());
  m.record(handle, 0.1);
  m.record_strings("provider.request.duration", 0.2,
                   {{"notification.type", "email"}, {"provider.name", "ses"}});
  // Unsorted references name the same set.
  m.record_strings("provider.request.duration", 0.3,
                   {{"provider.name", "ses"}, {"notification.type", "email"}});
  m.record("provider.request.duration", 0.4, ok);
  auto points = m.otel_snapshot().at("provider.request.duration").points;
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points.begin()->first, ok);
  EXPECT_EQ(points.begin()->second.count, 4u);
  EXPECT_DOUBLE_EQ(points.begin()->second.sum, 1.0);

  // A string attribute is not the bool or int of the same text.
  m.record("provider.info", 1, make_attributes({{"x", true}}));
  m.record_strings("provider.info", 2, {{"x", "true"}});
  EXPECT_EQ(m.otel_snapshot().at("provider.info").points.size(), 2u);

  // The handle outlives reset(), which empties the snapshot.
  m.reset();
  EXPECT_TRUE(m.otel_snapshot().empty());
  m.record(handle, 0.5);
  points = m.otel_snapshot().at("provider.request.duration").points;
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points.begin()->second.count, 1u);
  EXPECT_DOUBLE_EQ(points.begin()->second.min, 0.5);
}

TEST(Otel, ObserverSeesTheAttributesOfEveryWayOfRecording) {
  Metrics m;
  std::vector<std::pair<std::string, Attributes>> seen;
  m.observe_otel([&seen](std::string_view instrument, double, const Attributes& attributes) {
    seen.emplace_back(std::string(instrument), attributes);
  });
  auto ok = make_attributes({{"provider.name", std::string("mmg")}});
  m.record(m.otel_handle("provider.priority", ok), 40);
  m.record_strings("provider.priority", 50, {{"provider.name", "mmg"}});
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& [instrument, attributes] : seen) {
    EXPECT_EQ(instrument, "provider.priority");
    EXPECT_EQ(attributes, ok);
  }
}

TEST(Otel, OtlpJsonIsTheCollectorsEncoding) {
  Metrics m;
  auto ok = make_attributes(
      {{"notification.type", std::string("sms")}, {"provider.name", std::string("mmg")}});
  auto failed =
      make_attributes({{"error.type", std::string("app.clients.sms.SmsClientResponseException")},
                       {"notification.type", std::string("sms")},
                       {"provider.name", std::string("mmg")}});
  m.record("provider.request.duration", 0.02, ok);
  m.record("provider.request.duration", 0.3, ok);
  m.record("provider.request.duration", 10.5, failed);
  m.record("provider.priority", 60, make_attributes({{"provider.name", std::string("mmg")}}));
  m.record("notification.sms.internationals", 1,
           make_attributes({{"notification.status", std::string("sent")}}));
  m.record(
      "provider.info", 1,
      make_attributes({{"provider.active", true}, {"time_window.delivery", std::int64_t{600}}}));

  auto body = json::parse(encode_otlp_json(m.otel_snapshot(), 1'000, 61'000'000'000, "api"));
  const auto& rm = body.at("resourceMetrics").at(0);
  EXPECT_EQ(rm.at("resource").at("attributes").at(0).at("key"), "service.name");
  EXPECT_EQ(rm.at("resource").at("attributes").at(0).at("value").at("stringValue"), "api");
  const auto& metrics = rm.at("scopeMetrics").at(0).at("metrics");
  ASSERT_EQ(metrics.size(), 4u);

  auto find = [&](const std::string& name) {
    for (const auto& metric : metrics)
      if (metric.at("name") == name) return metric;
    ADD_FAILURE() << name << " not exported";
    return json();
  };
  auto histogram = find("provider.request.duration");
  EXPECT_EQ(histogram.at("unit"), "s");
  EXPECT_EQ(histogram.at("histogram").at("aggregationTemporality"), 2);  // cumulative
  const auto& points = histogram.at("histogram").at("dataPoints");
  ASSERT_EQ(points.size(), 2u);
  for (const auto& p : points) {
    EXPECT_EQ(p.at("startTimeUnixNano"), "1000");
    EXPECT_EQ(p.at("timeUnixNano"), "61000000000");
    EXPECT_EQ(p.at("explicitBounds").size(), 14u);
    EXPECT_EQ(p.at("bucketCounts").size(), 15u);
    EXPECT_TRUE(p.at("count").is_string());  // uint64 as a string
    bool has_error = false;
    for (const auto& kv : p.at("attributes")) has_error = has_error || kv.at("key") == "error.type";
    if (has_error) {
      EXPECT_EQ(p.at("count"), "1");
      EXPECT_EQ(p.at("bucketCounts").at(14), "1");
    } else {
      EXPECT_EQ(p.at("count"), "2");
      EXPECT_EQ(p.at("bucketCounts").at(1), "0");
      EXPECT_EQ(p.at("bucketCounts").at(2), "1");  // 0.02 in (0.01, 0.025]
      EXPECT_EQ(p.at("bucketCounts").at(7), "1");  // 0.3 in (0.25, 0.5]
      EXPECT_DOUBLE_EQ(p.at("sum").get<double>(), 0.32);
    }
  }
  auto gauge = find("provider.priority");
  EXPECT_EQ(gauge.at("gauge").at("dataPoints").at(0).at("asDouble"), 60.0);
  EXPECT_EQ(
      gauge.at("gauge").at("dataPoints").at(0).at("attributes").at(0).at("value").at("stringValue"),
      "mmg");
  auto counter = find("notification.sms.internationals");
  EXPECT_EQ(counter.at("sum").at("isMonotonic"), true);
  EXPECT_EQ(counter.at("sum").at("dataPoints").at(0).at("asInt"), "1");
  auto info = find("provider.info");
  const auto& attrs = info.at("gauge").at("dataPoints").at(0).at("attributes");
  EXPECT_EQ(attrs.at(0).at("value").at("boolValue"), true);
  EXPECT_EQ(attrs.at(1).at("value").at("intValue"), "600");
}

TEST(Otel, PrometheusNamesFollowTheOtelMapping) {
  Metrics m;
  m.record("provider.request.duration", 0.3,
           make_attributes({{"provider.name", std::string("ses")}}));
  m.record("provider.priority", 40, make_attributes({{"provider.name", std::string("mmg")}}));
  m.record("notification.sms.internationals", 1, {});
  auto text = encode_prometheus(m.otel_snapshot());
  EXPECT_NE(text.find("# TYPE provider_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(
      text.find("provider_request_duration_seconds_bucket{provider_name=\"ses\",le=\"0.25\"} 0\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("provider_request_duration_seconds_bucket{provider_name=\"ses\",le=\"0.5\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("provider_request_duration_seconds_bucket{provider_name=\"ses\",le=\"+Inf\"} 1\n"),
      std::string::npos);
  EXPECT_NE(text.find("provider_request_duration_seconds_count{provider_name=\"ses\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("provider_priority_ratio{provider_name=\"mmg\"} 40\n"), std::string::npos);
  EXPECT_NE(text.find("notification_sms_internationals_total 1\n"), std::string::npos);
}

TEST(Otel, FormatNames) {
  MetricsFormat f = MetricsFormat::statsd;
  EXPECT_TRUE(parse_metrics_format("otel", f));
  EXPECT_EQ(f, MetricsFormat::otel);
  EXPECT_FALSE(parse_metrics_format("prometheus", f));
  EXPECT_EQ(to_string(MetricsFormat::statsd), "statsd");
}

}  // namespace
}  // namespace notify::telemetry
