// Journal: a bounded record of what each stub received and answered, queryable, with a wait-for
// so tests block on a condition instead of polling or sleeping.
#pragma once

#include "notify/runtime/clock.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace notify::stubs {

struct JournalEntry {
  std::uint64_t seq = 0;         // request sequence number, from 1, never reused until reset
  std::uint64_t parent = 0;      // the request that caused this one (a stub's call or callback)
  std::string direction = "in";  // "in": received at the edge; "out": sent by a stub
  runtime::TimePoint at;
  std::string service;
  std::string operation;
  std::string provider;
  std::string az;
  std::string recipient;
  std::string reference;  // what the stub answered with: MessageId, Reference, ...
  std::string method;
  std::string target;
  int status = 0;                   // HTTP status answered; 0 when no response was written
  std::string outcome;              // "ok", "error:<name>", "refused", "reset", "hung", "truncated"
  std::vector<std::string> faults;  // ids of the rules that fired
  std::string request_body;         // at most JournalOptions::body_bytes_max
  std::string response_body;        // at most JournalOptions::body_bytes_max
};

struct JournalQuery {
  std::optional<std::string> service, operation, recipient, reference, outcome, direction;
  std::optional<std::uint64_t> parent;
  std::optional<runtime::TimePoint> since, until;  // [since, until)
  std::size_t limit = SIZE_MAX;
  bool matches(const JournalEntry& e) const;
};

struct JournalOptions {
  std::size_t capacity = 10'000;      // entries kept; older ones drop (counters never do)
  std::size_t body_bytes_max = 4096;  // per body kept in an entry
  /// The most a configuration may ask for: a full journal of whole bodies stays within a few
  /// gigabytes.
  static constexpr std::size_t kCapacityLimit = 1'000'000;
  static constexpr std::size_t kBodyBytesLimit = 1 << 20;
};

struct JournalCounters {
  std::uint64_t recorded = 0;
  std::uint64_t dropped = 0;
  std::map<std::string, std::uint64_t> by_service;
  std::map<std::string, std::uint64_t> by_outcome;  // key "service/outcome"
};

/// A place in the order entries were recorded: the `recorded`-th entry since the `epoch`-th
/// clear(). Streams of the journal resume from one.
struct JournalCursor {
  std::uint64_t epoch = 0;
  std::uint64_t recorded = 0;
};

/// What Journal::read_after() found.
struct JournalPage {
  std::vector<JournalEntry> entries;  // oldest first; entries[i] is record number first + i
  std::uint64_t first = 0;
  JournalCursor next;         // where the next read starts
  std::uint64_t skipped = 0;  // entries after the cursor that the journal no longer keeps
  bool reset = false;         // the journal was cleared since the cursor: it reads from the start
};

/// Thread-safe.
class Journal {
 public:
  explicit Journal(JournalOptions options = {});

  void record(JournalEntry entry);
  /// The newest `q.limit` kept entries that match, oldest first.
  std::vector<JournalEntry> query(const JournalQuery& q) const;
  std::size_t count(const JournalQuery& q) const;
  JournalCounters counters() const;
  std::size_t size() const;
  const JournalOptions& options() const { return options_; }

  /// Blocks (real time) until `n` entries kept in the journal match `q`, or `timeout`.
  /// Returns whether the condition held.
  bool wait_for(const JournalQuery& q, std::size_t n, std::chrono::milliseconds timeout);
  /// Calls `done(true)` once `n` kept entries match, or `done(false)` at `timeout` on `clock`.
  /// `done` runs on the thread that records the matching entry or on the clock's thread.
  void async_wait(const JournalQuery& q, std::size_t n, runtime::Clock& clock,
                  runtime::Duration timeout, std::function<void(bool)> done);

  /// The cursor after the newest entry, or `back` entries before it.
  JournalCursor cursor(std::size_t back = 0) const;
  /// At most `max` kept entries recorded after `after`. When there are none and `wake` is set,
  /// `wake` is called once, on the thread of the next record() or clear(), and its id is
  /// returned in `wake_id` for cancel_wake(). Reading and arming are one step, so no entry
  /// recorded in between is missed.
  JournalPage read_after(JournalCursor after, std::size_t max, std::function<void()> wake = {},
                         std::uint64_t* wake_id = nullptr);
  /// Forgets a wake armed by read_after(); harmless when it has already been called.
  void cancel_wake(std::uint64_t id);

  void clear();

 private:
  struct Waiter;
  void notify_waiters_locked(std::vector<std::function<void()>>& out);

  JournalOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  // The kept entries, oldest first from head_: a ring once capacity entries are kept.
  std::vector<JournalEntry> entries_;
  std::size_t head_ = 0;
  const JournalEntry& kept(std::size_t i) const { return entries_[(head_ + i) % entries_.size()]; }
  std::size_t count_locked(const JournalQuery& q) const;
  JournalCounters counters_;
  std::vector<std::shared_ptr<Waiter>> waiters_;
  std::uint64_t epoch_ = 0;  // clear() calls
  std::uint64_t next_wake_ = 1;
  std::vector<std::pair<std::uint64_t, std::function<void()>>> wakes_;
  void take_wakes_locked(std::vector<std::function<void()>>& out);
};

nlohmann::json to_json(const JournalEntry& e);
/// Builds a query from URL query parameters or a JSON object (service, operation, recipient,
/// reference, outcome, since_ms/until_ms relative to `origin`, limit). Numbers may be given as
/// strings. "count" and "timeout_ms" (read by /journal/wait) are accepted and ignored; other
/// keys are errors. An error message starts with the field name and ": ".
std::optional<std::string> parse_journal_query(const nlohmann::json& j, runtime::TimePoint origin,
                                               JournalQuery& out);

}  // namespace notify::stubs
