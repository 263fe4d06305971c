#include "render.hpp"

#include "notify/stubs/ses.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>

namespace notify::stubs::ses {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<SesError> fault_error(std::string_view name, Protocol protocol,
                                    std::string_view region) {
  const bool v2 = protocol == Protocol::v2;
  SesError e;
  if (name == kSesThrottling) {
    // SES v2 answers a rate overrun with 429 TooManyRequestsException (as public reports of real
    // SES v2 responses show).
    e = v2 ? SesError{429, "TooManyRequestsException", std::string(kMaxSendRateMessage)}
           : SesError{400, "Throttling", std::string(kMaxSendRateMessage)};
  } else if (name == kSesDailyQuota) {
    // Which v2 code carries the daily quota is unknown (no public source says); 429 keeps it in the
    // class clients already retry and Notify's v2 client treats as throttling.
    e = v2 ? SesError{429, "TooManyRequestsException", std::string(kDailyQuotaMessage)}
           : SesError{400, "Throttling", std::string(kDailyQuotaMessage)};
  } else if (name == kSesHeaderTooLong) {
    e = {400, v2 ? "BadRequestException" : "InvalidParameterValue", "Header too long: 'Subject'"};
  } else if (name == kSesMessageRejected) {
    e = {400, "MessageRejected",
         "Email address is not verified. The following identities failed the check in region " +
             upper(region) + ": sender"};
  } else if (name == kSesServiceUnavailable) {
    e = {503, "ServiceUnavailable", "Service is unavailable. Please try again later."};
  } else if (name == kSesInternalFailure) {
    e = {500, "InternalFailure",
         "The request processing has failed because of an unknown error, exception or failure."};
  } else {
    return std::nullopt;
  }
  if (protocol == Protocol::contract) e.status = 500;
  return e;
}

transport::Response v1_success(std::string_view action, std::string_view result_xml,
                               std::string_view request_id) {
  transport::Response r;
  r.status = 200;
  r.headers.set("Content-Type", "text/xml");
  r.headers.set("x-amzn-RequestId", request_id);
  std::string& b = r.body;
  b.reserve(256 + result_xml.size());
  b += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
  b += action;
  b += "Response xmlns=\"";
  b += kXmlNamespace;
  b += "\"><";
  b += action;
  b += "Result>";
  b += result_xml;
  b += "</";
  b += action;
  b += "Result><ResponseMetadata><RequestId>";
  b += xml_escape(request_id);
  b += "</RequestId></ResponseMetadata></";
  b += action;
  b += "Response>\n";
  return r;
}

transport::Response json_success(std::string body, std::string_view request_id) {
  transport::Response r;
  r.status = 200;
  r.headers.set("Content-Type", "application/json");
  r.headers.set("x-amzn-RequestId", request_id);
  r.body = std::move(body);
  return r;
}

transport::Response render_error(Protocol protocol, const SesError& error,
                                 std::string_view request_id) {
  transport::Response r;
  r.status = error.status;
  r.headers.set("x-amzn-RequestId", request_id);
  if (protocol == Protocol::v1) {
    r.headers.set("Content-Type", "text/xml");
    // No whitespace inside text nodes: botocore keeps it verbatim (botocore's QueryParser).
    r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"";
    r.body += kXmlNamespace;
    r.body += "\"><Error><Type>";
    r.body += error.status >= 500 ? "Receiver" : "Sender";
    r.body += "</Type><Code>";
    r.body += xml_escape(error.code);
    r.body += "</Code><Message>";
    r.body += xml_escape(error.message);
    r.body += "</Message></Error><RequestId>";
    r.body += xml_escape(request_id);
    r.body += "</RequestId></ErrorResponse>\n";
    return r;
  }
  r.headers.set("Content-Type", "application/json");
  nlohmann::json body = {{"message", error.message}};
  if (protocol == Protocol::v2) {
    // The bare shape name: botocore 1.29 does not strip a "namespace#" prefix from the header.
    r.headers.set("x-amzn-ErrorType", error.code);
  } else {
    body["code"] = error.code;
  }
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

std::string format_double(double value) {
  char buf[64];
  if (std::isfinite(value) && std::floor(value) == value && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.1f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.15g", value);
  }
  return buf;
}

}  // namespace notify::stubs::ses
