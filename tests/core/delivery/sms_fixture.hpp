// The whole SMS path in virtual time: SQLite in memory, the real Firetext and MMG clients, the
// in-process transport, two scripted fake providers, the provider priorities and the task.
#pragma once

#include "../sms/fake_provider.hpp"
#include "notify/delivery/sms_delivery.hpp"
#include "notify/delivery/sms_receipts.hpp"
#include "notify/transport/clients.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace notify::delivery::testing {

inline constexpr const char* kPhone = "447700900123";

struct SmsFixture : ::testing::Test {
  runtime::VirtualClock clock;
  transport::InProcessTransport transport{clock};
  telemetry::Metrics metrics;
  telemetry::Logger logger{clock};
  runtime::Rng rng{1234};
  std::unique_ptr<store::Store> store = store::open_sqlite_store(":memory:");
  std::shared_ptr<sms::testing::FakeProvider> firetext =
      std::make_shared<sms::testing::FakeProvider>();
  std::shared_ptr<sms::testing::FakeProvider> mmg = std::make_shared<sms::testing::FakeProvider>();
  // When each provider received each request, in order, as "firetext@0" (seconds from start).
  std::vector<std::string> requests;
  std::unique_ptr<sms::SmsClient> firetext_client;
  std::unique_ptr<sms::SmsClient> mmg_client;
  std::unique_ptr<SmsProviderPriorities> priorities;
  std::unique_ptr<SmsDelivery> delivery;
  std::vector<std::string> done_statuses;
  ReceiptRouter router;

  SmsFixture() {
    route(sms::testing::kFiretextAuthority, "firetext", firetext);
    route(sms::testing::kMmgAuthority, "mmg", mmg);
    firetext->script = {sms::testing::firetext_ok()};
    mmg->script = {sms::testing::mmg_ok()};
    sms::FiretextClientOptions f;
    f.url = sms::testing::kFiretextUrl;
    f.api_key = "ft-key";
    f.receipt_url = "http://core.test:6011/notifications/sms/firetext";
    firetext_client = sms::make_firetext_client(transport, clock, metrics, logger, f);
    sms::MmgClientOptions m;
    m.url = sms::testing::kMmgUrl;
    m.api_key = "bW1nOnNlY3JldA==";
    m.receipt_url = "http://core.test:6011/notifications/sms/mmg";
    mmg_client = sms::make_mmg_client(transport, clock, metrics, logger, m);
    make_delivery(every_failure());
    add_sms_receipts(router, *store, clock, logger, metrics);
  }

  void route(const char* authority, std::string name,
             std::shared_ptr<sms::testing::FakeProvider> provider) {
    auto handler = sms::testing::FakeProvider::handler(provider);
    transport.route(authority,
                    [this, name, handler](transport::Request r, transport::Responder respond) {
                      requests.push_back(name + "@" + std::to_string(seconds()));
                      handler(std::move(r), std::move(respond));
                    });
  }

  void make_delivery(SmsProviderOptions options, SmsDeliveryOptions delivery_options = {}) {
    delivery.reset();
    priorities = std::make_unique<SmsProviderPriorities>(clock, rng.fork("sms.providers"), *store,
                                                         logger, metrics, std::move(options));
    delivery = std::make_unique<SmsDelivery>(
        *store, clock, *priorities,
        std::vector<sms::SmsClient*>{firetext_client.get(), mmg_client.get()}, metrics, logger,
        std::move(delivery_options));
  }

  // The rules most of these tests were written for (Notify before 2024-11): every failure moves
  // priorities, a fresh draw for every send, an hour before drifting back.
  static SmsProviderOptions every_failure() {
    SmsProviderOptions o;
    o.error_threshold.reset();
    o.choice = SmsProviderChoice::live;
    o.rebalance_quiet = std::chrono::hours(1);
    return o;
  }

  static SmsProviderOptions only(const std::string& provider) {
    SmsProviderOptions o = every_failure();
    o.initial = {{"firetext", provider == "firetext" ? 100 : 0},
                 {"mmg", provider == "mmg" ? 100 : 0}};
    return o;
  }

  long seconds() const {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(
                                 clock.now() - runtime::VirtualClock::default_start())
                                 .count());
  }

  std::string create(const std::string& recipient = kPhone) {
    store::Notification n;
    n.id = rng.uuid4();
    n.type = "sms";
    n.recipient = recipient;
    n.created_at = clock.now();
    n.updated_at = clock.now();
    EXPECT_TRUE(store->insert_notification(n));
    return n.id;
  }

  static sms::SmsMessage message(bool international = false) {
    sms::SmsMessage m;
    m.to = kPhone;
    m.content = "Your code is 123456";
    m.international = international;
    return m;
  }

  std::string create_and_deliver(bool international = false) {
    auto id = create();
    delivery->deliver(id, message(international),
                      [this](const std::string& s) { done_statuses.push_back(s); });
    return id;
  }

  store::Notification get(const std::string& id) {
    auto n = store->get_notification(id);
    EXPECT_TRUE(n);
    return n ? *n : store::Notification{};
  }

  // Posts a receipt to the core's receipt endpoint and returns the answer.
  transport::Response post(std::string_view path, std::string body, std::string method = "POST") {
    transport::Request request;
    request.method = std::move(method);
    request.target = std::string(path);
    request.body = std::move(body);
    transport::Response out;
    router.handler()(request, [&](transport::Reply r) { out = std::move(r.response); });
    return out;
  }

  std::vector<telemetry::LogRecord> logs_at(LogLevel level) const {
    std::vector<telemetry::LogRecord> out;
    for (auto& r : logger.records()) {
      if (r.level == level) out.push_back(r);
    }
    return out;
  }

  bool logged(const std::string& text) const {
    for (auto& r : logger.records()) {
      if (r.message.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

}  // namespace notify::delivery::testing
