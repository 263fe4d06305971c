// Message operations: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch) and
// ChangeMessageVisibility(Batch), with SQS's checks, digests, FIFO ordering and deduplication,
// and dead-lettering after a RedrivePolicy's maxReceiveCount.
#include "core.hpp"

#include "notify/aws/sigv4.hpp"

#include <cstdio>
#include <set>

namespace notify::stubs::sqs {

namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr std::size_t kBatchEntriesMax = 10;
constexpr std::size_t kAttributesMax = 10;
constexpr std::int64_t kVisibilityMax = 43200;

std::string range_error(std::int64_t v, const char* name, const char* reason) {
  return "Value " + std::to_string(v) + " for parameter " + name + " is invalid. Reason: " + reason;
}

// The first character outside SQS's allowed set (#x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD
// #x10000-#x10FFFF), as "#xHH", or empty.
std::string bad_character(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    std::size_t n = 1;
    if (c < 0x80)
      cp = c;
    else if ((c >> 5) == 6) {
      cp = c & 0x1F;
      n = 2;
    } else if ((c >> 4) == 14) {
      cp = c & 0x0F;
      n = 3;
    } else if ((c >> 3) == 30) {
      cp = c & 0x07;
      n = 4;
    } else
      n = 0;
    bool ok = n != 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc >> 6) == 2;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok)
      ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!ok) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "#x%X", n != 0 && i + n <= s.size() ? cp : c);
      return hex;
    }
    i += n;
  }
  return {};
}

// Checks message attributes; returns their byte count for the size limit.
std::variant<std::size_t, SqsError> check_attributes(const json& attrs) {
  if (attrs.is_null()) return std::size_t{0};
  if (!attrs.is_object()) return invalid_parameter("MessageAttributes must be a map.");
  if (attrs.size() > kAttributesMax)
    return invalid_parameter("Number of message attributes [" + std::to_string(attrs.size()) +
                             "] exceeds the allowed maximum [10].");
  std::size_t bytes = 0;
  for (const auto& [name, v] : attrs.items()) {
    const std::string type = v.is_object() ? v.value("DataType", "") : "";
    if (type.empty())
      return invalid_parameter("The message attribute '" + name +
                               "' must contain non-empty message attribute type.");
    if (type.rfind("String", 0) != 0 && type.rfind("Number", 0) != 0 &&
        type.rfind("Binary", 0) != 0)
      return invalid_parameter("The type of message (user) attribute '" + name +
                               "' is invalid. You must use only the following supported type "
                               "prefixes: Binary, Number, String.");
    const bool binary = type.rfind("Binary", 0) == 0;
    const std::string value = v.value(binary ? "BinaryValue" : "StringValue", "");
    if (value.empty())
      return invalid_parameter("The message attribute '" + name +
                               "' must contain non-empty message attribute value for message "
                               "attribute type '" +
                               type.substr(0, 6) + "'.");
    if (binary && !base64_decode(value))
      return invalid_parameter("The message attribute '" + name +
                               "' has a BinaryValue that is not base64.");
    bytes += name.size() + type.size() + (binary ? base64_decode(value)->size() : value.size());
  }
  return bytes;
}

std::string receipt_for(Core& core, const Queue& q, const Message& m) {
  return base64_encode(q.name + "\n" + m.id + "\n" + std::to_string(m.receive_count) + "\n" +
                       core.services->rng().uuid4());
}

// The queue name a receipt handle was issued for; nullopt for a handle SQS would not accept.
std::optional<std::string> receipt_queue(std::string_view handle) {
  auto text = base64_decode(handle);
  if (!text) return std::nullopt;
  auto nl = text->find('\n');
  if (nl == std::string::npos || std::count(text->begin(), text->end(), '\n') != 3)
    return std::nullopt;
  return text->substr(0, nl);
}

SqsError bad_receipt(const std::string& handle) {
  return SqsError{
      404, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
      "The input receipt handle \"" + handle.substr(0, 200) + "\" is not a valid receipt handle."};
}

std::optional<SqsError> check_batch(const json& entries, const char* entry_name) {
  if (!entries.is_array() || entries.empty())
    return SqsError{400, "AWS.SimpleQueueService.EmptyBatchRequest", "EmptyBatchRequest",
                    std::string("There should be at least one ") + entry_name + " in the request."};
  if (entries.size() > kBatchEntriesMax)
    return SqsError{400, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                    "TooManyEntriesInBatchRequest",
                    "Maximum number of entries per request are 10. You have sent " +
                        std::to_string(entries.size()) + "."};
  std::set<std::string> ids;
  for (const auto& e : entries) {
    const std::string id = e.is_object() ? e.value("Id", "") : "";
    const bool valid =
        !id.empty() && id.size() <= 80 && std::all_of(id.begin(), id.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
        });
    if (!valid)
      return SqsError{400, "AWS.SimpleQueueService.InvalidBatchEntryId", "InvalidBatchEntryId",
                      "A batch entry id can only contain alphanumeric characters, hyphens and "
                      "underscores. It can be at most 80 letters long."};
    if (!ids.insert(id).second)
      return SqsError{400, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                      "BatchEntryIdsNotDistinct", "Id " + id + " repeated."};
  }
  return std::nullopt;
}

json failed_entry(const std::string& id, const SqsError& e) {
  return {{"Id", id}, {"SenderFault", e.sender}, {"Code", e.code}, {"Message", e.message}};
}

// Runs `one` for each entry of a batch, the entry's own members plus the request's QueueUrl.
template <typename One>
Result each_entry(const Input& in, const char* entry_name, One one) {
  json entries = in.params.value("Entries", json());
  if (auto e = check_batch(entries, entry_name)) return *e;
  json ok = json::array();
  json failed = json::array();
  for (const auto& entry : entries) {
    Input sub = in;
    sub.params = entry;
    if (in.params.contains("QueueUrl")) sub.params["QueueUrl"] = in.params["QueueUrl"];
    Result r = one(sub);
    if (auto* e = std::get_if<SqsError>(&r)) {
      failed.push_back(failed_entry(entry.value("Id", ""), *e));
    } else {
      json done = std::get<json>(std::move(r));
      done["Id"] = entry.value("Id", "");
      ok.push_back(std::move(done));
    }
  }
  json out = json::object();
  out["Successful"] = std::move(ok);
  out["Failed"] = std::move(failed);
  return out;
}

Result send_one(Core& core, Queue& q, const Input& in, bool duplicate) {
  auto body = string_param(in.params, "MessageBody");
  if (!body || body->empty()) return missing_parameter("MessageBody");
  if (std::string c = bad_character(*body); !c.empty())
    return SqsError{400, "InvalidMessageContents", "InvalidMessageContents",
                    "Invalid binary character '" + c +
                        "' was found in the message body, the set of allowed characters is "
                        "available at http://www.w3.org/TR/REC-xml/#charsets"};
  json attrs = in.params.value("MessageAttributes", json());
  auto attr_bytes = check_attributes(attrs);
  if (auto* e = std::get_if<SqsError>(&attr_bytes)) return *e;
  const std::size_t size = body->size() + std::get<std::size_t>(attr_bytes);
  const auto max_size = q.attribute_int("MaximumMessageSize", 262144);
  if (static_cast<std::int64_t>(size) > max_size)
    return invalid_parameter(
        "One or more parameters are invalid. Reason: Message must be "
        "shorter than " +
        std::to_string(max_size) + " bytes.");
  auto delay_param = int_param(in.params, "DelaySeconds");
  if (auto* e = std::get_if<SqsError>(&delay_param)) return *e;
  auto delay = std::get<std::optional<std::int64_t>>(delay_param);
  if (delay && (*delay < 0 || *delay > 900))
    return invalid_parameter(
        range_error(*delay, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900."));
  if (delay && q.fifo)
    return invalid_parameter(range_error(*delay, "DelaySeconds",
                                         "The request include parameter that is not valid for "
                                         "this queue type."));
  const auto group = string_param(in.params, "MessageGroupId");
  auto dedup = string_param(in.params, "MessageDeduplicationId");
  if (q.fifo) {
    if (!group) return missing_parameter("MessageGroupId");
    if (!dedup) {
      if (q.attributes["ContentBasedDeduplication"] != "true")
        return invalid_parameter(
            "The queue should either have ContentBasedDeduplication "
            "enabled or MessageDeduplicationId provided explicitly");
      dedup = aws::sha256_hex(*body);
    }
  } else if (dedup) {
    return invalid_parameter("Value " + *dedup +
                             " for parameter MessageDeduplicationId is "
                             "invalid. Reason: The request includes a parameter that is not "
                             "valid for this queue type.");
  }
  json result;
  result["MD5OfMessageBody"] = md5_hex(*body);
  const std::string md5_attrs = attrs.is_object() && !attrs.empty() ? md5_of_attributes(attrs) : "";
  if (!md5_attrs.empty()) result["MD5OfMessageAttributes"] = md5_attrs;
  if (q.fifo) {
    if (auto seen = q.dedup.find(*dedup); seen != q.dedup.end()) {
      // A duplicate within five minutes is accepted and not queued again.
      result["MessageId"] = seen->second.second;
      result["SequenceNumber"] = "0";
      return result;
    }
  }
  if (q.messages.size() + (duplicate ? 2 : 1) > core.options.queue_messages_max ||
      q.bytes + size > core.options.queue_bytes_max)
    return SqsError{403, "OverLimit", "OverLimit",
                    "Queue " + q.name +
                        " holds its most: " + std::to_string(core.options.queue_messages_max) +
                        " messages or " + std::to_string(core.options.queue_bytes_max) +
                        " bytes (stubs.sqs.queue_messages_max, queue_bytes_max)."};
  Message m;
  m.id = core.services->rng().uuid4();
  m.body = *body;
  m.md5_body = result["MD5OfMessageBody"];
  m.md5_attributes = md5_attrs;
  if (!md5_attrs.empty()) m.attributes = attrs;
  m.system_attributes = in.params.value("MessageSystemAttributes", json());
  m.group_id = group.value_or("");
  m.dedup_id = dedup.value_or("");
  m.sender_id = "AIDAIT2UOQQY3AUEKVGXU";
  m.sent = core.now();
  m.visible_at = m.sent + seconds(delay.value_or(q.attribute_int("DelaySeconds", 0)));
  m.bytes = size;
  if (q.fifo) {
    char seq[24];
    std::snprintf(seq, sizeof seq, "%020llu", static_cast<unsigned long long>(q.next_seq));
    m.sequence_number = seq;
    result["SequenceNumber"] = m.sequence_number;
    q.dedup[*dedup] = {m.sent, m.id};
  }
  result["MessageId"] = m.id;
  for (int copies = duplicate ? 2 : 1; copies > 0; --copies) {
    m.seq = q.next_seq++;
    q.bytes += m.bytes;
    q.messages.emplace(m.seq, m);
  }
  q.counts.sent += 1;
  if (duplicate) q.counts.duplicated += 1;
  return result;
}

// Which of a message's attributes a ReceiveMessage asked for: "All", ".*", "prefix.*" or a name.
bool wanted(const json& names, const std::string& name) {
  if (!names.is_array()) return false;
  for (const auto& n : names) {
    if (!n.is_string()) continue;
    const std::string& w = n.get_ref<const std::string&>();
    if (w == "All" || w == ".*" || w == name) return true;
    if (w.size() > 2 && w.substr(w.size() - 2) == ".*" &&
        name.rfind(w.substr(0, w.size() - 1), 0) == 0)
      return true;
  }
  return false;
}

json delivered(const Message& m, const json& attribute_names, const json& message_names) {
  json out = {{"MessageId", m.id},
              {"ReceiptHandle", m.receipt},
              {"MD5OfBody", m.md5_body},
              {"Body", m.body}};
  auto ms = [](runtime::TimePoint t) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
  };
  std::map<std::string, std::string> system{
      {"SenderId", m.sender_id},
      {"SentTimestamp", ms(m.sent)},
      {"ApproximateReceiveCount", std::to_string(m.receive_count)},
      {"ApproximateFirstReceiveTimestamp", ms(m.first_received)}};
  if (!m.group_id.empty()) system["MessageGroupId"] = m.group_id;
  if (!m.sequence_number.empty()) {
    system["SequenceNumber"] = m.sequence_number;
    system["MessageDeduplicationId"] = m.dedup_id;
  }
  if (m.system_attributes.is_object() && m.system_attributes.contains("AWSTraceHeader"))
    system["AWSTraceHeader"] = m.system_attributes["AWSTraceHeader"].value("StringValue", "");
  json attrs = json::object();
  for (const auto& [k, v] : system)
    if (wanted(attribute_names, k)) attrs[k] = v;
  if (!attrs.empty()) out["Attributes"] = std::move(attrs);
  if (!m.md5_attributes.empty()) {
    out["MD5OfMessageAttributes"] = m.md5_attributes;
    json user = json::object();
    for (const auto& [k, v] : m.attributes.items())
      if (wanted(message_names, k)) user[k] = v;
    if (!user.empty()) out["MessageAttributes"] = std::move(user);
  }
  return out;
}

// Moves a message that has been received maxReceiveCount times to its dead-letter queue.
bool dead_letter(Core& core, Queue& q, std::map<std::uint64_t, Message>::iterator& it) {
  auto policy_text = q.attributes.find("RedrivePolicy");
  if (policy_text == q.attributes.end() || policy_text->second.empty()) return false;
  json policy = json::parse(policy_text->second, nullptr, false);
  if (!policy.is_object()) return false;
  const json& count = policy.value("maxReceiveCount", json());
  const std::int64_t max =
      count.is_number() ? count.get<std::int64_t>() : std::atoll(count.get<std::string>().c_str());
  if (it->second.receive_count < static_cast<std::uint64_t>(max)) return false;
  const std::string arn = policy.value("deadLetterTargetArn", "");
  auto target = core.queues.find(arn.substr(arn.rfind(':') + 1));
  if (target == core.queues.end() || arn != core.arn(target->first)) return false;
  Message m = std::move(it->second);
  q.bytes -= m.bytes;
  q.by_receipt.erase(m.receipt);
  it = q.messages.erase(it);
  q.counts.dead_lettered += 1;
  Queue& dlq = target->second;
  m.receive_count = 0;
  m.receipt.clear();
  m.visible_at = core.now();
  m.seq = dlq.next_seq++;
  dlq.bytes += m.bytes;
  dlq.counts.moved_in += 1;
  dlq.messages.emplace(m.seq, std::move(m));
  return true;
}

}  // namespace

std::optional<SqsError> put_message(Core& core, Queue& q, const std::string& body) {
  Input in;
  in.action = "SendMessage";
  in.params = {{"MessageBody", body}};
  if (q.fifo) {
    in.params["MessageGroupId"] = "config";
    in.params["MessageDeduplicationId"] = std::to_string(q.next_seq);
  }
  Result r = send_one(core, q, in, false);
  if (auto* e = std::get_if<SqsError>(&r)) return *e;
  return std::nullopt;
}

Result send_message(Core& core, const Input& in, bool duplicate) {
  auto found = core.find_queue(in);
  if (auto* e = std::get_if<SqsError>(&found)) return *e;
  core.expire(*std::get<Queue*>(found));
  return send_one(core, *std::get<Queue*>(found), in, duplicate);
}

Result send_message_batch(Core& core, const Input& in, bool duplicate) {
  auto found = core.find_queue(in);
  if (auto* e = std::get_if<SqsError>(&found)) return *e;
  Queue& q = *std::get<Queue*>(found);
  core.expire(q);
  json entries = in.params.value("Entries", json());
  if (auto e = check_batch(entries, "SendMessageBatchRequestEntry")) return *e;
  std::size_t total = 0;
  for (const auto& entry : entries) total += entry.value("MessageBody", std::string()).size();
  const auto max_size = q.attribute_int("MaximumMessageSize", 262144);
  if (static_cast<std::int64_t>(total) > max_size)
    return SqsError{400, "AWS.SimpleQueueService.BatchRequestTooLong", "BatchRequestTooLong",
                    "Batch requests cannot be longer than " + std::to_string(max_size) +
                        " bytes. You have sent " + std::to_string(total) + " bytes."};
  return each_entry(in, "SendMessageBatchRequestEntry",
                    [&](const Input& sub) { return send_one(core, q, sub, duplicate); });
}

std::variant<std::int64_t, SqsError> wait_seconds(Core& core, const Input& in) {
  auto found = core.find_queue(in);
  if (auto* e = std::get_if<SqsError>(&found)) return *e;
  auto wait = int_param(in.params, "WaitTimeSeconds");
  if (auto* e = std::get_if<SqsError>(&wait)) return *e;
  auto w = std::get<std::optional<std::int64_t>>(wait);
  if (w && (*w < 0 || *w > 20))
    return invalid_parameter(range_error(*w, "WaitTimeSeconds",
                                         "Must be >= 0 and <= 20, if "
                                         "provided."));
  return w.value_or(std::get<Queue*>(found)->attribute_int("ReceiveMessageWaitTimeSeconds", 0));
}

std::optional<Result> receive_message(Core& core, const Input& in, bool give_up) {
  auto found = core.find_queue(in);
  if (auto* e = std::get_if<SqsError>(&found)) return Result(*e);
  Queue& q = *std::get<Queue*>(found);
  auto max_param = int_param(in.params, "MaxNumberOfMessages");
  if (auto* e = std::get_if<SqsError>(&max_param)) return Result(*e);
  const auto max = std::get<std::optional<std::int64_t>>(max_param).value_or(1);
  if (max < 1 || max > 10)
    return Result(invalid_parameter(
        range_error(max, "MaxNumberOfMessages", "Must be between 1 and 10, if provided.")));
  auto vt_param = int_param(in.params, "VisibilityTimeout");
  if (auto* e = std::get_if<SqsError>(&vt_param)) return Result(*e);
  const auto vt = std::get<std::optional<std::int64_t>>(vt_param).value_or(
      q.attribute_int("VisibilityTimeout", 30));
  if (vt < 0 || vt > kVisibilityMax)
    return Result(invalid_parameter(range_error(
        vt, "VisibilityTimeout", "VisibilityTimeout must be an integer between 0 and 43200")));
  json attribute_names = in.params.value("AttributeNames", json::array());
  for (const auto& n : in.params.value("MessageSystemAttributeNames", json::array()))
    attribute_names.push_back(n);
  const json message_names = in.params.value("MessageAttributeNames", json::array());

  core.expire(q);
  const auto now = core.now();
  // In a FIFO queue a group with a message in flight (or delayed) holds back the rest of it.
  std::set<std::string> blocked;
  json messages = json::array();
  for (auto it = q.messages.begin();
       it != q.messages.end() && static_cast<std::int64_t>(messages.size()) < max;) {
    Message& m = it->second;
    if (q.fifo && blocked.contains(m.group_id)) {
      ++it;
      continue;
    }
    if (m.visible_at > now) {
      if (q.fifo) blocked.insert(m.group_id);
      ++it;
      continue;
    }
    if (dead_letter(core, q, it)) continue;
    m.receive_count += 1;
    if (m.receive_count == 1) m.first_received = now;
    m.visible_at = now + seconds(vt);
    q.by_receipt.erase(m.receipt);
    m.receipt = receipt_for(core, q, m);
    q.by_receipt[m.receipt] = m.seq;
    q.counts.received += 1;
    if (q.fifo) blocked.insert(m.group_id);
    messages.push_back(delivered(m, attribute_names, message_names));
    ++it;
  }
  if (messages.empty() && !give_up) return std::nullopt;
  if (messages.empty()) return Result(json::object());
  return Result(json{{"Messages", std::move(messages)}});
}

namespace {

Result delete_one(Queue& q, const Input& in) {
  auto handle = string_param(in.params, "ReceiptHandle");
  if (!handle) return missing_parameter("ReceiptHandle");
  auto owner = receipt_queue(*handle);
  if (!owner || *owner != q.name) return bad_receipt(*handle);
  // A handle from an earlier receive, or of a message already deleted, succeeds and does
  // nothing, as SQS does.
  if (auto it = q.by_receipt.find(*handle); it != q.by_receipt.end()) {
    auto m = q.messages.find(it->second);
    if (m != q.messages.end()) {
      q.bytes -= m->second.bytes;
      q.messages.erase(m);
      q.counts.deleted += 1;
    }
    q.by_receipt.erase(it);
  }
  return json::object();
}

Result change_one(Core& core, Queue& q, const Input& in) {
  auto handle = string_param(in.params, "ReceiptHandle");
  if (!handle) return missing_parameter("ReceiptHandle");
  auto vt_param = int_param(in.params, "VisibilityTimeout");
  if (auto* e = std::get_if<SqsError>(&vt_param)) return *e;
  auto vt = std::get<std::optional<std::int64_t>>(vt_param);
  if (!vt) return missing_parameter("VisibilityTimeout");
  if (*vt < 0 || *vt > kVisibilityMax)
    return invalid_parameter(range_error(
        *vt, "VisibilityTimeout", "VisibilityTimeout must be an integer between 0 and 43200"));
  auto owner = receipt_queue(*handle);
  if (!owner || *owner != q.name) return bad_receipt(*handle);
  auto it = q.by_receipt.find(*handle);
  auto m = it == q.by_receipt.end() ? q.messages.end() : q.messages.find(it->second);
  if (m == q.messages.end() || m->second.visible_at <= core.now())
    return SqsError{400, "AWS.SimpleQueueService.MessageNotInflight", "MessageNotInflight",
                    "Message does not exist or is not available for visibility timeout "
                    "change."};
  m->second.visible_at = core.now() + seconds(*vt);
  return json::object();
}

template <typename Op>
Result on_queue(Core& core, const Input& in, Op op) {
  auto found = core.find_queue(in);
  if (auto* e = std::get_if<SqsError>(&found)) return *e;
  return op(*std::get<Queue*>(found));
}

}  // namespace

Result delete_message(Core& core, const Input& in) {
  return on_queue(core, in, [&](Queue& q) { return delete_one(q, in); });
}

Result delete_message_batch(Core& core, const Input& in) {
  return on_queue(core, in, [&](Queue& q) {
    return each_entry(in, "DeleteMessageBatchRequestEntry",
                      [&](const Input& sub) { return delete_one(q, sub); });
  });
}

Result change_visibility(Core& core, const Input& in) {
  return on_queue(core, in, [&](Queue& q) { return change_one(core, q, in); });
}

Result change_visibility_batch(Core& core, const Input& in) {
  return on_queue(core, in, [&](Queue& q) {
    return each_entry(in, "ChangeMessageVisibilityBatchRequestEntry",
                      [&](const Input& sub) { return change_one(core, q, sub); });
  });
}

}  // namespace notify::stubs::sqs
