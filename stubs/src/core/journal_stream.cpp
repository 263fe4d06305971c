// GET /journal/stream: the journal as server-sent events, for the console and for anything that
// would otherwise poll /journal. Each event is one entry; its id is the entry's place in the
// record order, so a client that reconnects with Last-Event-ID misses nothing the journal still
// keeps. The stream holds a cursor, never a queue: a slow reader costs one batch of memory, and
// one that falls further behind than the journal keeps is told how many entries it missed.
#include "notify/stubs/host.hpp"

#include "replies.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <mutex>

namespace notify::stubs {

namespace {

using nlohmann::json;

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
  JournalStream(Journal& journal, std::shared_ptr<std::atomic<bool>> alive,
                std::shared_ptr<std::atomic<std::size_t>> open, JournalCursor cursor,
                std::size_t batch_max)
      : journal_(journal),
        alive_(std::move(alive)),
        open_(std::move(open)),
        cursor_(cursor),
        batch_max_(batch_max) {
    ++*open_;
  }
  ~JournalStream() override { --*open_; }

  void pull(Next next) override {
    std::string piece;
    {
      std::lock_guard lock(mutex_);
      if (cancelled_) return;
      if (!alive_->load()) {
        piece.clear();
      } else {
        // A client learns the reconnection delay before anything else.
        if (!started_) piece = "retry: 1000\n\n";
        started_ = true;
        // Only an empty read arms the wake: then the next record() pulls again.
        std::weak_ptr<JournalStream> weak = weak_from_this();
        auto wake = [weak, next] {
          if (auto self = weak.lock()) self->pull(next);
        };
        JournalPage page = journal_.read_after(
            cursor_, batch_max_, piece.empty() ? std::function<void()>(wake) : nullptr,
            &wake_id_);
        cursor_ = page.next;
        if (page.reset) piece += "event: reset\ndata: {}\n\n";
        if (page.skipped > 0)
          piece += "event: gap\ndata: {\"skipped\": " + std::to_string(page.skipped) + "}\n\n";
        for (std::size_t i = 0; i < page.entries.size(); ++i) {
          piece += "id: " + std::to_string(page.next.epoch) + "." +
                   std::to_string(page.first + i) + "\nevent: entry\ndata: ";
          piece += to_json(page.entries[i]).dump(-1, ' ', false, json::error_handler_t::replace);
          piece += "\n\n";
        }
        if (piece.empty()) return;  // the wake is armed
      }
    }
    if (piece.empty()) return next(std::nullopt);  // the host is gone: the body ends
    next(std::move(piece));
  }

  void cancel() override {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    if (wake_id_ != 0 && alive_->load()) journal_.cancel_wake(wake_id_);
  }

 private:
  Journal& journal_;
  std::shared_ptr<std::atomic<bool>> alive_;
  std::shared_ptr<std::atomic<std::size_t>> open_;
  std::mutex mutex_;
  JournalCursor cursor_;
  std::size_t batch_max_;
  std::uint64_t wake_id_ = 0;
  bool started_ = false;
  bool cancelled_ = false;
};

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
  for (const auto& [key, value] : *form) {
    if (key == "backlog") {
      std::size_t n = 0;
      auto r = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || r.ec != std::errc() || r.ptr != value.data() + value.size() ||
          n > capacity) {
        return respond(detail::error_reply(
            400,
            "backlog: expected a whole number from 0 to " + std::to_string(capacity) +
                " (the journal's capacity), got \"" + value + "\"",
            "backlog"));
      }
      backlog = n;
    } else if (key == "last_event_id") {
      // EventSource cannot set headers on its first request; the query stands in.
      last_id = value;
    } else {
      return respond(detail::error_reply(
          400, key + ": unknown parameter; expected backlog or last_event_id", key));
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
      std::make_shared<JournalStream>(journal_, alive_, streams_open_, cursor, kStreamBatchMax);
  respond(std::move(reply));
}

}  // namespace notify::stubs
