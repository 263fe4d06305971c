// Runs every SMS path with a recognisable phone number, and provider errors and receipts that
// quote it, and checks that it reaches no log record, error message, stored failure reason,
// metric name or receipt answer.
#include "sms_fixture.hpp"

#include <nlohmann/json.hpp>

namespace notify::delivery {
namespace {

using namespace std::chrono_literals;
using sms::testing::json_reply;
using testing::SmsFixture;
using SmsNoPii = SmsFixture;

// The number in every spelling a provider or a log line might use.
const std::vector<std::string> kSecrets = {"7700900123", "07700 900123", "7700 900 123"};

void expect_clean(const std::string& where, const std::string& text) {
  for (const auto& secret : kSecrets) {
    EXPECT_EQ(text.find(secret), std::string::npos) << where << ": " << text;
  }
}

TEST_F(SmsNoPii, NoPhoneNumberAnywhere) {
  std::vector<std::string> errors;
  firetext->script = {
      json_reply(200, R"({"code": 4, "description": "Invalid number 447700900123"})"),
      json_reply(400, "to=447700900123 is not valid"), json_reply(200, "Error: +44 7700 900 123"),
      sms::testing::action(transport::ConnectionAction::reset), sms::testing::firetext_ok()};
  mmg->script = {json_reply(500, R"({"Error": 500, "Description": "failed for 447700900123"})"),
                 json_reply(200, "Success 100, 07700 900123"), sms::testing::mmg_ok()};

  // The clients on their own, for the failures they hand back.
  for (int i = 0; i < 5; ++i) {
    firetext_client->send_sms(message(), [&](sms::SmsResult r) {
      if (!r) errors.push_back(r.error().code + " " + r.error().message);
    });
    mmg_client->send_sms(message(), [&](sms::SmsResult r) {
      if (!r) errors.push_back(r.error().code + " " + r.error().message);
    });
    clock.run();
  }
  EXPECT_GE(errors.size(), 5u);

  // The task through failover, retries and exhaustion.
  firetext->script = {json_reply(503, "down for 447700900123"), sms::testing::firetext_ok()};
  mmg->script = {json_reply(502, "bad gateway 07700 900123")};
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(create_and_deliver(i == 3));
  clock.run_for(1h);
  transport.set_refusing(sms::testing::kFiretextAuthority, true);
  transport.set_refusing(sms::testing::kMmgAuthority, true);
  ids.push_back(create_and_deliver());
  clock.run();

  // Receipts with the number in them, good and bad.
  std::vector<std::string> answers;
  for (const auto& id : ids) {
    answers.push_back(
        post(kFiretextReceiptPath, "mobile=447700900123&status=1&code=101&reference=" + id).body);
    answers.push_back(
        post(kMmgReceiptPath,
             nlohmann::json{
                 {"CID", id}, {"MSISDN", "447700900123"}, {"status", "3"}, {"substatus", "5"}}
                 .dump())
            .body);
  }
  answers.push_back(post(kFiretextReceiptPath, "mobile=447700900123&status=0").body);
  answers.push_back(
      post(kFiretextReceiptPath, "mobile=447700900123&status=0&reference=447700900123").body);
  answers.push_back(post(kMmgReceiptPath, R"({"MSISDN": "447700900123", "status": "3"})").body);
  answers.push_back(post(kMmgReceiptPath, R"({"CID": "447700900123", "status": "3"})").body);
  answers.push_back(post(kMmgReceiptPath, "447700900123").body);
  answers.push_back(
      post(kFiretextReceiptPath, "status=9&reference=" + ids[0] + "&mobile=447700900123").body);

  for (const auto& e : errors) expect_clean("error", e);
  for (const auto& a : answers) expect_clean("receipt answer", a);
  auto records = logger.records();
  EXPECT_GE(records.size(), 50u);
  for (const auto& r : records) {
    expect_clean("log logger", r.logger);
    expect_clean("log message", r.message);
  }
  for (const auto& [name, value] : metrics.counters()) expect_clean("counter", name);
  for (const auto& [name, value] : metrics.timings()) expect_clean("timing", name);
  for (const auto& n : store->list_notifications()) {
    expect_clean("failure reason", n.failure_reason);
    expect_clean("reference", n.reference);
  }
  EXPECT_EQ(store->count_by_status("technical-failure"), 1u);
}

}  // namespace
}  // namespace notify::delivery
