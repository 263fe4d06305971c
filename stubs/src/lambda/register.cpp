// The Lambda stub's one registration: what boto3, the AWS CLI and Notify's CBC proxy client set
// to reach it.
#include "notify/stubs/cbc.hpp"
#include "notify/stubs/lambda.hpp"

#include <nlohmann/json.hpp>

namespace notify::stubs {

namespace {

transport::Request load_invoke(const std::string& base, std::size_t n) {
  transport::Request q;
  q.method = "POST";
  q.target = base + "/2015-03-31/functions/canary/invocations";
  q.body = nlohmann::json{{"identifier", "load-" + std::to_string(n)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return q;
}

}  // namespace

void register_lambda(StubRegistry& registry) {
  StubSpec spec;
  spec.service = "lambda";
  spec.title = "AWS Lambda (CBC proxy functions and canary)";
  spec.make = [] { return std::make_unique<LambdaStub>(); };
  spec.routes = {{"POST", "/2015-03-31/functions/{name}/invocations",
                  "Lambda Invoke: ee|o2|three|vodafone-1|2-proxy, canary"}};
  spec.env = [](const std::string& base) {
    return std::vector<EnvVar>{{"AWS_ENDPOINT_URL_LAMBDA", base},
                               {"CBC_PROXY_AWS_ACCESS_KEY_ID", "AKIDCBCPROXYEXAMPLE"},
                               {"CBC_PROXY_AWS_SECRET_ACCESS_KEY", "cbcproxyEXAMPLEsecretKEY"}};
  };
  spec.load_operations = {{"lambda-invoke", "Lambda Invoke of the canary", load_invoke, nullptr}};
  // Each proxy function is described by its operator and the AZ it reaches its CBC through.
  for (auto op : kCbcOperators)
    for (auto az : kCbcAzs) spec.fault_scopes.push_back({std::string(op), std::string(az)});
  // A tampered document an unverifying CBC acknowledges (a cancel under a changed identifier) is
  // what the fault is for, but the chaos invariants would take it for the core's loss.
  spec.chaos_excluded_errors = {kLambdaTamperDocument};
  registry.add(std::move(spec));
}

}  // namespace notify::stubs
