// Function names, qualifiers and ARNs as Lambda's Invoke accepts them, and the answers' shapes.
#include "core.hpp"

#include "notify/stubs/cbc.hpp"
#include "notify/transport/http.hpp"

#include <cctype>
#include <vector>

namespace notify::stubs::lambda {

namespace {

constexpr std::size_t kNameMax = 64;
constexpr std::size_t kFunctionNameMax = 170;
constexpr const char* kPattern =
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?"
    "([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";

std::vector<std::string_view> split(std::string_view s, char c) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(c, start);
    out.push_back(s.substr(start, pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

bool name_chars(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

bool qualifier_chars(std::string_view s) {
  if (s == "$LATEST") return true;
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

bool account_chars(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool region_chars(std::string_view s) {
  // [a-z]{2}(-gov)?-[a-z]+-\d
  auto parts = split(s, '-');
  if (parts.size() < 3 || parts.size() > 4 || parts[0].size() != 2) return false;
  if (parts.size() == 4 && parts[1] != "gov") return false;
  auto last = parts.back();
  return last.size() == 1 && std::isdigit(static_cast<unsigned char>(last[0]));
}

std::string pattern_error(std::string_view raw) {
  return "1 validation error detected: Value '" + std::string(raw) +
         "' at 'functionName' failed to satisfy constraint: Member must satisfy regular "
         "expression pattern: " +
         kPattern;
}

}  // namespace

std::string qualifier_error(std::string_view qualifier) {
  constexpr std::size_t kQualifierMax = 128;
  bool fine = qualifier.size() <= kQualifierMax;
  for (char c : qualifier) {
    fine =
        fine && (std::isalnum(static_cast<unsigned char>(c)) || c == '$' || c == '_' || c == '-');
  }
  if (fine) return {};
  return "1 validation error detected: Value '" + std::string(qualifier) +
         "' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression "
         "pattern: (|[a-zA-Z0-9$_-]+)";
}

std::variant<FunctionRef, std::string> parse_function_name(std::string_view raw) {
  if (raw.empty() || raw.size() > kFunctionNameMax) {
    return "1 validation error detected: Value '" + std::string(raw) +
           "' at 'functionName' failed to satisfy constraint: Member must have length less "
           "than or equal to 170";
  }
  FunctionRef ref;
  auto parts = split(raw, ':');
  std::size_t i = 0;
  if (parts[0] == "arn") {
    // arn:aws:lambda:region:account:function:name[:qualifier]
    if (parts.size() < 7 || parts.size() > 8 || parts[1].substr(0, 3) != "aws" ||
        parts[2] != "lambda" || !region_chars(parts[3]) || !account_chars(parts[4]) ||
        parts[5] != "function")
      return pattern_error(raw);
    ref.region = parts[3];
    ref.account = parts[4];
    i = 6;
  } else if (parts.size() >= 3 && account_chars(parts[0]) && parts[1] == "function") {
    ref.account = parts[0];
    i = 2;
  }
  if (parts.size() - i < 1 || parts.size() - i > 2 || !name_chars(parts[i]))
    return pattern_error(raw);
  ref.name = parts[i];
  if (parts.size() - i == 2) {
    if (!qualifier_chars(parts[i + 1])) return pattern_error(raw);
    ref.qualifier = parts[i + 1];
  }
  if (ref.name.size() > kNameMax) {
    return "1 validation error detected: Value '" + std::string(raw) +
           "' at 'functionName' failed to satisfy constraint: Member must have length less "
           "than or equal to 64";
  }
  return ref;
}

std::optional<std::string> invoke_function_segment(std::string_view path) {
  constexpr std::string_view kPrefix = "/2015-03-31/functions/";
  constexpr std::string_view kSuffix = "/invocations";
  if (path.size() <= kPrefix.size() + kSuffix.size() || path.substr(0, kPrefix.size()) != kPrefix ||
      path.substr(path.size() - kSuffix.size()) != kSuffix)
    return std::nullopt;
  auto segment = path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  if (segment.find('/') != std::string_view::npos) return std::nullopt;
  return transport::percent_decode(segment);
}

std::optional<Function> find_function(std::string_view name) {
  if (name == "canary") return Function{"canary", "", ""};
  for (auto op : kCbcOperators) {
    for (std::size_t n = 0; n < kCbcAzs.size(); ++n) {
      std::string f = std::string(op) + "-" + std::to_string(n + 1) + "-proxy";
      if (f == name) return Function{f, std::string(op), std::string(kCbcAzs[n])};
    }
  }
  return std::nullopt;
}

StubAnswer service_error(int status, const std::string& type, nlohmann::json body,
                         const std::string& request_id) {
  StubAnswer a;
  a.response.status = status;
  a.response.headers.set("Content-Type", "application/json");
  a.response.headers.set("x-amzn-RequestId", request_id);
  a.response.headers.set("x-amzn-ErrorType", type);
  a.response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  a.outcome = "error:" + type;
  return a;
}

StubAnswer function_error(const std::string& error_type, const std::string& message,
                          const std::string& request_id) {
  StubAnswer a;
  a.response.status = 200;
  a.response.headers.set("Content-Type", "application/json");
  a.response.headers.set("x-amzn-RequestId", request_id);
  a.response.headers.set("X-Amz-Executed-Version", "$LATEST");
  a.response.headers.set("X-Amz-Function-Error", "Unhandled");
  nlohmann::json body = {{"errorMessage", message}, {"errorType", error_type}};
  if (error_type.rfind("Sandbox.", 0) != 0 && error_type.rfind("Runtime.", 0) != 0)
    body["stackTrace"] = nlohmann::json::array(
        {"  File \"/var/task/lambda_function.py\", line 1, in lambda_handler\n"});
  a.response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  a.outcome = "error:" + error_type;
  return a;
}

StubAnswer function_result(const nlohmann::json& payload, const std::string& request_id) {
  StubAnswer a;
  a.response.status = 200;
  a.response.headers.set("Content-Type", "application/json");
  a.response.headers.set("x-amzn-RequestId", request_id);
  a.response.headers.set("X-Amz-Executed-Version", "$LATEST");
  a.response.body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  a.outcome = "ok";
  return a;
}

std::string base64(std::string_view in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += kTable[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += i + 1 < in.size() ? kTable[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace notify::stubs::lambda
