// The Lambda stub's internals: function names as AWS accepts them, AWS-shaped answers, and the
// proxy functions.
#pragma once

#include "notify/stubs/lambda.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

namespace notify::stubs::lambda {

/// A FunctionName as the path carries it (already percent-decoded): a name, name:qualifier, a
/// partial ARN (account:function:name[:qualifier]) or a full ARN.
struct FunctionRef {
  std::string name;
  std::string qualifier;  // empty: none in the name
  std::string region;     // empty unless an ARN gave it
  std::string account;    // empty unless an ARN gave it
};
/// The reference, or the ValidationException message for a name AWS's pattern refuses.
std::variant<FunctionRef, std::string> parse_function_name(std::string_view raw);
/// The ValidationException message for a ?Qualifier= outside the model's pattern
/// (|[a-zA-Z0-9$_-]+) or longer than 128 characters; empty when it is fine.
std::string qualifier_error(std::string_view qualifier);

/// The FunctionName segment of /2015-03-31/functions/{FunctionName}/invocations, decoded;
/// nullopt when the path is not an Invoke path.
std::optional<std::string> invoke_function_segment(std::string_view path);

/// One of the functions the stub serves.
struct Function {
  std::string name;  // "ee-1-proxy", "canary"
  std::string op;    // the operator; empty for the canary
  std::string az;    // the AZ path the proxy reaches its CBC through; empty for the canary
};
std::optional<Function> find_function(std::string_view name);

/// A service error: status, x-amzn-ErrorType and body.
StubAnswer service_error(int status, const std::string& type, nlohmann::json body,
                         const std::string& request_id);
/// A function error: 200 with X-Amz-Function-Error: Unhandled and the runtime's error document.
StubAnswer function_error(const std::string& error_type, const std::string& message,
                          const std::string& request_id);
/// A function's successful result.
StubAnswer function_result(const nlohmann::json& payload, const std::string& request_id);

std::string base64(std::string_view bytes);

/// What a proxy function does with one payload. `done` runs later, on the clock, exactly once.
/// `tamper` (the lambda.tamper_document fault) changes the document after signing.
void run_proxy(StubServices& services, const LambdaOptions& options, const Function& fn,
               const nlohmann::json& payload, std::uint64_t parent, const std::string& request_id,
               bool tamper, std::function<void(StubAnswer)> done);

/// The lambda.tamper_document change: one character of the text of the first <description>
/// (CAP) or <IBAG_text_alert_message> (IBAG), or failing those of <identifier> or
/// <IBAG_message_number>: its first digit becomes the next (9 becomes 0), or with no digit its
/// first ASCII letter changes case. Length, encoding and validity stay as they were. False when
/// the document has none of those elements with a letter or digit (it is then unchanged).
bool tamper_document(std::string& document);

}  // namespace notify::stubs::lambda
