// The SQS stub's chaos check (StubSpec::chaos_check): after a chaos run, the queues' counters in
// the report's stub_state against the journal's accepted sends.
#include "chaos_check.hpp"

#include "notify/stubs/sqs.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace notify::stubs {

namespace {

using nlohmann::json;

const json kNoArray = json::array();
const json kNoObject = json::object();

}  // namespace

// Every message that reached a queue of the SQS stub was deleted by a consumer, dead-lettered,
// expired or is still in a queue at the end, and every one the stub stored is a send the journal
// shows it accepted (or a second copy a sqs.duplicate_delivery fault asked for). Returns whether
// a queue still holds messages: events not yet consumed, like a lost callback.
bool check_queues(const json& scenario, const json& report, const ChaosViolation& out) {
  const json& state =
      report_member(report_member(report, "stub_state", kNoObject), "sqs", kNoObject);
  const json& queues = report_member(state, "queues", kNoArray);
  if (queues.empty()) return false;
  auto violation = [&](const std::string& detail) {
    out("queue_messages_accounted", "sqs: " + detail);
  };
  // Accepted sends (the stub answered with a MessageId, perhaps on a cut connection) by queue.
  struct Sends {
    std::uint64_t accepted = 0, duplicated = 0;
    bool batches = false;
  };
  std::map<std::string, Sends> sends;
  for (const auto& e : report_member(report, "journal", kNoArray)) {
    if (e.value("service", "") != "sqs" || e.value("direction", "in") != "in") continue;
    const std::string operation = e.value("operation", "");
    Sends& s = sends[e.value("recipient", "")];
    if (operation == "SendMessageBatch") s.batches = true;
    if (operation != "SendMessage" || e.value("reference", "").empty()) continue;
    s.accepted += 1;
    if (e.value("outcome", "") == std::string("error:") + kSqsDuplicateDelivery) s.duplicated += 1;
  }
  const bool journal_whole = report.value("journal_dropped", std::uint64_t{0}) == 0;
  const json& seeded =
      report_member(report_member(report_member(scenario, "stubs", kNoObject), "sqs", kNoObject),
                    "messages", kNoObject);
  std::uint64_t dead_lettered = 0, moved_in = 0;
  bool held = false;
  for (const auto& q : queues) {
    const std::string name = q.value("name", "");
    auto n = [&q](const char* key) { return q.value(key, std::uint64_t{0}); };
    const std::uint64_t in = n("sent") + n("duplicated") + n("moved_in");
    const std::uint64_t now_held = n("visible") + n("in_flight") + n("delayed");
    const std::uint64_t gone = n("deleted") + n("dead_lettered") + n("expired");
    if (in != gone + now_held)
      violation("queue " + name + " took in " + std::to_string(in) + " messages (sent " +
                std::to_string(n("sent")) + ", duplicated " + std::to_string(n("duplicated")) +
                ", moved in " + std::to_string(n("moved_in")) + ") but " + std::to_string(gone) +
                " left it and it holds " + std::to_string(now_held));
    dead_lettered += n("dead_lettered");
    moved_in += n("moved_in");
    held = held || now_held > 0;
    // FIFO queues take a repeated deduplication id without storing it, and a batch names no
    // MessageId in the journal: the journal's count holds for plain SendMessage to other queues.
    const bool fifo = name.size() > 5 && name.compare(name.size() - 5, 5, ".fifo") == 0;
    const Sends& s = sends[name];
    const std::uint64_t seeds = report_member(seeded, name.c_str(), kNoArray).size();
    if (journal_whole && !fifo && !s.batches &&
        (n("sent") != s.accepted + seeds || n("duplicated") != s.duplicated))
      violation("queue " + name + " stored " + std::to_string(n("sent")) + " sends and " +
                std::to_string(n("duplicated")) + " second copies, but the journal shows " +
                std::to_string(s.accepted) + " accepted SendMessage (" +
                std::to_string(s.duplicated) + " with sqs.duplicate_delivery)" +
                (seeds > 0 ? " and " + std::to_string(seeds) + " from stubs.sqs.messages" : ""));
  }
  if (dead_lettered != moved_in)
    violation(std::to_string(dead_lettered) + " messages dead-lettered but " +
              std::to_string(moved_in) + " arrived in dead-letter queues");
  return held || dead_lettered > 0;
}

}  // namespace notify::stubs
