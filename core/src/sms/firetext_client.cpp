// The Firetext client as Notify's FiretextClient (app/clients/sms/firetext.py): a form POST to
// FIRETEXT_URL, and a success only when the answer is 2xx, JSON, and its "code" is 0.
#include "send.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace notify::sms {

namespace {

using transport::url_encode;

std::string without_plus(std::string to) {
  std::erase(to, '+');
  return to;
}

std::optional<Failure> check_firetext_answer(const transport::Response& response) {
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded()) {
    return detail::invalid_answer(response, "bad_response", "Invalid response JSON");
  }
  auto code = json.is_object() ? json.find("code") : json.end();
  if (!json.is_object() || code == json.end()) {
    // Notify's response.json()["code"] raises a KeyError that its client does not catch: the
    // task logs it as an unexpected exception (an error) and still retries elsewhere.
    return detail::invalid_answer(response, "bad_response", "KeyError: 'code'", LogLevel::error);
  }
  // Python compares with ==, so 0, 0.0 and false are all success; "0" is not.
  bool zero =
      (code->is_number() && code->get<double>() == 0) || (code->is_boolean() && !code->get<bool>());
  if (!zero) {
    return detail::invalid_answer(response, "firetext_code_" + code->dump(),
                                  "Expected 'code' to be '0'");
  }
  return std::nullopt;
}

class FiretextClient final : public SmsClient {
 public:
  FiretextClient(transport::HttpTransport& transport, runtime::Clock& clock,
                 telemetry::Metrics& metrics, telemetry::Logger& logger,
                 FiretextClientOptions options)
      : options_(std::move(options)), context_{transport,    clock,
                                               metrics,      logger,
                                               "firetext",   "Firetext",
                                               options_.url, options_.send_options} {}

  std::string name() const override { return context_.name; }
  std::string metrics_name() const override { return "clients." + context_.name; }

  void send_sms(const SmsMessage& message, SmsHandler done) override {
    transport::Request request;
    request.method = "POST";
    request.target = options_.url;
    request.headers.set("Content-Type", "application/x-www-form-urlencoded");
    request.body = build_firetext_body(message, options_);
    detail::send_sms_request(context_, std::move(request), message.reference, std::move(done),
                             &check_firetext_answer);
  }

 private:
  FiretextClientOptions options_;
  detail::SendContext context_;
};

}  // namespace

std::string build_firetext_body(const SmsMessage& message, const FiretextClientOptions& options) {
  const auto& key = message.international ? options.international_api_key : options.api_key;
  const auto& sender = message.sender.empty() ? options.from_number : message.sender;
  std::string body = "apiKey=" + url_encode(key);
  body += "&from=" + url_encode(sender);
  body += "&to=" + url_encode(without_plus(message.to));
  body += "&message=" + url_encode(message.content);
  body += "&reference=" + url_encode(message.reference);
  if (!options.receipt_url.empty()) body += "&receipt=" + url_encode(options.receipt_url);
  return body;
}

std::unique_ptr<SmsClient> make_firetext_client(transport::HttpTransport& transport,
                                                runtime::Clock& clock, telemetry::Metrics& metrics,
                                                telemetry::Logger& logger,
                                                FiretextClientOptions options) {
  if (!transport::parse_url(options.url)) {
    throw std::invalid_argument("FIRETEXT_URL '" + options.url +
                                "' is not an absolute http(s) URL such as "
                                "https://www.firetext.co.uk/api/sendsms/json");
  }
  return std::make_unique<FiretextClient>(transport, clock, metrics, logger, std::move(options));
}

}  // namespace notify::sms
