// The SES stub's one registration: what serve prints for it, the variables boto3, the AWS CLI
// and Notify read to reach it, and where its delivery events go.
#include "notify/stubs/ses.hpp"

#include <nlohmann/json.hpp>

namespace notify::stubs {

namespace {

std::string load_recipient(std::size_t n) {
  return "load" + std::to_string(n % 1000) + "@example.com";
}

transport::Request load_v1(const std::string& base, std::size_t n) {
  transport::Request q;
  q.method = "POST";
  q.target = base + "/";
  q.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  q.body =
      "Action=SendEmail&Version=2010-12-01&Source=sender%40example.com"
      "&Destination.ToAddresses.member.1=" +
      transport::url_encode(load_recipient(n)) +
      "&Message.Subject.Data=Load+test&Message.Body.Text.Data=Hello";
  return q;
}

transport::Request load_v2(const std::string& base, std::size_t n) {
  transport::Request q;
  q.method = "POST";
  q.target = base + "/v2/email/outbound-emails";
  q.headers.set("Content-Type", "application/json");
  q.body =
      nlohmann::json{
          {"FromEmailAddress", "sender@example.com"},
          {"Destination", {{"ToAddresses", {load_recipient(n)}}}},
          {"Content",
           {{"Simple",
             {{"Subject", {{"Data", "Load test"}}}, {"Body", {{"Text", {{"Data", "Hello"}}}}}}}}}}
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return q;
}

transport::Request load_contract(const std::string& base, std::size_t) {
  transport::Request q;
  q.method = "POST";
  q.target = base + "/ses";
  q.headers.set("Content-Type", "application/x-www-form-urlencoded");
  q.body = "id=dummy-data";
  return q;
}

}  // namespace

void register_ses(StubRegistry& registry) {
  StubSpec spec;
  spec.service = "ses";
  spec.title = "Amazon SES";
  spec.make = [] { return std::make_unique<SesStub>(); };
  spec.routes = {{"POST", "/", "SES v1 (Query): SendEmail, SendRawEmail, GetSendQuota, ..."},
                 {"*", "/v2/email/...", "SES v2 (JSON): outbound-emails, account, ..."},
                 {"POST", "/ses", "Notify's SES_STUB_URL contract"}};
  spec.env = [](const std::string& base) {
    return std::vector<EnvVar>{
        {"AWS_ENDPOINT_URL", base},
        {"AWS_ENDPOINT_URL_SES", base},
        {"AWS_ENDPOINT_URL_SESV2", base},
        {"SES_STUB_URL", base + "/ses"},
        {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
        {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
        {"AWS_DEFAULT_REGION", "eu-west-2"}};
  };
  spec.callback_config = "events.callback_url";
  spec.receipt_path = "/notifications/email/ses";
  spec.callback_operation = "Event";
  spec.load_operations = {{"ses-v1", "SES v1 SendEmail (Query form)", load_v1, nullptr},
                          {"ses-v2", "SES v2 SendEmail (JSON)", load_v2, nullptr},
                          {"ses-stub", "Notify's /ses contract", load_contract, nullptr}};
  spec.load_config = {{"max_send_rate", 0}, {"max_24_hour_send", -1}};
  registry.add(std::move(spec));
}

}  // namespace notify::stubs
