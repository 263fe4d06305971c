#include "sqs_fixture.hpp"

namespace notify::stubs::testing {
namespace {

TEST_F(SqsTest, CreateQueueAnswersItsUrlOnTheRequestsHost) {
  EXPECT_EQ(create("ses-callbacks"), "http://127.0.0.1:4566/123456789012/ses-callbacks");
  // The same name with the same attributes is the same queue.
  EXPECT_EQ(create("ses-callbacks"), url("ses-callbacks"));
  auto got = ok("GetQueueUrl", {{"QueueName", "ses-callbacks"}});
  EXPECT_EQ(got["QueueUrl"], url("ses-callbacks"));
}

TEST(SqsDefaults, NotifysSesCallbacksQueueExistsFromTheStart) {
  runtime::VirtualClock clock;
  StubHost host{clock, HostOptions{{}, 7}};
  auto& stub = static_cast<SqsStub&>(host.add(std::make_unique<SqsStub>()));
  auto queues = stub.queues();
  ASSERT_EQ(queues.size(), 1u);
  EXPECT_EQ(queues[0].url_path, "/123456789012/ses-callbacks");
}

TEST_F(SqsTest, CreateQueueRefusesBadNamesAndDifferentAttributes) {
  expect_json_error(call(target("CreateQueue", {{"QueueName", "bad name"}})), 400,
                    "InvalidParameterValue", "com.amazonaws.sqs#InvalidParameterValue");
  expect_json_error(
      call(target("CreateQueue", {{"QueueName", "jobs"}, {"Attributes", {{"FifoQueue", "true"}}}})),
      400, "InvalidParameterValue", "com.amazonaws.sqs#InvalidParameterValue");
  create("q", {{"VisibilityTimeout", "60"}});
  expect_json_error(call(target("CreateQueue", {{"QueueName", "q"},
                                                {"Attributes", {{"VisibilityTimeout", "30"}}}})),
                    400, "QueueAlreadyExists", "com.amazonaws.sqs#QueueNameExists");
  expect_json_error(call(target("CreateQueue", {{"QueueName", "r"},
                                                {"Attributes", {{"VisibilityTimeout", "50000"}}}})),
                    400, "InvalidAttributeValue", "com.amazonaws.sqs#InvalidAttributeValue");
  expect_json_error(
      call(target("CreateQueue", {{"QueueName", "r"}, {"Attributes", {{"Colour", "blue"}}}})), 400,
      "InvalidAttributeName", "com.amazonaws.sqs#InvalidAttributeName");
}

TEST_F(SqsTest, UnknownQueuesAreNonExistentInBothProtocols) {
  expect_json_error(call(target("GetQueueUrl", {{"QueueName", "nope"}})), 400,
                    "AWS.SimpleQueueService.NonExistentQueue",
                    "com.amazonaws.sqs#QueueDoesNotExist");
  expect_xml_error(call(form("Action=SendMessage&MessageBody=x", "/123456789012/nope")), 400,
                   "AWS.SimpleQueueService.NonExistentQueue");
  expect_xml_error(call(form("Action=GetQueueUrl&QueueName=nope")), 400,
                   "AWS.SimpleQueueService.NonExistentQueue");
}

TEST_F(SqsTest, QueueAttributesCountMessagesByState) {
  create("q");
  send("q", "a");
  send("q", "b", {{"DelaySeconds", 60}});
  receive("q", {{"MaxNumberOfMessages", 1}});
  send("q", "c");
  auto a = ok("GetQueueAttributes", {{"QueueUrl", url("q")}, {"AttributeNames", {"All"}}});
  EXPECT_EQ(a["Attributes"]["ApproximateNumberOfMessages"], "1");
  EXPECT_EQ(a["Attributes"]["ApproximateNumberOfMessagesNotVisible"], "1");
  EXPECT_EQ(a["Attributes"]["ApproximateNumberOfMessagesDelayed"], "1");
  EXPECT_EQ(a["Attributes"]["QueueArn"], "arn:aws:sqs:eu-west-2:123456789012:q");
  EXPECT_EQ(a["Attributes"]["VisibilityTimeout"], "30");
  auto one =
      ok("GetQueueAttributes", {{"QueueUrl", url("q")}, {"AttributeNames", {"VisibilityTimeout"}}});
  EXPECT_EQ(one["Attributes"].size(), 1u);
  ok("SetQueueAttributes", {{"QueueUrl", url("q")}, {"Attributes", {{"VisibilityTimeout", "5"}}}});
  one =
      ok("GetQueueAttributes", {{"QueueUrl", url("q")}, {"AttributeNames", {"VisibilityTimeout"}}});
  EXPECT_EQ(one["Attributes"]["VisibilityTimeout"], "5");
}

TEST_F(SqsTest, ListQueuesFiltersByPrefixAndPages) {
  for (auto n : {"a1", "a2", "a3", "b1"}) create(n);
  auto all = ok("ListQueues", json::object());
  EXPECT_EQ(all["QueueUrls"].size(), 4u);
  auto page = ok("ListQueues", {{"QueueNamePrefix", "a"}, {"MaxResults", 2}});
  ASSERT_EQ(page["QueueUrls"].size(), 2u);
  ASSERT_TRUE(page.contains("NextToken"));
  auto rest = ok("ListQueues",
                 {{"QueueNamePrefix", "a"}, {"MaxResults", 2}, {"NextToken", page["NextToken"]}});
  ASSERT_EQ(rest["QueueUrls"].size(), 1u);
  EXPECT_EQ(rest["QueueUrls"][0], url("a3"));
  EXPECT_FALSE(ok("ListQueues", {{"QueueNamePrefix", "zz"}}).contains("QueueUrls"));
}

TEST_F(SqsTest, PurgeOncePerMinuteAndDeleteThenWaitToRecreate) {
  create("q");
  send("q", "a");
  ok("PurgeQueue", {{"QueueUrl", url("q")}});
  EXPECT_TRUE(receive("q").empty());
  expect_json_error(call(target("PurgeQueue", {{"QueueUrl", url("q")}})), 403,
                    "AWS.SimpleQueueService.PurgeQueueInProgress",
                    "com.amazonaws.sqs#PurgeQueueInProgress");
  clock_.run_for(std::chrono::seconds(61));
  ok("PurgeQueue", {{"QueueUrl", url("q")}});
  ok("DeleteQueue", {{"QueueUrl", url("q")}});
  expect_json_error(call(target("CreateQueue", {{"QueueName", "q"}})), 400,
                    "AWS.SimpleQueueService.QueueDeletedRecently",
                    "com.amazonaws.sqs#QueueDeletedRecently");
  clock_.run_for(std::chrono::seconds(61));
  create("q");
}

TEST_F(SqsTest, ConfiguredQueuesExistFromTheStartAndAfterReset) {
  ASSERT_FALSE(stub_.configure(json{{"queues", {"ses-callbacks", "jobs.fifo"}}}).has_value());
  ok("GetQueueUrl", {{"QueueName", "ses-callbacks"}});
  create("other");
  host_.reset();
  ok("GetQueueUrl", {{"QueueName", "jobs.fifo"}});
  expect_json_error(call(target("GetQueueUrl", {{"QueueName", "other"}})), 400,
                    "AWS.SimpleQueueService.NonExistentQueue",
                    "com.amazonaws.sqs#QueueDoesNotExist");
}

TEST_F(SqsTest, ConfigureNamesTheBadField) {
  auto e = stub_.configure(json{{"queues", {"no spaces"}}});
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->field, "queues");
  e = stub_.configure(json{{"queue_messages_max", 0}});
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->field, "queue_messages_max");
  e = stub_.configure(json{{"colour", 1}});
  ASSERT_TRUE(e.has_value());
}

// A scenario's redrive policy and poison message: set on queues created at attach, and again
// on those re-created by a reset.
TEST_F(SqsTest, ConfiguredAttributesAndMessagesAreOnTheQueues) {
  const std::string policy =
      R"({"deadLetterTargetArn": "arn:aws:sqs:eu-west-2:123456789012:dlq", "maxReceiveCount": 1})";
  ASSERT_FALSE(stub_
                   .configure(json{{"queues", {"q", "dlq"}},
                                   {"queue_attributes", {{"q", {{"RedrivePolicy", policy}}}}},
                                   {"messages", {{"q", {"poison"}}}}})
                   .has_value());
  for (int round = 0; round < 2; ++round) {
    auto attrs = ok("GetQueueAttributes", {{"QueueUrl", url("q")}, {"AttributeNames", {"All"}}});
    EXPECT_EQ(attrs["Attributes"]["RedrivePolicy"], policy);
    auto first = ok("ReceiveMessage", {{"QueueUrl", url("q")}, {"VisibilityTimeout", 0}});
    ASSERT_EQ(first["Messages"].size(), 1u) << first.dump();
    EXPECT_EQ(first["Messages"][0]["Body"], "poison");
    // Received once already: the next receive moves it to the dead-letter queue.
    auto again = ok("ReceiveMessage", {{"QueueUrl", url("q")}});
    EXPECT_FALSE(again.contains("Messages") && !again["Messages"].empty()) << again.dump();
    auto dead = ok("ReceiveMessage", {{"QueueUrl", url("dlq")}});
    ASSERT_EQ(dead["Messages"].size(), 1u) << dead.dump();
    host_.reset();
  }
}

TEST_F(SqsTest, ConfiguredAttributesAndMessagesAreChecked) {
  auto e = stub_.configure(json{{"queues", {"q"}}, {"messages", {{"other", {"x"}}}}});
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->field, "messages.other");
  e = stub_.configure(
      json{{"queues", {"q"}}, {"queue_attributes", {{"q", {{"RedrivePolicy", "{}"}}}}}});
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->field, "queue_attributes.q.RedrivePolicy");
  e = stub_.configure(json{{"queues", {"q"}}, {"messages", {{"q", {""}}}}});
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->field, "messages.q");
}

TEST_F(SqsTest, QueueLimitsAnswerOverLimit) {
  ASSERT_FALSE(stub_.configure(json{{"queue_messages_max", 2}, {"queues_max", 1}}).has_value());
  create("q");
  send("q", "a");
  send("q", "b");
  expect_json_error(call(target("SendMessage", {{"QueueUrl", url("q")}, {"MessageBody", "c"}})),
                    403, "OverLimit", "com.amazonaws.sqs#OverLimit");
  expect_json_error(call(target("CreateQueue", {{"QueueName", "r"}})), 403, "OverLimit",
                    "com.amazonaws.sqs#OverLimit");
}

TEST_F(SqsTest, StateShowsEachQueue) {
  create("q");
  send("q", "a");
  send("q", "b");
  receive("q");
  auto s = stub_.state();
  ASSERT_EQ(s["queues"].size(), 1u);
  EXPECT_EQ(s["queues"][0]["name"], "q");
  EXPECT_EQ(s["queues"][0]["visible"], 1);
  EXPECT_EQ(s["queues"][0]["in_flight"], 1);
  EXPECT_EQ(s["queues"][0]["sent"], 2);
  EXPECT_EQ(s["queues"][0]["received"], 1);
}

}  // namespace
}  // namespace notify::stubs::testing
