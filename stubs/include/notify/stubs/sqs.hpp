// SqsStub: Amazon SQS (API version 2012-11-05) over both of its wire protocols, the Query
// protocol (form Action=..., XML answers; what kombu's asynchronous client and boto3 before 1.31
// send) and the AWS JSON 1.0 protocol (X-Amz-Target: AmazonSQS.*; what current boto3 and the AWS
// CLI send). Queues keep SQS's semantics on the run's clock: visibility time-outs and redelivery,
// DelaySeconds, long polling answered late, FIFO ordering and deduplication, and dead-letter
// queues from a RedrivePolicy. Every queue is bounded by configured message and byte limits.
#pragma once

#include "notify/stubs/registry.hpp"
#include "notify/stubs/stub.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace notify::stubs {

struct SqsOptions {
  std::string region = "eu-west-2";
  std::string account = "123456789012";
  /// Strict SigV4: access key id -> secret. Empty: any well-formed Authorization (or none).
  std::map<std::string, std::string> strict_sigv4;
  /// Queues at once; CreateQueue past it answers OverLimit.
  std::size_t queues_max = 1'000;
  /// Messages held by one queue (visible, in flight and delayed); SendMessage past it answers
  /// OverLimit. SQS itself keeps an unbounded backlog: this bound keeps the stub's memory finite.
  std::size_t queue_messages_max = 1'000'000;
  /// Bytes of bodies and attributes held by one queue; past it, OverLimit.
  std::uint64_t queue_bytes_max = 1ull << 30;
  /// Queues created at start and again after a reset. Notify's ses-callbacks is there by
  /// default, as in Notify's infrastructure, for SES events sent as Celery tasks.
  std::vector<std::string> queues{"ses-callbacks"};
  /// Attributes of queues in `queues`, as CreateQueue takes them (e.g. a RedrivePolicy).
  std::map<std::string, std::map<std::string, std::string>> queue_attributes;
  /// Message bodies put on queues in `queues` whenever they are created (at start, after reset).
  std::map<std::string, std::vector<std::string>> messages;
};

/// One queue as the journal's companion, the control API's /sqs/queues view, reports it.
struct SqsQueueView {
  std::string name;
  std::string url_path;  // "/123456789012/name"
  std::uint64_t visible = 0;
  std::uint64_t in_flight = 0;
  std::uint64_t delayed = 0;
  std::uint64_t bytes = 0;
  std::uint64_t sent = 0;           // accepted by SendMessage(Batch), or put there by config
  std::uint64_t duplicated = 0;     // second copies stored by the sqs.duplicate_delivery fault
  std::uint64_t moved_in = 0;       // dead-lettered here from a queue's RedrivePolicy
  std::uint64_t received = 0;       // deliveries by ReceiveMessage (a redelivery counts again)
  std::uint64_t deleted = 0;        // by DeleteMessage(Batch)
  std::uint64_t dead_lettered = 0;  // moved from here to its dead-letter queue
  std::uint64_t expired = 0;        // past MessageRetentionPeriod, or purged

  /// Messages it holds now.
  std::uint64_t held() const { return visible + in_flight + delayed; }
  /// Every message that came in left by a counted way or is still held: sent + duplicated +
  /// moved_in = deleted + dead_lettered + expired + held().
  bool balanced() const {
    return sent + duplicated + moved_in == deleted + dead_lettered + expired + held();
  }
};

class SqsStub final : public Stub {
 public:
  SqsStub();
  explicit SqsStub(SqsOptions options);
  ~SqsStub() override;

  std::string_view service() const override { return "sqs"; }
  bool accepts(const transport::Request& request) const override;
  RequestInfo describe(const transport::Request& request) const override;
  StubAnswer handle(const Call& call) override;
  void handle_async(const Call& call, Answer answer) override;
  bool answers_later() const override { return true; }
  std::vector<std::string> error_names() const override;
  /// Its operations, so a fault rule that misspells one is refused; SQS requests carry no
  /// provider or availability zone.
  std::optional<SelectorNames> selector_names() const override;
  void reset() override;
  std::optional<FieldError> configure(const nlohmann::json& config) override;
  void attach(StubServices& services) override;
  /// {"queues": [one SqsQueueView each], "receives_waiting": n}, for GET /state.
  nlohmann::json state() const override;

  SqsOptions options() const;
  std::vector<SqsQueueView> queues() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

void register_sqs(StubRegistry& registry);

/// The fault names SqsStub renders.
inline constexpr const char* kSqsThrottled = "sqs.throttled";           // 400 RequestThrottled
inline constexpr const char* kSqsOverLimit = "sqs.over_limit";          // 403 OverLimit
inline constexpr const char* kSqsInternalError = "sqs.internal_error";  // 500 InternalError
inline constexpr const char* kSqsServiceUnavailable = "sqs.service_unavailable";  // 503
/// SendMessage: the message is stored twice under one MessageId, so it is delivered twice (SQS's
/// at-least-once delivery).
inline constexpr const char* kSqsDuplicateDelivery = "sqs.duplicate_delivery";
/// ReceiveMessage: no messages, answered when the long poll would have ended.
inline constexpr const char* kSqsEmptyReceive = "sqs.empty_receive";

}  // namespace notify::stubs
