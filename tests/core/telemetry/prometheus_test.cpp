// The Prometheus page's text: OTel instruments beside StatsD names mapped as statsd_exporter maps
// them, one family per name whatever the names collide into.
#include "notify/telemetry/prometheus.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <sstream>

namespace notify::telemetry {
namespace {

using namespace std::chrono_literals;

bool has_line(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

// Every family is declared once, and every sample line belongs to the family declared last.
void expect_well_formed(const std::string& text) {
  std::set<std::string> declared;
  std::string current;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      current = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(declared.insert(current).second) << "declared twice: " << current;
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0) continue;
    const std::string name = line.substr(0, line.find_first_of("{ "));
    EXPECT_EQ(name.rfind(current, 0), 0u) << line << " after # TYPE " << current;
  }
}

TEST(Prometheus, StatsdNamesAsStatsdExporterEscapesThem) {
  EXPECT_EQ(statsd_prometheus_name("clients.ses.request-time"), "clients_ses_request_time");
  EXPECT_EQ(statsd_prometheus_name("callback.ses.permanent-failure"),
            "callback_ses_permanent_failure");
  EXPECT_EQ(statsd_prometheus_name("sms.provider-priority.mmg"), "sms_provider_priority_mmg");
  EXPECT_EQ(statsd_prometheus_name("5xx.count"), "_5xx_count");
  EXPECT_EQ(statsd_prometheus_name("a_b"), "a_b");
}

TEST(Prometheus, StatsdCountersTimersAndGauges) {
  Metrics m;
  m.incr("clients.ses.success", 3);
  m.timing("clients.ses.request-time", 250ms);
  m.timing("clients.ses.request-time", 1500ms);
  m.gauge("sms.provider-priority.mmg", 41);
  const std::string text = prometheus_text(m);
  EXPECT_TRUE(has_line(text, "# TYPE clients_ses_success counter"));
  EXPECT_TRUE(has_line(text, "# HELP clients_ses_success StatsD counter clients.ses.success"));
  EXPECT_TRUE(has_line(text, "clients_ses_success 3"));
  EXPECT_TRUE(has_line(text, "# TYPE clients_ses_request_time summary"));
  EXPECT_TRUE(has_line(text, "clients_ses_request_time_sum 1.75"));
  EXPECT_TRUE(has_line(text, "clients_ses_request_time_count 2"));
  EXPECT_TRUE(has_line(text, "# TYPE sms_provider_priority_mmg gauge"));
  EXPECT_TRUE(has_line(text, "sms_provider_priority_mmg 41"));
  expect_well_formed(text);
}

TEST(Prometheus, OtelInstrumentsAndStatsdNamesTogether) {
  Metrics m;
  m.set_format(MetricsFormat::otel);
  m.record("provider.request.duration", 0.03,
           make_attributes(
               {{"notification.type", std::string("sms")}, {"provider.name", std::string("mmg")}}));
  m.incr("timeout-sending.mmg");
  const std::string text = prometheus_text(m);
  EXPECT_TRUE(has_line(text, "# TYPE provider_request_duration_seconds histogram"));
  EXPECT_TRUE(has_line(text,
                       "provider_request_duration_seconds_bucket{notification_type=\"sms\","
                       "provider_name=\"mmg\",le=\"0.05\"} 1"));
  EXPECT_TRUE(has_line(text, "timeout_sending_mmg 1"));
  expect_well_formed(text);
}

TEST(Prometheus, NamesThatCollideMakeOneFamily) {
  Metrics m;
  m.incr("a.b", 2);
  m.incr("a-b", 3);
  // A timer whose _count would be another family's name, and a gauge named as a counter.
  m.timing("a", 1s);
  m.gauge("a.b", 7);
  m.incr("a.count");
  const std::string text = prometheus_text(m);
  EXPECT_TRUE(has_line(text, "# HELP a_b StatsD counter a-b, a.b"));
  EXPECT_TRUE(has_line(text, "a_b 5"));
  EXPECT_TRUE(has_line(text, "a_count 1"));
  EXPECT_EQ(text.find("# TYPE a summary"), std::string::npos) << text;
  EXPECT_EQ(text.find("a_b 7"), std::string::npos) << text;
  expect_well_formed(text);
}

TEST(Prometheus, NothingRecordedIsAnEmptyPage) { EXPECT_EQ(prometheus_text(Metrics{}), ""); }

}  // namespace
}  // namespace notify::telemetry
