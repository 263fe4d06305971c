// The SQS stub's state and the pieces its handlers share. Requests of both wire protocols are
// read into one JSON shape (the JSON protocol's own: {"QueueUrl": ..., "Entries": [...]}), the
// operations (queues.cpp, messages.cpp) map it to a result in that shape or an SqsError, and
// wire.cpp writes the result or error back in the protocol the request came in.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/stubs/sqs.hpp"
#include "notify/transport/http.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace notify::stubs::sqs {

enum class Protocol { query, json };

/// An error as SQS returns it: the Query code (also the JSON protocol's x-amzn-query-error), the
/// JSON protocol's shape name, the HTTP status, and who is at fault.
struct SqsError {
  int status = 400;
  std::string code;   // "AWS.SimpleQueueService.NonExistentQueue"
  std::string shape;  // "QueueDoesNotExist"
  std::string message;
  bool sender = true;
};

SqsError invalid_parameter(std::string message);
SqsError missing_parameter(std::string_view name);
SqsError no_such_queue();
SqsError throttled();

/// A request read from either protocol.
struct Input {
  Protocol protocol = Protocol::query;
  std::string action;     // "SendMessage"
  nlohmann::json params;  // in the JSON protocol's shape
  std::string path;       // the request's path (the Query protocol may name the queue by it)
  std::string base_url;   // "http://host:port", from the Host header
};

/// Reads the action and parameters; an SqsError for a body neither protocol can read.
std::variant<Input, SqsError> read_input(const transport::Request& request);
/// The operation a request names, without reading all of it ("Unknown" when none).
std::string operation_of(const transport::Request& request);
/// Every operation the stub serves, by its API name ("SendMessage", ...).
const std::set<std::string, std::less<>>& operation_names();
/// Whether the request is SQS's to answer.
bool is_sqs_request(const transport::Request& request);

StubAnswer render_result(const Input& input, const nlohmann::json& result,
                         const std::string& request_id);
StubAnswer render_error(Protocol protocol, const SqsError& error, const std::string& request_id);

/// MD5 hex digests as SQS computes them.
std::string md5_hex(std::string_view bytes);
/// Over the attributes sorted by name: length-prefixed name, data type and a transport byte
/// (1 string, 2 binary) with the length-prefixed value. `attributes` is the JSON shape
/// {"name": {"DataType": ..., "StringValue"|"BinaryValue": ...}} with BinaryValue in base64.
std::string md5_of_attributes(const nlohmann::json& attributes);
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

struct Message {
  std::uint64_t seq = 0;  // arrival order in its queue
  std::string id;
  std::string body;
  std::string md5_body;
  std::string md5_attributes;  // empty when no attributes
  nlohmann::json attributes;   // message attributes, JSON shape; null when none
  nlohmann::json system_attributes;
  std::string group_id;
  std::string dedup_id;
  std::string sequence_number;
  std::string sender_id;
  runtime::TimePoint sent{};
  runtime::TimePoint visible_at{};  // delayed or in flight until then
  runtime::TimePoint first_received{};
  std::uint32_t receive_count = 0;
  std::string receipt;  // the handle of its latest receive
  std::size_t bytes = 0;
};

struct Queue {
  std::string name;
  bool fifo = false;
  std::map<std::string, std::string> attributes;  // as set (defaults filled in)
  runtime::TimePoint created{};
  runtime::TimePoint modified{};
  std::map<std::uint64_t, Message> messages;  // by seq
  std::unordered_map<std::string, std::uint64_t> by_receipt;
  std::map<std::string, std::pair<runtime::TimePoint, std::string>> dedup;  // id -> (at, msg id)
  std::uint64_t next_seq = 1;
  std::uint64_t bytes = 0;
  std::optional<runtime::TimePoint> purged_at;
  SqsQueueView counts;  // the counters only
  std::map<std::string, std::string> tags;

  std::int64_t attribute_int(const std::string& name, std::int64_t fallback) const;
};

class Core {
 public:
  explicit Core(SqsOptions o) : options(std::move(o)) {}

  mutable std::mutex mutex;
  SqsOptions options;
  StubServices* services = nullptr;
  std::map<std::string, Queue> queues;                   // by name
  std::map<std::string, runtime::TimePoint> deleted_at;  // for QueueDeletedRecently
  std::uint64_t generation = 0;

  runtime::TimePoint now() const { return services->clock().now(); }
  std::string request_id() { return services->rng().uuid4(); }
  std::string arn(const std::string& name) const {
    return "arn:aws:sqs:" + options.region + ":" + options.account + ":" + name;
  }
  std::string url(const Input& in, const std::string& name) const {
    return in.base_url + "/" + options.account + "/" + name;
  }
  /// The queue a request names, by QueueUrl (or, in the Query protocol, by its path).
  std::variant<Queue*, SqsError> find_queue(const Input& in);
  void create_default_queues();
  /// Sets options.queue_attributes on the queues named in `existing` and puts options.messages
  /// on them: queues created before a configure. New queues get both as they are created.
  void apply_queue_config(const std::set<std::string>& existing);
  /// Drops messages past their retention; moves nothing else.
  void expire(Queue& q);
  /// When the next message of `q` that is delayed or in flight becomes visible; nullopt if none.
  std::optional<runtime::TimePoint> next_visible(const Queue& q) const;
  SqsQueueView view(const Queue& q) const;
};

/// Checks one attribute as CreateQueue (`creating`) or SetQueueAttributes would set it.
std::optional<SqsError> check_attribute(const std::string& name, const nlohmann::json& raw,
                                        bool fifo, bool creating);
/// Puts `body` on `q` as SendMessage would; the error SendMessage would answer otherwise.
std::optional<SqsError> put_message(Core& core, Queue& q, const std::string& body);

/// The operations, called with core.mutex held.
using Result = std::variant<nlohmann::json, SqsError>;
Result create_queue(Core& core, const Input& in);
Result get_queue_url(Core& core, const Input& in);
Result list_queues(Core& core, const Input& in);
Result get_queue_attributes(Core& core, const Input& in);
Result set_queue_attributes(Core& core, const Input& in);
Result delete_queue(Core& core, const Input& in);
Result purge_queue(Core& core, const Input& in);
Result tag_ops(Core& core, const Input& in);
Result send_message(Core& core, const Input& in, bool duplicate);
Result send_message_batch(Core& core, const Input& in, bool duplicate);
/// nullopt: nothing visible yet (the caller may wait and try again).
std::optional<Result> receive_message(Core& core, const Input& in, bool give_up);
Result delete_message(Core& core, const Input& in);
Result delete_message_batch(Core& core, const Input& in);
Result change_visibility(Core& core, const Input& in);
Result change_visibility_batch(Core& core, const Input& in);

/// The seconds a ReceiveMessage waits: its WaitTimeSeconds or its queue's
/// ReceiveMessageWaitTimeSeconds; an error for a value outside 0..20.
std::variant<std::int64_t, SqsError> wait_seconds(Core& core, const Input& in);

/// Parameter readers that accept the Query protocol's strings and the JSON protocol's numbers.
std::optional<std::string> string_param(const nlohmann::json& p, const char* name);
std::variant<std::optional<std::int64_t>, SqsError> int_param(const nlohmann::json& p,
                                                              const char* name);

}  // namespace notify::stubs::sqs
