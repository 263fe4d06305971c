// SMS delivery receipts on the core's receipt endpoint: Firetext's form and MMG's JSON, the
// status and reason tables, and malformed receipts that change nothing.
#include "sms_fixture.hpp"

#include "notify/delivery/sms_provider_table.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace notify::delivery {
namespace {

using namespace std::chrono_literals;
using testing::SmsFixture;

struct SmsReceiptsTest : SmsFixture {
  // A notification sent by `provider` 3 s ago.
  std::string sent(const std::string& provider) {
    make_delivery(only(provider));
    auto id = create_and_deliver();
    clock.run();
    EXPECT_EQ(get(id).status, "sending");
    clock.run_for(3s);
    return id;
  }

  transport::Response firetext_receipt(const std::string& id, const std::string& status,
                                       const std::string& code = {}) {
    std::string body = "mobile=447700900123&status=" + status;
    if (!code.empty()) body += "&code=" + code;
    body += "&time=2016-07-10+15%3A17%3A00&reference=" + id;
    return post(kFiretextReceiptPath, body);
  }

  transport::Response mmg_receipt(const std::string& id, const std::string& status,
                                  const std::string& substatus) {
    nlohmann::json body = {{"reference", "mmg_reference"}, {"CID", id},
                           {"MSISDN", "447700900123"},     {"status", status},
                           {"substatus", substatus},       {"deliverytime", "2016-07-05 17:01:07"}};
    return post(kMmgReceiptPath, body.dump());
  }
};

TEST_F(SmsReceiptsTest, BothPathsAreOnTheReceiptEndpoint) {
  auto paths = router.paths();
  EXPECT_EQ(paths,
            (std::vector<std::string>{"/notifications/sms/firetext", "/notifications/sms/mmg"}));
}

TEST(SmsProviderTable, EveryEntryIsWholeAndItsReceiptPathIsRouted) {
  std::set<std::string> names, paths, variables;
  for (const auto& p : sms_providers()) {
    SCOPED_TRACE(p.name);
    EXPECT_TRUE(names.insert(p.name).second) << "a name given twice";
    EXPECT_TRUE(paths.insert(p.receipt_path).second) << "a receipt path given twice";
    EXPECT_TRUE(variables.insert(p.url_variable).second) << "a URL variable given twice";
    EXPECT_FALSE(p.client_name.empty());
    EXPECT_TRUE(p.api_path.starts_with("/"));
    EXPECT_TRUE(p.notify_stub_path.starts_with("/"));
    EXPECT_NE(p.parse_receipt, nullptr);
    EXPECT_NE(p.make_client, nullptr);
    EXPECT_GE(p.resting_point, 0);
    EXPECT_LE(p.resting_point, SmsProviderOptions::kPriorityMax);
    EXPECT_EQ(find_sms_provider(p.name), &p);
    // A body that is neither a form nor JSON is refused by every parser, naming the provider.
    auto refused = p.parse_receipt("{");
    ASSERT_FALSE(refused.has_value());
    EXPECT_NE(refused.error().find(p.client_name), std::string::npos) << refused.error();
  }
  EXPECT_EQ(find_sms_provider("nobody"), nullptr);
  // Today's Notify: mmg 51, firetext 49.
  EXPECT_EQ(sms_resting_points(), (std::map<std::string, int>{{"firetext", 49}, {"mmg", 51}}));
  EXPECT_EQ(SmsProviderOptions{}.resting_points, sms_resting_points());
}

TEST_F(SmsReceiptsTest, EveryProviderInTheTableHasItsReceiptPath) {
  std::vector<std::string> expected;
  for (const auto& p : sms_providers()) expected.push_back(p.receipt_path);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(router.paths(), expected);
}

TEST_F(SmsReceiptsTest, FiretextDeliveredCountsAndTimes) {
  auto id = sent("firetext");
  auto answer = firetext_receipt(id, "0");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(nlohmann::json::parse(answer.body), nlohmann::json({{"result", "success"}}));
  EXPECT_EQ(get(id).status, "delivered");
  EXPECT_EQ(metrics.counter("callback.firetext.delivered"), 1);
  auto elapsed = metrics.timing_stats("callback.firetext.elapsed-time");
  EXPECT_EQ(elapsed.count, 1u);
  EXPECT_DOUBLE_EQ(elapsed.sum_ms, 3000.0);
  EXPECT_TRUE(
      logged("Firetext callback returned status of delivered(0): None(None) for "
             "reference: " +
             id));
}

TEST_F(SmsReceiptsTest, FiretextFailureCodesDecidePermanentOrTemporary) {
  struct Case {
    std::string code;
    std::string status;
    std::string reason;
  };
  for (const auto& c : std::vector<Case>{{"101", "permanent-failure", "Unknown Subscriber"},
                                         {"102", "temporary-failure", "Absent Subscriber"},
                                         {"201", "permanent-failure", "Invalid Number"},
                                         {"302", "temporary-failure", "SMS Not Supported"},
                                         {"900", "temporary-failure", "Routing Error"},
                                         {"000", "temporary-failure", "No error reported"}}) {
    auto id = sent("firetext");
    EXPECT_EQ(firetext_receipt(id, "1", c.code).status, 200);
    auto n = get(id);
    EXPECT_EQ(n.status, c.status) << c.code;
    EXPECT_EQ(n.failure_reason, c.reason) << c.code;
    EXPECT_TRUE(logged("Updating notification id " + id + " to status " + c.status +
                       ", reason: " + c.reason));
  }
  EXPECT_TRUE(
      logged("Firetext callback returned status of permanent-failure(1): Unknown "
             "Subscriber(101) for reference: "));
}

TEST_F(SmsReceiptsTest, FiretextUnknownCodeIsPermanentWithAWarning) {
  auto id = sent("firetext");
  firetext_receipt(id, "1", "999");
  EXPECT_EQ(get(id).status, "permanent-failure");
  EXPECT_TRUE(
      logged("Failure code 999 from Firetext not recognised when processing "
             "notification " +
             id));
}

TEST_F(SmsReceiptsTest, FiretextPendingThenFailedIsTemporary) {
  auto id = sent("firetext");
  firetext_receipt(id, "2");
  EXPECT_EQ(get(id).status, "pending");
  EXPECT_EQ(metrics.counter("callback.firetext.pending"), 1);
  firetext_receipt(id, "1");
  EXPECT_EQ(get(id).status, "temporary-failure");
  EXPECT_EQ(metrics.counter("callback.firetext.temporary-failure"), 1);

  // A known code still decides: pending then 101 is permanent.
  auto other = sent("firetext");
  firetext_receipt(other, "2");
  firetext_receipt(other, "1", "101");
  EXPECT_EQ(get(other).status, "permanent-failure");
}

TEST_F(SmsReceiptsTest, MmgStatusesAndSubstatusReasons) {
  struct Case {
    std::string status, substatus, expected, reason;
  };
  for (const auto& c :
       std::vector<Case>{{"3", "5", "delivered", "Delivered to handset"},
                         {"3", "2", "delivered", "Delivered to operator"},
                         {"2", "1", "permanent-failure", "Number does not exist"},
                         {"4", "15", "temporary-failure", "Expired"},
                         {"5", "20", "permanent-failure", "Rejected by anti-flooding mechanism"},
                         {"4", "77", "temporary-failure", ""}}) {
    auto id = sent("mmg");
    EXPECT_EQ(mmg_receipt(id, c.status, c.substatus).status, 200);
    auto n = get(id);
    EXPECT_EQ(n.status, c.expected);
    if (c.expected != "delivered") {
      EXPECT_EQ(n.failure_reason, c.reason);
    }
    EXPECT_TRUE(logged("MMG callback returned status of " + c.expected + "(" + c.status +
                       "): " + (c.reason.empty() ? "None" : c.reason) + "(" + c.substatus +
                       ") for reference: " + id));
  }
  EXPECT_EQ(metrics.counter("callback.mmg.delivered"), 2);
  EXPECT_EQ(metrics.counter("callback.mmg.permanent-failure"), 2);
  EXPECT_EQ(metrics.timing_stats("callback.mmg.elapsed-time").count, 6u);
}

TEST_F(SmsReceiptsTest, MmgNumbersAreReadAsPythonsStrWouldWriteThem) {
  auto id = sent("mmg");
  auto answer = post(kMmgReceiptPath, R"({"status": 3, "substatus": 5, "CID": ")" + id + "\"}");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(get(id).status, "delivered");
}

TEST_F(SmsReceiptsTest, AnUnknownStatusIsATechnicalFailure) {
  auto ft = sent("firetext");
  EXPECT_EQ(firetext_receipt(ft, "7").status, 200);
  EXPECT_EQ(get(ft).status, "technical-failure");
  EXPECT_TRUE(logged("Firetext callback failed: status 7 not found"));
  auto mm = sent("mmg");
  EXPECT_EQ(mmg_receipt(mm, "9", "1").status, 200);
  EXPECT_EQ(get(mm).status, "technical-failure");
  EXPECT_EQ(metrics.counter("callback.mmg.technical-failure"), 1);
}

TEST_F(SmsReceiptsTest, MalformedReceiptsGet400AndChangeNothing) {
  auto id = sent("firetext");
  std::vector<std::pair<std::string_view, std::string>> bad = {
      {kFiretextReceiptPath, "reference=" + id},
      {kFiretextReceiptPath, "status=0"},
      {kFiretextReceiptPath, "status=&reference=" + id},
      {kFiretextReceiptPath, "status=0&reference=%zz"},
      {kFiretextReceiptPath, "status=0&reference=notification_id"},
      {kMmgReceiptPath, "status=3&CID=" + id},
      {kMmgReceiptPath, "[]"},
      {kMmgReceiptPath, R"({"status": "3"})"},
      {kMmgReceiptPath, R"({"status": null, "CID": ")" + id + "\"}"},
      {kMmgReceiptPath, R"({"status": "3", "CID": "mmg-1"})"},
  };
  for (const auto& [path, body] : bad) {
    auto answer = post(path, body);
    EXPECT_EQ(answer.status, 400) << path << " " << body;
    auto json = nlohmann::json::parse(answer.body, nullptr, false);
    ASSERT_TRUE(json.is_object()) << answer.body;
    EXPECT_EQ(json["result"], "error");
    EXPECT_FALSE(json["message"].get<std::string>().empty());
  }
  EXPECT_EQ(get(id).status, "sending");
  for (const auto& [name, value] : metrics.counters()) {
    EXPECT_EQ(name.rfind("callback.", 0), std::string::npos) << name;
  }
  auto answer = post(kFiretextReceiptPath, "reference=" + id);
  EXPECT_NE(answer.body.find("Firetext callback failed: status missing"), std::string::npos);
  EXPECT_EQ(post(kMmgReceiptPath, "{}", "GET").status, 405);
}

TEST_F(SmsReceiptsTest, RepeatedAndUnknownReceiptsChangeNothing) {
  auto id = sent("mmg");
  mmg_receipt(id, "3", "5");
  EXPECT_EQ(mmg_receipt(id, "2", "1").status, 200);
  EXPECT_EQ(mmg_receipt(id, "3", "5").status, 200);
  EXPECT_EQ(get(id).status, "delivered");
  EXPECT_EQ(metrics.counter("callback.mmg.delivered"), 1);
  EXPECT_EQ(metrics.counter("callback.mmg.permanent-failure"), 0);
  EXPECT_TRUE(logged("Duplicate callback received for notification " + id));

  auto unknown = rng.uuid4();
  EXPECT_EQ(firetext_receipt(unknown, "0").status, 200);
  EXPECT_TRUE(logged("Notification not found for id " + unknown));
}

}  // namespace
}  // namespace notify::delivery
