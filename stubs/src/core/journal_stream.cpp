// GET /journal/stream: the journal as server-sent events, for the console and for anything that
// would otherwise poll /journal. Each event is one entry; its id is the entry's place in the
// record order, so a client that reconnects with Last-Event-ID misses nothing the journal still
// keeps. The stream holds a cursor, never a queue: a slow reader costs one batch of memory, and
// one that falls further behind than the journal keeps is told how many entries it missed.
//
// A viewer (the console) asks for a paced stream: `interval_ms` gathers what is recorded in
// that time into one piece, and `latest` skips to the newest entries when more are waiting, so
// a flood at the edge costs the stream a few pieces a second, not one per request.
#include "notify/stubs/host.hpp"

#include "replies.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <mutex>

namespace notify::stubs {

namespace {

using nlohmann::json;

struct StreamPacing {
  runtime::Duration interval{0};
  std::size_t latest = 0;  // 0: every entry
};

// "EPOCH.RECORDED", as the stream writes ids.
std::optional<JournalCursor> parse_event_id(std::string_view id) {
  auto dot = id.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  JournalCursor c;
  auto a = std::from_chars(id.data(), id.data() + dot, c.epoch);
  auto b = std::from_chars(id.data() + dot + 1, id.data() + id.size(), c.recorded);
  if (a.ec != std::errc() || a.ptr != id.data() + dot || b.ec != std::errc() ||
      b.ptr != id.data() + id.size()) {
    return std::nullopt;
  }
  return c;
}

class JournalStream final : public transport::BodyStream,
                            public std::enable_shared_from_this<JournalStream> {
 public:
  JournalStream(Journal& journal, runtime::Clock& clock, std::shared_ptr<std::atomic<bool>> alive,
                std::shared_ptr<std::atomic<std::size_t>> open, JournalCursor cursor,
                StreamPacing pacing)
      : journal_(journal),
        clock_(clock),
        alive_(std::move(alive)),
        open_(std::move(open)),
        cursor_(cursor),
        pacing_(pacing),
        piece_max_(pacing.latest > 0 ? pacing.latest : StubHost::kStreamBatchMax) {
    ++*open_;
  }
  ~JournalStream() override { --*open_; }

  void pull(Next next) override {
    std::string piece;
    {
      std::lock_guard lock(mutex_);
      if (cancelled_) return;
      if (alive_->load()) {
        if (wait_for_interval(next)) return;
        // A client learns the reconnection delay before anything else.
        if (!started_) piece = "retry: 1000\n\n";
        started_ = true;
        if (!write_entries(next, piece)) return;  // the wake is armed
      }
    }
    if (piece.empty()) return next(std::nullopt);  // the host is gone: the body ends
    next(std::move(piece));
  }

  void cancel() override {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    if (!alive_->load()) return;
    if (wake_id_ != 0) journal_.cancel_wake(wake_id_);
    if (timer_id_ != 0) clock_.cancel(timer_id_);
  }

 private:
  // A paced stream that sent entries less than an interval ago waits out the rest of it; what
  // is recorded meanwhile goes in the next piece. mutex_ held.
  bool wait_for_interval(const Next& next) {
    if (pacing_.interval.count() <= 0 || !live_) return false;
    const runtime::TimePoint now = clock_.now();
    if (now >= not_before_) return false;
    std::weak_ptr<JournalStream> weak = weak_from_this();
    timer_id_ = clock_.schedule_after(not_before_ - now, [weak, next] {
      if (auto self = weak.lock()) self->pull(next);
    });
    return true;
  }

  // Appends the waiting entries (and reset, gap and live events) to `piece`. Returns false when
  // there was nothing to write and the journal will wake the stream instead. mutex_ held.
  bool write_entries(const Next& next, std::string& piece) {
    std::uint64_t skipped = 0;
    if (pacing_.latest > 0 && live_) {
      // More than `latest` waiting: the older ones are skipped, and the reader is told.
      const JournalCursor newest = journal_.cursor(pacing_.latest);
      if (newest.epoch == cursor_.epoch && newest.recorded > cursor_.recorded) {
        skipped = newest.recorded - cursor_.recorded;
        cursor_ = newest;
      }
    }
    // Only an empty read arms the wake: then the next record() pulls again.
    const bool may_wait = piece.empty() && skipped == 0 && live_;
    std::weak_ptr<JournalStream> weak = weak_from_this();
    auto wake = [weak, next] {
      if (auto self = weak.lock()) self->pull(next);
    };
    JournalPage page = journal_.read_after(
        cursor_, piece_max_, may_wait ? std::function<void()>(wake) : nullptr, &wake_id_);
    cursor_ = page.next;
    skipped += page.skipped;
    if (page.reset) piece += "event: reset\ndata: {}\n\n";
    if (skipped > 0)
      piece += "event: gap\ndata: {\"skipped\": " + std::to_string(skipped) + "}\n\n";
    for (std::size_t i = 0; i < page.entries.size(); ++i) {
      piece += "id: " + std::to_string(page.next.epoch) + "." + std::to_string(page.first + i) +
               "\nevent: entry\ndata: ";
      piece += to_json(page.entries[i]).dump(-1, ' ', false, json::error_handler_t::replace);
      piece += "\n\n";
    }
    if (!page.entries.empty()) not_before_ = clock_.now() + pacing_.interval;
    // Everything kept when the stream opened has been sent: what follows is new.
    if (!live_ && page.entries.size() < piece_max_) {
      live_ = true;
      piece += "event: live\ndata: {}\n\n";
    }
    return !piece.empty();
  }

  Journal& journal_;
  runtime::Clock& clock_;
  std::shared_ptr<std::atomic<bool>> alive_;
  std::shared_ptr<std::atomic<std::size_t>> open_;
  std::mutex mutex_;
  JournalCursor cursor_;
  StreamPacing pacing_;
  std::size_t piece_max_;
  std::uint64_t wake_id_ = 0;
  runtime::TimerId timer_id_ = 0;
  runtime::TimePoint not_before_{};
  bool started_ = false;
  bool live_ = false;
  bool cancelled_ = false;
};

// A whole number from `low` to `high`, or an error naming the parameter and the range.
std::optional<std::size_t> whole(const std::string& value, std::size_t low, std::size_t high) {
  std::size_t n = 0;
  auto r = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || r.ec != std::errc() || r.ptr != value.data() + value.size() || n < low ||
      n > high) {
    return std::nullopt;
  }
  return n;
}

}  // namespace

void StubHost::control_journal_stream(transport::Request& request,
                                      transport::Responder& respond) {
  if (request.method != "GET") {
    transport::Reply reply = detail::error_reply(
        405, "method " + request.method + " is not allowed on /journal/stream; expected GET");
    reply.response.headers.set("Allow", "GET");
    return respond(std::move(reply));
  }
  auto form = transport::parse_form(request.query());
  if (!form) {
    return respond(detail::error_reply(400, "malformed percent-escape in the query string",
                                       "query"));
  }
  const std::size_t capacity = journal_.options().capacity;
  std::size_t backlog = std::min(kStreamBacklogDefault, capacity);
  std::optional<std::string> last_id;
  if (auto header = request.headers.get("Last-Event-ID")) last_id = std::string(*header);
  StreamPacing pacing;
  for (const auto& field : *form) {
    // Named references, not a structured binding: the lambda below captures them.
    const std::string& key = field.first;
    const std::string& value = field.second;
    auto range_error = [&](std::size_t low, std::size_t high, const std::string& what) {
      return detail::error_reply(400,
                                 key + ": expected a whole number from " + std::to_string(low) +
                                     " to " + std::to_string(high) + what + ", got \"" + value +
                                     "\"",
                                 key);
    };
    if (key == "backlog") {
      auto n = whole(value, 0, capacity);
      if (!n) return respond(range_error(0, capacity, " (the journal's capacity)"));
      backlog = *n;
    } else if (key == "interval_ms") {
      auto n = whole(value, 0, kStreamIntervalMsMax);
      if (!n) return respond(range_error(0, kStreamIntervalMsMax, ""));
      pacing.interval = std::chrono::milliseconds(*n);
    } else if (key == "latest") {
      auto n = whole(value, 1, kStreamLatestMax);
      if (!n) return respond(range_error(1, kStreamLatestMax, ""));
      pacing.latest = *n;
    } else if (key == "last_event_id") {
      // EventSource cannot set headers on its first request; the query stands in.
      last_id = value;
    } else {
      return respond(detail::error_reply(
          400,
          key + ": unknown parameter; expected backlog, interval_ms, latest or last_event_id",
          key));
    }
  }
  JournalCursor cursor = journal_.cursor(backlog);
  if (last_id && !last_id->empty()) {
    auto parsed = parse_event_id(*last_id);
    if (!parsed) {
      return respond(detail::error_reply(
          400, "Last-Event-ID: expected an id the stream sent (\"EPOCH.N\"), got \"" + *last_id +
                   "\"",
          "Last-Event-ID"));
    }
    cursor = *parsed;
  }
  if (streams_open_->load() >= kStreamsMax) {
    return respond(detail::error_reply(
        503, "/journal/stream: " + std::to_string(kStreamsMax) +
                 " streams are open, the most the server keeps; close one and retry"));
  }
  transport::Reply reply;
  reply.response.status = 200;
  reply.response.headers.set("Content-Type", "text/event-stream");
  reply.response.headers.set("Cache-Control", "no-store");
  reply.stream =
      std::make_shared<JournalStream>(journal_, clock_, alive_, streams_open_, cursor, pacing);
  respond(std::move(reply));
}

}  // namespace notify::stubs
