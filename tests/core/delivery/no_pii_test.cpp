// Runs every email path with recognisable addresses and checks that none of them reaches a log
// record, an error message, a stored failure reason, a metric name or a receipt answer
// (as notifications-api 207920216 made SES errors address-free).
#include "delivery_fixture.hpp"

#include <nlohmann/json.hpp>

namespace notify::delivery {
namespace {

using namespace std::chrono_literals;
using email::testing::ses_error;
using email::testing::ses_success;
using testing::DeliveryFixture;

const std::vector<std::string> kSecrets = {"jane.doe", "example.com", "example.org",
                                           "reply-to", "service@",    "07700900123"};

using NoPii = DeliveryFixture;

void expect_clean(const std::string& where, const std::string& text) {
  for (const auto& secret : kSecrets) {
    EXPECT_EQ(text.find(secret), std::string::npos) << where << ": " << text;
  }
  EXPECT_EQ(text.find('@'), std::string::npos) << where << ": " << text;
}

TEST_F(NoPii, NoAddressAnywhere) {
  std::vector<std::string> error_messages;
  auto throttle = ses_error(400, "Throttling", "Maximum sending rate exceeded.");
  ses->script = {
      ses_success("m-1"),
      ses_error(400, "InvalidParameterValue",
                "Local address contains control or whitespace: "
                "jane.doe@example.com"),
      throttle,
      ses_error(400, "MessageRejected",
                "Email address is not verified. The following identities failed the check in "
                "region EU-WEST-1: service@notifications.example.gov.uk, jane.doe@example.com"),
      ses_error(500, "InternalFailure", "failed for jane.doe@example.com (07700900123)"),
      ses_success("m-2")};

  // The client on its own, for the error messages it hands back.
  for (int i = 0; i < 6; ++i) {
    client->send_email(message(), [&](email::EmailResult r) {
      if (!r) error_messages.push_back(r.error().code + " " + r.error().message);
    });
    clock.run();
  }
  EXPECT_EQ(error_messages.size(), 4u);

  // The delivery task across success, non-retryable, retryable and exhausted paths.
  ses->script = {ses_success("m-3"),
                 ses_error(400, "InvalidParameterValue", "Illegal address jane.doe@example.com"),
                 throttle, ses_error(503, "ServiceUnavailable", "jane.doe@example.com"),
                 ses_success("m-4")};
  for (int i = 0; i < 3; ++i) {
    auto id = "n-" + std::to_string(i);
    create(id);
    deliver(id);
  }
  clock.run();

  // A refused connection, and a stub client.
  transport.set_refusing(testing::kSesAuthority, true);
  client->send_email(message(), [&](email::EmailResult r) {
    if (!r) error_messages.push_back(r.error().code + " " + r.error().message);
  });
  clock.run();
  auto stub =
      email::make_ses_stub_client(transport, clock, metrics, logger, "http://stub.test:6301/ses");
  stub->send_email(message(), [&](email::EmailResult r) {
    if (!r) error_messages.push_back(r.error().code + " " + r.error().message);
  });
  clock.run();

  // Receipts with addresses in them, good and bad.
  ReceiptRouter router;
  add_ses_receipts(router, *store, clock, logger, metrics);
  auto handler = router.handler();
  nlohmann::json bounce = {
      {"notificationType", "Bounce"},
      {"bounce",
       {{"bounceType", "Permanent"},
        {"bouncedRecipients",
         {{{"emailAddress", "jane.doe@example.com"},
           {"diagnosticCode", "smtp; 550 5.1.1 <jane.doe@example.com>... User"}}}}}},
      {"mail", {{"messageId", "m-3"}, {"destination", {"jane.doe@example.com"}}}}};
  std::vector<std::string> bodies = {bounce.dump(), "{\"jane.doe@example.com\": 1}",
                                     "jane.doe@example.com"};
  nlohmann::json unknown = bounce;
  unknown["mail"]["messageId"] = "jane.doe@example.com";
  bodies.push_back(unknown.dump());
  for (const auto& body : bodies) {
    transport::Request request;
    request.method = "POST";
    request.target = "/notifications/email/ses";
    request.body = body;
    handler(request, [&](transport::Reply r) { expect_clean("receipt answer", r.response.body); });
  }

  for (const auto& m : error_messages) expect_clean("error message", m);
  auto records = logger.records();
  EXPECT_GE(records.size(), 8u);
  for (const auto& r : records) {
    expect_clean("log logger", r.logger);
    expect_clean("log message", r.message);
  }
  for (const auto& [name, value] : metrics.counters()) expect_clean("counter", name);
  for (const auto& [name, value] : metrics.timings()) expect_clean("timing", name);
  for (const auto& n : store->list_notifications()) {
    expect_clean("failure reason", n.failure_reason);
  }
  EXPECT_EQ(store->count_by_status("technical-failure"), 1u);
  EXPECT_EQ(store->count_by_status("permanent-failure"), 1u);
}

}  // namespace
}  // namespace notify::delivery
