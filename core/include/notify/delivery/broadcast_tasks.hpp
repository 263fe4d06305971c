// Notify's broadcast tasks (app/celery/broadcast_message_tasks.py and the scheduled link tests
// and canary) on the Clock: send_broadcast_event fans an event out to the available providers;
// send_broadcast_provider_message checks authorisation and sequence, creates or reuses the
// provider message, invokes the proxy and marks it returned-ack, retrying a retryable failure
// after min(2^n, 240) s for ever. Link tests and the canary invoke Lambdas on their own.
#pragma once

#include "notify/broadcast/cbc_proxy.hpp"
#include "notify/delivery/retry.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace notify::delivery {

/// Provider-message statuses (BroadcastProviderMessageStatus); the tasks set only the first two.
namespace broadcast_status {
inline constexpr const char* kSending = "sending";
inline constexpr const char* kReturnedAck = "returned-ack";
inline constexpr const char* kReturnedError = "returned-error";
/// Emergency Alerts' DlqWatcher: the task's message reached the dead-letter queue.
inline constexpr const char* kReturnedErrorRetryExhausted = "returned-error-retry-exhausted";
inline constexpr const char* kTechnicalFailure = "technical-failure";
}  // namespace broadcast_status

struct BroadcastConfig {
  bool cbc_proxy_enabled = true;  // CBC_PROXY_ENABLED
  std::vector<std::string> enabled_cbcs{"ee", "o2", "three", "vodafone"};  // ENABLED_CBCS
  /// The service's allowed_broadcast_provider: "all" or one provider.
  std::string allowed_broadcast_provider = "all";
  bool service_active = true;       // false: suspended
  bool service_restricted = false;  // true: not live
  bool message_stubbed = false;
  std::string channel = "severe";   // the service's broadcast_channel
  /// Retry delay: min(2^retries, cap) seconds (Notify: 240, inside SQS's visibility time-out).
  runtime::Duration retry_delay_cap = std::chrono::seconds(240);
  /// Emergency Alerts: every failure of the task adds a returned-error entry (its detail in the
  /// log), an exception the task does not retry included, and a message whose latest status is
  /// returned-error may be sent again. Off: Notify's tasks, which set only returned-ack.
  bool record_errors = false;
  /// Emergency Alerts' route advisor: each successful link test records its route as the
  /// operator's advice when the advice is older than `advice_fresh_for` (or absent), and sends
  /// try the advised route first (advised_route). Off: no advice is read or written.
  bool route_advisor = false;
  runtime::Duration advice_fresh_for = std::chrono::seconds(30);
  /// Emergency Alerts' Dramatiq on SQS, modelled on the clock: a retryable failure makes the
  /// message visible again after `redelivery` (EasSqsConsumer.nack's visibility change); a message
  /// received `max_receive_count` times that fails once more goes to the dead-letter queue on its
  /// next receive, and the DlqWatcher adds returned-error-retry-exhausted. Off: Notify's
  /// min(2^n, retry_delay_cap) for ever.
  bool queue_retries = false;
  runtime::Duration redelivery = std::chrono::seconds(10);
  int max_receive_count = 3;
};

/// What an event's payload_json holds: the content as the event was sent.
struct BroadcastEventContent {
  std::string description;
  nlohmann::json areas = nlohmann::json::array();  // [{"polygon": [[lat, lon], ...]}]
  runtime::TimePoint finishes_at;                  // transmitted_finishes_at
  nlohmann::json to_json() const;
  static BroadcastEventContent from_json(const std::string& text);
};

class BroadcastTasks {
 public:
  BroadcastTasks(store::Store& store, runtime::Clock& clock, runtime::Rng& rng,
                 broadcast::CbcProxyClient& cbc, telemetry::Metrics& metrics,
                 telemetry::Logger& logger, BroadcastConfig config);

  /// service.get_available_broadcast_providers()
  std::vector<std::string> available_providers() const;
  void send_broadcast_event(const std::string& event_id);
  void send_broadcast_provider_message(const std::string& event_id, const std::string& provider,
                                       int retries = 0);
  /// trigger_link_tests: both Lambdas (two_lambdas) or all four routes (four_routes) of every
  /// enabled provider, independently.
  void trigger_link_tests();
  /// The operator's advised route (dao_get_route_for_mno), for ProxyOptions::advised_route.
  std::optional<broadcast::Route> advised_route(const std::string& mno);
  /// _update_route_advisor: a successful route ("ee-1-proxy/cbc_a") becomes its operator's
  /// advice when the advice is older than advice_fresh_for.
  void update_route_advisor(const std::string& route, bool ok);
  /// Called with each link test's route ("ee-1-proxy/cbc_a") and whether it worked.
  void on_link_test(std::function<void(const std::string& route, bool ok)> fn) {
    on_link_test_ = std::move(fn);
  }
  /// send-canary-to-cbc-proxy: invokes "canary"; a failure is logged at error and counted.
  void send_canary();
  /// Invocations waiting on an answer plus retries waiting on the clock.
  std::size_t in_flight() const { return running_ + timers_.pending(); }

 private:
  void integrity_error(const std::string& provider, const std::string& message);
  void record_error(const std::string& provider_message_id, const std::string& provider,
                    const std::string& detail);
  void finish(const std::string& event_id, const std::string& provider,
              const std::string& provider_message_id, int retries, broadcast::ProxyResult r);
  std::int64_t next_message_number();

  store::Store& store_;
  runtime::Clock& clock_;
  runtime::Rng& rng_;
  broadcast::CbcProxyClient& cbc_;
  telemetry::Metrics& metrics_;
  telemetry::Logger& logger_;
  BroadcastConfig config_;
  RetryTimers timers_;
  std::size_t running_ = 0;
  std::function<void(const std::string&, bool)> on_link_test_;
};

}  // namespace notify::delivery
