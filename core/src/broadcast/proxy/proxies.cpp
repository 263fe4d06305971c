// The four operator proxies, their payloads, Notify's failover rule and Emergency Alerts' four
// routes.
#include "notify/broadcast/cbc_proxy.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace notify::broadcast {

namespace {

// The properties Notify's proxy classes define (CBCProxyEE, CBCProxyO2, CBCProxyThree are
// CBCProxyOne2ManyClient; CBCProxyVodafone stands alone).
struct One2Many {
  static constexpr MessageFormat message_format = MessageFormat::cap;
  static constexpr std::string_view language_english = "en-GB";
  static constexpr std::string_view language_welsh = "cy-GB";
};
struct Ee : One2Many {
  static constexpr std::string_view provider = "ee";
  static constexpr std::string_view lambda_name = "ee-1-proxy";
  static constexpr std::string_view failover_lambda_name = "ee-2-proxy";
};
struct O2 : One2Many {
  static constexpr std::string_view provider = "o2";
  static constexpr std::string_view lambda_name = "o2-1-proxy";
  static constexpr std::string_view failover_lambda_name = "o2-2-proxy";
};
struct Three : One2Many {
  static constexpr std::string_view provider = "three";
  static constexpr std::string_view lambda_name = "three-1-proxy";
  static constexpr std::string_view failover_lambda_name = "three-2-proxy";
};
struct Vodafone {
  static constexpr std::string_view provider = "vodafone";
  static constexpr std::string_view lambda_name = "vodafone-1-proxy";
  static constexpr std::string_view failover_lambda_name = "vodafone-2-proxy";
  static constexpr MessageFormat message_format = MessageFormat::ibag;
  static constexpr std::string_view language_english = "English";
  static constexpr std::string_view language_welsh = "Welsh";
};

std::tm utc(runtime::TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(
          std::chrono::system_clock::time_point(t.time_since_epoch())));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

std::string format_tm(const std::tm& tm) {
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

}  // namespace

std::string format_sequential_number(std::int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(n));
  return buf;
}

bool lambda_payload_decodes(std::string_view payload) {
  // byte_string.decode().replace('\\"', "").replace("\\n", "").replace("\\", "").strip(), then
  // " ".join(split()) and json.loads.
  std::string s(payload);
  auto erase_all = [&s](std::string_view what) {
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at)) s.erase(at, what.size());
  };
  erase_all("\\\"");
  erase_all("\\n");
  erase_all("\\");
  return nlohmann::json::accept(s);
}

std::string cap_datetime(runtime::TimePoint t) { return format_tm(utc(t)) + "-00:00"; }

std::string reference_datetime(runtime::TimePoint t) {
  auto since = t.time_since_epoch();
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(since).count() % 1'000'000;
  if (micros < 0) micros += 1'000'000;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micros));
  return format_tm(utc(t)) + frac + "Z";
}

std::string_view CbcProxy::infer_language_from(std::string_view content) const {
  return infer_language(content) == Language::welsh ? language_welsh() : language_english();
}

nlohmann::json CbcProxy::alert_payload(const BroadcastArgs& a) const {
  const bool ibag = message_format() == MessageFormat::ibag;
  nlohmann::json p = {{"message_type", "alert"},
                      {"identifier", a.identifier},
                      {"message_format", ibag ? "ibag" : "cap"},
                      {"headline", a.headline},
                      {"description", a.description},
                      {"areas", a.areas},
                      {"sent", a.sent},
                      {"expires", a.expires},
                      {"language", infer_language_from(a.description)},
                      {"channel", a.channel}};
  if (ibag) p["message_number"] = format_sequential_number(a.message_number);
  return p;
}

nlohmann::json CbcProxy::cancel_payload(const BroadcastArgs& a) const {
  const bool ibag = message_format() == MessageFormat::ibag;
  nlohmann::json refs = nlohmann::json::array();
  for (const auto& r : a.references) {
    nlohmann::json ref = {{"message_id", r.message_id}, {"sent", r.sent}};
    if (ibag) ref["message_number"] = format_sequential_number(r.message_number);
    refs.push_back(std::move(ref));
  }
  nlohmann::json p = {{"message_type", "cancel"},
                      {"identifier", a.identifier},
                      {"message_format", ibag ? "ibag" : "cap"},
                      {"references", refs},
                      {"sent", a.sent}};
  if (ibag) p["message_number"] = format_sequential_number(a.message_number);
  return p;
}

nlohmann::json CbcProxy::link_test_payload(const std::string& identifier,
                                           std::int64_t message_number) const {
  const bool ibag = message_format() == MessageFormat::ibag;
  nlohmann::json p = {{"message_type", "test"},
                      {"identifier", identifier},
                      {"message_format", ibag ? "ibag" : "cap"}};
  if (ibag) p["message_number"] = format_sequential_number(message_number);
  return p;
}

void CbcProxy::create_and_send_broadcast(const BroadcastArgs& a, ProxyDone done) {
  invoke_with_failover(alert_payload(a), std::move(done));
}

void CbcProxy::update_and_send_broadcast(const BroadcastArgs&, ProxyDone done) {
  done(ProxyResult{ProxyResult::Kind::ok, "updates are not sent", {}});
}

void CbcProxy::cancel_broadcast(const BroadcastArgs& a, ProxyDone done) {
  invoke_with_failover(cancel_payload(a), std::move(done));
}

std::string CbcProxy::secondary_lambda() const {
  const auto& absent = options_.without_secondary;
  if (options_.routing == Routing::four_routes &&
      std::find(absent.begin(), absent.end(), provider()) != absent.end())
    return "None";
  return std::string(failover_lambda_name());
}

std::vector<Route> CbcProxy::routes() const {
  const std::string primary(lambda_name()), secondary(failover_lambda_name());
  if (options_.routing == Routing::two_lambdas) return {{primary, ""}, {secondary, ""}};
  // if self.secondary_lambda: routes.extend(...)
  if (secondary_lambda() == "None") return {{primary, "cbc_a"}, {primary, "cbc_b"}};
  return {{primary, "cbc_a"}, {primary, "cbc_b"}, {secondary, "cbc_a"}, {secondary, "cbc_b"}};
}

std::vector<Route> CbcProxy::link_test_route_list() const {
  if (options_.routing == Routing::two_lambdas) return routes();
  const std::string primary(lambda_name()), secondary = secondary_lambda();
  return {{primary, "cbc_a"}, {primary, "cbc_b"}, {secondary, "cbc_a"}, {secondary, "cbc_b"}};
}

void CbcProxy::send_link_test(std::function<std::string()> identifier,
                              std::function<std::int64_t()> message_number,
                              std::function<void(std::string, InvokeResult)> done,
                              std::function<void()> finished) {
  if (options_.routing == Routing::four_routes) {
    // trigger_link_tests sends one task per route (trigger_link_test_primary_to_A, ...), run
    // here one after another: no failover, each result the advisor's to judge. An exception
    // _invoke_lambda lets out (a JSONDecodeError, or a connection error without the fix) ends
    // that route's task only.
    const bool ibag = message_format() == MessageFormat::ibag;
    auto payload = [this, ibag, identifier, message_number](const std::string& target) {
      auto p = link_test_payload(identifier(), ibag ? message_number() : 0);
      p["cbc_target"] = target;
      return p;
    };
    // Each pending invocation holds the step function; the step holds itself only weakly.
    auto step = std::make_shared<std::function<void(std::size_t)>>();
    std::weak_ptr<std::function<void(std::size_t)>> weak = step;
    auto rs = link_test_route_list();
    *step = [this, rs, payload, done, finished, weak](std::size_t i) {
      if (i == rs.size()) {
        if (finished) finished();
        return;
      }
      auto self = weak.lock();
      const Route r = rs[i];
      lambda_.invoke(options_.function_prefix + r.lambda, payload(r.target),
                     [r, i, done, self](InvokeResult res) {
                       done(r.lambda + "/" + r.target, std::move(res));
                       (*self)(i + 1);
                     });
    };
    (*step)(0);
    return;
  }
  // _send_link_test(lambda_name) then _send_link_test(failover_lambda_name): independent, no
  // failover. A failed invoke returns False and the second still runs; an exception _invoke_lambda
  // does not catch ends the task before the second.
  const bool ibag = message_format() == MessageFormat::ibag;
  auto payload = [this, ibag, identifier, message_number] {
    return link_test_payload(identifier(), ibag ? message_number() : 0);
  };
  std::string first(lambda_name()), second(failover_lambda_name());
  const std::string prefix = options_.function_prefix;
  lambda_.invoke(prefix + first, payload(),
                 [this, first, second, prefix, payload, done, finished](InvokeResult r) {
                   const bool unhandled = r.kind == InvokeResult::Kind::unhandled;
                   done(first, std::move(r));
                   if (unhandled && !options_.failover_on_connection_errors) {
                     if (finished) finished();
                     return;
                   }
                   lambda_.invoke(prefix + second, payload(),
                                  [second, done, finished](InvokeResult r2) {
                     done(second, std::move(r2));
                     if (finished) finished();
                   });
                 });
}

void CbcProxy::invoke_routes(nlohmann::json payload, std::vector<Route> routes, std::size_t i,
                             std::vector<std::string> invoked, ProxyDone done) {
  if (i == routes.size()) {
    std::string message = std::string(lambda_name()) + " and " + secondary_lambda() + " lambdas failed";
    logger_.info("cbc_proxy", message);
    done(ProxyResult{ProxyResult::Kind::retryable, std::move(message), std::move(invoked)});
    return;
  }
  const Route r = routes[i];
  payload["cbc_target"] = r.target;
  invoked.push_back(r.lambda + "/" + r.target);
  auto next = [this, payload, routes = std::move(routes), i, invoked, done,
               r](InvokeResult res) mutable {
    const bool ok = res.kind == InvokeResult::Kind::ok;
    metrics_.incr("cbc-proxy.invoke." + r.lambda + (ok ? ".ok" : ".failed"));
    metrics_.incr("cbc-proxy.invoke." + r.lambda + "." + r.target + (ok ? ".ok" : ".failed"));
    if (ok) {
      logger_.info("cbc_proxy", "Success calling lambda " + r.lambda + " (cbc_target " + r.target + ")");
      done(ProxyResult{ProxyResult::Kind::ok, r.lambda + "/" + r.target, std::move(invoked)});
      return;
    }
    if (res.kind == InvokeResult::Kind::unhandled && !options_.failover_on_connection_errors) {
      done(ProxyResult{ProxyResult::Kind::unhandled, res.error + ": " + res.detail,
                       std::move(invoked)});
      return;
    }
    if (res.payload_undecodable && options_.error_payload == ErrorPayload::json_decode_error) {
      // _convert_lambda_payload_to_json runs outside the try: json.loads raises.
      logger_.error("cbc_proxy", "FunctionError calling lambda " + r.lambda + " (cbc_target " +
                                     r.target + "): its payload is not JSON: " + res.detail);
      done(ProxyResult{ProxyResult::Kind::unhandled,
                       "JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
                       std::move(invoked)});
      return;
    }
    logger_.error("cbc_proxy", "Error calling lambda " + r.lambda + " (cbc_target " + r.target +
                                   "): " + res.error + " " + res.detail);
    if (i + 1 < routes.size()) metrics_.incr("cbc-proxy.failover." + std::string(provider()));
    invoke_routes(std::move(payload), std::move(routes), i + 1, std::move(invoked),
                  std::move(done));
  };
  lambda_.invoke(options_.function_prefix + r.lambda, payload, std::move(next));
}

void CbcProxy::invoke_with_failover(const nlohmann::json& payload, ProxyDone done) {
  if (options_.routing == Routing::four_routes) {
    auto rs = routes();
    if (options_.advised_route) {
      if (auto advice = options_.advised_route(std::string(provider()))) {
        // routes.remove(preferred); routes.insert(0, preferred)
        auto it = std::find(rs.begin(), rs.end(), *advice);
        if (it != rs.end()) {
          rs.erase(it);
          rs.insert(rs.begin(), *advice);
        }
      }
    }
    invoke_routes(payload, std::move(rs), 0, {}, std::move(done));
    return;
  }
  const std::string first(lambda_name()), second(failover_lambda_name()),
      op(provider());
  auto on_second = [this, first, second, op, done](InvokeResult r) {
    metrics_.incr("cbc-proxy.invoke." + second + (r.kind == InvokeResult::Kind::ok ? ".ok" : ".failed"));
    if (r.kind == InvokeResult::Kind::ok) {
      done(ProxyResult{ProxyResult::Kind::ok, second, {first, second}});
      return;
    }
    if (r.kind == InvokeResult::Kind::unhandled && !options_.failover_on_connection_errors) {
      done(ProxyResult{ProxyResult::Kind::unhandled, r.error + ": " + r.detail, {first, second}});
      return;
    }
    logger_.error("cbc_proxy", "Error calling lambda " + second + ": " + r.error + " " + r.detail);
    done(ProxyResult{ProxyResult::Kind::retryable,
                     "Lambda failed for both " + first + " and " + second, {first, second}});
  };
  lambda_.invoke(options_.function_prefix + first, payload,
                 [this, first, second, op, payload, done,
                  on_second = std::move(on_second)](InvokeResult r) mutable {
                   metrics_.incr("cbc-proxy.invoke." + first +
                                 (r.kind == InvokeResult::Kind::ok ? ".ok" : ".failed"));
                   if (r.kind == InvokeResult::Kind::ok) {
                     done(ProxyResult{ProxyResult::Kind::ok, first, {first}});
                     return;
                   }
                   if (r.kind == InvokeResult::Kind::unhandled &&
                       !options_.failover_on_connection_errors) {
                     // Not a ClientError: _invoke_lambda does not catch it, so neither the
                     // failover nor the task's retry happens.
                     done(ProxyResult{ProxyResult::Kind::unhandled, r.error + ": " + r.detail,
                                      {first}});
                     return;
                   }
                   logger_.warning("cbc_proxy", "Error calling lambda " + first + ": " + r.error +
                                                    " " + r.detail + "; failing over to " +
                                                    second);
                   metrics_.incr("cbc-proxy.failover." + op);
                   lambda_.invoke(options_.function_prefix + second, payload,
                                  std::move(on_second));
                 });
}

CbcProxyClient::CbcProxyClient(LambdaClient& lambda, telemetry::Metrics& metrics,
                               telemetry::Logger& logger, bool failover_on_connection_errors)
    : CbcProxyClient(lambda, metrics, logger, [failover_on_connection_errors] {
        ProxyOptions o;
        o.failover_on_connection_errors = failover_on_connection_errors;
        return o;
      }()) {}

CbcProxyClient::CbcProxyClient(LambdaClient& lambda, telemetry::Metrics& metrics,
                               telemetry::Logger& logger, ProxyOptions options)
    : lambda_(lambda) {
  proxies_.push_back(std::make_unique<OperatorProxy<Ee>>(lambda, metrics, logger, options));
  proxies_.push_back(std::make_unique<OperatorProxy<O2>>(lambda, metrics, logger, options));
  proxies_.push_back(std::make_unique<OperatorProxy<Three>>(lambda, metrics, logger, options));
  proxies_.push_back(std::make_unique<OperatorProxy<Vodafone>>(lambda, metrics, logger, options));
}

CbcProxyClient::~CbcProxyClient() = default;

CbcProxy& CbcProxyClient::get_proxy(std::string_view provider) {
  for (auto& p : proxies_)
    if (p->provider() == provider) return *p;
  throw UnknownProvider("no CBC proxy for provider '" + std::string(provider) +
                        "' (ee, o2, three or vodafone)");
}

}  // namespace notify::broadcast
