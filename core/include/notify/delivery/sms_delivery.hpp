// deliver_sms as Notify runs it: choose a provider by priority, send through its client, update
// the Store; on failure lower that provider's priority and retry, the first time at once (so the
// new priorities pick again), then every 300 s, 48 times at most, then technical-failure.
#pragma once

#include "notify/delivery/retry.hpp"
#include "notify/delivery/sms_providers.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/sms/sms_client.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace notify::delivery {

struct SmsDeliveryOptions {
  RetryPolicy retry{48, std::chrono::seconds(300), std::chrono::seconds(0)};
  std::string key_type = "live-key";  // for sms.<key_type>.total-time
};

class SmsDelivery {
 public:
  /// `clients` holds one client per provider that `providers` names (std::invalid_argument
  /// otherwise). Everything passed in must outlive this object.
  SmsDelivery(store::Store& store, runtime::Clock& clock, SmsProviderPriorities& providers,
              std::vector<sms::SmsClient*> clients, telemetry::Metrics& metrics,
              telemetry::Logger& logger, SmsDeliveryOptions options = {});
  /// Cancels pending retries; answers still in flight are ignored when they arrive.
  ~SmsDelivery();
  SmsDelivery(const SmsDelivery&) = delete;
  SmsDelivery& operator=(const SmsDelivery&) = delete;

  /// Starts delivering a stored SMS notification in status "created". The message's reference
  /// is the notification id, whatever `message` says. `done` is called once the notification
  /// leaves the task (sending, sent for an international message, or technical-failure), with
  /// its status.
  void deliver(const std::string& notification_id, const sms::SmsMessage& message,
               std::function<void(const std::string& status)> done = {});

  /// Notifications whose task has not finished yet (sending attempts or retries pending).
  std::size_t in_flight() const { return in_flight_; }

 private:
  struct Task;
  void attempt(std::shared_ptr<Task> task);
  void on_sent(const std::shared_ptr<Task>& task, const std::string& provider,
               const std::string& reference);
  void on_failure(const std::shared_ptr<Task>& task, const Failure& error);
  void set_status(const std::string& id, const std::string& status, const std::string& provider,
                  const std::string& reference, const std::string& failure_reason = {});
  void finish(const std::shared_ptr<Task>& task, const std::string& status);

  store::Store& store_;
  runtime::Clock& clock_;
  SmsProviderPriorities& providers_;
  std::map<std::string, sms::SmsClient*> clients_;
  telemetry::Metrics& metrics_;
  telemetry::Logger& logger_;
  SmsDeliveryOptions options_;
  std::size_t in_flight_ = 0;
  RetryTimers retries_;
  // Callbacks hold a weak reference to this token and do nothing once it has gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace notify::delivery
