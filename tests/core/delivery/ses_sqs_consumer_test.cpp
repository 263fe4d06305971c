// The SES receipt path over SQS: Celery `process-ses-result` messages on ses-callbacks read by
// the core's consumer, on the virtual clock against a scripted SQS speaking the JSON protocol.
#include "notify/delivery/ses_sqs_consumer.hpp"
#include "delivery_fixture.hpp"

#include <nlohmann/json.hpp>

#include <deque>

namespace notify::delivery {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::DeliveryFixture;

constexpr const char* kRef = "0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000";
constexpr const char* kQueueUrl = "http://sqs.test:4566/123456789012/ses-callbacks";

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (std::uint32_t(std::uint8_t(in[i])) << 16) |
                   (std::uint32_t(std::uint8_t(in[i + 1])) << 8) | std::uint8_t(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(n >> s) & 63];
  }
  if (i < in.size()) {
    std::uint32_t n = std::uint32_t(std::uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) n |= std::uint32_t(std::uint8_t(in[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

json delivery_event(const std::string& type = "Delivery") {
  json e = {{"notificationType", type},
            {"mail", {{"messageId", kRef}, {"destination", {"jane.doe@example.com"}}}}};
  if (type == "Bounce") e["bounce"] = {{"bounceType", "Permanent"}};
  return e;
}

// What Celery's send_task puts on SQS (the layout the SES stub writes).
std::string celery_body(const json& event, const std::string& eta, json args_tail = json::array(),
                        json kwargs = json::object()) {
  json args = json::array({{{"Message", event.dump()}}});
  for (auto& a : args_tail) args.push_back(a);
  json payload = json::array({args, kwargs, {{"callbacks", nullptr}, {"errbacks", nullptr}}});
  json headers = {{"lang", "py"}, {"task", "process-ses-result"}, {"id", "task-1"}};
  headers["eta"] = eta.empty() ? json(nullptr) : json(eta);
  json envelope = {{"body", base64(payload.dump())},
                   {"content-encoding", "utf-8"},
                   {"content-type", "application/json"},
                   {"headers", headers},
                   {"properties", {{"body_encoding", "base64"}}}};
  return base64(envelope.dump());
}

// A queue answering ReceiveMessage and DeleteMessage in the JSON 1.0 protocol. A receive that
// finds nothing is answered when its WaitTimeSeconds are up; a received message stays in flight
// (it is not redelivered: these tests look at one receive each).
struct FakeSqs {
  std::deque<std::string> bodies;
  int fail_receives = 0;  // answer this many receives with a 500
  std::vector<transport::Request> requests;
  std::vector<std::string> deleted;
  int handles = 0;
};

class SesSqs : public DeliveryFixture {
 protected:
  FakeSqs sqs;
  bool active = true;
  std::unique_ptr<SesSqsConsumer> consumer;

  SesSqs() {
    transport.route("sqs.test:4566", [this](transport::Request r, transport::Responder respond) {
      sqs.requests.push_back(r);
      answer(r, std::move(respond));
    });
  }

  void answer(const transport::Request& r, transport::Responder respond) {
    transport::Reply reply;
    reply.response.headers.set("Content-Type", "application/x-amz-json-1.0");
    const std::string target(r.headers.get_or("X-Amz-Target", ""));
    const json body = json::parse(r.body);
    if (target == "AmazonSQS.DeleteMessage") {
      sqs.deleted.push_back(body.at("ReceiptHandle"));
      reply.response.body = "{}";
    } else if (sqs.fail_receives > 0) {
      --sqs.fail_receives;
      reply.response.status = 500;
      reply.response.body = R"({"__type": "com.amazonaws.sqs#InternalError"})";
    } else if (sqs.bodies.empty()) {
      reply.response.body = "{}";
      clock.schedule_after(std::chrono::seconds(body.at("WaitTimeSeconds").get<int>()),
                           [respond, reply] { respond(reply); });
      return;
    } else {
      json messages = json::array();
      while (!sqs.bodies.empty()) {
        const std::string n = std::to_string(++sqs.handles);
        messages.push_back({{"MessageId", "m-" + n},
                            {"ReceiptHandle", "h-" + n},
                            {"Body", sqs.bodies.front()},
                            {"Attributes", {{"ApproximateReceiveCount", "1"}}}});
        sqs.bodies.pop_front();
      }
      reply.response.body = json{{"Messages", messages}}.dump();
    }
    respond(std::move(reply));
  }

  void start_consumer(SesSqsConsumerOptions o = {}) {
    o.queue_url = kQueueUrl;
    consumer = std::make_unique<SesSqsConsumer>(transport, clock, *store, logger, metrics, o,
                                                [this] { return active; });
    consumer->start();
  }

  void sending(const std::string& id) {
    create(id);
    ASSERT_TRUE(store->update_status(id, store::status::kSending, clock.now(), "ses", kRef));
  }

  std::string eta_in(std::chrono::seconds s) {
    std::string t = runtime::format_iso8601(clock.now() + s);  // ...T00:00:02.000Z
    return t.substr(0, t.size() - 1) + "000+00:00";            // Celery's isoformat
  }
};

TEST_F(SesSqs, ReceivesSignedLongPollsAndAppliesTheEventAtItsEta) {
  sending("n-1");
  sqs.bodies.push_back(celery_body(delivery_event(), eta_in(2s)));
  start_consumer();
  clock.run_for(1999ms);
  EXPECT_EQ(get("n-1").status, store::status::kSending) << "not before its eta";
  EXPECT_TRUE(sqs.deleted.empty());
  clock.run_for(1ms);
  EXPECT_EQ(get("n-1").status, store::status::kDelivered);
  clock.run_for(1ms);
  EXPECT_EQ(sqs.deleted, std::vector<std::string>{"h-1"});
  EXPECT_EQ(consumer->stats().deleted, 1u);
  EXPECT_EQ(consumer->held(), 0u);

  const transport::Request& first = sqs.requests.front();
  EXPECT_EQ(first.headers.get_or("X-Amz-Target", ""), "AmazonSQS.ReceiveMessage");
  EXPECT_EQ(first.headers.get_or("Content-Type", ""), "application/x-amz-json-1.0");
  EXPECT_NE(first.headers.get_or("Authorization", "").find("/eu-west-2/sqs/aws4_request"),
            std::string_view::npos);
  const json receive = json::parse(first.body);
  EXPECT_EQ(receive.at("QueueUrl"), kQueueUrl);
  EXPECT_EQ(receive.at("WaitTimeSeconds"), 10);
  EXPECT_EQ(receive.at("VisibilityTimeout"), 1800);
  EXPECT_EQ(receive.at("MaxNumberOfMessages"), 10);
}

TEST_F(SesSqs, BouncesAndEventsWithoutEtaGoThroughTheSameReceiptPath) {
  sending("n-1");
  sqs.bodies.push_back(celery_body(delivery_event("Bounce"), ""));
  start_consumer();
  clock.run_for(1ms);
  EXPECT_EQ(get("n-1").status, store::status::kPermanentFailure);
  EXPECT_EQ(consumer->stats().applied, 1u);
}

TEST_F(SesSqs, AnUndecodableMessageIsLoggedWithoutItsBodyAndNotDeleted) {
  sending("n-1");
  sqs.bodies.push_back("not base64!");
  sqs.bodies.push_back(base64(R"({"body": "x"})"));
  sqs.bodies.push_back(base64(
      json{{"headers", {{"task", "other-task"}}},
           {"body", base64(json::array({json::array(), json::object(), json::object()}).dump())}}
          .dump()));
  start_consumer();
  clock.run_for(1s);
  EXPECT_EQ(consumer->stats().undecodable, 3u);
  EXPECT_TRUE(sqs.deleted.empty());
  EXPECT_EQ(get("n-1").status, store::status::kSending);
  const auto warnings = logs_at(LogLevel::warning);
  ASSERT_EQ(warnings.size(), 3u);
  for (const auto& w : warnings) {
    EXPECT_NE(w.message.find("left on the queue"), std::string::npos) << w.message;
    EXPECT_EQ(w.message.find("jane"), std::string::npos) << w.message;
  }
}

TEST_F(SesSqs, ReceiveErrorsBackOffAndNothingIsLost) {
  sending("n-1");
  sqs.fail_receives = 3;
  sqs.bodies.push_back(celery_body(delivery_event(), ""));
  start_consumer();
  clock.run_for(2999ms);
  EXPECT_EQ(get("n-1").status, store::status::kSending);
  EXPECT_EQ(consumer->stats().receive_errors, 3u);
  clock.run_for(1ms);
  EXPECT_EQ(get("n-1").status, store::status::kDelivered);
}

TEST_F(SesSqs, StartDelayKeepsMessagesWaiting) {
  sending("n-1");
  sqs.bodies.push_back(celery_body(delivery_event(), ""));
  SesSqsConsumerOptions o;
  o.start_delay = 60s;
  start_consumer(o);
  clock.run_for(59s);
  EXPECT_TRUE(sqs.requests.empty());
  clock.run_for(1s);
  EXPECT_EQ(get("n-1").status, store::status::kDelivered);
}

TEST_F(SesSqs, PollingStopsWhenInactiveSoAVirtualRunEnds) {
  start_consumer();
  clock.run_for(35s);
  EXPECT_EQ(sqs.requests.size(), 4u);  // at 0, 10, 20, 30 s
  active = false;
  clock.run();
  EXPECT_EQ(clock.pending(), 0u);
  EXPECT_EQ(sqs.requests.size(), 4u);
  active = true;
  consumer->wake();
  clock.run_for(1ms);
  EXPECT_EQ(sqs.requests.size(), 5u);
}

TEST(DecodeCeleryTask, ReadsTheEventEtaAndReceiptTimestamp) {
  const std::string event = delivery_event().dump();
  auto t = decode_celery_task(celery_body(delivery_event(), "2026-01-01T00:00:02.000000+00:00",
                                          json::array({"2026-01-01T00:00:00.5"})));
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->task, "process-ses-result");
  EXPECT_EQ(t->id, "task-1");
  EXPECT_EQ(t->ses_event, event);
  ASSERT_TRUE(t->eta);
  EXPECT_EQ(*t->eta, runtime::VirtualClock::default_start() + 2s);
  EXPECT_EQ(t->receipt_iso_timestamp, "2026-01-01T00:00:00.5");

  auto k = decode_celery_task(celery_body(delivery_event(), "", json::array(),
                                          {{"receipt_iso_timestamp", "2026-01-01T00:00:01"}}));
  ASSERT_TRUE(k) << k.error();
  EXPECT_FALSE(k->eta);
  EXPECT_EQ(k->receipt_iso_timestamp, "2026-01-01T00:00:01");
}

TEST(DecodeCeleryTask, NamesWhatIsWrong) {
  EXPECT_EQ(decode_celery_task("@@").error(), "the MessageBody is not base64");
  EXPECT_EQ(decode_celery_task(base64("[1]")).error(),
            "the MessageBody is not a base64 JSON object");
  EXPECT_EQ(decode_celery_task(base64(R"({"headers": {"task": "t"}, "body": "e30="})")).error(),
            "the task body is not [args, kwargs, embed]");
  EXPECT_EQ(decode_celery_task(base64(R"({"headers": {"task": "t", "eta": "soon"}})")).error(),
            "the envelope's eta is not an ISO 8601 time");
}

}  // namespace
}  // namespace notify::delivery
