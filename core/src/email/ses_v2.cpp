// SES v2 (REST-JSON): the SendEmail body as botocore serializes Notify's sesv2 call, and the
// answer read the way botocore's RestJSONParser reads it.
#include "notify/email/email_client.hpp"
#include "ses_answer.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace notify::email {

namespace detail {

namespace {

using nlohmann::json;

// A JSON string as Python's json.dumps writes it: ensure_ascii, so non-ASCII as \uXXXX.
std::string json_string(const std::string& s) {
  return json(s).dump(-1, ' ', true, json::error_handler_t::replace);
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += json_string(items[i]);
  }
  return out + "]";
}

std::string_view trim(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// A string member of a JSON object, or nullptr.
const std::string* string_member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

}  // namespace

SesAnswer read_v2_answer(const transport::Response& response) {
  SesAnswer out;
  out.status = response.status;
  // botocore parses JSON leniently: a body that is not JSON is kept as {"message": <text>}.
  json body = response.body.empty() ? json::object() : json::parse(response.body, nullptr, false);
  const bool is_json = !body.is_discarded();
  if (response.status < 301) {
    const std::string* id = is_json ? string_member(body, "MessageId") : nullptr;
    if (id != nullptr && !id->empty()) {
      out.message_id = *id;
      return out;
    }
    // boto3 returns {} (or no MessageId) without raising; Notify's response["MessageId"] raises
    // KeyError, which its client wraps like any other exception.
    out.code = "bad_response";
    out.message = "SES answered " + std::to_string(response.status) +
                  (is_json ? " without a MessageId" : " with a body that is not JSON");
    return out;
  }
  out.client_error = true;
  // Every parser of botocore's maps an empty or HTML 5xx to a generic error named after the
  // status.
  auto stripped = trim(response.body);
  if (response.status >= 500 && (stripped.empty() || stripped.substr(0, 6) == "<html>")) {
    out.code = std::to_string(response.status);
    out.message = std::string(transport::reason_phrase(response.status));
    return out;
  }
  if (!is_json) {
    out.message = response.body;
  } else if (const std::string* m = string_member(body, "message")) {
    out.message = *m;
  } else if (const std::string* m = string_member(body, "Message")) {
    out.message = *m;
  }
  // The code: the x-amzn-ErrorType header up to its first ':' (no '#' handling in botocore
  // 1.29), else the body's code or Code, else its __type after the last '#', else the status.
  if (auto header = response.headers.get("x-amzn-ErrorType")) {
    std::string_view h = *header;
    out.code = std::string(h.substr(0, h.find(':')));
  } else if (const std::string* c = string_member(body, "code")) {
    out.code = *c;
  } else if (const std::string* c = string_member(body, "Code")) {
    out.code = *c;
  } else if (const std::string* t = string_member(body, "__type")) {
    auto hash = t->rfind('#');
    out.code = hash == std::string::npos ? *t : t->substr(hash + 1);
  } else {
    out.code = std::to_string(response.status);
  }
  return out;
}

}  // namespace detail

std::string build_send_email_v2_body(const EmailMessage& message) {
  using detail::json_list;
  using detail::json_string;
  std::vector<std::string> to;
  for (const auto& a : message.to) to.push_back(punycode_encode_email(a));
  std::vector<std::string> reply_to;
  for (const auto& a : message.reply_to) reply_to.push_back(punycode_encode_email(a));
  // The dict Notify passes, in its order; botocore keeps the caller's order.
  std::string body = "{\"FromEmailAddress\": " + json_string(message.source);
  body += ", \"Destination\": {\"ToAddresses\": " + json_list(to) +
          ", \"CcAddresses\": [], \"BccAddresses\": []}";
  body += ", \"Content\": {\"Simple\": {\"Subject\": {\"Data\": " + json_string(message.subject) +
          "}, \"Body\": {\"Text\": {\"Data\": " + json_string(message.body) +
          "}, \"Html\": {\"Data\": " + json_string(message.html_body) + "}}, \"Headers\": [";
  for (std::size_t i = 0; i < message.headers.size(); ++i) {
    if (i > 0) body += ", ";
    body += "{\"Name\": " + json_string(message.headers[i].first) +
            ", \"Value\": " + json_string(message.headers[i].second) + "}";
  }
  body += "]}}, \"ReplyToAddresses\": " + json_list(reply_to) + "}";
  return body;
}

}  // namespace notify::email
