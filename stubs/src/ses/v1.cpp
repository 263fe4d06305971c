// SES v1 (Query protocol): SendEmail, SendRawEmail, GetSendQuota, GetSendStatistics. Answers
// are the XML shapes botocore parses (the awsQuery protocol; botocore's QueryParser).
#include "core.hpp"
#include "mail.hpp"
#include "query.hpp"

#include <string>

namespace notify::stubs::ses {

namespace {

constexpr std::string_view kFormType = "application/x-www-form-urlencoded";

SesError invalid(std::string message) { return {400, "InvalidParameterValue", std::move(message)}; }

SesError missing(std::string_view parameter) {
  return {400, "MissingParameter",
          "The request must contain the parameter " + std::string(parameter) + "."};
}

SesError too_large(std::size_t bytes, std::size_t limit) {
  return invalid("Message length is more than " + std::to_string(limit) + " bytes long: '" +
                 std::to_string(bytes) + "'.");
}

// Where the parameters of a Query request come from: the URL's query string and, for POST,
// the form body. Sets `error` for an undecodable query or body or a non-form body.
std::optional<QueryParams> read_params(const transport::Request& request,
                                       std::optional<SesError>& error) {
  auto params = QueryParams::parse(request.query());
  if (!params) {
    error = SesError{404, "MalformedQueryString",
                     "The query string is malformed: a percent-escape is not followed by two "
                     "hex digits."};
    return std::nullopt;
  }
  if (request.method == "POST" && !request.body.empty()) {
    std::string_view type = request.headers.get_or("Content-Type", "");
    if (type.substr(0, kFormType.size()) != kFormType) {
      error = SesError{400, "InvalidQueryParameter",
                       "The SES Query API takes a form body with Content-Type " +
                           std::string(kFormType) + "; got '" + std::string(type) + "'."};
      return std::nullopt;
    }
    auto body = QueryParams::parse(request.body);
    if (!body) {
      error = SesError{400, "InvalidQueryParameter",
                       "The AWS query string is malformed or does not adhere to AWS standards: "
                       "the form body has a percent-escape that is not followed by two hex "
                       "digits."};
      return std::nullopt;
    }
    params->append(std::move(*body));
  }
  return params;
}

struct SendRequest {
  std::string source;
  std::vector<std::string> recipients;
};

std::optional<SesError> parse_send_email(const QueryParams& p, const SesLimits& limits,
                                         SendRequest& out) {
  auto source = p.get("Source");
  if (!source || source->empty()) return missing("Source");
  if (auto e = check_address(*source)) return invalid(*e);
  if (!p.has_member("Destination")) return missing("Destination");
  if (!p.has_member("Message")) return missing("Message");
  auto subject = p.get("Message.Subject.Data");
  if (!subject) return missing("Message.Subject.Data");
  for (const char* list :
       {"Destination.ToAddresses", "Destination.CcAddresses", "Destination.BccAddresses"}) {
    for (auto& a : p.list(list)) out.recipients.push_back(std::move(a));
  }
  if (auto e = check_recipients(out.recipients, limits, false)) return e;
  for (const auto& r : p.list("ReplyToAddresses")) {
    if (auto e = check_address(r)) return invalid(*e);
  }
  if (utf8_length(*subject) > limits.header_line_limit)
    return invalid("Header too long: 'Subject'");
  if (p.bytes() > limits.v1_message_bytes_max) {
    return too_large(p.bytes(), limits.v1_message_bytes_max);
  }
  out.source = std::string(*source);
  return std::nullopt;
}

}  // namespace

// In the order SES applies them, for SendEmail, SendRawEmail and SES v2's outbound-emails.
std::optional<SesError> check_recipients(const std::vector<std::string>& recipients,
                                         const SesLimits& limits, bool v2) {
  auto bad = [v2](std::string message) {
    return SesError{400, v2 ? "BadRequestException" : "InvalidParameterValue", std::move(message)};
  };
  if (recipients.empty())
    return SesError{400, "MessageRejected", "There are no recipients specified."};
  if (recipients.size() > limits.recipients_max) {
    return bad("Recipient count exceeds " + std::to_string(limits.recipients_max) + ".");
  }
  for (const auto& r : recipients) {
    if (auto e = check_address(r)) return bad(*e);
  }
  return std::nullopt;
}

std::optional<SesError> parse_raw_message(std::string_view data, const SesLimits& limits,
                                          std::size_t bytes_max, std::string source,
                                          std::vector<std::string> destinations, bool v2,
                                          std::string& out_source,
                                          std::vector<std::string>& out_recipients) {
  auto bad = [v2](std::string message) {
    return SesError{400, v2 ? "BadRequestException" : "InvalidParameterValue", std::move(message)};
  };
  if (data.size() > bytes_max) {
    return bad("Message length is more than " + std::to_string(bytes_max) + " bytes long: '" +
               std::to_string(data.size()) + "'.");
  }
  auto message = base64_decode(data);
  if (!message) return bad("Could not decode the raw message: RawMessage.Data is not base64.");
  auto headers = parse_mime_headers(*message);
  for (const auto& h : headers) {
    if (h.longest_line > limits.header_line_limit) return bad("Header too long: '" + h.name + "'");
  }
  if (source.empty()) {
    const MimeHeader* from = find_header(headers, "From");
    if (from == nullptr) return bad("Missing required header 'From'.");
    auto list = split_address_list(from->value);
    source = list.empty() ? std::string() : list.front();
  }
  if (auto e = check_address(source)) return bad(*e);
  if (destinations.empty()) {
    for (const auto& h : headers) {
      if (transport::iequals(h.name, "To") || transport::iequals(h.name, "Cc") ||
          transport::iequals(h.name, "Bcc")) {
        for (auto& a : split_address_list(h.value)) destinations.push_back(std::move(a));
      }
    }
  }
  if (auto e = check_recipients(destinations, limits, v2)) return e;
  out_source = std::move(source);
  out_recipients = std::move(destinations);
  return std::nullopt;
}

namespace {

std::string send_statistics_xml(const SendStatistics& stats, runtime::TimePoint now) {
  std::string xml = "<SendDataPoints>";
  for (const auto& p : stats.points(now)) {
    xml += "<member><DeliveryAttempts>" + std::to_string(p.delivery_attempts) +
           "</DeliveryAttempts><Timestamp>" + runtime::format_iso8601(p.timestamp) +
           "</Timestamp><Rejects>" + std::to_string(p.rejects) + "</Rejects><Bounces>" +
           std::to_string(p.bounces) + "</Bounces><Complaints>" + std::to_string(p.complaints) +
           "</Complaints></member>";
  }
  xml += "</SendDataPoints>";
  return xml;
}

}  // namespace

StubAnswer handle_v1(Core& core, const transport::Request& request, const std::string& fault) {
  const std::string rid = core.request_id();
  if (auto e = core.check_auth(request)) return core.error_answer(Protocol::v1, *e, rid);
  EventFaults event_faults;
  if (auto a = core.fault_answer(fault, Protocol::v1, rid, event_faults)) return *a;
  if (request.method != "POST" && request.method != "GET") {
    return core.error_answer(
        Protocol::v1,
        {400, "InvalidHttpRequest",
         "The SES Query API takes POST (or GET with a query string), not " + request.method + "."},
        rid);
  }
  std::optional<SesError> error;
  auto params = read_params(request, error);
  if (!params) return core.error_answer(Protocol::v1, *error, rid);
  // The SDKs always send Version=2010-12-01; AWS's Query services answer any other version with
  // NoSuchVersion. A request without one (curl, hand-written tests) is still served.
  if (auto version = params->get("Version"); version && *version != "2010-12-01") {
    return core.error_answer(Protocol::v1,
                             {400, "NoSuchVersion",
                              "The requested version (" + std::string(*version) +
                                  ") of service AmazonSimpleEmailService does not exist"},
                             rid);
  }
  auto action = params->get("Action");
  if (!action || action->empty()) {
    return core.error_answer(
        Protocol::v1, {400, "MissingAction", "The request must contain the parameter Action."},
        rid);
  }
  const SesLimits& limits = core.options.limits;
  const auto now = core.now();

  if (*action == "GetSendQuota") {
    std::string xml = "<SentLast24Hours>" +
                      format_double(static_cast<double>(core.quota.sent_last_24_hours(now))) +
                      "</SentLast24Hours><Max24HourSend>" + format_double(limits.max_24_hour_send) +
                      "</Max24HourSend><MaxSendRate>" + format_double(limits.max_send_rate) +
                      "</MaxSendRate>";
    return StubAnswer{v1_success(*action, xml, rid), {}, "ok"};
  }
  if (*action == "GetSendStatistics") {
    return StubAnswer{v1_success(*action, send_statistics_xml(core.stats, now), rid), {}, "ok"};
  }
  if (*action != "SendEmail" && *action != "SendRawEmail") {
    return core.error_answer(
        Protocol::v1,
        {400, "InvalidAction",
         "The action " + std::string(*action) + " is not valid for this web service."},
        rid);
  }

  SendRequest send;
  if (*action == "SendEmail") {
    if (auto e = parse_send_email(*params, limits, send)) {
      return core.error_answer(Protocol::v1, *e, rid);
    }
  } else {
    auto data = params->get("RawMessage.Data");
    if (!data || data->empty()) {
      return core.error_answer(Protocol::v1, missing("RawMessage.Data"), rid);
    }
    auto source = params->get("Source");
    if (auto e =
            parse_raw_message(*data, limits, limits.v1_message_bytes_max,
                              source ? std::string(*source) : std::string(),
                              params->list("Destinations"), false, send.source, send.recipients)) {
      return core.error_answer(Protocol::v1, *e, rid);
    }
  }
  if (auto e = core.admit(send.recipients.size(), Protocol::v1)) {
    return core.error_answer(Protocol::v1, *e, rid);
  }
  SentMail mail{core.message_id(), send.source, send.recipients, now, std::string(*action)};
  std::string xml = "<MessageId>" + xml_escape(mail.message_id) + "</MessageId>";
  StubAnswer answer{v1_success(*action, xml, rid), mail.message_id, "ok"};
  core.schedule_events(mail, send.recipients, event_faults);
  return answer;
}

RequestInfo describe_v1(const transport::Request& request) {
  RequestInfo info;
  info.service = "ses";
  info.operation = "Unknown";
  auto params = QueryParams::parse(request.query());
  if (!params) return info;
  if (request.method == "POST") {
    auto body = QueryParams::parse(request.body);
    if (!body) return info;
    params->append(std::move(*body));
  }
  auto action = params->get("Action");
  if (!action) return info;
  if (*action == "SendEmail" || *action == "SendRawEmail" || *action == "GetSendQuota" ||
      *action == "GetSendStatistics") {
    info.operation = *action;
  }
  for (const char* list : {"Destination.ToAddresses", "Destination.CcAddresses",
                           "Destination.BccAddresses", "Destinations"}) {
    auto found = params->list(list);
    if (!found.empty()) {
      info.recipient = addr_spec(found.front());
      break;
    }
  }
  if (info.recipient.empty() && *action == "SendRawEmail") {
    if (auto data = params->get("RawMessage.Data")) {
      if (auto message = base64_decode(*data)) {
        auto headers = parse_mime_headers(*message);
        if (const MimeHeader* to = find_header(headers, "To")) {
          auto list = split_address_list(to->value);
          if (!list.empty()) info.recipient = addr_spec(list.front());
        }
      }
    }
  }
  return info;
}

}  // namespace notify::stubs::ses
