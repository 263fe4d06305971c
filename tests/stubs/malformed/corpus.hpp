// The malformed-input corpus: one row per bad request, sent as raw bytes to a real listener, with
// the status and the provider-shaped error each one must get. malformed_test.cpp runs every row
// and then checks that the same service still answers a well-formed request.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace notify::stubs::malformed {

/// Which socket a row is sent to.
enum class Target {
  edge,          // the shared edge port: every stub, routed by path
  ses,           // the SES listener
  firetext,      // the Firetext listener
  mmg,           // the MMG listener
  lambda,        // the Lambda listener
  cbc_ee,        // cbc/ee/eu-west-2a (CAP 1.2)
  cbc_vodafone,  // cbc/vodafone/eu-west-2a (IBAG)
  admin,         // the control API
  strict,        // a second edge whose SES and Lambda check SigV4 and whose SMS stubs check keys
  receipts,      // the core's receipt endpoints (SES events, Firetext and MMG receipts)
};

/// What the error answer must look like.
enum class Shape {
  http,             // the server shell's own answer to a broken request: text/plain, then closed
  none,             // no answer at all: the client gave up half way, the server only closes
  edge,             // the edge's JSON for a path no stub serves: {"message": ...}
  ses_v1,           // <ErrorResponse><Error><Type/><Code>code</Code><Message/></Error><RequestId/>
  ses_v2,           // x-amzn-ErrorType: code, {"message": ...}
  ses_contract,     // Notify's /ses contract: {"code": code, "message": ...}
  firetext_json,    // {"code": N, "description": ..., "responseData": 0, "data": []}
  firetext_plain,   // N:0 description
  firetext_xml,     // <response><status><code>N</code><description/></status>...
  mmg,              // {"Error": N, "Description": ...}
  lambda,           // x-amzn-ErrorType: code, {"Type"?, "message" or "Message"}
  lambda_function,  // 200, X-Amz-Function-Error: Unhandled, {"errorType": code, ...}
  cap,              // a CAP 1.2 alert with msgType Error and code
  ibag,             // an IBAG_Alert_Attributes with IBAG_message_type Error and IBAG_response_code
  control,          // {"error": ..., "field": code} (no "field" when code is empty)
  receipt,          // the core's {"result": "error", "message": ...}, with no phone number
  sqs_query,        // SQS's <ErrorResponse xmlns=".../2012-11-05/"><Error><Code>code</Code>...
  sqs_json,         // x-amzn-query-error: code;Sender, {"__type": ..., "message": ...}
};

enum class After {
  keep_alive,  // the same connection carries the next, well-formed request
  closed,      // the server closes the connection after its answer
};

struct Case {
  std::string name;
  Target target;
  std::string request;  // the raw bytes
  int status;           // 0: no answer
  Shape shape;
  std::string code;  // what the shape must carry (see Shape); may be empty
  After after = After::keep_alive;
  std::string header = {};  // "Name: value" the answer must carry, if any
  bool half_close = false;  // shut the sending side down after the request
};

std::vector<Case> corpus();

using HeaderList = std::vector<std::pair<std::string, std::string>>;
/// "METHOD target HTTP/1.1", Host (unless given), the headers, Content-Length for a body (or a
/// POST/PUT), then the body.
std::string raw(const std::string& method, const std::string& target, const HeaderList& headers,
                const std::string& body = {});
/// The same request signed with SigV4 for `service` ("ses", "lambda") at `age` seconds ago, as
/// boto3 signs it, with the example credentials and the given access key id.
std::string signed_raw(const std::string& method, const std::string& target, HeaderList headers,
                       const std::string& body, const std::string& service,
                       const std::string& access_key_id = "AKIDEXAMPLE", int age_s = 0);
/// A valid alert document as the UK proxy renders it, "cap" or "ibag", with this identifier (a
/// CBC acknowledges each identifier once per document).
std::string alert_document(const std::string& identifier, const std::string& format);

/// The secret strict mode knows for AKIDEXAMPLE, and the SMS key it knows.
inline constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
inline constexpr const char* kSmsKey = "live-key";
/// The notification the receipt endpoints have in sending.
inline constexpr const char* kNotificationId = "8cb4d946-9e12-49ae-bd84-da6493b85dca";

inline void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

}  // namespace notify::stubs::malformed
