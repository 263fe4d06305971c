// deliver_sms as Notify's provider_tasks.py and send_to_providers.send_sms_to_provider run it:
// a provider chosen by priority for every attempt, each failure counted against the provider's
// error threshold (its priority lowered past it), the first retry at once and the rest 300 s
// apart on the Clock, then technical-failure.
#include "notify/delivery/sms_delivery.hpp"

#include "notify/runtime/assert.hpp"
#include "otel_records.hpp"

#include <stdexcept>
#include <utility>

namespace notify::delivery {

namespace {

constexpr std::string_view kLogger = "delivery.sms";

bool is_final(const std::string& status) {
  return status == store::status::kDelivered || status == store::status::kPermanentFailure ||
         status == store::status::kTemporaryFailure || status == store::status::kTechnicalFailure;
}

}  // namespace

struct SmsDelivery::Task {
  std::string id;
  sms::SmsMessage message;
  std::function<void(const std::string&)> done;
  int retries = 0;
  runtime::TimePoint created_at;
};

SmsDelivery::SmsDelivery(store::Store& store, runtime::Clock& clock,
                         SmsProviderPriorities& providers, std::vector<sms::SmsClient*> clients,
                         telemetry::Metrics& metrics, telemetry::Logger& logger,
                         SmsDeliveryOptions options)
    : store_(store),
      clock_(clock),
      providers_(providers),
      metrics_(metrics),
      logger_(logger),
      options_(std::move(options)),
      retries_(clock) {
  NOTIFY_ASSERT(options_.retry.max_retries >= 0);
  for (auto* client : clients) {
    NOTIFY_ASSERT(client != nullptr);
    clients_[client->name()] = client;
  }
  for (const auto& name : providers_.providers()) {
    if (!clients_.contains(name)) {
      throw std::invalid_argument(
          "SMS provider '" + name +
          "' has a priority but no client; pass a client whose name() is '" + name + "'");
    }
  }
}

SmsDelivery::~SmsDelivery() = default;

void SmsDelivery::deliver(const std::string& notification_id, const sms::SmsMessage& message,
                          std::function<void(const std::string& status)> done) {
  auto task = std::make_shared<Task>();
  task->id = notification_id;
  task->message = message;
  task->message.reference = notification_id;
  task->done = std::move(done);
  ++in_flight_;
  attempt(std::move(task));
}

void SmsDelivery::attempt(std::shared_ptr<Task> task) {
  AttemptStart start = begin_attempt(store_, task->id);
  if (start.failure) return on_failure(task, *start.failure);
  if (start.finished) return finish(task, *start.finished);
  task->created_at = start.created_at;

  auto provider = providers_.choose(task->message.international);
  if (!provider) {
    Failure error;
    error.kind = FailureKind::invalid_request;
    error.retry = Retry::same;
    error.code = "no_active_provider";
    error.message = "No active sms providers: every SMS provider's priority is 0";
    on_failure(task, error);
    return;
  }
  if (auto counted = store_.increment_attempts(task->id); !counted) {
    logger_.error(kLogger, "SMS notification " + task->id +
                               ": could not count the attempt: " + counted.error().message());
  }
  std::weak_ptr<int> alive = alive_;
  clients_.at(*provider)->send_sms(
      task->message, [this, alive, task, provider = *provider](sms::SmsResult result) {
        if (alive.expired()) return;
        // send_sms_to_provider's `finally`: every provider call, raised or not.
        record_send_duration(
            metrics_, clock_.now() - task->created_at, otel_key_type(options_.key_type), "sms",
            provider,
            result ? std::string() : std::string("app.clients.sms.SmsClientResponseException"));
        if (result) {
          on_sent(task, provider, *result);
          return;
        }
        // send_sms_to_provider counts every raise against the provider's error rate.
        providers_.on_send_failure(provider);
        on_failure(task, result.error());
      });
}

void SmsDelivery::on_sent(const std::shared_ptr<Task>& task, const std::string& provider,
                          const std::string& reference) {
  std::string status = task->message.international ? store::status::kSent : store::status::kSending;
  // A delivery receipt can overtake the answer to the send it is about: a final status it set
  // stays, and so does pending (the provider has the message; going back to sending would undo
  // what the receipt said). Only the provider and the reference are recorded.
  if (auto current = store_.get_notification(task->id);
      current && (is_final(current->status) || current->status == store::status::kPending)) {
    logger_.info(kLogger, "SMS notification " + task->id + " is already " + current->status +
                              " from a receipt that arrived before the answer of " + provider);
    status = current->status;
  }
  set_status(task->id, status, provider, reference);
  // send_to_providers counts an international message as "sent" once its provider took it.
  if (metrics_.otel() && task->message.international) {
    record_international_sms(metrics_, store::status::kSent, task->message.to);
  }
  if (!metrics_.otel()) {
    auto total = clock_.now() - task->created_at;
    metrics_.timing("sms.total-time", total);
    metrics_.timing("sms." + options_.key_type + ".total-time", total);
  }
  finish(task, status);
}

void SmsDelivery::set_status(const std::string& id, const std::string& status,
                             const std::string& provider, const std::string& reference,
                             const std::string& failure_reason) {
  if (status == store::status::kTechnicalFailure) {
    if (auto kept = status_kept(store_, id)) {
      logger_.warning(kLogger, "SMS notification " + id + " is already " + *kept +
                                   ": not updated to " + status);
      return;
    }
  }
  auto updated =
      store_.update_status(id, status, clock_.now(), provider, reference, failure_reason);
  if (!updated) {
    logger_.error(kLogger, "SMS notification " + id + " could not be updated to " + status + ": " +
                               updated.error().message());
  }
}

void SmsDelivery::on_failure(const std::shared_ptr<Task>& task, const Failure& error) {
  // Provider errors are warnings (they page nobody); anything else is an error.
  logger_.log(error.level, kLogger,
              "SMS notification delivery for id: " + task->id + " failed (" + error.code + ")");
  if (!error.retryable()) {
    set_status(task->id, store::status::kTechnicalFailure, {}, {},
               error.code + ": " + error.message);
    finish(task, store::status::kTechnicalFailure);
    return;
  }
  if (options_.retry.exhausted(task->retries)) {
    logger_.error(kLogger,
                  "RETRY FAILED: Max retries reached. The task send_sms_to_provider failed for "
                  "notification " +
                      task->id + ". Notification has been updated to technical-failure");
    set_status(task->id, store::status::kTechnicalFailure, {}, {},
               "Max retries reached; last error " + error.code + ": " + error.message);
    finish(task, store::status::kTechnicalFailure);
    return;
  }
  ++task->retries;
  retries_.after(options_.retry.delay_before(task->retries), [this, task] { attempt(task); });
}

void SmsDelivery::finish(const std::shared_ptr<Task>& task, const std::string& status) {
  NOTIFY_ASSERT(in_flight_ > 0);
  --in_flight_;
  if (task->done) task->done(status);
}

}  // namespace notify::delivery
