// The SQS stub's one registration: the variables boto3, the AWS CLI and kombu read to reach it.
#include "chaos_check.hpp"
#include "notify/stubs/sqs.hpp"

#include <nlohmann/json.hpp>

namespace notify::stubs {

namespace {

// One message to the queue every configuration has (see load_config), in the Query form kombu
// and boto3 before 1.31 send.
transport::Request load_send(const std::string& base, std::size_t n) {
  transport::Request q;
  q.method = "POST";
  q.target = base + "/123456789012/load";
  q.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  q.body = "Action=SendMessage&Version=2012-11-05&MessageBody=load-" + std::to_string(n);
  return q;
}

// One JSON 1.0 request, as current boto3 and the core's consumer send it.
transport::Request json_call(const std::string& base, const char* action,
                             const nlohmann::json& body) {
  transport::Request r;
  r.method = "POST";
  r.target = base + "/";
  r.headers.set("Content-Type", "application/x-amz-json-1.0");
  r.headers.set("X-Amz-Target", std::string("AmazonSQS.") + action);
  r.body = body.dump();
  return r;
}

std::string load_queue_url(const std::string& base) { return base + "/123456789012/load"; }

// A consumer's cycle: SendMessage, then ReceiveMessage of one message (any: concurrent cycles
// share the queue, and each takes the one it finds), then DeleteMessage of what it received.
transport::Request cycle_send(const std::string& base, std::size_t n) {
  return json_call(
      base, "SendMessage",
      {{"QueueUrl", load_queue_url(base)}, {"MessageBody", "cycle-" + std::to_string(n)}});
}

LoadNext cycle_next(const std::string& base, std::size_t, std::size_t step,
                    const transport::Response& answer) {
  if (step == 0)
    // A short wait in case the message is not visible yet; one cycle's send always precedes its
    // receive, so there is a message for every receive.
    return {json_call(base, "ReceiveMessage",
                      {{"QueueUrl", load_queue_url(base)},
                       {"MaxNumberOfMessages", 1},
                       {"WaitTimeSeconds", 1}}),
            ""};
  if (step == 1) {
    const auto got = nlohmann::json::parse(answer.body, nullptr, false);
    const auto* messages = got.is_object() && got.contains("Messages") ? &got["Messages"] : nullptr;
    if (messages == nullptr || !messages->is_array() || messages->empty() ||
        !(*messages)[0].contains("ReceiptHandle"))
      return {std::nullopt, "ReceiveMessage returned no message"};
    return {json_call(base, "DeleteMessage",
                      {{"QueueUrl", load_queue_url(base)},
                       {"ReceiptHandle", (*messages)[0]["ReceiptHandle"]}}),
            ""};
  }
  return {};
}

}  // namespace

void register_sqs(StubRegistry& registry) {
  StubSpec spec;
  spec.service = "sqs";
  spec.title = "Amazon SQS";
  spec.make = [] { return std::make_unique<SqsStub>(); };
  spec.routes = {{"POST", "/", "SQS (JSON 1.0, X-Amz-Target: AmazonSQS.*, or Query Action=...)"},
                 {"POST", "/{account}/{queue}", "SQS Query actions on one queue (kombu)"}};
  spec.env = [](const std::string& base) {
    return std::vector<EnvVar>{{"AWS_ENDPOINT_URL_SQS", base}};
  };
  spec.load_operations = {
      {"sqs-send", "SQS SendMessage (Query form)", load_send, nullptr},
      {"sqs-cycle", "SQS SendMessage, ReceiveMessage and DeleteMessage (JSON 1.0), one operation",
       cycle_send, cycle_next}};
  spec.load_config = {{"queues", {"load"}}};
  spec.chaos_check = &check_queues;
  registry.add(std::move(spec));
}

}  // namespace notify::stubs
