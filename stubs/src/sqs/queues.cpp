// Queue operations: CreateQueue, GetQueueUrl, ListQueues, Get/SetQueueAttributes, PurgeQueue,
// DeleteQueue and the tag operations, with SQS's names, ranges and errors for attributes.
#include "core.hpp"

#include <algorithm>
#include <charconv>

namespace notify::stubs::sqs {

namespace {

using nlohmann::json;

constexpr auto kRecreateAfter = std::chrono::seconds(60);
constexpr auto kPurgeEvery = std::chrono::seconds(60);

struct Range {
  std::int64_t lo, hi;
};

// The settable integer attributes, their ranges and defaults (SQS's SetQueueAttributes).
const std::map<std::string, std::pair<Range, std::int64_t>>& int_attributes() {
  static const std::map<std::string, std::pair<Range, std::int64_t>> m{
      {"DelaySeconds", {{0, 900}, 0}},
      {"MaximumMessageSize", {{1024, 1048576}, 262144}},
      {"MessageRetentionPeriod", {{60, 1209600}, 345600}},
      {"ReceiveMessageWaitTimeSeconds", {{0, 20}, 0}},
      {"VisibilityTimeout", {{0, 43200}, 30}},
      {"KmsDataKeyReusePeriodSeconds", {{60, 86400}, 300}}};
  return m;
}

const std::set<std::string>& other_attributes() {
  static const std::set<std::string> s{"RedrivePolicy",
                                       "RedriveAllowPolicy",
                                       "Policy",
                                       "KmsMasterKeyId",
                                       "SqsManagedSseEnabled",
                                       "FifoQueue",
                                       "ContentBasedDeduplication",
                                       "DeduplicationScope",
                                       "FifoThroughputLimit"};
  return s;
}

const std::set<std::string>& read_only_attributes() {
  static const std::set<std::string> s{"ApproximateNumberOfMessages",
                                       "ApproximateNumberOfMessagesNotVisible",
                                       "ApproximateNumberOfMessagesDelayed",
                                       "CreatedTimestamp",
                                       "LastModifiedTimestamp",
                                       "QueueArn"};
  return s;
}

SqsError bad_attribute_value(const std::string& name) {
  return SqsError{400, "InvalidAttributeValue", "InvalidAttributeValue",
                  "Invalid value for the parameter " + name + "."};
}

SqsError unknown_attribute(const std::string& name) {
  return SqsError{400, "InvalidAttributeName", "InvalidAttributeName",
                  "Unknown Attribute " + name + "."};
}

std::string epoch_seconds(runtime::TimePoint t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

bool valid_name(const std::string& name, bool fifo) {
  std::string_view base = name;
  if (fifo) {
    if (base.size() < 5 || base.substr(base.size() - 5) != ".fifo") return false;
    base.remove_suffix(5);
  }
  if (name.empty() || name.size() > 80 || base.empty()) return false;
  return std::all_of(base.begin(), base.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

}  // namespace

std::optional<SqsError> check_attribute(const std::string& name, const json& raw, bool fifo,
                                        bool creating) {
  if (read_only_attributes().contains(name) ||
      (!int_attributes().contains(name) && !other_attributes().contains(name)))
    return unknown_attribute(name);
  if (!raw.is_string()) return bad_attribute_value(name);
  const std::string& v = raw.get_ref<const std::string&>();
  if (auto it = int_attributes().find(name); it != int_attributes().end()) {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size() || n < it->second.first.lo ||
        n > it->second.first.hi)
      return bad_attribute_value(name);
    return std::nullopt;
  }
  if (name == "FifoQueue") {
    if (!creating) return bad_attribute_value(name);
    if (v != "true" && v != "false") return bad_attribute_value(name);
  }
  if (name == "ContentBasedDeduplication" || name == "SqsManagedSseEnabled") {
    if (v != "true" && v != "false") return bad_attribute_value(name);
    if (name == "ContentBasedDeduplication" && !fifo) return unknown_attribute(name);
  }
  if ((name == "DeduplicationScope" || name == "FifoThroughputLimit") && !fifo)
    return unknown_attribute(name);
  if (name == "RedrivePolicy" && !v.empty()) {
    json policy = json::parse(v, nullptr, false);
    if (policy.is_discarded() || !policy.is_object())
      return invalid_parameter("Value " + v +
                               " for parameter RedrivePolicy is invalid. Reason: "
                               "Redrive policy is not a valid JSON map.");
    const json& count = policy.value("maxReceiveCount", json());
    std::int64_t n = count.is_number_integer() ? count.get<std::int64_t>()
                     : count.is_string()       ? std::atoll(count.get<std::string>().c_str())
                                               : 0;
    if (!policy.contains("deadLetterTargetArn") || !policy["deadLetterTargetArn"].is_string())
      return invalid_parameter("Value " + v +
                               " for parameter RedrivePolicy is invalid. Reason: "
                               "Redrive policy does not contain mandatory attribute: "
                               "deadLetterTargetArn.");
    if (n < 1 || n > 1000)
      return invalid_parameter("Value " + v +
                               " for parameter RedrivePolicy is invalid. Reason: "
                               "Invalid value for maxReceiveCount: " +
                               count.dump() + ", valid values are from 1 to 1000 both inclusive.");
  }
  return std::nullopt;
}

namespace {

json attributes_of(const Core& core, const Queue& q, const json& names) {
  std::set<std::string> wanted;
  bool all = false;
  if (names.is_array())
    for (const auto& n : names)
      if (n.is_string()) {
        if (n == "All") all = true;
        wanted.insert(n.get<std::string>());
      }
  SqsQueueView v = core.view(q);
  std::map<std::string, std::string> a = q.attributes;
  a["ApproximateNumberOfMessages"] = std::to_string(v.visible);
  a["ApproximateNumberOfMessagesNotVisible"] = std::to_string(v.in_flight);
  a["ApproximateNumberOfMessagesDelayed"] = std::to_string(v.delayed);
  a["CreatedTimestamp"] = epoch_seconds(q.created);
  a["LastModifiedTimestamp"] = epoch_seconds(q.modified);
  a["QueueArn"] = core.arn(q.name);
  json out = json::object();
  for (const auto& [k, val] : a)
    if (all || wanted.contains(k)) out[k] = val;
  return out;
}

}  // namespace

std::int64_t Queue::attribute_int(const std::string& name, std::int64_t fallback) const {
  auto it = attributes.find(name);
  if (it == attributes.end()) return fallback;
  return std::atoll(it->second.c_str());
}

std::variant<Queue*, SqsError> Core::find_queue(const Input& in) {
  std::string path;
  if (auto url = string_param(in.params, "QueueUrl")) {
    std::string_view u = *url;
    auto scheme = u.find("://");
    if (scheme != std::string_view::npos) {
      auto slash = u.find('/', scheme + 3);
      u = slash == std::string_view::npos ? std::string_view() : u.substr(slash);
    }
    path = std::string(u.substr(0, u.find('?')));
  } else if (in.protocol == Protocol::query && in.path.size() > 1) {
    path = in.path;
  } else {
    return missing_parameter("QueueUrl");
  }
  const std::string prefix = "/" + options.account + "/";
  if (path.rfind(prefix, 0) != 0) return no_such_queue();
  auto it = queues.find(path.substr(prefix.size()));
  if (it == queues.end()) return no_such_queue();
  return &it->second;
}

SqsQueueView Core::view(const Queue& q) const {
  SqsQueueView v = q.counts;
  v.name = q.name;
  v.url_path = "/" + options.account + "/" + q.name;
  v.bytes = q.bytes;
  const auto t = now();
  for (const auto& [seq, m] : q.messages) {
    if (m.visible_at <= t)
      v.visible += 1;
    else if (m.receive_count > 0)
      v.in_flight += 1;
    else
      v.delayed += 1;
  }
  return v;
}

void Core::expire(Queue& q) {
  const auto retention = std::chrono::seconds(q.attribute_int("MessageRetentionPeriod", 345600));
  const auto t = now();
  for (auto it = q.messages.begin(); it != q.messages.end();) {
    if (it->second.sent + retention > t) break;  // later arrivals are younger
    q.bytes -= it->second.bytes;
    q.by_receipt.erase(it->second.receipt);
    q.counts.expired += 1;
    it = q.messages.erase(it);
  }
  // Deduplication ids count for five minutes.
  for (auto it = q.dedup.begin(); it != q.dedup.end();)
    it = it->second.first + std::chrono::minutes(5) <= t ? q.dedup.erase(it) : std::next(it);
}

std::optional<runtime::TimePoint> Core::next_visible(const Queue& q) const {
  const auto t = now();
  std::optional<runtime::TimePoint> next;
  for (const auto& [seq, m] : q.messages)
    if (m.visible_at > t && (!next || m.visible_at < *next)) next = m.visible_at;
  return next;
}

void Core::create_default_queues() {
  for (const auto& name : options.queues) {
    if (queues.contains(name)) continue;
    Queue q;
    q.name = name;
    q.fifo = name.size() > 5 && name.substr(name.size() - 5) == ".fifo";
    for (const auto& [k, d] : int_attributes())
      if (k != "KmsDataKeyReusePeriodSeconds") q.attributes[k] = std::to_string(d.second);
    if (q.fifo) {
      q.attributes["FifoQueue"] = "true";
      q.attributes["ContentBasedDeduplication"] = "false";
    }
    q.attributes["SqsManagedSseEnabled"] = "true";
    if (auto a = options.queue_attributes.find(name); a != options.queue_attributes.end())
      for (const auto& [k, v] : a->second) q.attributes[k] = v;
    q.created = q.modified = now();
    Queue& created = queues.emplace(name, std::move(q)).first->second;
    // Checked when configured; a body past a limit is left out, as SendMessage would refuse it.
    if (auto m = options.messages.find(name); m != options.messages.end())
      for (const auto& body : m->second) (void)put_message(*this, created, body);
  }
}

void Core::apply_queue_config(const std::set<std::string>& existing) {
  for (const auto& [name, attrs] : options.queue_attributes)
    if (auto q = queues.find(name); existing.contains(name) && q != queues.end())
      for (const auto& [k, v] : attrs) q->second.attributes[k] = v;
  for (const auto& [name, bodies] : options.messages)
    if (auto q = queues.find(name); existing.contains(name) && q != queues.end())
      for (const auto& body : bodies) (void)put_message(*this, q->second, body);
}

Result create_queue(Core& core, const Input& in) {
  auto name = string_param(in.params, "QueueName");
  if (!name) return missing_parameter("QueueName");
  json attrs = in.params.value("Attributes", json::object());
  if (!attrs.is_object()) return invalid_parameter("Attributes must be a map of names to values.");
  const bool fifo = attrs.value("FifoQueue", json("false")) == json("true");
  if (!valid_name(*name, fifo))
    return invalid_parameter(
        fifo ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
               "underscores, must end with .fifo suffix and be 1 to 80 in length."
             : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in "
               "length");
  for (const auto& [k, v] : attrs.items())
    if (auto e = check_attribute(k, v, fifo, true)) return *e;
  if (auto it = core.queues.find(*name); it != core.queues.end()) {
    for (const auto& [k, v] : attrs.items()) {
      auto have = it->second.attributes.find(k);
      if (have == it->second.attributes.end() || have->second != v.get<std::string>())
        return SqsError{400, "QueueAlreadyExists", "QueueNameExists",
                        "A queue already exists with the same name and a different value for "
                        "attribute " +
                            k};
    }
    return json{{"QueueUrl", core.url(in, *name)}};
  }
  if (auto d = core.deleted_at.find(*name);
      d != core.deleted_at.end() && d->second + kRecreateAfter > core.now())
    return SqsError{400, "AWS.SimpleQueueService.QueueDeletedRecently", "QueueDeletedRecently",
                    "You must wait 60 seconds after deleting a queue before you can create "
                    "another with the same name."};
  if (core.queues.size() >= core.options.queues_max)
    return SqsError{403, "OverLimit", "OverLimit",
                    "Too many queues: this endpoint holds at most " +
                        std::to_string(core.options.queues_max) + " (stubs.sqs.queues_max)."};
  core.options.queues.push_back(*name);
  core.create_default_queues();
  core.options.queues.pop_back();
  Queue& q = core.queues.at(*name);
  for (const auto& [k, v] : attrs.items()) q.attributes[k] = v.get<std::string>();
  // The Query protocol's Tag.N members arrive as "Tags"; the JSON protocol names them "tags".
  for (const char* key : {"Tags", "tags"})
    if (in.params.contains(key) && in.params[key].is_object())
      for (const auto& [k, v] : in.params[key].items())
        if (v.is_string()) q.tags[k] = v.get<std::string>();
  return json{{"QueueUrl", core.url(in, *name)}};
}

Result get_queue_url(Core& core, const Input& in) {
  auto name = string_param(in.params, "QueueName");
  if (!name) return missing_parameter("QueueName");
  if (!core.queues.contains(*name)) return no_such_queue();
  return json{{"QueueUrl", core.url(in, *name)}};
}

Result list_queues(Core& core, const Input& in) {
  const std::string prefix = string_param(in.params, "QueueNamePrefix").value_or("");
  auto max = int_param(in.params, "MaxResults");
  if (auto* e = std::get_if<SqsError>(&max)) return *e;
  auto limit = std::get<std::optional<std::int64_t>>(max);
  if (limit && (*limit < 1 || *limit > 1000))
    return invalid_parameter("Value " + std::to_string(*limit) +
                             " for parameter MaxResults is invalid. Reason: MaxResults must be "
                             "an integer between 1 and 1000.");
  std::string after;
  if (auto token = string_param(in.params, "NextToken")) {
    auto decoded = base64_decode(*token);
    if (!decoded) return invalid_parameter("Invalid NextToken value.");
    after = *decoded;
  }
  json urls = json::array();
  json out = json::object();
  for (auto it = core.queues.upper_bound(after); it != core.queues.end(); ++it) {
    if (it->first.rfind(prefix, 0) != 0) continue;
    if (static_cast<std::int64_t>(urls.size()) == limit.value_or(1000)) {
      if (limit) out["NextToken"] = base64_encode(std::prev(it)->first);
      break;
    }
    urls.push_back(core.url(in, it->first));
  }
  if (!urls.empty()) out["QueueUrls"] = std::move(urls);
  return out;
}

Result get_queue_attributes(Core& core, const Input& in) {
  auto found = core.find_queue(in);
  if (auto* e = std::get_if<SqsError>(&found)) return *e;
  Queue& q = *std::get<Queue*>(found);
  core.expire(q);
  json names = in.params.value("AttributeNames", json::array());
  if (names.is_array())
    for (const auto& n : names) {
      if (!n.is_string()) return invalid_parameter("AttributeNames must be a list of names.");
      const std::string s = n.get<std::string>();
      if (s != "All" && !q.attributes.contains(s) && !read_only_attributes().contains(s) &&
          !int_attributes().contains(s) && !other_attributes().contains(s))
        return unknown_attribute(s);
    }
  json attrs = attributes_of(core, q, names);
  if (attrs.empty()) return json::object();
  return json{{"Attributes", attrs}};
}

Result set_queue_attributes(Core& core, const Input& in) {
  auto found = core.find_queue(in);
  if (auto* e = std::get_if<SqsError>(&found)) return *e;
  Queue& q = *std::get<Queue*>(found);
  json attrs = in.params.value("Attributes", json());
  if (!attrs.is_object()) return missing_parameter("Attributes");
  for (const auto& [k, v] : attrs.items())
    if (auto e = check_attribute(k, v, q.fifo, false)) return *e;
  for (const auto& [k, v] : attrs.items()) q.attributes[k] = v.get<std::string>();
  q.modified = core.now();
  return json::object();
}

Result delete_queue(Core& core, const Input& in) {
  auto found = core.find_queue(in);
  if (auto* e = std::get_if<SqsError>(&found)) return *e;
  const std::string name = std::get<Queue*>(found)->name;
  core.queues.erase(name);
  core.deleted_at[name] = core.now();
  return json::object();
}

Result purge_queue(Core& core, const Input& in) {
  auto found = core.find_queue(in);
  if (auto* e = std::get_if<SqsError>(&found)) return *e;
  Queue& q = *std::get<Queue*>(found);
  if (q.purged_at && *q.purged_at + kPurgeEvery > core.now())
    return SqsError{403, "AWS.SimpleQueueService.PurgeQueueInProgress", "PurgeQueueInProgress",
                    "Only one PurgeQueue operation on " + q.name + " is allowed every 60 seconds."};
  q.counts.expired += q.messages.size();
  q.messages.clear();
  q.by_receipt.clear();
  q.bytes = 0;
  q.purged_at = core.now();
  return json::object();
}

Result tag_ops(Core& core, const Input& in) {
  auto found = core.find_queue(in);
  if (auto* e = std::get_if<SqsError>(&found)) return *e;
  Queue& q = *std::get<Queue*>(found);
  if (in.action == "ListQueueTags") {
    json tags = json::object();
    for (const auto& [k, v] : q.tags) tags[k] = v;
    return tags.empty() ? json::object() : json{{"Tags", tags}};
  }
  if (in.action == "TagQueue") {
    json tags = in.params.value("Tags", json());
    if (!tags.is_object()) return missing_parameter("Tags");
    for (const auto& [k, v] : tags.items())
      if (v.is_string()) q.tags[k] = v.get<std::string>();
    return json::object();
  }
  if (in.action == "UntagQueue") {
    json keys = in.params.value("TagKeys", json());
    if (!keys.is_array()) return missing_parameter("TagKeys");
    for (const auto& k : keys)
      if (k.is_string()) q.tags.erase(k.get<std::string>());
    return json::object();
  }
  // ListDeadLetterSourceQueues: the queues whose RedrivePolicy names this one.
  json urls = json::array();
  for (const auto& [name, other] : core.queues) {
    auto it = other.attributes.find("RedrivePolicy");
    if (it == other.attributes.end()) continue;
    json policy = json::parse(it->second, nullptr, false);
    if (policy.is_object() && policy.value("deadLetterTargetArn", "") == core.arn(q.name))
      urls.push_back(core.url(in, name));
  }
  return json{{"queueUrls", urls}};
}

}  // namespace notify::stubs::sqs
