// The whole email path in virtual time: SQLite in memory, the real SES client, the in-process
// transport, and a scripted fake SES.
#pragma once

#include "fake_ses.hpp"
#include "notify/delivery/email_delivery.hpp"
#include "notify/transport/clients.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace notify::delivery::testing {

inline constexpr const char* kRecipient = "jane.doe@example.com";
inline constexpr const char* kSesAuthority = "ses.test:4566";

struct DeliveryFixture : ::testing::Test {
  runtime::VirtualClock clock;
  transport::InProcessTransport transport{clock};
  telemetry::Metrics metrics;
  telemetry::Logger logger{clock};
  runtime::Rng rng{1};
  std::unique_ptr<store::Store> store = store::open_sqlite_store(":memory:");
  std::shared_ptr<email::testing::FakeSes> ses = std::make_shared<email::testing::FakeSes>();
  std::vector<runtime::TimePoint> request_times;
  std::unique_ptr<email::EmailClient> client;
  std::unique_ptr<EmailDelivery> delivery;
  std::vector<std::string> done_statuses;

  DeliveryFixture() {
    auto handler = email::testing::FakeSes::handler(ses);
    transport.route(kSesAuthority,
                    [this, handler](transport::Request r, transport::Responder respond) {
                      request_times.push_back(clock.now());
                      handler(std::move(r), std::move(respond));
                    });
    // The task's own schedule is what these tests pin down, so by default the client shows
    // the task every answer as SES gave it; use_sdk_retries() puts botocore's retries back.
    make_client(client::SdkRetryMode::off);
  }

  void make_client(client::SdkRetryMode mode) {
    email::SesClientOptions options;
    options.endpoint_url = std::string("http://") + kSesAuthority;
    options.sdk_retry_mode = mode;
    delivery.reset();
    client = email::make_ses_client(transport, clock, rng, metrics, logger, options);
    delivery = std::make_unique<EmailDelivery>(*store, clock, *client, metrics, logger);
  }

  /// botocore's legacy retries (Notify's default) inside each of the task's attempts.
  void use_sdk_retries() { make_client(client::SdkRetryMode::legacy); }

  runtime::TimePoint start() const { return runtime::VirtualClock::default_start(); }

  void create(const std::string& id, const std::string& recipient = kRecipient) {
    store::Notification n;
    n.id = id;
    n.type = "email";
    n.recipient = recipient;
    n.created_at = clock.now();
    n.updated_at = clock.now();
    ASSERT_TRUE(store->insert_notification(n));
  }

  static email::EmailMessage message(const std::string& to = kRecipient) {
    email::EmailMessage m;
    m.source = "\"Service\" <service@notifications.example.gov.uk>";
    m.to = {to};
    m.subject = "Your appointment";
    m.body = "See you soon";
    m.reply_to = {"reply-to@example.org"};
    return m;
  }

  void deliver(const std::string& id) {
    delivery->deliver(id, message(), [this](const std::string& s) { done_statuses.push_back(s); });
  }

  store::Notification get(const std::string& id) {
    auto n = store->get_notification(id);
    EXPECT_TRUE(n);
    return n ? *n : store::Notification{};
  }

  std::vector<telemetry::LogRecord> logs_at(LogLevel level) const {
    std::vector<telemetry::LogRecord> out;
    for (auto& r : logger.records()) {
      if (r.level == level) out.push_back(r);
    }
    return out;
  }
};

}  // namespace notify::delivery::testing
