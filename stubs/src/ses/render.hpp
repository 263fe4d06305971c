// How the SES stub writes answers: SES v1 XML (success and ErrorResponse), SES v2 JSON with
// x-amzn-ErrorType, and Notify's "/ses" JSON contract; plus the catalogue that turns a fault
// name into the error each protocol would carry.
#pragma once

#include "notify/stubs/text.hpp"

#include "notify/transport/http.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace notify::stubs::ses {

/// Which wire protocol a request came in on; errors are rendered in the same one.
enum class Protocol { v1, v2, contract };

/// One SES error. `code` is the exact wire code (v1 <Code>, v2 x-amzn-ErrorType).
struct SesError {
  int status = 400;
  std::string code;
  std::string message;
};

inline constexpr std::string_view kXmlNamespace = "http://ses.amazonaws.com/doc/2010-12-01/";
inline constexpr std::string_view kMaxSendRateMessage = "Maximum sending rate exceeded.";
inline constexpr std::string_view kDailyQuotaMessage = "Daily message quota exceeded.";

using stubs::xml_escape;

/// The error a provider-level fault name stands for in `protocol`, or nullopt when the name is
/// not one of SesStub's.
std::optional<SesError> fault_error(std::string_view name, Protocol protocol,
                                    std::string_view region);

/// A v1 success: <ActionResponse xmlns><ActionResult>result_xml</ActionResult>
/// <ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>, text/xml, status 200.
transport::Response v1_success(std::string_view action, std::string_view result_xml,
                               std::string_view request_id);
/// A v2 or contract success: application/json, status 200.
transport::Response json_success(std::string body, std::string_view request_id);
/// An error in the protocol's own format, with x-amzn-RequestId.
transport::Response render_error(Protocol protocol, const SesError& error,
                                 std::string_view request_id);

/// SES v1 renders doubles in quota answers as "14.0", "-1.0", "0.5".
std::string format_double(double value);

}  // namespace notify::stubs::ses
