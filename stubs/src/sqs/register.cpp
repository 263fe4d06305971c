// The SQS stub's one registration: the variables boto3, the AWS CLI and kombu read to reach it.
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
  spec.load_operations = {{"sqs-send", "SQS SendMessage (Query form)", load_send}};
  spec.load_config = {{"queues", {"load"}}};
  registry.add(std::move(spec));
}

}  // namespace notify::stubs
