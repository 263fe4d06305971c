// The core's CBC proxy client, in two versions. Routing::two_lambdas is Notify's
// app/clients/cbc_proxy.py (the profile notify-2023): a Lambda client
// signed with the CBC proxy's own credentials, one proxy per operator (EE, O2, Three: CAP;
// Vodafone: IBAG) that builds the Lambda payload, and Notify's failure rule: a ClientError, a
// StatusCode above 299 or a FunctionError on the first Lambda sends the same payload to the
// second; both failing is retryable. What Notify does not catch is modelled too: a connection
// error to the Lambda endpoint is not a ClientError, so it escapes with no failover and no retry,
// unless the `failover_on_connection_errors` fix is chosen.
// Routing::four_routes is Emergency Alerts' (alphagov/emergency-alerts-api abe897a01c2f,
// _invoke_lambdas_with_routing): every send tries (primary, cbc_a), (primary, cbc_b),
// (secondary, cbc_a), (secondary, cbc_b) in that order, the payload's "cbc_target" naming the CBC
// endpoint the Lambda reaches, the advised route (if any) moved to the front; all four failing is
// retryable with "{primary} and {secondary} lambdas failed".
#pragma once

#include "notify/aws/sigv4.hpp"
#include "notify/broadcast/language.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/http.hpp"

#include <nlohmann/json.hpp>

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace notify::broadcast {

struct LambdaClientOptions {
  std::string endpoint_url;  // e.g. "https://lambda.eu-west-2.amazonaws.com"
  std::string region = "eu-west-2";
  /// CBC_PROXY_AWS_ACCESS_KEY_ID / _SECRET_ACCESS_KEY: not SES's credentials.
  aws::Credentials credentials{"AKIDCBCPROXYEXAMPLE", "cbcproxyEXAMPLEsecretKEY", ""};
  /// botocore's defaults, which Notify does not change: 60 s connect and read time-outs.
  transport::SendOptions send_options{std::chrono::milliseconds(60'000),
                                      std::chrono::milliseconds(60'000)};
  /// botocore's legacy retry mode: up to this many attempts for a connection error, a throttle
  /// or a 5xx, waiting rand() * 2^(n-1) seconds between them.
  int sdk_max_attempts = 5;
  /// The obvious fix Notify lacks: treat a connection error like a ClientError (fail over, and
  /// retry the task when both Lambdas fail). Off: Notify's behaviour.
  bool failover_on_connection_errors = false;
};

/// One invocation as _invoke_lambda sees it.
struct InvokeResult {
  enum class Kind {
    ok,
    failed,     // ClientError, StatusCode > 299 or FunctionError: _invoke_lambda returns False
    unhandled,  // a botocore error that is not a ClientError (EndpointConnectionError, ReadTimeout)
  };
  Kind kind = Kind::ok;
  int status = 0;
  std::string error;   // "TooManyRequestsException", "FunctionError: CBCNewConnectionError", ...
  std::string detail;  // the message or payload, shortened
  /// A FunctionError whose payload Emergency Alerts' _convert_lambda_payload_to_json (strip \",
  /// \n and \, then json.loads) cannot read: there, the JSONDecodeError escapes _invoke_lambda.
  bool payload_undecodable = false;
};

/// How a proxy sends (see the top of this file).
enum class Routing { two_lambdas, four_routes };
/// What a FunctionError payload that is not JSON does under Routing::four_routes:
/// `logged` (Notify: the payload is logged, never parsed; a failed route like any other),
/// `json_decode_error` (Emergency Alerts: JSONDecodeError escapes the proxy; the task records
/// returned-error and does not retry) or `fixed` (a failed route like any other).
enum class ErrorPayload { logged, json_decode_error, fixed };

/// One route: a Lambda and the CBC endpoint ("cbc_a", "cbc_b") it is asked to reach.
struct Route {
  std::string lambda;
  std::string target;
  bool operator==(const Route&) const = default;
};

struct ProxyOptions {
  bool failover_on_connection_errors = false;
  Routing routing = Routing::two_lambdas;
  ErrorPayload error_payload = ErrorPayload::logged;
  /// The route advisor's advice for an operator ("ee"): the route to try first. Unset or
  /// returning nullopt: the routes in their own order.
  std::function<std::optional<Route>(const std::string& mno)> advised_route;
  /// What goes before a Lambda's name in FunctionName: "" (the bare name), or Emergency Alerts'
  /// "{CBC_ACCOUNT_NUMBER}:function:" for a cross-account invoke (da73f3624). Route names, logs
  /// and metrics keep the bare name.
  std::string function_prefix;
  /// Operators whose secondary Lambda is None (Emergency Alerts' EE on staging, b09b89368), under
  /// Routing::four_routes: a send tries the primary's two routes only, the failure text names
  /// "None", and the link tests to the secondary invoke a function called "None".
  std::vector<std::string> without_secondary;
};

class LambdaClient {
 public:
  virtual ~LambdaClient() = default;
  /// Invoke(FunctionName=name, InvocationType='RequestResponse', Payload=json). `done` runs later,
  /// on the clock.
  virtual void invoke(const std::string& name, const nlohmann::json& payload,
                      std::function<void(InvokeResult)> done) = 0;
};

std::unique_ptr<LambdaClient> make_lambda_client(transport::HttpTransport& transport,
                                                 runtime::Clock& clock, runtime::Rng& rng,
                                                 telemetry::Metrics& metrics,
                                                 telemetry::Logger& logger,
                                                 LambdaClientOptions options);

/// What a proxy method ended with, as the task sees it.
struct ProxyResult {
  enum class Kind {
    ok,
    retryable,  // CBCProxyRetryableException: "Lambda failed for both ..."
    unhandled,  // an exception the task does not catch
  };
  Kind kind = Kind::ok;
  std::string message;
  /// The routes invoked, in order: "ee-1-proxy" (two_lambdas) or "ee-1-proxy/cbc_a".
  std::vector<std::string> invoked;
};
using ProxyDone = std::function<void(ProxyResult)>;

/// An earlier provider message a cancel refers to.
struct ProviderReference {
  std::string message_id;      // the provider message's id
  std::string sent;            // its created_at, %Y-%m-%dT%H:%M:%S.%fZ
  std::int64_t message_number = 0;  // Vodafone only
};

struct BroadcastArgs {
  std::string identifier;           // the provider message's id
  std::int64_t message_number = 0;  // Vodafone only
  std::string headline = "GOV.UK Notify Broadcast";
  std::string description;
  nlohmann::json areas = nlohmann::json::array();  // [{"polygon": [[lat, lon], ...]}, ...]
  std::string sent;     // "%Y-%m-%dT%H:%M:%S-00:00"
  std::string expires;  // "%Y-%m-%dT%H:%M:%S-00:00"
  std::string channel = "severe";
  std::vector<ProviderReference> references;  // cancel
};

/// What every proxy shares (CBCProxyClientBase). A proxy's properties come from its traits type;
/// see OperatorProxy below.
class CbcProxy {
 public:
  CbcProxy(LambdaClient& lambda, telemetry::Metrics& metrics, telemetry::Logger& logger,
           ProxyOptions options)
      : lambda_(lambda), metrics_(metrics), logger_(logger), options_(std::move(options)) {}
  virtual ~CbcProxy() = default;

  virtual std::string_view provider() const = 0;
  virtual std::string_view lambda_name() const = 0;
  virtual std::string_view failover_lambda_name() const = 0;
  virtual MessageFormat message_format() const = 0;
  virtual std::string_view language_english() const = 0;
  virtual std::string_view language_welsh() const = 0;

  /// The language value for `content`: Welsh when it holds a Welsh non-GSM character.
  std::string_view infer_language_from(std::string_view content) const;
  /// The payloads, exactly as Notify builds them.
  nlohmann::json alert_payload(const BroadcastArgs& a) const;
  nlohmann::json cancel_payload(const BroadcastArgs& a) const;
  nlohmann::json link_test_payload(const std::string& identifier,
                                   std::int64_t message_number) const;

  void create_and_send_broadcast(const BroadcastArgs& a, ProxyDone done);
  /// "We have not implemented updating a broadcast": nothing is invoked.
  void update_and_send_broadcast(const BroadcastArgs& a, ProxyDone done);
  void cancel_broadcast(const BroadcastArgs& a, ProxyDone done);
  /// two_lambdas: invokes both Lambdas independently, no failover; `done` gets one result per
  /// Lambda ("ee-1-proxy"); an error the task does not catch ends it before the second.
  /// four_routes: all four routes, one after another, each with its cbc_target, each its own task
  /// (b487e78f9), so an error one raises does not stop the next; `done` gets "ee-1-proxy/cbc_a"
  /// and so on.
  void send_link_test(std::function<std::string()> identifier,
                      std::function<std::int64_t()> message_number,
                      std::function<void(std::string route, InvokeResult)> done,
                      std::function<void()> finished = nullptr);
  /// How many results send_link_test gives when none raises: 2 or 4.
  std::size_t link_test_routes() const { return link_test_route_list().size(); }
  bool failover_on_connection_errors() const { return options_.failover_on_connection_errors; }
  const ProxyOptions& options() const { return options_; }
  /// The routes a send tries, in upstream order (without the advisor): four, or two when the
  /// operator has no secondary Lambda.
  std::vector<Route> routes() const;
  /// The routes the link tests invoke: always four under four_routes, the secondary's named
  /// "None" when it is absent (each is its own task upstream and invokes whatever it is given).
  std::vector<Route> link_test_route_list() const;
  /// The secondary Lambda's name as upstream prints it: its name, or "None" when absent.
  std::string secondary_lambda() const;
  /// _invoke_lambda_with_failover (two_lambdas) or _invoke_lambdas_with_routing (four_routes).
  void invoke_with_failover(const nlohmann::json& payload, ProxyDone done);

 private:
  void invoke_routes(nlohmann::json payload, std::vector<Route> routes, std::size_t i,
                     std::vector<std::string> invoked, ProxyDone done);

  LambdaClient& lambda_;
  telemetry::Metrics& metrics_;
  telemetry::Logger& logger_;
  ProxyOptions options_;
};

/// The properties each proxy must define; a proxy whose traits lack one does not compile.
template <class T>
concept ProxyProperties = requires {
  { T::provider } -> std::convertible_to<std::string_view>;
  { T::lambda_name } -> std::convertible_to<std::string_view>;
  { T::failover_lambda_name } -> std::convertible_to<std::string_view>;
  { T::message_format } -> std::convertible_to<MessageFormat>;
  { T::language_english } -> std::convertible_to<std::string_view>;
  { T::language_welsh } -> std::convertible_to<std::string_view>;
};

template <ProxyProperties T>
class OperatorProxy final : public CbcProxy {
 public:
  using CbcProxy::CbcProxy;
  std::string_view provider() const override { return T::provider; }
  std::string_view lambda_name() const override { return T::lambda_name; }
  std::string_view failover_lambda_name() const override { return T::failover_lambda_name; }
  MessageFormat message_format() const override { return T::message_format; }
  std::string_view language_english() const override { return T::language_english; }
  std::string_view language_welsh() const override { return T::language_welsh; }
};

/// get_proxy(provider) for an unknown provider (Notify raises KeyError).
class UnknownProvider : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// CBCProxyClient: the Lambda client and one proxy per operator.
class CbcProxyClient {
 public:
  CbcProxyClient(LambdaClient& lambda, telemetry::Metrics& metrics, telemetry::Logger& logger,
                 bool failover_on_connection_errors = false);
  CbcProxyClient(LambdaClient& lambda, telemetry::Metrics& metrics, telemetry::Logger& logger,
                 ProxyOptions options);
  ~CbcProxyClient();
  /// ee, o2, three or vodafone; throws UnknownProvider otherwise.
  CbcProxy& get_proxy(std::string_view provider);
  LambdaClient& lambda() { return lambda_; }

 private:
  LambdaClient& lambda_;
  std::vector<std::unique_ptr<CbcProxy>> proxies_;
};

/// _convert_lambda_payload_to_json's test: whether the payload, with \", \n and \ removed,
/// parses as JSON.
bool lambda_payload_decodes(std::string_view payload);

/// format(n, "x").zfill(8)
std::string format_sequential_number(std::int64_t n);
/// dt.strftime('%Y-%m-%dT%H:%M:%S') + "-00:00"
std::string cap_datetime(runtime::TimePoint t);
/// dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
std::string reference_datetime(runtime::TimePoint t);

}  // namespace notify::broadcast
