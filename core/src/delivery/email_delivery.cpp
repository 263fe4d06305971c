// deliver_email as Notify's provider_tasks.py runs it (notifications-api): one attempt
// through the email client, then sending, technical-failure, or a retry 300 s later on the
// Clock, up to 48 retries. The client has already classified the failure; this file only reads
// the decision.
#include "notify/delivery/email_delivery.hpp"

#include "notify/runtime/assert.hpp"
#include "otel_records.hpp"

#include <utility>

namespace notify::delivery {

namespace {

constexpr std::string_view kLogger = "delivery.email";

}  // namespace

struct EmailDelivery::Task {
  std::string id;
  email::EmailMessage message;
  std::function<void(const std::string&)> done;
  int retries = 0;
  runtime::TimePoint created_at;
};

EmailDelivery::EmailDelivery(store::Store& store, runtime::Clock& clock, email::EmailClient& client,
                             telemetry::Metrics& metrics, telemetry::Logger& logger,
                             EmailDeliveryOptions options)
    : store_(store),
      clock_(clock),
      client_(client),
      metrics_(metrics),
      logger_(logger),
      options_(std::move(options)),
      total_time_name_("email." + options_.key_type + ".total-time"),
      retries_(clock) {
  NOTIFY_ASSERT(options_.max_retries >= 0);
  NOTIFY_ASSERT(options_.retry_delay.count() >= 0);
}

EmailDelivery::~EmailDelivery() = default;

void EmailDelivery::deliver(const std::string& notification_id, const email::EmailMessage& message,
                            std::function<void(const std::string& status)> done) {
  auto task = std::make_shared<Task>();
  task->id = notification_id;
  task->message = message;
  task->done = std::move(done);
  ++in_flight_;
  attempt(std::move(task));
}

void EmailDelivery::attempt(std::shared_ptr<Task> task) {
  AttemptStart start = begin_attempt(store_, task->id);
  if (start.failure) return on_failure(task, *start.failure);
  if (start.finished) return finish(task, *start.finished);
  task->created_at = start.created_at;
  if (auto counted = store_.increment_attempts(task->id); !counted) {
    logger_.error(kLogger, "Email notification " + task->id +
                               ": could not count the attempt: " + counted.error().message());
  }
  std::weak_ptr<int> alive = alive_;
  client_.send_email(task->message, [this, alive, task](email::EmailResult result) {
    if (alive.expired()) return;
    on_result(task, std::move(result));
  });
}

void EmailDelivery::on_result(const std::shared_ptr<Task>& task, email::EmailResult result) {
  // send_email_to_provider's `finally`: every provider call, raised or not.
  if (metrics_.otel()) {
    record_send_duration(
        metrics_, clock_.now() - task->created_at, otel_key_type(options_.key_type), "email",
        client_.name(),
        result ? std::string() : email::email_error_type(client_.metrics_name(), result.error()));
  }
  if (!result) {
    on_failure(task, result.error());
    return;
  }
  set_status(task->id, store::status::kSending, *result);
  if (!metrics_.otel()) metrics_.timing(total_time_name_, clock_.now() - task->created_at);
  finish(task, store::status::kSending);
}

void EmailDelivery::on_failure(const std::shared_ptr<Task>& task, const Failure& error) {
  if (!error.retryable()) {
    logger_.error(kLogger, "Email notification " + task->id + " failed: " + error.message);
    set_status(task->id, store::status::kTechnicalFailure, {}, error.message);
    finish(task, store::status::kTechnicalFailure);
    return;
  }

  if (email::is_send_rate_throttling(error)) {
    logger_.warning(kLogger, "RETRY: Email notification " + task->id + " was rate limited by SES");
  } else {
    logger_.error(kLogger, "RETRY: Email notification " + task->id + " failed");
  }

  const auto policy = RetryPolicy::fixed(options_.max_retries, options_.retry_delay);
  if (policy.exhausted(task->retries)) {
    set_status(task->id, store::status::kTechnicalFailure, {},
               "Max retries reached; last error " + error.code + ": " + error.message);
    logger_.error(kLogger,
                  "RETRY FAILED: Max retries reached. The task send_email_to_provider failed for "
                  "notification " +
                      task->id + ". Notification has been updated to technical-failure");
    finish(task, store::status::kTechnicalFailure);
    return;
  }

  ++task->retries;
  retries_.after(policy.delay_before(task->retries), [this, task] { attempt(task); });
}

void EmailDelivery::set_status(const std::string& id, const std::string& status,
                               const std::string& reference, const std::string& failure_reason) {
  if (status == store::status::kTechnicalFailure) {
    if (auto kept = status_kept(store_, id)) {
      logger_.warning(kLogger, "Email notification " + id + " is already " + *kept +
                                   ": not updated to " + status);
      return;
    }
  }
  auto provider = reference.empty() ? std::string{} : client_.name();
  auto updated =
      store_.update_status(id, status, clock_.now(), provider, reference, failure_reason);
  if (!updated) {
    logger_.error(kLogger, "Email notification " + id + " could not be updated to " + status +
                               ": " + updated.error().message());
  }
}

void EmailDelivery::finish(const std::shared_ptr<Task>& task, const std::string& status) {
  NOTIFY_ASSERT(in_flight_ > 0);
  --in_flight_;
  if (task->done) task->done(status);
}

}  // namespace notify::delivery
