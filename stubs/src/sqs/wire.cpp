// Both of SQS's wire protocols, in and out. The Query protocol's flattened parameters
// (Attribute.1.Name, SendMessageBatchRequestEntry.2.MessageBody, ...) are read into the JSON
// protocol's shape so that the operations see one form; results are written back as the
// protocol's JSON or as the Query protocol's XML with SQS's namespace.
#include "core.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace notify::stubs::sqs {

namespace {

using nlohmann::json;

constexpr const char* kNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";
constexpr std::string_view kTargetPrefix = "AmazonSQS.";
constexpr std::string_view kJsonType = "application/x-amz-json-1.0";

const std::set<std::string, std::less<>>& operations() {
  static const std::set<std::string, std::less<>> ops{"CreateQueue",
                                                      "GetQueueUrl",
                                                      "ListQueues",
                                                      "GetQueueAttributes",
                                                      "SetQueueAttributes",
                                                      "SendMessage",
                                                      "SendMessageBatch",
                                                      "ReceiveMessage",
                                                      "DeleteMessage",
                                                      "DeleteMessageBatch",
                                                      "ChangeMessageVisibility",
                                                      "ChangeMessageVisibilityBatch",
                                                      "PurgeQueue",
                                                      "DeleteQueue",
                                                      "TagQueue",
                                                      "UntagQueue",
                                                      "ListQueueTags",
                                                      "ListDeadLetterSourceQueues"};
  return ops;
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}

std::string_view credential_service(std::string_view authorization) {
  auto pos = authorization.find("Credential=");
  if (pos == std::string_view::npos) return {};
  std::string_view cred = authorization.substr(pos + 11);
  cred = cred.substr(0, cred.find_first_of(", "));
  for (int i = 0; i < 3; ++i) {
    auto slash = cred.find('/');
    if (slash == std::string_view::npos) return {};
    cred.remove_prefix(slash + 1);
  }
  return cred.substr(0, cred.find('/'));
}

// "/123456789012/name": an account id and a queue name, as queue URLs have them.
bool is_queue_path(std::string_view path) {
  if (path.size() < 15 || path[0] != '/' || path[13] != '/') return false;
  for (std::size_t i = 1; i < 13; ++i)
    if (path[i] < '0' || path[i] > '9') return false;
  return path.find('/', 14) == std::string_view::npos;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::optional<int> index_of(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1) return std::nullopt;
  return v;
}

// The JSON name of a flattened Query list or map.
std::string json_name(std::string_view head) {
  if (head == "Attribute") return "Attributes";
  if (head == "AttributeName") return "AttributeNames";
  if (head == "MessageAttribute") return "MessageAttributes";
  if (head == "MessageAttributeName") return "MessageAttributeNames";
  if (head == "MessageSystemAttribute") return "MessageSystemAttributes";
  if (head == "MessageSystemAttributeName") return "MessageSystemAttributeNames";
  if (head == "Tag") return "Tags";
  if (head == "TagKey") return "TagKeys";
  if (head.size() > 17 && head.substr(head.size() - 17) == "BatchRequestEntry") return "Entries";
  return std::string(head);
}

json from_pairs(const Pairs& pairs);

// Groups "Head.N.rest=value" by head and N, keeping each group's rest.
json flattened(const Pairs& pairs) {
  std::map<std::string, std::map<int, Pairs>> groups;
  json out = json::object();
  for (const auto& [k, v] : pairs) {
    auto dot = k.find('.');
    if (dot == std::string::npos) {
      if (!out.contains(k)) out[k] = v;  // the first of repeated parameters counts
      continue;
    }
    auto dot2 = k.find('.', dot + 1);
    auto n = index_of(std::string_view(k).substr(
        dot + 1, dot2 == std::string::npos ? std::string::npos : dot2 - dot - 1));
    if (!n) continue;
    groups[k.substr(0, dot)][*n].emplace_back(
        dot2 == std::string::npos ? std::string() : k.substr(dot2 + 1), v);
  }
  for (auto& [head, members] : groups) {
    const std::string name = json_name(head);
    if (name == "Attributes" || name == "MessageAttributes" || name == "MessageSystemAttributes" ||
        name == "Tags") {
      json map = json::object();
      const char* key_field = name == "Tags" ? "Key" : "Name";
      for (auto& [n, rest] : members) {
        json member = from_pairs(rest);
        if (!member.contains(key_field) || !member[key_field].is_string()) continue;
        map[member[key_field].get<std::string>()] =
            member.contains("Value") ? member["Value"] : json("");
      }
      out[name] = std::move(map);
    } else if (name == "Entries") {
      json list = json::array();
      for (auto& [n, rest] : members) list.push_back(from_pairs(rest));
      out[name] = std::move(list);
    } else {
      json list = json::array();
      for (auto& [n, rest] : members)
        for (auto& [k, v] : rest)
          if (k.empty()) list.push_back(v);
      out[name] = std::move(list);
    }
  }
  return out;
}

// Nested members ("Value.StringValue") become objects; flattened lists and maps their JSON form.
json from_pairs(const Pairs& pairs) {
  Pairs flat;
  std::map<std::string, Pairs> nested;
  for (const auto& [k, v] : pairs) {
    auto dot = k.find('.');
    const bool numbered =
        dot != std::string::npos && dot + 1 < k.size() && k[dot + 1] >= '0' && k[dot + 1] <= '9';
    if (dot != std::string::npos && !numbered) {
      nested[k.substr(0, dot)].emplace_back(k.substr(dot + 1), v);
    } else {
      flat.emplace_back(k, v);
    }
  }
  json out = flattened(flat);
  for (auto& [k, rest] : nested) out[k] = from_pairs(rest);
  return out;
}

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#xD;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string text_of(const json& v) {
  if (v.is_string()) return escape(v.get_ref<const std::string&>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

void write_members(std::string& out, const json& object, const std::string& action);

void write_member(std::string& out, const std::string& key, const json& value,
                  const std::string& action) {
  auto element = [&out](const std::string& name, const std::string& inner) {
    out += "<" + name + ">" + inner + "</" + name + ">";
  };
  if (key == "Attributes" && value.is_object()) {
    for (const auto& [k, v] : value.items())
      element("Attribute", "<Name>" + escape(k) + "</Name><Value>" + text_of(v) + "</Value>");
    return;
  }
  if ((key == "MessageAttributes" || key == "Tags") && value.is_object()) {
    const bool tags = key == "Tags";
    for (const auto& [k, v] : value.items()) {
      std::string inner = tags ? "<Key>" + escape(k) + "</Key>" : "<Name>" + escape(k) + "</Name>";
      if (tags) {
        inner += "<Value>" + text_of(v) + "</Value>";
      } else {
        std::string value_xml;
        write_members(value_xml, v, action);
        inner += "<Value>" + value_xml + "</Value>";
      }
      element(tags ? "Tag" : "MessageAttribute", inner);
    }
    return;
  }
  if (value.is_array()) {
    std::string name = key == "QueueUrls" || key == "queueUrls" ? "QueueUrl"
                       : key == "Messages"                      ? "Message"
                       : key == "Successful"                    ? action + "ResultEntry"
                       : key == "Failed"                        ? "BatchResultErrorEntry"
                                                                : key;
    for (const auto& item : value) {
      if (item.is_object()) {
        std::string inner;
        write_members(inner, item, action);
        element(name, inner);
      } else {
        element(name, text_of(item));
      }
    }
    return;
  }
  if (value.is_object()) {
    std::string inner;
    write_members(inner, value, action);
    element(key, inner);
    return;
  }
  element(key, text_of(value));
}

void write_members(std::string& out, const json& object, const std::string& action) {
  for (const auto& [k, v] : object.items()) write_member(out, k, v, action);
}

bool has_result_element(std::string_view action) {
  static const std::set<std::string, std::less<>> with{"CreateQueue",
                                                       "GetQueueUrl",
                                                       "ListQueues",
                                                       "GetQueueAttributes",
                                                       "SendMessage",
                                                       "SendMessageBatch",
                                                       "ReceiveMessage",
                                                       "DeleteMessageBatch",
                                                       "ChangeMessageVisibilityBatch",
                                                       "ListQueueTags",
                                                       "ListDeadLetterSourceQueues"};
  return with.contains(action);
}

}  // namespace

bool is_sqs_request(const transport::Request& r) {
  if (starts_with(r.headers.get_or("X-Amz-Target", ""), kTargetPrefix)) return true;
  if (credential_service(r.headers.get_or("Authorization", "")) == "sqs") return true;
  std::string_view path = r.path();
  if (is_queue_path(path)) return true;
  if (path != "/" && !path.empty()) return false;
  return operations().contains(operation_of(r));
}

const std::set<std::string, std::less<>>& operation_names() { return operations(); }

std::string operation_of(const transport::Request& r) {
  std::string_view target = r.headers.get_or("X-Amz-Target", "");
  if (starts_with(target, kTargetPrefix)) return std::string(target.substr(kTargetPrefix.size()));
  for (std::string_view text : {r.body, std::string(r.query())}) {
    // Only the Action is needed: scan for it rather than decode the whole form.
    std::size_t at = starts_with(text, "Action=") ? 0 : text.find("&Action=");
    if (at == std::string_view::npos) continue;
    at = text.find('=', at) + 1;
    std::string_view v = text.substr(at, text.find('&', at) - at);
    if (v.size() <= 40) return std::string(v);
  }
  return "Unknown";
}

std::variant<Input, SqsError> read_input(const transport::Request& r) {
  Input in;
  in.path = std::string(r.path());
  in.base_url = "http://" + std::string(r.headers.get_or("Host", "localhost"));
  std::string_view target = r.headers.get_or("X-Amz-Target", "");
  if (!target.empty()) {
    in.protocol = Protocol::json;
    if (!starts_with(target, kTargetPrefix) || !operations().contains(target.substr(10)))
      return SqsError{400, "InvalidAction", "com.amazon.coral.service#UnknownOperationException",
                      "The action or operation requested is invalid: X-Amz-Target " +
                          std::string(target) + ". Verify that the action is typed correctly."};
    in.action = std::string(target.substr(kTargetPrefix.size()));
    std::string_view type = r.headers.get_or("Content-Type", "");
    if (!starts_with(type, kJsonType))
      return SqsError{400, "InvalidParameterValue",
                      "com.amazon.coral.service#UnsupportedMediaTypeException",
                      "Content-Type " + std::string(type.empty() ? "(none)" : type) +
                          " is not application/x-amz-json-1.0, which X-Amz-Target needs."};
    in.params = r.body.empty() ? json::object() : json::parse(r.body, nullptr, false);
    if (in.params.is_discarded() || !in.params.is_object())
      return SqsError{400, "SerializationException",
                      "com.amazon.coral.service#SerializationException",
                      "The request body is not a JSON object."};
    return in;
  }
  Pairs pairs;
  for (std::string_view text : {std::string_view(r.query()), std::string_view(r.body)}) {
    if (text.empty()) continue;
    auto form = transport::parse_form(text);
    if (!form)
      return SqsError{400, "MalformedQueryString", "MalformedQueryString",
                      "The query string or form body has a malformed percent-escape."};
    pairs.insert(pairs.end(), form->begin(), form->end());
  }
  in.params = from_pairs(pairs);
  auto action = string_param(in.params, "Action");
  if (!action)
    return SqsError{400, "MissingAction", "MissingAction",
                    "The request must contain the parameter Action."};
  if (!operations().contains(*action))
    return SqsError{400, "InvalidAction", "InvalidAction",
                    "The action or operation requested is invalid: " + *action +
                        ". Verify that the action is typed correctly."};
  in.action = *action;
  in.params.erase("Action");
  in.params.erase("Version");
  return in;
}

StubAnswer render_result(const Input& in, const json& result, const std::string& rid) {
  StubAnswer a;
  a.outcome = "ok";
  a.response.headers.set("x-amzn-RequestId", rid);
  if (in.protocol == Protocol::json) {
    a.response.headers.set("Content-Type", std::string(kJsonType));
    a.response.body = result.dump(-1, ' ', false, json::error_handler_t::replace);
    return a;
  }
  a.response.headers.set("Content-Type", "text/xml");
  std::string& out = a.response.body;
  out = "<?xml version=\"1.0\"?><" + in.action + "Response xmlns=\"" + kNamespace + "\">";
  if (has_result_element(in.action)) {
    std::string inner;
    write_members(inner, result, in.action);
    out += "<" + in.action + "Result>" + inner + "</" + in.action + "Result>";
  }
  out += "<ResponseMetadata><RequestId>" + rid + "</RequestId></ResponseMetadata></" + in.action +
         "Response>";
  return a;
}

StubAnswer render_error(Protocol protocol, const SqsError& e, const std::string& rid) {
  StubAnswer a;
  a.outcome = "error:" + e.code;
  a.response.status = e.status;
  a.response.headers.set("x-amzn-RequestId", rid);
  const char* type = e.sender ? "Sender" : "Receiver";
  if (protocol == Protocol::json) {
    a.response.headers.set("Content-Type", std::string(kJsonType));
    a.response.headers.set("x-amzn-query-error", e.code + ";" + type);
    std::string shape =
        e.shape.find('#') == std::string::npos ? "com.amazonaws.sqs#" + e.shape : e.shape;
    a.response.body = json{{"__type", shape}, {"message", e.message}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
    return a;
  }
  a.response.headers.set("Content-Type", "text/xml");
  a.response.body = std::string("<?xml version=\"1.0\"?><ErrorResponse xmlns=\"") + kNamespace +
                    "\"><Error><Type>" + type + "</Type><Code>" + escape(e.code) +
                    "</Code><Message>" + escape(e.message) +
                    "</Message><Detail/></Error>"
                    "<RequestId>" +
                    rid + "</RequestId></ErrorResponse>";
  return a;
}

std::optional<std::string> string_param(const json& p, const char* name) {
  auto it = p.find(name);
  if (it == p.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::variant<std::optional<std::int64_t>, SqsError> int_param(const json& p, const char* name) {
  auto it = p.find(name);
  if (it == p.end() || it->is_null()) return std::optional<std::int64_t>{};
  if (it->is_number_integer()) return std::optional<std::int64_t>{it->get<std::int64_t>()};
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty())
      return std::optional<std::int64_t>{v};
  }
  return invalid_parameter("Value " + (it->is_string() ? it->get<std::string>() : it->dump()) +
                           " for parameter " + name + " is invalid. Reason: must be an integer.");
}

SqsError invalid_parameter(std::string message) {
  return SqsError{400, "InvalidParameterValue", "InvalidParameterValue", std::move(message)};
}

SqsError missing_parameter(std::string_view name) {
  return SqsError{400, "MissingParameter", "MissingParameter",
                  "The request must contain the parameter " + std::string(name) + "."};
}

SqsError no_such_queue() {
  return SqsError{400, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist",
                  "The specified queue does not exist."};
}

SqsError throttled() {
  return SqsError{400, "RequestThrottled", "RequestThrottled",
                  "The request was denied due to request throttling."};
}

}  // namespace notify::stubs::sqs
