// The journal: a ring of the latest exchanges plus counters that never drop. Waiters keep a
// running count of the matching entries still kept, so recording stays O(waiters), not
// O(entries x waiters), under load.
#include "notify/stubs/journal.hpp"

#include "notify/runtime/assert.hpp"
#include "notify/transport/userinfo.hpp"

#include <algorithm>
#include <atomic>

namespace notify::stubs {

struct Journal::Waiter {
  JournalQuery query;
  std::size_t n = 0;
  std::size_t matched = 0;  // kept entries matching `query`; guarded by the journal's mutex
  std::function<void(bool)> done;
  // Set by whichever of "matched" and "timed out" happens first; the other does nothing.
  std::atomic<bool> finished{false};
  runtime::Clock* clock = nullptr;
  runtime::TimerId timer = 0;
};

namespace {

// Entries reserved up front at most; a journal configured larger grows as it fills.
constexpr std::size_t kReserveMax = 65'536;

}  // namespace

bool JournalQuery::matches(const JournalEntry& e) const {
  if (service && *service != e.service) return false;
  if (operation && *operation != e.operation) return false;
  if (recipient && *recipient != e.recipient) return false;
  if (reference && *reference != e.reference) return false;
  if (outcome && *outcome != e.outcome) return false;
  if (direction && *direction != e.direction) return false;
  if (parent && *parent != e.parent) return false;
  if (since && e.at < *since) return false;
  if (until && e.at >= *until) return false;
  return true;
}

Journal::Journal(JournalOptions options) : options_(options) {
  NOTIFY_ASSERT(options_.capacity > 0);
}

void Journal::record(JournalEntry entry) {
  // A send may name a receipt URL with credentials (Notify's user:pass@): what the journal keeps,
  // and the control API shows, never holds the password.
  const bool cut_off = entry.request_body.size() >= options_.body_bytes_max;
  if (entry.request_body.size() > options_.body_bytes_max) {
    entry.request_body.resize(options_.body_bytes_max);
  }
  transport::mask_url_passwords(entry.request_body, cut_off);
  transport::mask_url_passwords(entry.target);
  if (entry.response_body.size() > options_.body_bytes_max) {
    entry.response_body.resize(options_.body_bytes_max);
  }
  std::vector<std::shared_ptr<Waiter>> satisfied;
  std::vector<std::function<void()>> wakes;
  {
    std::lock_guard lock(mutex_);
    take_wakes_locked(wakes);
    ++counters_.recorded;
    ++counters_.by_service[entry.service];
    ++counters_.by_outcome[entry.service + "/" + entry.outcome];
    for (auto& w : waiters_) {
      if (w->query.matches(entry)) ++w->matched;
    }
    if (entries_.size() < options_.capacity) {
      // Room for the usual capacity at once, so filling the journal moves no entries.
      if (entries_.capacity() == 0)
        entries_.reserve(std::min<std::size_t>(options_.capacity, kReserveMax));
      entries_.push_back(std::move(entry));
    } else {
      // Full: the newest entry takes the oldest one's slot, so a full journal allocates no
      // slot per request.
      JournalEntry& oldest = entries_[head_];
      for (auto& w : waiters_) {
        if (w->query.matches(oldest)) --w->matched;
      }
      oldest = std::move(entry);
      head_ = (head_ + 1) % entries_.size();
      ++counters_.dropped;
    }
    std::erase_if(waiters_, [&](const std::shared_ptr<Waiter>& w) {
      if (w->finished.load()) return true;
      if (w->matched < w->n) return false;
      if (!w->finished.exchange(true)) satisfied.push_back(w);
      return true;
    });
  }
  changed_.notify_all();
  for (auto& w : satisfied) {
    w->clock->cancel(w->timer);
    w->done(true);
  }
  for (auto& wake : wakes) wake();
}

void Journal::take_wakes_locked(std::vector<std::function<void()>>& out) {
  for (auto& w : wakes_) out.push_back(std::move(w.second));
  wakes_.clear();
}

JournalCursor Journal::cursor(std::size_t back) const {
  std::lock_guard lock(mutex_);
  const std::uint64_t keep = std::min<std::uint64_t>(back, entries_.size());
  return {epoch_, counters_.recorded - keep};
}

JournalPage Journal::read_after(JournalCursor after, std::size_t max, std::function<void()> wake,
                                std::uint64_t* wake_id) {
  JournalPage page;
  std::lock_guard lock(mutex_);
  if (after.epoch != epoch_) {
    page.reset = true;
    after = {epoch_, 0};
  }
  // A cursor from the future (a made-up Last-Event-ID) reads from now on.
  after.recorded = std::min(after.recorded, counters_.recorded);
  const std::uint64_t first_kept = counters_.recorded - entries_.size() + 1;
  std::uint64_t from = after.recorded + 1;
  if (from < first_kept) {
    page.skipped = first_kept - from;
    from = first_kept;
  }
  page.first = from;
  for (std::uint64_t n = from; n <= counters_.recorded && page.entries.size() < max; ++n) {
    page.entries.push_back(kept(static_cast<std::size_t>(n - first_kept)));
  }
  page.next = {epoch_, from - 1 + page.entries.size()};
  if (page.entries.empty() && !page.reset && page.skipped == 0 && wake) {
    const std::uint64_t id = next_wake_++;
    wakes_.emplace_back(id, std::move(wake));
    if (wake_id != nullptr) *wake_id = id;
  }
  return page;
}

void Journal::cancel_wake(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  std::erase_if(wakes_, [id](const auto& w) { return w.first == id; });
}

std::vector<JournalEntry> Journal::query(const JournalQuery& q) const {
  std::lock_guard lock(mutex_);
  std::vector<JournalEntry> out;
  // The newest `limit` matches are the interesting ones in a ring that is dropping old entries;
  // they are returned oldest first.
  for (std::size_t i = entries_.size(); i > 0 && out.size() < q.limit; --i) {
    const JournalEntry& e = kept(i - 1);
    if (q.matches(e)) out.push_back(e);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::size_t Journal::count(const JournalQuery& q) const {
  std::lock_guard lock(mutex_);
  return count_locked(q);
}

std::size_t Journal::count_locked(const JournalQuery& q) const {
  // Order does not matter for a count, so the ring is read as it lies.
  return static_cast<std::size_t>(std::count_if(
      entries_.begin(), entries_.end(), [&](const JournalEntry& e) { return q.matches(e); }));
}

JournalCounters Journal::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

std::size_t Journal::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

bool Journal::wait_for(const JournalQuery& q, std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    std::size_t matched = 0;
    for (const auto& e : entries_) {
      if (q.matches(e) && ++matched >= n) return true;
    }
    return matched >= n;
  });
}

void Journal::async_wait(const JournalQuery& q, std::size_t n, runtime::Clock& clock,
                         runtime::Duration timeout, std::function<void(bool)> done) {
  NOTIFY_ASSERT(done);
  auto w = std::make_shared<Waiter>();
  w->query = q;
  w->n = n;
  w->done = std::move(done);
  w->clock = &clock;
  // The timer is armed before the waiter is visible to record(), so record() always has a
  // timer id to cancel. The timer touches only the waiter, never the journal, so it is safe
  // even if it fires after the journal is gone.
  w->timer = clock.schedule_after(timeout, [w] {
    if (!w->finished.exchange(true)) w->done(false);
  });
  bool already = false;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(waiters_, [](const std::shared_ptr<Waiter>& x) { return x->finished.load(); });
    w->matched = count_locked(q);
    if (w->matched >= n) {
      already = !w->finished.exchange(true);
    } else if (!w->finished.load()) {
      waiters_.push_back(w);
    }
  }
  if (already) {
    clock.cancel(w->timer);
    w->done(true);
  }
}

void Journal::clear() {
  std::vector<std::function<void()>> wakes;
  {
    std::lock_guard lock(mutex_);
    take_wakes_locked(wakes);
    ++epoch_;
    entries_.clear();
    head_ = 0;
    counters_ = JournalCounters{};
    for (auto& w : waiters_) w->matched = 0;
  }
  changed_.notify_all();
  for (auto& wake : wakes) wake();
}

}  // namespace notify::stubs
