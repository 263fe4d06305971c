// What the SMS path records under the otel metrics format besides the durations: today's Notify's
// notification.sms.internationals at send and receipt, and the gauges of its
// generate-sms-delivery-stats task (provider.sms.legacy.not_delivered_within, provider.priority,
// provider.updated_at, provider.info), on the virtual clock.
#include "otel_records.hpp"
#include "sms_fixture.hpp"

#include <nlohmann/json.hpp>

namespace notify::delivery {
namespace {

using namespace std::chrono_literals;
using telemetry::Attributes;
using telemetry::make_attributes;
using testing::SmsFixture;

struct SmsOtelTest : SmsFixture {
  SmsOtelTest() { metrics.set_format(telemetry::MetricsFormat::otel); }

  // The point recorded under exactly `attributes`, or nullptr.
  const telemetry::OtelPoint* point(const std::string& instrument, const Attributes& attributes) {
    snapshot = metrics.otel_snapshot();
    auto series = snapshot.find(instrument);
    if (series == snapshot.end()) return nullptr;
    auto it = series->second.points.find(attributes);
    return it == series->second.points.end() ? nullptr : &it->second;
  }

  std::size_t points(const std::string& instrument) {
    snapshot = metrics.otel_snapshot();
    auto series = snapshot.find(instrument);
    return series == snapshot.end() ? 0 : series->second.points.size();
  }

  static Attributes internationals(const std::string& status, const std::string& country) {
    return make_attributes(
        {{"notification.sms.country_code", country}, {"notification.status", status}});
  }

  // provider.sms.legacy.not_delivered_within for `provider` and a delivery window, or nullptr.
  const telemetry::OtelPoint* share(const std::string& provider, std::int64_t delivery_s) {
    return point("provider.sms.legacy.not_delivered_within",
                 not_delivered_within(provider, delivery_s));
  }

  static Attributes not_delivered_within(const std::string& provider, std::int64_t delivery_s) {
    return make_attributes({{"provider.name", provider},
                            {"time_window.delivery", delivery_s},
                            {"time_window.evaluation", std::int64_t{900}}});
  }

  // An SMS created `created` after the start, sent by `provider` then, and left in `status`
  // (delivered at `delivered`, when given).
  void stored(runtime::Duration created, const std::string& provider, const std::string& status,
              std::optional<runtime::Duration> delivered = std::nullopt) {
    const auto start = runtime::VirtualClock::default_start();
    store::Notification n;
    n.id = rng.uuid4();
    n.type = "sms";
    n.recipient = testing::kPhone;
    n.created_at = start + created;
    n.updated_at = n.created_at;
    ASSERT_TRUE(store->insert_notification(n));
    ASSERT_TRUE(store->update_status(n.id, "sending", n.created_at, provider, n.id));
    if (status != "sending") {
      ASSERT_TRUE(store->update_status(n.id, status, start + delivered.value_or(created)));
    }
  }

  telemetry::OtelSnapshot snapshot;
};

TEST(SmsCountryPrefix, NotifysPhonePrefixForEachKindOfNumber) {
  EXPECT_EQ(sms_country_prefix("447700900123"), "44");
  EXPECT_EQ(sms_country_prefix("07700900123"), "44");
  EXPECT_EQ(sms_country_prefix("33612345678"), "33");
  EXPECT_EQ(sms_country_prefix("+33 6 12 34 56 78"), "33");
  EXPECT_EQ(sms_country_prefix("0033612345678"), "33");
  EXPECT_EQ(sms_country_prefix("79161234567"), "7");
  EXPECT_EQ(sms_country_prefix("971501234567"), "971");
  EXPECT_EQ(sms_country_prefix("35312345678"), "353");
  // The North American plan: an area code billed on its own, else "1".
  EXPECT_EQ(sms_country_prefix("12425550123"), "1242");
  EXPECT_EQ(sms_country_prefix("18765550123"), "1876");
  EXPECT_EQ(sms_country_prefix("12025550123"), "1");
  // Inmarsat (870) and international freephone (800) are not in Notify's table.
  EXPECT_EQ(sms_country_prefix("870772001234"), "unsupported");
  EXPECT_EQ(sms_country_prefix("80012345678"), "unsupported");
}

TEST_F(SmsOtelTest, AnInternationalSendCountsAsSentUnderItsCountryCode) {
  make_delivery(only("mmg"));
  auto id = create("33612345678");
  auto m = message(true);
  m.to = "33612345678";
  delivery->deliver(id, m, [](const std::string&) {});
  clock.run();
  EXPECT_EQ(get(id).status, "sent");
  const auto* sent = point("notification.sms.internationals", internationals("sent", "33"));
  ASSERT_NE(sent, nullptr);
  EXPECT_EQ(sent->value, 1);
  EXPECT_EQ(points("notification.sms.internationals"), 1u);

  // A UK message counts nothing.
  create_and_deliver();
  clock.run();
  EXPECT_EQ(point("notification.sms.internationals", internationals("sent", "33"))->value, 1);
  EXPECT_EQ(points("notification.sms.internationals"), 1u);
}

TEST_F(SmsOtelTest, AFailedInternationalSendCountsNothing) {
  mmg->script = {sms::testing::json_reply(400, R"({"Error": 205, "Description": "Bad"})")};
  SmsDeliveryOptions no_retries;
  no_retries.retry = RetryPolicy{0, 0s, 0s};
  make_delivery(only("mmg"), no_retries);
  auto id = create("33612345678");
  auto m = message(true);
  m.to = "33612345678";
  delivery->deliver(id, m, [](const std::string&) {});
  clock.run();
  EXPECT_EQ(get(id).status, "technical-failure");
  EXPECT_EQ(points("notification.sms.internationals"), 0u);
}

TEST_F(SmsOtelTest, EachFinalReceiptOfAnInternationalMessageCountsUnderTheReportedStatus) {
  make_delivery(only("firetext"));
  auto id = create("12425550123");
  auto m = message(true);
  m.to = "12425550123";
  delivery->deliver(id, m, [](const std::string&) {});
  clock.run();
  auto receipt = [&](const std::string& status, const std::string& code = {}) {
    std::string body = "mobile=12425550123&status=" + status + "&reference=" + id;
    if (!code.empty()) body += "&code=" + code;
    EXPECT_EQ(post(kFiretextReceiptPath, body).status, 200);
  };
  // Pending counts nothing; the failure that follows counts as the permanent-failure Firetext
  // reported, although the notification becomes temporary-failure after pending.
  receipt("2");
  EXPECT_EQ(get(id).status, "pending");
  EXPECT_EQ(points("notification.sms.internationals"), 1u) << "only the send's";
  receipt("1");
  EXPECT_EQ(get(id).status, "temporary-failure");
  const auto* failed =
      point("notification.sms.internationals", internationals("permanent-failure", "1242"));
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->value, 1);
  EXPECT_EQ(point("notification.sms.internationals", internationals("sent", "1242"))->value, 1);
  // A duplicate receipt for a final notification changes nothing and counts nothing.
  receipt("0");
  EXPECT_EQ(points("notification.sms.internationals"), 2u);
}

TEST_F(SmsOtelTest, UnderStatsdNoInternationalIsCounted) {
  metrics.set_format(telemetry::MetricsFormat::statsd);
  make_delivery(only("mmg"));
  auto m = message(true);
  m.to = "33612345678";
  delivery->deliver(create("33612345678"), m, [](const std::string&) {});
  clock.run();
  EXPECT_TRUE(metrics.otel_snapshot().empty());
}

TEST_F(SmsOtelTest, DeliveryStatsAreTheShareNotDeliveredWithinEachWindow) {
  // At 20 minutes, the last 15 minutes' firetext messages: delivered in 30 s, 3 min and 7 min,
  // and one still sending 12 min after it was sent. Older, failed and mmg's count nowhere.
  stored(6min, "firetext", "delivered", 6min + 30s);
  stored(7min, "firetext", "delivered", 10min);
  stored(8min, "firetext", "delivered", 15min);
  stored(8min, "firetext", "sending");
  stored(2min, "firetext", "sending");
  stored(9min, "firetext", "permanent-failure", 9min + 10s);
  clock.run_for(20min);
  priorities->generate_delivery_stats();

  EXPECT_DOUBLE_EQ(share("firetext", 60)->value, 0.75);
  EXPECT_DOUBLE_EQ(share("firetext", 300)->value, 0.5);
  EXPECT_DOUBLE_EQ(share("firetext", 600)->value, 0.25);
  for (std::int64_t window : {60, 300, 600}) {
    const auto* mmg_point = share("mmg", window);
    ASSERT_NE(mmg_point, nullptr) << "a provider without messages is reported, as 0";
    EXPECT_EQ(mmg_point->value, 0);
  }
  EXPECT_EQ(points("provider.sms.legacy.not_delivered_within"), 6u);

  for (const char* name : {"firetext", "mmg"}) {
    const auto* info =
        point("provider.info", make_attributes({{"notification.type", std::string("sms")},
                                                {"provider.active", true},
                                                {"provider.name", std::string(name)},
                                                {"provider.supports_international", true}}));
    ASSERT_NE(info, nullptr) << name;
    EXPECT_EQ(info->value, 1);
  }
  const auto by_name = [](const char* name) {
    return make_attributes({{"provider.name", std::string(name)}});
  };
  EXPECT_EQ(point("provider.priority", by_name("firetext"))->value, 49);
  EXPECT_EQ(point("provider.priority", by_name("mmg"))->value, 51);
  EXPECT_EQ(points("provider.updated_at"), 0u) << "no priority has changed yet";
}

TEST_F(SmsOtelTest, TheStatsTaskRunsEveryMinuteAndReportsTheLastChange) {
  priorities->start();
  clock.run_for(2min + 30s);
  ASSERT_TRUE(priorities->on_send_failure("firetext"));
  const double changed_at = std::chrono::duration<double>(clock.now().time_since_epoch()).count();
  clock.run_for(30s);
  const auto firetext = make_attributes({{"provider.name", std::string("firetext")}});
  // Minutes 1, 2 and 3.
  EXPECT_EQ(share("firetext", 300)->count, 3u);
  EXPECT_EQ(point("provider.priority", firetext)->value, 39);
  EXPECT_EQ(point("provider.updated_at", firetext)->value, changed_at);
  priorities->stop();
}

TEST_F(SmsOtelTest, UnderStatsdTheStatsTaskIsNotScheduled) {
  metrics.set_format(telemetry::MetricsFormat::statsd);
  make_delivery(every_failure());
  priorities->start();
  clock.run_for(3min);
  EXPECT_TRUE(metrics.otel_snapshot().empty());
  priorities->stop();
}

}  // namespace
}  // namespace notify::delivery
