#include "sqs_fixture.hpp"

#include "core.hpp"

#include <set>

namespace notify::stubs::testing {
namespace {

using std::chrono::seconds;

TEST_F(SqsTest, SendAndReceiveCarryDigestsAndSystemAttributes) {
  create("q");
  auto sent = send("q", "hello",
                   {{"MessageAttributes",
                     {{"task", {{"DataType", "String"}, {"StringValue", "process-ses-result"}}}}}});
  EXPECT_EQ(sent["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592");
  ASSERT_TRUE(sent.contains("MD5OfMessageAttributes"));
  auto got = receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["MessageId"], sent["MessageId"]);
  EXPECT_EQ(got[0]["Body"], "hello");
  EXPECT_EQ(got[0]["MD5OfBody"], sent["MD5OfMessageBody"]);
  EXPECT_EQ(got[0]["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"]);
  EXPECT_EQ(got[0]["MessageAttributes"]["task"]["StringValue"], "process-ses-result");
  EXPECT_EQ(got[0]["Attributes"]["ApproximateReceiveCount"], "1");
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
          .count();
  EXPECT_EQ(got[0]["Attributes"]["SentTimestamp"], std::to_string(now_ms));
}

TEST_F(SqsTest, MessageAttributeDigestMatchesSqsAlgorithm) {
  // Length-prefixed name, type, transport byte 1 and value, over names in byte order: the
  // digest botocore and the Java SDK check.
  create("q");
  auto sent = send("q", "x",
                   {{"MessageAttributes",
                     {{"b", {{"DataType", "Number"}, {"StringValue", "1"}}},
                      {"a", {{"DataType", "String"}, {"StringValue", "v"}}}}}});
  std::string buf;
  auto put = [&buf](const std::string& s) {
    const auto n = static_cast<std::uint32_t>(s.size());
    for (int shift : {24, 16, 8, 0}) buf += static_cast<char>((n >> shift) & 0xFF);
    buf += s;
  };
  put("a"), put("String"), buf += '\x01', put("v");
  put("b"), put("Number"), buf += '\x01', put("1");
  EXPECT_EQ(sent["MD5OfMessageAttributes"], sqs::md5_hex(buf));
  auto again = send("q", "y",
                    {{"MessageAttributes",
                      {{"a", {{"DataType", "String"}, {"StringValue", "v"}}},
                       {"b", {{"DataType", "Number"}, {"StringValue", "1"}}}}}});
  EXPECT_EQ(again["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"]);
  EXPECT_EQ(buf.size(), 2u * (4 + 1 + 4 + 6 + 1 + 4 + 1));
}

TEST_F(SqsTest, AnUndeletedMessageComesBackAfterItsVisibilityTimeout) {
  create("q", {{"VisibilityTimeout", "30"}});
  send("q", "a");
  ASSERT_EQ(receive("q").size(), 1u);
  EXPECT_TRUE(receive("q").empty());
  clock_.run_for(seconds(29));
  EXPECT_TRUE(receive("q").empty());
  clock_.run_for(seconds(1));
  auto again = receive("q");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["Attributes"]["ApproximateReceiveCount"], "2");
  ok("DeleteMessage", {{"QueueUrl", url("q")}, {"ReceiptHandle", again[0]["ReceiptHandle"]}});
  clock_.run_for(seconds(60));
  EXPECT_TRUE(receive("q").empty());
}

TEST_F(SqsTest, ChangeMessageVisibilityShortensOrExtendsTheTimeout) {
  create("q");
  send("q", "a");
  auto got = receive("q");
  ASSERT_EQ(got.size(), 1u);
  ok("ChangeMessageVisibility", {{"QueueUrl", url("q")},
                                 {"ReceiptHandle", got[0]["ReceiptHandle"]},
                                 {"VisibilityTimeout", 0}});
  auto again = receive("q", {{"VisibilityTimeout", 5}});
  ASSERT_EQ(again.size(), 1u);
  clock_.run_for(seconds(6));
  // The message is visible again: its old handle no longer names a message in flight.
  expect_json_error(
      call(target("ChangeMessageVisibility", {{"QueueUrl", url("q")},
                                              {"ReceiptHandle", again[0]["ReceiptHandle"]},
                                              {"VisibilityTimeout", 10}})),
      400, "AWS.SimpleQueueService.MessageNotInflight", "com.amazonaws.sqs#MessageNotInflight");
}

TEST_F(SqsTest, DelaySecondsHoldsAMessageBack) {
  create("q");
  send("q", "later", {{"DelaySeconds", 10}});
  EXPECT_TRUE(receive("q").empty());
  clock_.run_for(seconds(10));
  EXPECT_EQ(receive("q").size(), 1u);
}

TEST_F(SqsTest, LongPollAnswersWhenAMessageArrives) {
  create("q");
  auto waiting =
      call_async(target("ReceiveMessage", {{"QueueUrl", url("q")}, {"WaitTimeSeconds", 20}}));
  clock_.run_for(seconds(5));
  EXPECT_FALSE(waiting->has_value());
  send("q", "wake");
  clock_.run_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(waiting->has_value());
  auto body = json::parse((*waiting)->response.body);
  ASSERT_EQ(body["Messages"].size(), 1u);
  EXPECT_EQ(body["Messages"][0]["Body"], "wake");
}

TEST_F(SqsTest, LongPollAnswersEmptyAtItsWaitTime) {
  create("q");
  auto waiting = call_async(form("Action=ReceiveMessage&WaitTimeSeconds=20", "/123456789012/q"));
  clock_.run_for(seconds(19));
  EXPECT_FALSE(waiting->has_value());
  clock_.run_for(seconds(1));
  ASSERT_TRUE(waiting->has_value());
  EXPECT_EQ((*waiting)->response.status, 200);
  EXPECT_NE((*waiting)->response.body.find("<ReceiveMessageResult></ReceiveMessageResult>"),
            std::string::npos)
      << (*waiting)->response.body;
}

TEST_F(SqsTest, LongPollSeesADelayedMessageBecomeVisible) {
  create("q");
  send("q", "soon", {{"DelaySeconds", 3}});
  auto waiting =
      call_async(target("ReceiveMessage", {{"QueueUrl", url("q")}, {"WaitTimeSeconds", 20}}));
  clock_.run_for(seconds(3));
  ASSERT_TRUE(waiting->has_value());
  EXPECT_EQ(json::parse((*waiting)->response.body)["Messages"].size(), 1u);
}

TEST_F(SqsTest, RedrivePolicyDeadLettersAfterMaxReceiveCount) {
  create("dlq");
  create(
      "q",
      {{"VisibilityTimeout", "1"},
       {"RedrivePolicy",
        R"({"deadLetterTargetArn":"arn:aws:sqs:eu-west-2:123456789012:dlq","maxReceiveCount":"2"})"}});
  auto sent = send("q", "poison");
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(receive("q").size(), 1u);
    clock_.run_for(seconds(1));
  }
  EXPECT_TRUE(receive("q").empty());
  auto dead = receive("dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0]["MessageId"], sent["MessageId"]);
  EXPECT_EQ(dead[0]["Body"], "poison");
  auto sources = ok("ListDeadLetterSourceQueues", {{"QueueUrl", url("dlq")}});
  EXPECT_EQ(sources["queueUrls"][0], url("q"));
  const auto dlq = stub_.queues()[0];
  const auto q = stub_.queues()[1];
  EXPECT_EQ(q.dead_lettered, 1u);
  EXPECT_EQ(q.sent, 1u);
  // The dead-letter queue counts the message as moved in, not as sent to it.
  EXPECT_EQ(dlq.sent, 0u);
  EXPECT_EQ(dlq.moved_in, 1u);
  EXPECT_TRUE(q.balanced());
  EXPECT_TRUE(dlq.balanced());
}

TEST_F(SqsTest, FifoKeepsGroupOrderAndDropsDuplicatesForFiveMinutes) {
  create("jobs.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  auto first = send("jobs.fifo", "1", {{"MessageGroupId", "g"}});
  send("jobs.fifo", "2", {{"MessageGroupId", "g"}});
  send("jobs.fifo", "x", {{"MessageGroupId", "h"}});
  auto dup = send("jobs.fifo", "1", {{"MessageGroupId", "g"}});
  EXPECT_EQ(dup["MessageId"], first["MessageId"]);
  EXPECT_EQ(first["SequenceNumber"].get<std::string>().size(), 20u);
  auto got = receive("jobs.fifo", {{"MaxNumberOfMessages", 10}});
  // One of group g (its first) and one of group h: g's second waits behind its first.
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["Body"], "1");
  EXPECT_EQ(got[1]["Body"], "x");
  EXPECT_EQ(got[0]["Attributes"]["MessageGroupId"], "g");
  ok("DeleteMessage", {{"QueueUrl", url("jobs.fifo")}, {"ReceiptHandle", got[0]["ReceiptHandle"]}});
  auto next = receive("jobs.fifo");
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0]["Body"], "2");
  clock_.run_for(std::chrono::minutes(5));
  EXPECT_NE(send("jobs.fifo", "1", {{"MessageGroupId", "g"}})["MessageId"], first["MessageId"]);
  expect_json_error(
      call(target("SendMessage", {{"QueueUrl", url("jobs.fifo")}, {"MessageBody", "z"}})), 400,
      "MissingParameter", "com.amazonaws.sqs#MissingParameter");
}

TEST_F(SqsTest, BatchesReportEachEntry) {
  create("q");
  auto sent =
      ok("SendMessageBatch", {{"QueueUrl", url("q")},
                              {"Entries",
                               {{{"Id", "a"}, {"MessageBody", "1"}},
                                {{"Id", "b"}, {"MessageBody", ""}},
                                {{"Id", "c"}, {"MessageBody", "3"}, {"DelaySeconds", 5}}}}});
  EXPECT_EQ(sent["Successful"].size(), 2u);
  ASSERT_EQ(sent["Failed"].size(), 1u);
  EXPECT_EQ(sent["Failed"][0]["Id"], "b");
  EXPECT_EQ(sent["Failed"][0]["Code"], "MissingParameter");
  EXPECT_EQ(sent["Failed"][0]["SenderFault"], true);
  auto got = receive("q", {{"MaxNumberOfMessages", 10}});
  ASSERT_EQ(got.size(), 1u);
  auto deleted =
      ok("DeleteMessageBatch", {{"QueueUrl", url("q")},
                                {"Entries",
                                 {{{"Id", "x"}, {"ReceiptHandle", got[0]["ReceiptHandle"]}},
                                  {{"Id", "y"}, {"ReceiptHandle", "garbage"}}}}});
  EXPECT_EQ(deleted["Successful"][0]["Id"], "x");
  EXPECT_EQ(deleted["Failed"][0]["Code"], "ReceiptHandleIsInvalid");
}

TEST_F(SqsTest, BatchShapeErrors) {
  create("q");
  auto batch = [&](json entries) {
    return call(target("SendMessageBatch", {{"QueueUrl", url("q")}, {"Entries", entries}}));
  };
  expect_json_error(batch(json::array()), 400, "AWS.SimpleQueueService.EmptyBatchRequest",
                    "com.amazonaws.sqs#EmptyBatchRequest");
  json eleven = json::array();
  for (int i = 0; i < 11; ++i)
    eleven.push_back({{"Id", "m" + std::to_string(i)}, {"MessageBody", "x"}});
  expect_json_error(batch(eleven), 400, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                    "com.amazonaws.sqs#TooManyEntriesInBatchRequest");
  expect_json_error(
      batch({{{"Id", "a"}, {"MessageBody", "x"}}, {{"Id", "a"}, {"MessageBody", "y"}}}), 400,
      "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
      "com.amazonaws.sqs#BatchEntryIdsNotDistinct");
  expect_json_error(batch({{{"Id", "a b"}, {"MessageBody", "x"}}}), 400,
                    "AWS.SimpleQueueService.InvalidBatchEntryId",
                    "com.amazonaws.sqs#InvalidBatchEntryId");
  expect_json_error(batch({{{"Id", "a"}, {"MessageBody", std::string(200'000, 'x')}},
                           {{"Id", "b"}, {"MessageBody", std::string(200'000, 'x')}}}),
                    400, "AWS.SimpleQueueService.BatchRequestTooLong",
                    "com.amazonaws.sqs#BatchRequestTooLong");
}

TEST_F(SqsTest, BadMessagesGetSqsErrors) {
  create("q");
  auto sendx = [&](json extra) {
    extra["QueueUrl"] = url("q");
    return call(target("SendMessage", extra));
  };
  expect_json_error(sendx({{"MessageBody", std::string(262'145, 'x')}}), 400,
                    "InvalidParameterValue", "com.amazonaws.sqs#InvalidParameterValue");
  expect_json_error(sendx({{"MessageBody", std::string("a\x01") + "b"}}), 400,
                    "InvalidMessageContents", "com.amazonaws.sqs#InvalidMessageContents");
  expect_json_error(sendx({{"MessageBody", "x"}, {"DelaySeconds", 901}}), 400,
                    "InvalidParameterValue", "com.amazonaws.sqs#InvalidParameterValue");
  expect_json_error(
      sendx({{"MessageBody", "x"},
             {"MessageAttributes", {{"a", {{"DataType", "Colour"}, {"StringValue", "red"}}}}}}),
      400, "InvalidParameterValue", "com.amazonaws.sqs#InvalidParameterValue");
  expect_json_error(sendx(json::object()), 400, "MissingParameter",
                    "com.amazonaws.sqs#MissingParameter");
  expect_json_error(
      call(target("DeleteMessage", {{"QueueUrl", url("q")}, {"ReceiptHandle", "not-a-handle"}})),
      404, "ReceiptHandleIsInvalid", "com.amazonaws.sqs#ReceiptHandleIsInvalid");
  expect_json_error(
      call(target("ReceiveMessage", {{"QueueUrl", url("q")}, {"MaxNumberOfMessages", 11}})), 400,
      "InvalidParameterValue", "com.amazonaws.sqs#InvalidParameterValue");
  expect_json_error(
      call(target("ReceiveMessage", {{"QueueUrl", url("q")}, {"WaitTimeSeconds", 21}})), 400,
      "InvalidParameterValue", "com.amazonaws.sqs#InvalidParameterValue");
}

TEST_F(SqsTest, FaultsLookLikeSqs) {
  create("q");
  const json body = {{"QueueUrl", url("q")}, {"MessageBody", "x"}};
  expect_json_error(call(target("SendMessage", body), kSqsThrottled), 400, "RequestThrottled",
                    "com.amazonaws.sqs#RequestThrottled");
  expect_json_error(call(target("SendMessage", body), kSqsServiceUnavailable), 503,
                    "ServiceUnavailable", "com.amazon.coral.service#ServiceUnavailableException");
  // Nothing was queued by the refused sends.
  EXPECT_TRUE(receive("q").empty());
  auto twice = call(target("SendMessage", body), kSqsDuplicateDelivery);
  ASSERT_EQ(twice.response.status, 200);
  EXPECT_EQ(twice.outcome, "error:sqs.duplicate_delivery");
  auto got = receive("q", {{"MaxNumberOfMessages", 10}});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["MessageId"], got[1]["MessageId"]);
  EXPECT_NE(got[0]["ReceiptHandle"], got[1]["ReceiptHandle"]);
  EXPECT_EQ(stub_.queues()[0].sent, 1u);
  EXPECT_EQ(stub_.queues()[0].duplicated, 1u);
  EXPECT_TRUE(stub_.queues()[0].balanced());
  send("q", "y");
  auto empty = call_async(
      target("ReceiveMessage", {{"QueueUrl", url("q")}, {"WaitTimeSeconds", 2}}), kSqsEmptyReceive);
  EXPECT_FALSE(empty->has_value());
  clock_.run_for(seconds(2));
  ASSERT_TRUE(empty->has_value());
  EXPECT_EQ((*empty)->response.body, "{}");
  EXPECT_EQ((*empty)->outcome, "error:sqs.empty_receive");
}

TEST_F(SqsTest, EveryMessageIsReceivedDeletedOrStillQueued) {
  // Sent = deleted + dead-lettered + left, across redeliveries.
  create("q", {{"VisibilityTimeout", "2"}});
  for (int i = 0; i < 50; ++i) send("q", "m" + std::to_string(i));
  std::set<std::string> ids;
  for (int round = 0; round < 10; ++round) {
    auto got = receive("q", {{"MaxNumberOfMessages", 10}});
    for (std::size_t k = 0; k < got.size(); ++k) {
      ids.insert(got[k]["MessageId"]);
      if (k % 2 == 0)
        ok("DeleteMessage", {{"QueueUrl", url("q")}, {"ReceiptHandle", got[k]["ReceiptHandle"]}});
    }
    clock_.run_for(seconds(3));
  }
  auto v = stub_.queues().at(0);
  EXPECT_EQ(v.sent, 50u);
  EXPECT_EQ(v.deleted + v.visible + v.in_flight + v.delayed, 50u);
  EXPECT_TRUE(v.balanced());
  ok("PurgeQueue", {{"QueueUrl", url("q")}});
  v = stub_.queues().at(0);
  EXPECT_EQ(v.held(), 0u);
  EXPECT_TRUE(v.balanced());
}

}  // namespace
}  // namespace notify::stubs::testing
