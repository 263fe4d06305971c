// LambdaStub: the AWS Lambda Invoke API (2015-03-31, rest-json) as boto3, the AWS CLI and
// Notify's CBC proxy client see it, serving the eight UK CBC proxy functions (ee-1-proxy ...
// vodafone-2-proxy) and the canary. A proxy function validates its payload, renders the CAP or
// IBAG document with the broadcast library and posts it to its operator's CBC stub through its
// own AZ's listener; what the CBC answers (or a connection failure) becomes the function's result
// or a function error. Service errors are AWS's: x-amzn-ErrorType, x-amzn-RequestId, a JSON body.
#pragma once

#include "notify/stubs/registry.hpp"
#include "notify/stubs/stub.hpp"

#include "notify/broadcast/render.hpp"
#include "notify/broadcast/sign.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace notify::stubs {

struct LambdaOptions {
  std::string region = "eu-west-2";
  std::string account = "123456789012";
  /// Aliases every function answers to, besides $LATEST.
  std::set<std::string> aliases{"live"};
  /// Strict SigV4: access key id -> secret. Empty: any well-formed Authorization (or none).
  std::map<std::string, std::string> strict_sigv4;
  /// How long a function runs before Lambda stops it (the lambda.function_timeout fault waits
  /// this long, on the run's clock, before answering).
  std::chrono::milliseconds function_timeout{30'000};
  /// The proxy's limits on its call to the CBC.
  std::chrono::milliseconds cbc_connect_timeout{5'000};
  std::chrono::milliseconds cbc_read_timeout{20'000};
  /// "signing": {"key": PATH, "certificate": PATH}, or {"test_pair": true} for notify-sim's
  /// built-in test pair (broadcast::test_pair()): the proxy functions sign every document as
  /// emergency-alerts-utils does (signing_enabled). Empty: documents go unsigned, as Notify's did.
  std::shared_ptr<const broadcast::Signer> signer;
  bool signing_test_pair = false;
  /// "generator": which proxy's XML the functions write. Unset ("auto"): Emergency Alerts'
  /// (emergency-alerts-utils today) for a payload that names its `cbc_target`, which only
  /// Emergency Alerts' API sends, and Notify 2023's for any other.
  std::optional<broadcast::Generator> generator;
};

struct LambdaCounters {
  std::uint64_t invocations = 0;      // requests that reached a function
  std::uint64_t function_errors = 0;  // 200 with X-Amz-Function-Error
  std::uint64_t service_errors = 0;   // 4xx/5xx
  std::map<std::string, std::uint64_t> by_function;
};

class LambdaStub final : public Stub {
 public:
  LambdaStub();
  explicit LambdaStub(LambdaOptions options);
  ~LambdaStub() override;

  std::string_view service() const override { return "lambda"; }
  bool accepts(const transport::Request& request) const override;
  RequestInfo describe(const transport::Request& request) const override;
  StubAnswer handle(const Call& call) override;
  void handle_async(const Call& call, Answer answer) override;
  bool answers_later() const override { return true; }
  std::vector<std::string> error_names() const override;
  std::optional<SelectorNames> selector_names() const override;
  StubAnswer not_found(const transport::Request& request) const;
  void reset() override;
  std::optional<FieldError> configure(const nlohmann::json& config) override;
  void attach(StubServices& services) override;

  LambdaOptions options() const;
  LambdaCounters counters() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

void register_lambda(StubRegistry& registry);

/// The fault names LambdaStub renders.
inline constexpr const char* kLambdaThrottled = "lambda.throttled";         // 429 TooManyRequests
inline constexpr const char* kLambdaServiceError = "lambda.service_error";  // 500 ServiceException
/// 403 UnrecognizedClientException: the caller's credentials were revoked or rotated.
inline constexpr const char* kLambdaCredentialsRevoked = "lambda.credentials_revoked";
/// 200 Unhandled Sandbox.Timedout after LambdaOptions::function_timeout.
inline constexpr const char* kLambdaFunctionTimeout = "lambda.function_timeout";
/// 200 Unhandled: the function raised an exception of its own.
inline constexpr const char* kLambdaFunctionError = "lambda.function_error";
/// 200 Unhandled whose payload is plain text, not a JSON error document.
inline constexpr const char* kLambdaFunctionErrorText = "lambda.function_error_text";
/// Not an error of its own: the proxy function runs, renders and signs as usual, then one
/// character of the document is changed on its way to the CBC (still valid XML, CAP or IBAG),
/// so a CBC that verifies signatures answers SignatureInvalid and one that does not acknowledges.
inline constexpr const char* kLambdaTamperDocument = "lambda.tamper_document";

}  // namespace notify::stubs
