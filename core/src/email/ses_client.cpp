// The SES v1 client: SendEmail over the Query protocol, signed with SigV4, answers parsed the
// way botocore 1.29 parses them (its QueryParser) and classified as Notify's
// AwsSesClient does (app/clients/email/aws_ses.py).
#include "notify/email/email_client.hpp"

#include <pugixml.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace notify::email {

namespace {

constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded; charset=utf-8";

// botocore strips namespaces from every tag before it looks anything up.
std::string_view local_name(const char* name) {
  std::string_view s(name);
  auto colon = s.find(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

pugi::xml_node child_named(pugi::xml_node parent, std::string_view name) {
  for (auto child : parent.children()) {
    if (child.type() == pugi::node_element && local_name(child.name()) == name) return child;
  }
  return {};
}

// Text content verbatim, as botocore keeps it: "\n  Throttling\n" is not "Throttling".
std::string text_of(pugi::xml_node node) {
  std::string out;
  for (auto child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) out += child.value();
  }
  return out;
}

bool parse_xml(pugi::xml_document& doc, const std::string& body) {
  // parse_ws_pcdata_single keeps a text node that is only whitespace, as ElementTree does.
  auto flags = pugi::parse_default | pugi::parse_ws_pcdata_single;
  return doc.load_buffer(body.data(), body.size(), flags, pugi::encoding_utf8) &&
         doc.document_element();
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// What an SES answer turned out to be before classification.
struct Outcome {
  std::string message_id;     // set on success
  bool client_error = false;  // botocore would raise ClientError (the answer parsed as an error)
  int status = 0;
  std::string code;
  std::string message;
};

Outcome interpret(const transport::Response& response) {
  Outcome out;
  out.status = response.status;
  pugi::xml_document doc;
  if (response.status < 300) {
    // botocore checks neither the root name nor the namespace, only the result wrapper.
    if (parse_xml(doc, response.body)) {
      auto result = child_named(doc.document_element(), "SendEmailResult");
      auto id = child_named(result, "MessageId");
      if (result && id && !text_of(id).empty()) {
        out.message_id = text_of(id);
        return out;
      }
      out.code = "bad_response";
      out.message =
          "SES answered " + std::to_string(response.status) + " without SendEmailResult/MessageId";
      return out;
    }
    out.code = "bad_response";
    out.message =
        "SES answered " + std::to_string(response.status) + " with a body that is not XML";
    return out;
  }

  // botocore maps an empty or HTML 5xx to a generic error named after the status.
  auto generic = [&] {
    out.client_error = true;
    out.code = std::to_string(response.status);
    out.message = std::string(transport::reason_phrase(response.status));
  };
  if (response.status >= 500 && (response.body.empty() || starts_with(response.body, "<html>"))) {
    generic();
    return out;
  }
  if (parse_xml(doc, response.body)) {
    auto root = doc.document_element();
    auto error = child_named(root, "Error");
    if (!error) error = child_named(child_named(root, "Errors"), "Error");
    if (error) {
      out.client_error = true;
      out.code = text_of(child_named(error, "Code"));
      out.message = text_of(child_named(error, "Message"));
      return out;
    }
  }
  if (response.status >= 500) {
    generic();
    return out;
  }
  // A 4xx that is not an ErrorResponse: botocore raises ResponseParserError, not ClientError.
  out.code = "ResponseParserError";
  out.message = "SES answered " + std::to_string(response.status) +
                " with a body that is not an "
                "ErrorResponse";
  return out;
}

class SesClient final : public EmailClient {
 public:
  SesClient(transport::HttpTransport& transport, runtime::Clock& clock, telemetry::Metrics& metrics,
            telemetry::Logger& logger, SesClientOptions options, std::string target)
      : transport_(transport),
        options_(std::move(options)),
        target_(std::move(target)),
        telemetry_(std::make_shared<client::ClientTelemetry>(client::ClientTelemetry{
            clock, metrics, logger, "clients.ses", "AWS SES request finished in "})) {}

  std::string name() const override { return "ses"; }
  std::string metrics_name() const override { return telemetry_->metrics_name; }

  void send_email(const EmailMessage& message, EmailHandler done) override {
    transport::Request request;
    request.method = "POST";
    request.target = target_;
    request.headers.set("Content-Type", kFormContentType);
    request.body = build_send_email_body(message);
    aws::SigV4Scope scope{options_.credentials.access_key_id,
                          options_.credentials.secret_access_key,
                          options_.credentials.session_token, options_.region, "ses"};
    aws::sign_request(request, scope, telemetry_->clock.now());
    client::send_and_interpret(transport_, std::move(request), options_.send_options, telemetry_,
                               std::move(done), &on_answer);
  }

 private:
  static void on_answer(const client::ClientTelemetry& telemetry, runtime::TimePoint started,
                        const transport::Response& response, const EmailHandler& done) {
    auto outcome = interpret(response);
    if (!outcome.message_id.empty()) {
      telemetry.success(started, response.transport_time);
      done(std::move(outcome.message_id));
      return;
    }
    auto error = classify_ses_error(outcome.status, outcome.code, outcome.message);
    // Notify's generic ClientError branch increments clients.ses.error a second time
    // (aws_ses.py, 2021); the InvalidParameterValue and send-rate branches
    // and non-ClientError failures count once.
    bool generic_client_error =
        outcome.client_error && error.retryable() && !is_send_rate_throttling(error);
    telemetry.error(generic_client_error ? 2 : 1);
    done(std::move(error));
  }

  transport::HttpTransport& transport_;
  SesClientOptions options_;
  std::string target_;
  std::shared_ptr<const client::ClientTelemetry> telemetry_;
};

}  // namespace

std::string build_send_email_body(const EmailMessage& message) {
  using transport::url_encode;
  std::string body = "Action=SendEmail&Version=2010-12-01&Source=" + url_encode(message.source);
  for (std::size_t i = 0; i < message.to.size(); ++i) {
    body += "&Destination.ToAddresses.member." + std::to_string(i + 1) + "=" +
            url_encode(punycode_encode_email(message.to[i]));
  }
  body += "&Message.Subject.Data=" + url_encode(message.subject);
  body += "&Message.Subject.Charset=UTF-8";
  body += "&Message.Body.Text.Data=" + url_encode(message.body);
  if (!message.html_body.empty())
    body += "&Message.Body.Html.Data=" + url_encode(message.html_body);
  for (std::size_t i = 0; i < message.reply_to.size(); ++i) {
    body += "&ReplyToAddresses.member." + std::to_string(i + 1) + "=" +
            url_encode(punycode_encode_email(message.reply_to[i]));
  }
  return body;
}

std::unique_ptr<EmailClient> make_ses_client(transport::HttpTransport& transport,
                                             runtime::Clock& clock, telemetry::Metrics& metrics,
                                             telemetry::Logger& logger, SesClientOptions options) {
  auto url = transport::parse_url(options.endpoint_url);
  if (!url) {
    throw std::invalid_argument("SES endpoint URL '" + options.endpoint_url +
                                "' is not an absolute http(s) URL such as "
                                "https://email.eu-west-1.amazonaws.com");
  }
  // botocore posts to "/" for a bare endpoint and to exactly "/prefix" for one with a path.
  auto target = url->scheme + "://" + url->authority() + url->target;
  return std::make_unique<SesClient>(transport, clock, metrics, logger, std::move(options),
                                     std::move(target));
}

}  // namespace notify::email
