// SES v2 (REST-JSON): POST /v2/email/outbound-emails and GET /v2/email/account. Errors carry
// the bare shape name in x-amzn-ErrorType and {"message": ...} (the restJson1 protocol; botocore's
// RestJSONParser). Unknown members are ignored so newer clients (Content.Simple.Headers,
// Attachments) work.
#include "core.hpp"
#include "mail.hpp"

#include <nlohmann/json.hpp>

namespace notify::stubs::ses {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxCustomHeaders = 15;

SesError bad(std::string message) { return {400, "BadRequestException", std::move(message)}; }

SesError null_member(std::string_view path) {
  return bad("1 validation error detected: Value null at '" + std::string(path) +
             "' failed to satisfy constraint: Member must not be null");
}

SesError wrong_type(std::string_view path, std::string_view expected) {
  return bad("Could not read the request: '" + std::string(path) + "' must be " +
             std::string(expected) + ".");
}

// Member `key` of `j` when present and not null; an error when it has the wrong type.
const json* member(const json& j, std::string_view key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<SesError> read_string(const json& j, std::string_view key, std::string_view path,
                                    std::string& out) {
  const json* m = member(j, key);
  if (m == nullptr) return std::nullopt;
  if (!m->is_string()) return wrong_type(path, "a string");
  out = m->get<std::string>();
  return std::nullopt;
}

std::optional<SesError> read_list(const json& j, std::string_view key, std::string_view path,
                                  std::vector<std::string>& out) {
  const json* m = member(j, key);
  if (m == nullptr) return std::nullopt;
  if (!m->is_array()) return wrong_type(path, "a list of strings");
  for (const auto& v : *m) {
    if (!v.is_string()) return wrong_type(path, "a list of strings");
    out.push_back(v.get<std::string>());
  }
  return std::nullopt;
}

std::optional<SesError> check_simple(const json& simple, const SesLimits& limits) {
  if (!simple.is_object()) return wrong_type("Content.Simple", "an object");
  const json* subject = member(simple, "Subject");
  if (subject == nullptr) return null_member("content.simple.subject");
  if (!subject->is_object()) return wrong_type("Content.Simple.Subject", "an object");
  std::string subject_text;
  if (member(*subject, "Data") == nullptr) return null_member("content.simple.subject.data");
  if (auto e = read_string(*subject, "Data", "Content.Simple.Subject.Data", subject_text)) return e;
  const json* body = member(simple, "Body");
  if (body == nullptr) return null_member("content.simple.body");
  if (!body->is_object()) return wrong_type("Content.Simple.Body", "an object");
  if (utf8_length(subject_text) > limits.header_line_limit)
    return bad("Header too long: 'Subject'");
  // Custom headers (newer API only; botocore 1.29 cannot send them): at most 15 of them, each
  // name 1-126 printable ASCII without ':', each value at most 870 printable ASCII characters
  // (API_Message, API_MessageHeader). A value outside the model's constraints gets AWS's
  // model-validation answer: BadRequestException "1 validation error detected: ...".
  const json* headers = member(simple, "Headers");
  if (headers == nullptr) return std::nullopt;
  if (!headers->is_array()) return wrong_type("Content.Simple.Headers", "a list of headers");
  if (headers->size() > kMaxCustomHeaders) {
    return bad(
        "1 validation error detected: Value at 'content.simple.headers' failed to satisfy "
        "constraint: Member must have length less than or equal to " +
        std::to_string(kMaxCustomHeaders));
  }
  std::size_t index = 0;
  for (const auto& h : *headers) {
    ++index;
    if (!h.is_object()) return wrong_type("Content.Simple.Headers", "a list of headers");
    std::string name, value;
    if (auto e = read_string(h, "Name", "Content.Simple.Headers.Name", name)) return e;
    if (auto e = read_string(h, "Value", "Content.Simple.Headers.Value", value)) return e;
    bool printable = !name.empty() && name.size() <= 126;
    for (char c : name) printable = printable && c > 0x20 && c < 0x7f && c != ':';
    if (!printable) {
      return bad("Invalid header name '" + name +
                 "': it must be 1 to 126 printable ASCII characters without ':'.");
    }
    // Printable ASCII is ' ' to '~' (the model's pattern [ -~]*); anything else, a tab, a
    // line break or any byte of a UTF-8 sequence, is refused.
    bool ascii = true;
    for (char c : value) ascii = ascii && c >= 0x20 && c < 0x7f;
    if (!ascii) {
      return bad("1 validation error detected: Value at 'content.simple.headers." +
                 std::to_string(index) +
                 ".member.value' failed to satisfy constraint: Member must satisfy regular "
                 "expression pattern: [ -~]*");
    }
    if (value.size() > 870 || name.size() + 2 + value.size() > limits.header_line_limit) {
      return bad("Header too long: '" + name + "'");
    }
  }
  return std::nullopt;
}

std::optional<SesError> check_template(const json& tmpl) {
  if (!tmpl.is_object()) return wrong_type("Content.Template", "an object");
  if (member(tmpl, "TemplateName") == nullptr && member(tmpl, "TemplateArn") == nullptr &&
      member(tmpl, "TemplateContent") == nullptr) {
    return null_member("content.template.templateName");
  }
  std::string data;
  if (auto e = read_string(tmpl, "TemplateData", "Content.Template.TemplateData", data)) return e;
  if (data.size() > 262'144) return bad("TemplateData is longer than 262144 characters.");
  if (!data.empty() && !json::accept(data)) {
    return bad("Content.Template.TemplateData is not valid JSON.");
  }
  return std::nullopt;
}

struct V2Send {
  std::string source;
  std::vector<std::string> recipients;
};

std::optional<SesError> parse_send(const transport::Request& request, const SesLimits& limits,
                                   V2Send& out) {
  if (request.body.size() > limits.v2_message_bytes_max) {
    return bad("Message length is more than " + std::to_string(limits.v2_message_bytes_max) +
               " bytes long: '" + std::to_string(request.body.size()) + "'.");
  }
  json j = json::parse(request.body, nullptr, false);
  if (j.is_discarded()) return bad("Could not parse the request body as JSON.");
  if (!j.is_object()) return bad("The request body must be a JSON object.");
  const json* content = member(j, "Content");
  if (content == nullptr) return null_member("content");
  if (!content->is_object()) return wrong_type("Content", "an object");
  const json* simple = member(*content, "Simple");
  const json* raw = member(*content, "Raw");
  const json* tmpl = member(*content, "Template");
  int kinds = (simple != nullptr) + (raw != nullptr) + (tmpl != nullptr);
  if (kinds != 1) return bad("Content must contain exactly one of Simple, Raw or Template.");

  std::string from;
  if (auto e = read_string(j, "FromEmailAddress", "FromEmailAddress", from)) return e;
  std::vector<std::string> recipients;
  if (const json* d = member(j, "Destination")) {
    if (!d->is_object()) return wrong_type("Destination", "an object");
    for (const char* key : {"ToAddresses", "CcAddresses", "BccAddresses"}) {
      if (auto e = read_list(*d, key, std::string("Destination.") + key, recipients)) return e;
    }
  }
  std::vector<std::string> reply_to;
  if (auto e = read_list(j, "ReplyToAddresses", "ReplyToAddresses", reply_to)) return e;
  for (const auto& r : reply_to) {
    if (auto e = check_address(r)) return bad(*e);
  }

  if (raw != nullptr) {
    if (!raw->is_object()) return wrong_type("Content.Raw", "an object");
    std::string data;
    if (member(*raw, "Data") == nullptr) return null_member("content.raw.data");
    if (auto e = read_string(*raw, "Data", "Content.Raw.Data", data)) return e;
    return parse_raw_message(data, limits, limits.v2_message_bytes_max, from, std::move(recipients),
                             true, out.source, out.recipients);
  }
  if (auto e = simple != nullptr ? check_simple(*simple, limits) : check_template(*tmpl)) return e;
  if (from.empty()) return bad("Missing required header 'From'.");
  if (auto e = check_address(from)) return bad(*e);
  if (auto e = check_recipients(recipients, limits, true)) return e;
  out.source = std::move(from);
  out.recipients = std::move(recipients);
  return std::nullopt;
}

json account_json(Core& core) {
  const SesLimits& limits = core.options.limits;
  return {
      {"DedicatedIpAutoWarmupEnabled", false},
      {"EnforcementStatus", "HEALTHY"},
      {"ProductionAccessEnabled", true},
      {"SendQuota",
       {{"Max24HourSend", limits.max_24_hour_send},
        {"MaxSendRate", limits.max_send_rate},
        {"SentLast24Hours", static_cast<double>(core.quota.sent_last_24_hours(core.now()))}}},
      {"SendingEnabled", true},
      {"SuppressionAttributes", {{"SuppressedReasons", json::array()}}},
  };
}

}  // namespace

StubAnswer handle_v2(Core& core, const transport::Request& request, std::string_view path,
                     const std::string& fault) {
  const std::string rid = core.request_id();
  if (auto e = core.check_auth(request)) return core.error_answer(Protocol::v2, *e, rid);
  const bool send = path == "/v2/email/outbound-emails" && request.method == "POST";
  const bool account = path == "/v2/email/account" && request.method == "GET";
  if (!send && !account) {
    return core.error_answer(
        Protocol::v2,
        {404, "NotFoundException",
         "notify-sim's SES v2 has no operation " + request.method + " " + std::string(path) +
             "; it serves POST /v2/email/outbound-emails and GET "
             "/v2/email/account."},
        rid);
  }
  EventFaults event_faults;
  if (auto a = core.fault_answer(fault, Protocol::v2, rid, event_faults)) return *a;
  if (account) {
    return StubAnswer{
        json_success(
            account_json(core).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), rid),
        {},
        "ok"};
  }
  V2Send parsed;
  if (auto e = parse_send(request, core.options.limits, parsed)) {
    return core.error_answer(Protocol::v2, *e, rid);
  }
  if (auto e = core.admit(parsed.recipients.size(), Protocol::v2)) {
    return core.error_answer(Protocol::v2, *e, rid);
  }
  SentMail mail{core.message_id(), parsed.source, parsed.recipients, core.now(), "SendEmail"};
  StubAnswer answer{json_success(json{{"MessageId", mail.message_id}}.dump(
                                     -1, ' ', false, nlohmann::json::error_handler_t::replace),
                                 rid),
                    mail.message_id, "ok"};
  core.schedule_events(mail, parsed.recipients, event_faults);
  return answer;
}

RequestInfo describe_v2(const transport::Request& request, std::string_view path) {
  RequestInfo info;
  info.service = "ses";
  info.operation = "Unknown";
  if (path == "/v2/email/account" && request.method == "GET") {
    info.operation = "GetAccount";
    return info;
  }
  if (path != "/v2/email/outbound-emails" || request.method != "POST") return info;
  info.operation = "SendEmailV2";
  json j = json::parse(request.body, nullptr, false);
  if (!j.is_object()) return info;
  auto d = j.find("Destination");
  if (d == j.end() || !d->is_object()) return info;
  for (const char* key : {"ToAddresses", "CcAddresses", "BccAddresses"}) {
    auto list = d->find(key);
    if (list != d->end() && list->is_array() && !list->empty() && list->front().is_string()) {
      info.recipient = addr_spec(list->front().get<std::string>());
      break;
    }
  }
  return info;
}

}  // namespace notify::stubs::ses
