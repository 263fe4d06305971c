#include "sqs_fixture.hpp"

#include "core.hpp"

#include "notify/aws/sigv4.hpp"

namespace notify::stubs::testing {
namespace {

TEST_F(SqsTest, QueryAnswersCarrySqsNamespaceAndResultWrappers) {
  auto a = call(form("Action=CreateQueue&QueueName=q&Version=2012-11-05"));
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_EQ(a.response.headers.get_or("Content-Type", ""), "text/xml");
  const std::string rid(a.response.headers.get_or("x-amzn-RequestId", ""));
  EXPECT_EQ(a.response.body,
            "<?xml version=\"1.0\"?><CreateQueueResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><CreateQueueResult><QueueUrl>"
            "http://127.0.0.1:4566/123456789012/q</QueueUrl></CreateQueueResult>"
            "<ResponseMetadata><RequestId>" +
                rid + "</RequestId></ResponseMetadata></CreateQueueResponse>");
  auto d =
      call(form("Action=DeleteQueue&QueueUrl=http%3A%2F%2F127.0.0.1%3A4566%2F123456789012%2Fq"));
  EXPECT_EQ(d.response.status, 200);
  EXPECT_EQ(d.response.body.find("<DeleteQueueResult>"), std::string::npos);
}

TEST_F(SqsTest, QueryReceiveListsAttributesAsKombuReadsThem) {
  create("q");
  auto s =
      call(form("Action=SendMessage&MessageBody=hi%26there"
                "&MessageAttribute.1.Name=k&MessageAttribute.1.Value.DataType=String"
                "&MessageAttribute.1.Value.StringValue=v",
                "/123456789012/q"));
  ASSERT_EQ(s.response.status, 200) << s.response.body;
  EXPECT_NE(s.response.body.find("<MD5OfMessageAttributes>"), std::string::npos);
  auto r =
      call(form("Action=ReceiveMessage&MaxNumberOfMessages=1&AttributeName.1="
                "ApproximateReceiveCount&MessageAttributeName.1=All",
                "/123456789012/q"));
  ASSERT_EQ(r.response.status, 200) << r.response.body;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(r.response.body.c_str()));
  auto m = doc.child("ReceiveMessageResponse").child("ReceiveMessageResult").child("Message");
  ASSERT_TRUE(m) << r.response.body;
  EXPECT_STREQ(m.child_value("Body"), "hi&there");
  EXPECT_STREQ(m.child("Attribute").child_value("Name"), "ApproximateReceiveCount");
  EXPECT_STREQ(m.child("Attribute").child_value("Value"), "1");
  // Only what was asked for.
  EXPECT_FALSE(m.child("Attribute").next_sibling("Attribute"));
  EXPECT_STREQ(m.child("MessageAttribute").child("Value").child_value("StringValue"), "v");
  EXPECT_STREQ(m.child("MessageAttribute").child("Value").child_value("DataType"), "String");
}

TEST_F(SqsTest, QueryBatchEntriesAreRead) {
  create("q");
  auto a =
      call(form("Action=SendMessageBatch&QueueUrl=http%3A%2F%2Fx%2F123456789012%2Fq"
                "&SendMessageBatchRequestEntry.1.Id=one"
                "&SendMessageBatchRequestEntry.1.MessageBody=1"
                "&SendMessageBatchRequestEntry.2.Id=two"
                "&SendMessageBatchRequestEntry.2.MessageBody=2"
                "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=n"
                "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=Number"
                "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=3"));
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(a.response.body.c_str()));
  auto result = doc.child("SendMessageBatchResponse").child("SendMessageBatchResult");
  auto first = result.child("SendMessageBatchResultEntry");
  EXPECT_STREQ(first.child_value("Id"), "one");
  EXPECT_STREQ(first.next_sibling("SendMessageBatchResultEntry").child_value("Id"), "two");
  EXPECT_TRUE(first.next_sibling("SendMessageBatchResultEntry").child("MD5OfMessageAttributes"));
  EXPECT_EQ(receive("q", {{"MaxNumberOfMessages", 10}}).size(), 2u);
}

TEST_F(SqsTest, RoutingTakesSqsShapedRequestsOnly) {
  EXPECT_TRUE(stub_.accepts(target("ListQueues", json::object())));
  EXPECT_TRUE(stub_.accepts(form("Action=ListQueues")));
  EXPECT_TRUE(stub_.accepts(form("Action=ReceiveMessage", "/123456789012/q")));
  EXPECT_FALSE(stub_.accepts(form("Action=SendEmail")));
  EXPECT_FALSE(stub_.accepts(form("x=1", "/v2/email/outbound-emails")));
  auto info = stub_.describe(target("SendMessage", {{"QueueUrl", url("ses-callbacks")}}));
  EXPECT_EQ(info.operation, "SendMessage");
  EXPECT_EQ(info.recipient, "ses-callbacks");
}

TEST_F(SqsTest, BadRequestsGetErrorsInTheirProtocol) {
  auto wrong_type = target("ListQueues", json::object());
  wrong_type.headers.set("Content-Type", "application/json");
  auto a = call(wrong_type);
  EXPECT_EQ(a.response.status, 400);
  EXPECT_EQ(a.response.headers.get_or("x-amzn-query-error", ""), "InvalidParameterValue;Sender");
  auto broken = target("ListQueues", json::object());
  broken.body = "{not json";
  a = call(broken);
  EXPECT_EQ(a.response.status, 400);
  EXPECT_NE(a.response.body.find("SerializationException"), std::string::npos);
  auto unknown = target("ListQueues", json::object());
  unknown.headers.set("X-Amz-Target", "AmazonSQS.Frobnicate");
  a = call(unknown);
  EXPECT_EQ(a.response.headers.get_or("x-amzn-query-error", ""), "InvalidAction;Sender");
  expect_xml_error(call(form("Action=Frobnicate")), 400, "InvalidAction");
  expect_xml_error(call(form("QueueName=q")), 400, "MissingAction");
  expect_xml_error(call(form("Action=SendMessage&MessageBody=%zz", "/123456789012/q")), 400,
                   "MalformedQueryString");
  expect_xml_error(call(form("Action=SendMessage&MessageBody=x")), 400, "MissingParameter");
}

TEST_F(SqsTest, StrictSigV4ChecksTheSignature) {
  ASSERT_FALSE(stub_.configure(json{{"strict_sigv4", {{"AKIDEXAMPLE", "secret"}}}}).has_value());
  expect_xml_error(call(form("Action=ListQueues")), 403, "MissingAuthenticationToken");
  transport::Request signed_request;
  signed_request.method = "POST";
  signed_request.target = std::string("http://") + kHost + "/";
  signed_request.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  signed_request.body = "Action=ListQueues";
  aws::SigV4Scope scope{"AKIDEXAMPLE", "secret", "", "eu-west-2", "sqs"};
  aws::sign_request(signed_request, scope, clock_.now());
  signed_request.target = "/";
  auto a = call(signed_request);
  EXPECT_EQ(a.response.status, 200) << a.response.body;
  scope.secret_access_key = "wrong";
  signed_request.target = std::string("http://") + kHost + "/";
  signed_request.headers.erase("Authorization");
  aws::sign_request(signed_request, scope, clock_.now());
  signed_request.target = "/";
  expect_xml_error(call(signed_request), 403, "SignatureDoesNotMatch");
}

TEST_F(SqsTest, Base64RoundTrips) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff", 2)})
    EXPECT_EQ(sqs::base64_decode(sqs::base64_encode(s)), s);
  EXPECT_FALSE(sqs::base64_decode("abc").has_value());
}

}  // namespace
}  // namespace notify::stubs::testing
