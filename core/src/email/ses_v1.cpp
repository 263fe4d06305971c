// SES v1 (Query protocol): the SendEmail form as botocore serializes Notify's call, and the
// answer read the way botocore 1.29 reads it (its QueryParser).
#include "notify/email/email_client.hpp"
#include "ses_answer.hpp"

#include <pugixml.hpp>

#include <string>

namespace notify::email {

namespace detail {

namespace {

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

}  // namespace

SesAnswer read_v1_answer(const transport::Response& response) {
  SesAnswer out;
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

}  // namespace detail

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

}  // namespace notify::email
