// The four operator proxies, their payloads and Notify's failover rule.
#include "notify/broadcast/cbc_proxy.hpp"

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
  done(ProxyResult{ProxyResult::Kind::ok, "updates are not sent"});
}

void CbcProxy::cancel_broadcast(const BroadcastArgs& a, ProxyDone done) {
  invoke_with_failover(cancel_payload(a), std::move(done));
}

void CbcProxy::send_link_test(std::function<std::string()> identifier,
                              std::function<std::int64_t()> message_number,
                              std::function<void(std::string, InvokeResult)> done) {
  // _send_link_test(lambda_name) then _send_link_test(failover_lambda_name): independent, no
  // failover. A failed invoke returns False and the second still runs; an exception _invoke_lambda
  // does not catch ends the task before the second.
  const bool ibag = message_format() == MessageFormat::ibag;
  auto payload = [this, ibag, identifier, message_number] {
    return link_test_payload(identifier(), ibag ? message_number() : 0);
  };
  std::string first(lambda_name()), second(failover_lambda_name());
  lambda_.invoke(first, payload(),
                 [this, first, second, payload, done](InvokeResult r) {
                   const bool unhandled = r.kind == InvokeResult::Kind::unhandled;
                   done(first, std::move(r));
                   if (unhandled && !failover_on_connection_errors_) return;
                   lambda_.invoke(second, payload(),
                                  [second, done](InvokeResult r2) { done(second, std::move(r2)); });
                 });
}

void CbcProxy::invoke_with_failover(const nlohmann::json& payload, ProxyDone done) {
  const std::string first(lambda_name()), second(failover_lambda_name()),
      op(provider());
  auto on_second = [this, first, second, op, done](InvokeResult r) {
    metrics_.incr("cbc-proxy.invoke." + second + (r.kind == InvokeResult::Kind::ok ? ".ok" : ".failed"));
    if (r.kind == InvokeResult::Kind::ok) {
      done(ProxyResult{ProxyResult::Kind::ok, second});
      return;
    }
    if (r.kind == InvokeResult::Kind::unhandled && !failover_on_connection_errors_) {
      done(ProxyResult{ProxyResult::Kind::unhandled, r.error + ": " + r.detail});
      return;
    }
    logger_.error("cbc_proxy", "Error calling lambda " + second + ": " + r.error + " " + r.detail);
    done(ProxyResult{ProxyResult::Kind::retryable,
                     "Lambda failed for both " + first + " and " + second});
  };
  lambda_.invoke(first, payload,
                 [this, first, second, op, payload, done,
                  on_second = std::move(on_second)](InvokeResult r) mutable {
                   metrics_.incr("cbc-proxy.invoke." + first +
                                 (r.kind == InvokeResult::Kind::ok ? ".ok" : ".failed"));
                   if (r.kind == InvokeResult::Kind::ok) {
                     done(ProxyResult{ProxyResult::Kind::ok, first});
                     return;
                   }
                   if (r.kind == InvokeResult::Kind::unhandled &&
                       !failover_on_connection_errors_) {
                     // Not a ClientError: _invoke_lambda does not catch it, so neither the
                     // failover nor the task's retry happens.
                     done(ProxyResult{ProxyResult::Kind::unhandled, r.error + ": " + r.detail});
                     return;
                   }
                   logger_.warning("cbc_proxy", "Error calling lambda " + first + ": " + r.error +
                                                    " " + r.detail + "; failing over to " +
                                                    second);
                   metrics_.incr("cbc-proxy.failover." + op);
                   lambda_.invoke(second, payload, std::move(on_second));
                 });
}

CbcProxyClient::CbcProxyClient(LambdaClient& lambda, telemetry::Metrics& metrics,
                               telemetry::Logger& logger, bool failover_on_connection_errors)
    : lambda_(lambda) {
  proxies_.push_back(std::make_unique<OperatorProxy<Ee>>(lambda, metrics, logger,
                                                         failover_on_connection_errors));
  proxies_.push_back(std::make_unique<OperatorProxy<O2>>(lambda, metrics, logger,
                                                         failover_on_connection_errors));
  proxies_.push_back(std::make_unique<OperatorProxy<Three>>(lambda, metrics, logger,
                                                            failover_on_connection_errors));
  proxies_.push_back(std::make_unique<OperatorProxy<Vodafone>>(lambda, metrics, logger,
                                                               failover_on_connection_errors));
}

CbcProxyClient::~CbcProxyClient() = default;

CbcProxy& CbcProxyClient::get_proxy(std::string_view provider) {
  for (auto& p : proxies_)
    if (p->provider() == provider) return *p;
  throw UnknownProvider("no CBC proxy for provider '" + std::string(provider) +
                        "' (ee, o2, three or vodafone)");
}

}  // namespace notify::broadcast
