// send_broadcast_event, send_broadcast_provider_message, the link tests and the canary.
#include "notify/delivery/broadcast_tasks.hpp"

#include <algorithm>
#include <cmath>

namespace notify::delivery {

namespace {

// "ee-1-proxy/cbc_a" -> "ee-1-proxy.cbc_a", for a metric name.
std::string route_metric(std::string route) {
  std::replace(route.begin(), route.end(), '/', '.');
  return route;
}

std::int64_t to_ns(runtime::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

runtime::TimePoint from_ns(std::int64_t ns) {
  return runtime::TimePoint(
      std::chrono::duration_cast<runtime::Duration>(std::chrono::nanoseconds(ns)));
}

std::string seconds_text(runtime::Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

// Python's repr of a str: single quotes unless it holds a single quote and no double quote.
std::string python_repr(std::string_view s) {
  const char quote = s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos
                         ? '"'
                         : '\'';
  std::string out(1, quote);
  for (char c : s) {
    if (c == '\\' || c == quote) out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + quote;
}

// What the task's except block stores: getattr(e, "message", repr(e)), which for the exceptions
// it meets is repr(e): CBCProxyRetryableException('ee-1-proxy and ee-2-proxy lambdas failed'),
// JSONDecodeError('Expecting value: line 1 column 1 (char 0)').
std::string exception_repr(const broadcast::ProxyResult& r) {
  if (r.kind == broadcast::ProxyResult::Kind::retryable)
    return "CBCProxyRetryableException(" + python_repr(r.message) + ")";
  // "Type: message"
  const auto colon = r.message.find(": ");
  if (colon == std::string::npos || r.message.find(' ') < colon)
    return "Exception(" + python_repr(r.message) + ")";
  return r.message.substr(0, colon) + "(" + python_repr(r.message.substr(colon + 2)) + ")";
}

}  // namespace

nlohmann::json BroadcastEventContent::to_json() const {
  return {{"description", description}, {"areas", areas}, {"finishes_at_ns", to_ns(finishes_at)}};
}

BroadcastEventContent BroadcastEventContent::from_json(const std::string& text) {
  BroadcastEventContent c;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return c;
  c.description = j.value("description", std::string());
  if (j.contains("areas")) c.areas = j["areas"];
  c.finishes_at = from_ns(j.value("finishes_at_ns", std::int64_t{0}));
  return c;
}

BroadcastTasks::BroadcastTasks(store::Store& store, runtime::Clock& clock, runtime::Rng& rng,
                               broadcast::CbcProxyClient& cbc, telemetry::Metrics& metrics,
                               telemetry::Logger& logger, BroadcastConfig config)
    : store_(store),
      clock_(clock),
      rng_(rng),
      cbc_(cbc),
      metrics_(metrics),
      logger_(logger),
      config_(std::move(config)),
      timers_(clock) {}

std::vector<std::string> BroadcastTasks::available_providers() const {
  if (config_.allowed_broadcast_provider == "all") return config_.enabled_cbcs;
  std::vector<std::string> out;
  for (const auto& p : config_.enabled_cbcs)
    if (p == config_.allowed_broadcast_provider) out.push_back(p);
  return out;
}

void BroadcastTasks::send_broadcast_event(const std::string& event_id) {
  for (const auto& provider : available_providers()) {
    // apply_async on the broadcast-tasks queue: the task runs later, not inside this one.
    ++running_;
    clock_.post([this, event_id, provider] {
      --running_;
      send_broadcast_provider_message(event_id, provider);
    });
  }
}

void BroadcastTasks::integrity_error(const std::string& provider, const std::string& message) {
  logger_.error("broadcast", "BroadcastIntegrityError for provider " + provider + ": " + message);
  metrics_.incr("broadcast.integrity-error." + provider);
}

std::int64_t BroadcastTasks::next_message_number() {
  auto n = store_.next_message_number();
  return n ? *n : 0;
}

void BroadcastTasks::send_broadcast_provider_message(const std::string& event_id,
                                                     const std::string& provider, int retries) {
  if (!config_.cbc_proxy_enabled) {
    logger_.info("broadcast", "CBC Proxy disabled, not sending broadcast_event " + event_id +
                                  " for provider " + provider);
    return;
  }
  auto event = store_.get_broadcast_event(event_id);
  if (!event) {
    logger_.error("broadcast", "broadcast_event " + event_id + " not found");
    return;
  }
  // check_event_is_authorised_to_be_sent
  if (!config_.service_active) return integrity_error(provider, "the service is suspended");
  if (config_.service_restricted) return integrity_error(provider, "the service is not live");
  if (config_.message_stubbed) return integrity_error(provider, "the message is stubbed");
  // check_event_makes_sense_in_sequence
  auto existing = store_.find_broadcast_provider_message(event_id, provider);
  if (existing && existing->status != broadcast_status::kSending &&
      !(config_.record_errors && existing->status == broadcast_status::kReturnedError))
    return integrity_error(provider, "event " + event_id + " already has status " +
                                         existing->status + " for " + provider);
  const auto content = BroadcastEventContent::from_json(event->payload_json);
  if (content.finishes_at < clock_.now())
    return integrity_error(provider, "event " + event_id + " has expired");
  std::vector<store::BroadcastProviderMessage> earlier;
  for (const auto& e : store_.list_broadcast_events(event->broadcast_message_id)) {
    if (e.sent_at >= event->sent_at) continue;
    auto pm = store_.find_broadcast_provider_message(e.id, provider);
    if (!pm || pm->status != broadcast_status::kReturnedAck)
      return integrity_error(provider, "earlier event " + e.id + " has not been acknowledged by " +
                                           provider + " (" + (pm ? pm->status : "not sent") + ")");
    earlier.push_back(*pm);
  }

  broadcast::CbcProxy& proxy = cbc_.get_proxy(provider);
  store::BroadcastProviderMessage pm;
  if (existing) {
    pm = *existing;
  } else {
    pm.id = rng_.uuid4();
    pm.broadcast_event_id = event_id;
    pm.provider = provider;
    pm.status = broadcast_status::kSending;
    if (proxy.message_format() == broadcast::MessageFormat::ibag)
      pm.message_number = next_message_number();
    pm.created_at = pm.updated_at = clock_.now();
    if (!store_.insert_broadcast_provider_message(pm)) {
      logger_.error("broadcast", "could not create the provider message for " + provider);
      return;
    }
    metrics_.incr("broadcast.provider-message.sending." + provider);
  }

  broadcast::BroadcastArgs args;
  args.identifier = pm.id;
  args.message_number = pm.message_number.value_or(0);
  args.description = content.description;
  args.areas = content.areas;
  args.sent = broadcast::cap_datetime(event->sent_at);
  args.expires = broadcast::cap_datetime(content.finishes_at);
  args.channel = config_.channel;
  for (const auto& e : earlier)
    args.references.push_back(
        {e.id, broadcast::reference_datetime(e.created_at), e.message_number.value_or(0)});

  logger_.info("broadcast", "Invoking the " + provider + " CBC proxy for " +
                                event->message_type + " event " + event_id + " (attempt " +
                                std::to_string(retries + 1) + ")");
  ++running_;
  auto done = [this, event_id, provider, id = pm.id, retries](broadcast::ProxyResult r) {
    --running_;
    finish(event_id, provider, id, retries, std::move(r));
  };
  if (event->message_type == "alert") {
    proxy.create_and_send_broadcast(args, std::move(done));
  } else if (event->message_type == "update") {
    // A no-op in every proxy; answer on the clock like any other completion.
    clock_.post([&proxy, args, done = std::move(done)]() mutable {
      proxy.update_and_send_broadcast(args, std::move(done));
    });
  } else {
    proxy.cancel_broadcast(args, std::move(done));
  }
}

void BroadcastTasks::finish(const std::string& event_id, const std::string& provider,
                            const std::string& provider_message_id, int retries,
                            broadcast::ProxyResult r) {
  using Kind = broadcast::ProxyResult::Kind;
  switch (r.kind) {
    case Kind::ok:
      store_.update_broadcast_provider_message_status(provider_message_id,
                                                      broadcast_status::kReturnedAck, clock_.now());
      metrics_.incr("broadcast.provider-message.returned-ack." + provider);
      logger_.info("broadcast", "Broadcast event " + event_id + " acknowledged by " + provider +
                                    " through " + r.message);
      return;
    case Kind::retryable: {
      if (config_.record_errors) record_error(provider_message_id, provider, exception_repr(r));
      if (config_.queue_retries) {
        const int received = retries + 1;
        if (received >= config_.max_receive_count) {
          // Visible again after the redelivery delay, past maxReceiveCount: SQS moves it to
          // the dead-letter queue instead of delivering it, and the watcher records it.
          logger_.warning("broadcast", r.message + "; " + provider + " for event " + event_id +
                                           " received " + std::to_string(received) +
                                           " times: to the dead-letter queue in " +
                                           seconds_text(config_.redelivery) + " s");
          timers_.after(config_.redelivery, [this, event_id, provider, provider_message_id] {
            store_.update_broadcast_provider_message_status(
                provider_message_id, broadcast_status::kReturnedErrorRetryExhausted,
                clock_.now());
            metrics_.incr("broadcast.dead-letter." + provider);
            logger_.error("broadcast", "DlqWatcher: send_broadcast_provider_message for " +
                                           provider + " event " + event_id +
                                           " is in the dead-letter queue: " +
                                           broadcast_status::kReturnedErrorRetryExhausted);
          });
          return;
        }
        metrics_.incr("broadcast.retry." + provider);
        logger_.warning("broadcast", r.message + "; redelivering " + provider + " for event " +
                                         event_id + " in " + seconds_text(config_.redelivery) +
                                         " s (receive " + std::to_string(received + 1) + ")");
        timers_.after(config_.redelivery, [this, event_id, provider, retries] {
          send_broadcast_provider_message(event_id, provider, retries + 1);
        });
        return;
      }
      auto delay = std::min<runtime::Duration>(
          std::chrono::seconds(static_cast<std::int64_t>(std::pow(2.0, std::min(retries, 30)))),
          config_.retry_delay_cap);
      logger_.warning("broadcast", r.message + "; retrying " + provider + " for event " +
                                       event_id + " in " + seconds_text(delay) + " s (retry " +
                                       std::to_string(retries + 1) + ")");
      metrics_.incr("broadcast.retry." + provider);
      timers_.after(delay, [this, event_id, provider, retries] {
        send_broadcast_provider_message(event_id, provider, retries + 1);
      });
      return;
    }
    case Kind::unhandled:
      // Not CBCProxyRetryableException: the task fails and is not retried; the provider message
      // stays "sending" (Notify) or gets returned-error (Emergency Alerts).
      if (config_.record_errors) record_error(provider_message_id, provider, exception_repr(r));
      logger_.error("broadcast", "send_broadcast_provider_message for " + provider + " event " +
                                     event_id + " raised " + r.message + " (not retried)");
      metrics_.incr("broadcast.unhandled." + provider);
      return;
  }
}

void BroadcastTasks::record_error(const std::string& provider_message_id,
                                  const std::string& provider, const std::string& exception) {
  const std::string detail = nlohmann::json{{"exception", exception}}.dump();
  store_.add_broadcast_provider_message_error(provider_message_id, broadcast_status::kReturnedError,
                                              clock_.now(), detail);
  metrics_.incr("broadcast.provider-message.returned-error." + provider);
  logger_.warning("broadcast", "Provider message " + provider_message_id + " for " + provider +
                                   ": returned-error " + detail);
}

std::optional<broadcast::Route> BroadcastTasks::advised_route(const std::string& mno) {
  if (!config_.route_advisor) return std::nullopt;
  auto advice = store_.get_route_advice(mno);
  if (!advice) return std::nullopt;
  return broadcast::Route{advice->proxy, advice->target};
}

void BroadcastTasks::update_route_advisor(const std::string& route, bool ok) {
  const auto slash = route.find('/');
  if (!config_.route_advisor || !ok || slash == std::string::npos) return;
  const std::string lambda = route.substr(0, slash), target = route.substr(slash + 1);
  const std::string mno = lambda.substr(0, lambda.find('-'));
  const auto now = clock_.now();
  auto current = store_.get_route_advice(mno);
  if (current && current->updated_at >= now - config_.advice_fresh_for) return;
  logger_.info("broadcast", "Updating route advisor for " + mno + ": " + lambda + " | " + target);
  metrics_.incr("broadcast.route-advisor.updated." + mno);
  (void)store_.set_route_advice({mno, lambda, target, now});
}

void BroadcastTasks::trigger_link_tests() {
  if (!config_.cbc_proxy_enabled) return;
  for (const auto& provider : config_.enabled_cbcs) {
    broadcast::CbcProxy& proxy = cbc_.get_proxy(provider);
    ++running_;
    // Each route's result, then once the task ends (after the last route, or when an invocation
    // raised an error the task does not catch).
    proxy.send_link_test(
        [this] { return rng_.uuid4(); }, [this] { return next_message_number(); },
        [this](std::string route, broadcast::InvokeResult r) {
          const bool ok = r.kind == broadcast::InvokeResult::Kind::ok;
          metrics_.incr("cbc-proxy.link-test." + route_metric(route) + (ok ? ".ok" : ".failed"));
          if (ok) {
            logger_.info("broadcast", "Link test to " + route + " succeeded");
          } else {
            logger_.error("broadcast",
                          "Link test to " + route + " failed: " + r.error + " " + r.detail);
          }
          update_route_advisor(route, ok);
          if (on_link_test_) on_link_test_(route, ok);
        },
        [this] { --running_; });
  }
}

void BroadcastTasks::send_canary() {
  if (!config_.cbc_proxy_enabled) return;
  ++running_;
  cbc_.lambda().invoke("canary", {{"identifier", rng_.uuid4()}},
                       [this](broadcast::InvokeResult r) {
                         --running_;
                         if (r.kind == broadcast::InvokeResult::Kind::ok) {
                           metrics_.incr("cbc-proxy.canary.ok");
                           return;
                         }
                         metrics_.incr("cbc-proxy.canary.failed");
                         logger_.error("broadcast", "CBC proxy canary failed: " + r.error + " " +
                                                        r.detail);
                       });
}

}  // namespace notify::delivery
