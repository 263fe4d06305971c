// SES events to notification statuses (notifications-api process_ses_receipts_tasks.py; SES's SNS
// notification format).
#include "delivery_fixture.hpp"

#include <nlohmann/json.hpp>

namespace notify::delivery {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::DeliveryFixture;

constexpr const char* kRef = "0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000";

json ses_event(const std::string& type, const std::string& bounce_type = {}) {
  json event = {{"notificationType", type},
                {"mail",
                 {{"timestamp", "2016-01-27T14:59:38.237Z"},
                  {"messageId", kRef},
                  {"source", "john@example.com"},
                  {"destination", {"jane@example.com"}}}}};
  if (type == "Bounce") {
    event["bounce"] = {{"bounceType", bounce_type},
                       {"bounceSubType", "General"},
                       {"bouncedRecipients", {{{"emailAddress", "jane@example.com"}}}},
                       {"timestamp", "2016-01-27T14:59:38.237Z"},
                       {"feedbackId", "f-1"}};
  } else if (type == "Complaint") {
    event["complaint"] = {{"complainedRecipients", {{{"emailAddress", "jane@example.com"}}}},
                          {"timestamp", "2016-01-27T14:59:38.237Z"},
                          {"feedbackId", "f-2"}};
  } else if (type == "Delivery") {
    event["delivery"] = {{"timestamp", "2016-01-27T14:59:38.237Z"},
                         {"recipients", {"jane@example.com"}},
                         {"smtpResponse", "250 ok"}};
  }
  return event;
}

std::string sns(const json& event) {
  return json{{"Type", "Notification"},
              {"MessageId", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"},
              {"TopicArn", "arn:aws:sns:eu-west-2:123456789012:ses-events"},
              {"Message", event.dump()},
              {"Timestamp", "2016-01-27T14:59:38.237Z"}}
      .dump();
}

struct ReceiptRow {
  const char* type;
  const char* bounce_type;
  const char* before;
  const char* after;
  bool envelope;
};

class Receipts : public DeliveryFixture, public ::testing::WithParamInterface<ReceiptRow> {};

TEST_P(Receipts, MapToStatus) {
  const auto& row = GetParam();
  create("n-1");
  ASSERT_TRUE(store->update_status("n-1", row.before, clock.now(), "ses", kRef));
  clock.run_for(10s);
  auto event = ses_event(row.type, row.bounce_type);
  auto body = row.envelope ? sns(event) : event.dump();
  auto result = apply_ses_event(*store, clock, logger, metrics, body);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(*result, row.after);
  EXPECT_EQ(get("n-1").status, row.after);
  bool changed = std::string(row.before) == "sending" || std::string(row.before) == "pending";
  EXPECT_EQ(metrics.counter(std::string("callback.ses.") + row.after), changed ? 1 : 0);
  if (changed && std::string(row.before) == "sending") {
    EXPECT_DOUBLE_EQ(metrics.timing_stats("callback.ses.elapsed-time").sum_ms, 10'000.0);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, Receipts,
    ::testing::Values(ReceiptRow{"Delivery", "", "sending", "delivered", true},
                      ReceiptRow{"Delivery", "", "sending", "delivered", false},
                      ReceiptRow{"Complaint", "", "sending", "delivered", true},
                      ReceiptRow{"Bounce", "Permanent", "sending", "permanent-failure", true},
                      ReceiptRow{"Bounce", "Transient", "sending", "temporary-failure", true},
                      ReceiptRow{"Bounce", "Undetermined", "sending", "temporary-failure", false},
                      ReceiptRow{"Delivery", "", "pending", "delivered", true},
                      ReceiptRow{"Bounce", "Permanent", "pending", "permanent-failure", false},
                      // Only sending and pending change.
                      ReceiptRow{"Bounce", "Permanent", "delivered", "delivered", true},
                      ReceiptRow{"Delivery", "", "technical-failure", "technical-failure", true},
                      ReceiptRow{"Delivery", "", "permanent-failure", "permanent-failure", true}));

using ReceiptErrors = DeliveryFixture;

TEST_F(ReceiptErrors, UnknownReferenceIsNotFound) {
  auto result = apply_ses_event(*store, clock, logger, metrics, sns(ses_event("Delivery")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), make_error_code(errc::not_found));
}

TEST_F(ReceiptErrors, MalformedBodiesAreInvalid) {
  for (std::string body :
       {std::string("not json"), std::string("[]"), std::string(R"({"Message": 5})"),
        std::string(R"({"Message": "not json"})"), json{{"mail", {{"messageId", kRef}}}}.dump(),
        json{{"notificationType", "Delivery"}}.dump(),
        json{{"notificationType", "Bounce"}, {"mail", {{"messageId", kRef}}}}.dump(),
        json{{"notificationType", "Open"}, {"mail", {{"messageId", kRef}}}}.dump(),
        json{{"Type", "SubscriptionConfirmation"}, {"Message", "{}"}}.dump()}) {
    auto result = apply_ses_event(*store, clock, logger, metrics, body);
    ASSERT_FALSE(result) << body;
    EXPECT_EQ(result.error(), make_error_code(errc::invalid_argument)) << body;
    EXPECT_FALSE(parse_ses_event(body)) << body;
  }
}

TEST_F(ReceiptErrors, EventTypeIsAcceptedForEventPublishing) {
  json event = ses_event("Delivery");
  event.erase("notificationType");
  event["eventType"] = "Delivery";
  auto parsed = parse_ses_event(event.dump());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->status, "delivered");
  EXPECT_EQ(parsed->message_id, kRef);
}

// The fields are read where SES puts them and nowhere else, and a key given twice counts by its
// last value, as for a parsed object.
TEST(ParseSesEvent, ReadsFieldsOnlyWhereSesPutsThem) {
  auto parsed = [](const json& body) { return parse_ses_event(body.dump()); };
  json event = ses_event("Bounce", "Permanent");

  json nested = event;
  nested["mail"].erase("messageId");
  nested["mail"]["commonHeaders"] = {{"messageId", kRef}};
  EXPECT_FALSE(parsed(nested));

  json listed = event;
  listed["mail"] = json::array({{{"messageId", kRef}}});
  EXPECT_FALSE(parsed(listed));

  json deep_type = event;
  deep_type.erase("notificationType");
  deep_type["mail"]["notificationType"] = "Delivery";
  EXPECT_FALSE(parsed(deep_type));

  json bounce_elsewhere = event;
  bounce_elsewhere.erase("bounce");
  bounce_elsewhere["mail"]["bounce"] = {{"bounceType", "Permanent"}};
  EXPECT_FALSE(parsed(bounce_elsewhere));

  json not_a_string = event;
  not_a_string["mail"]["messageId"] = 42;
  EXPECT_FALSE(parsed(not_a_string));

  // An inner "Message" is part of the event, not an envelope.
  json inner_message = event;
  inner_message["mail"]["Message"] = "hello";
  auto with_inner = parsed(inner_message);
  ASSERT_TRUE(with_inner) << with_inner.error();
  EXPECT_EQ(with_inner->status, "permanent-failure");
  EXPECT_EQ(with_inner->message_id, kRef);

  // A non-string notificationType falls back to eventType.
  json typed = event;
  typed["notificationType"] = 1;
  typed["eventType"] = "Delivery";
  auto fallback = parsed(typed);
  ASSERT_TRUE(fallback) << fallback.error();
  EXPECT_EQ(fallback->status, "delivered");

  EXPECT_FALSE(parse_ses_event("[" + event.dump() + "]"));
  EXPECT_FALSE(parse_ses_event(event.dump() + " {}"));
}

TEST(ParseSesEvent, LastOfARepeatedKeyCounts) {
  const std::string mail = R"("mail": {"messageId": "ref-1"})";
  auto replaced = parse_ses_event(R"({"notificationType": "Delivery", )" + mail +
                                  R"(, "mail": {"messageId": "ref-2"}})");
  ASSERT_TRUE(replaced) << replaced.error();
  EXPECT_EQ(replaced->message_id, "ref-2");
  EXPECT_FALSE(parse_ses_event(R"({"notificationType": "Delivery", )" + mail + R"(, "mail": 5})"));
  EXPECT_FALSE(parse_ses_event(R"({"notificationType": "Delivery", "notificationType": null, )" +
                               mail + "}"));
  auto type_again = parse_ses_event(R"({"notificationType": "Open", )" + mail +
                                    R"(, "notificationType": "Complaint"})");
  ASSERT_TRUE(type_again) << type_again.error();
  EXPECT_EQ(type_again->status, "delivered");

  // The envelope's Type only counts as a string; its Message must be one.
  const std::string message = json(ses_event("Delivery").dump()).dump();
  EXPECT_TRUE(parse_ses_event(R"({"Type": 7, "Message": )" + message + "}"));
  EXPECT_FALSE(parse_ses_event(R"({"Message": )" + message + R"(, "Message": {}})"));
  auto sub = parse_ses_event(R"({"Type": "SubscriptionConfirmation", "Message": )" + message + "}");
  ASSERT_FALSE(sub);
  EXPECT_NE(sub.error().find("SubscriptionConfirmation"), std::string::npos) << sub.error();
}

struct HandlerTest : DeliveryFixture {
  ReceiptRouter router = [this] {
    ReceiptRouter r;
    add_ses_receipts(r, *store, clock, logger, metrics);
    return r;
  }();
  transport::ServerHandler handler = router.handler();

  transport::Response call(std::string method, std::string target, std::string body) {
    transport::Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    std::optional<transport::Reply> reply;
    handler(request, [&](transport::Reply r) { reply = std::move(r); });
    EXPECT_TRUE(reply);
    return reply ? reply->response : transport::Response{};
  }
};

TEST_F(HandlerTest, AnswersByOutcome) {
  create("n-1");
  ASSERT_TRUE(store->update_status("n-1", "sending", clock.now(), "ses", kRef));

  auto ok = call("POST", "/notifications/email/ses", sns(ses_event("Delivery")));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(get("n-1").status, "delivered");

  auto bad = call("POST", "/notifications/email/ses", "{\"Type\":\"Notification\"}");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("notificationType"), std::string::npos) << bad.body;

  auto unknown =
      call("POST", "/notifications/email/ses", sns(ses_event("Delivery")).replace(0, 0, ""));
  EXPECT_EQ(unknown.status, 200);  // known reference, already delivered: ignored, still 200

  json other = ses_event("Delivery");
  other["mail"]["messageId"] = "unknown-ref";
  auto missing = call("POST", "/notifications/email/ses", other.dump());
  EXPECT_EQ(missing.status, 200);  // held for one retry, as Notify's task does
  EXPECT_NE(missing.body.find("applied again"), std::string::npos) << missing.body;

  EXPECT_EQ(call("POST", "/elsewhere", "{}").status, 404);
  auto get_method = call("GET", "/notifications/email/ses", "");
  EXPECT_EQ(get_method.status, 405);
  EXPECT_EQ(get_method.headers.get("Allow"), "POST");
}

// An event can overtake the answer to its send: the notification has no reference yet. The
// endpoint holds the event and applies it once more after kReceiptRetryDelay.
TEST_F(HandlerTest, EventBeforeTheSendWasStoredIsAppliedOnRetry) {
  create("n-1");
  auto first = call("POST", "/notifications/email/ses", sns(ses_event("Delivery")));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(get("n-1").status, "created");

  ASSERT_TRUE(store->update_status("n-1", "sending", clock.now(), "ses", kRef));
  clock.run_for(kReceiptRetryDelay - std::chrono::seconds(1));
  EXPECT_EQ(get("n-1").status, "sending");
  clock.run_for(std::chrono::seconds(1));
  EXPECT_EQ(get("n-1").status, "delivered");
}

TEST_F(HandlerTest, EventStillUnknownOnRetryIsDroppedWithAWarning) {
  json other = ses_event("Delivery");
  other["mail"]["messageId"] = "never-sent";
  EXPECT_EQ(call("POST", "/notifications/email/ses", other.dump()).status, 200);
  clock.run();
  EXPECT_EQ(clock.pending(), 0u);  // one retry, not a loop
  std::size_t warnings = 0;
  for (const auto& r : logger.records())
    if (r.level == LogLevel::warning && r.message.find("never-sent") != std::string::npos)
      ++warnings;
  EXPECT_EQ(warnings, 2u);  // the first try and the retry
}

TEST_F(HandlerTest, ServesOverTheInProcessTransport) {
  create("n-1");
  ASSERT_TRUE(store->update_status("n-1", "sending", clock.now(), "ses", kRef));
  transport.route("core.test:6011", handler);
  transport::Request request;
  request.method = "POST";
  request.target = "http://core.test:6011/notifications/email/ses";
  request.headers.set("Content-Type", "text/plain; charset=UTF-8");
  request.body = sns(ses_event("Bounce", "Permanent"));
  std::optional<transport::SendResult> result;
  transport.send(request, {}, [&](transport::SendResult r) { result = std::move(r); });
  clock.run();
  ASSERT_TRUE(result && *result);
  EXPECT_EQ((*result)->status, 200);
  EXPECT_EQ(get("n-1").status, "permanent-failure");
}

}  // namespace
}  // namespace notify::delivery
