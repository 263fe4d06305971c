// The MMG client as Notify's MMGClient (app/clients/sms/mmg.py): a JSON POST to MMG_URL with
// "Authorization: Basic <MMG_API_KEY>", and a success when the answer is 2xx and JSON. No field
// of the answer is read.
#include "send.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace notify::sms {

namespace {

// A JSON string as Python's json.dumps writes it: ensure_ascii, so non-ASCII as \uXXXX.
std::string json_string(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

std::optional<Failure> check_mmg_answer(const transport::Response& response) {
  if (!nlohmann::json::accept(response.body)) {
    return detail::invalid_answer(response, "bad_response", "Invalid response JSON");
  }
  return std::nullopt;
}

class MmgClient final : public SmsClient {
 public:
  MmgClient(transport::HttpTransport& transport, runtime::Clock& clock, telemetry::Metrics& metrics,
            telemetry::Logger& logger, MmgClientOptions options)
      : options_(std::move(options)), context_{transport,    clock,
                                               metrics,      logger,
                                               "mmg",        "MMG",
                                               options_.url, options_.send_options} {}

  std::string name() const override { return context_.name; }
  std::string metrics_name() const override { return "clients." + context_.name; }

  void send_sms(const SmsMessage& message, SmsHandler done) override {
    transport::Request request;
    request.method = "POST";
    request.target = options_.url;
    request.headers.set("Content-Type", "application/json");
    request.headers.set("Authorization", "Basic " + options_.api_key);
    request.body = build_mmg_body(message, options_);
    detail::send_sms_request(context_, std::move(request), message.reference, std::move(done),
                             &check_mmg_answer);
  }

 private:
  MmgClientOptions options_;
  detail::SendContext context_;
};

}  // namespace

std::string build_mmg_body(const SmsMessage& message, const MmgClientOptions& options) {
  const auto& sender = message.sender.empty() ? options.from_number : message.sender;
  std::string body = "{\"reqType\": \"BULK\"";
  body += ", \"MSISDN\": " + json_string(message.to);
  body += ", \"msg\": " + json_string(message.content);
  body += ", \"sender\": " + json_string(sender);
  body += ", \"cid\": " + json_string(message.reference);
  body += ", \"multi\": true";
  if (!options.receipt_url.empty()) body += ", \"delurl\": " + json_string(options.receipt_url);
  body += "}";
  return body;
}

std::unique_ptr<SmsClient> make_mmg_client(transport::HttpTransport& transport,
                                           runtime::Clock& clock, telemetry::Metrics& metrics,
                                           telemetry::Logger& logger, MmgClientOptions options) {
  if (!transport::parse_url(options.url)) {
    throw std::invalid_argument("MMG_URL '" + options.url +
                                "' is not an absolute http(s) URL such as "
                                "https://api.mmg.co.uk/jsonv2a/api.php");
  }
  return std::make_unique<MmgClient>(transport, clock, metrics, logger, std::move(options));
}

}  // namespace notify::sms
