// GET /journal/stream through StubHost::handle_control, without sockets: the body stream is
// pulled by hand, as the server would once each piece is written.
#include "fake_stub.hpp"

#include "notify/runtime/clock.hpp"
#include "notify/stubs/host.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace notify::stubs {
namespace {

using nlohmann::json;
using test::FakeStub;
using test::make_request;
using ::testing::HasSubstr;

struct Event {
  std::string type;
  std::string id;
  std::string data;
};

// Splits a piece of an event stream into its events (comments and "retry:" lines skipped).
std::vector<Event> events(const std::string& piece) {
  std::vector<Event> out;
  std::size_t pos = 0;
  while (pos < piece.size()) {
    auto end = piece.find("\n\n", pos);
    if (end == std::string::npos) end = piece.size();
    Event e;
    std::size_t line_start = pos;
    while (line_start < end) {
      auto line_end = piece.find('\n', line_start);
      if (line_end == std::string::npos || line_end > end) line_end = end;
      std::string line = piece.substr(line_start, line_end - line_start);
      if (line.starts_with("event: ")) e.type = line.substr(7);
      if (line.starts_with("id: ")) e.id = line.substr(4);
      if (line.starts_with("data: ")) e.data = line.substr(6);
      line_start = line_end + 1;
    }
    if (!e.type.empty()) out.push_back(e);
    pos = end + 2;
  }
  return out;
}

class JournalStreamTest : public ::testing::Test {
 protected:
  explicit JournalStreamTest(std::size_t capacity = 10'000)
      : host_(clock_, HostOptions{JournalOptions{capacity, 4096}, 1}) {
    host_.add(std::make_unique<FakeStub>());
  }

  void send(const std::string& recipient) {
    ASSERT_TRUE(test::edge(host_, make_request("POST", "/fake", recipient)));
  }

  transport::Reply open(const std::string& target, const std::string& last_event_id = {}) {
    auto request = make_request("GET", target);
    if (!last_event_id.empty()) request.headers.set("Last-Event-ID", last_event_id);
    auto reply = test::control(host_, std::move(request));
    EXPECT_TRUE(reply.has_value());
    return reply ? std::move(*reply) : transport::Reply{};
  }

  // Pulls one piece; nullopt when the stream has nothing now. As the server does, a stream has
  // at most one pull outstanding: a pull that waited is answered into its slot, which the next
  // call reads instead of pulling again.
  using Slot = std::shared_ptr<std::optional<std::optional<std::string>>>;
  std::map<transport::BodyStream*, Slot> armed_;
  std::optional<std::optional<std::string>> pull(transport::BodyStream& stream) {
    auto it = armed_.find(&stream);
    if (it == armed_.end()) {
      auto slot = std::make_shared<std::optional<std::optional<std::string>>>();
      stream.pull([slot](std::optional<std::string> piece) { *slot = std::move(piece); });
      it = armed_.emplace(&stream, slot).first;
    }
    if (!it->second->has_value()) return std::nullopt;
    auto got = std::move(*it->second);
    armed_.erase(it);
    return got;
  }

  // Pulls until the stream waits; returns every entry event, in order.
  std::vector<Event> drain(transport::BodyStream& stream) {
    std::vector<Event> out;
    for (;;) {
      auto piece = pull(stream);
      if (!piece || !*piece) return out;
      for (auto& e : events(**piece)) out.push_back(e);
    }
  }

  static std::vector<std::string> recipients(const std::vector<Event>& es) {
    std::vector<std::string> out;
    for (const auto& e : es)
      if (e.type == "entry") out.push_back(json::parse(e.data)["recipient"]);
    return out;
  }

  runtime::VirtualClock clock_;
  StubHost host_;
};

TEST_F(JournalStreamTest, SendsTheBacklogThenNewEntriesInRecordOrder) {
  send("a");
  send("b");
  auto reply = open("/journal/stream");
  ASSERT_EQ(reply.response.status, 200);
  EXPECT_EQ(reply.response.headers.get_or("Content-Type", ""), "text/event-stream");
  ASSERT_NE(reply.stream, nullptr);
  auto first = pull(*reply.stream);
  ASSERT_TRUE(first && *first);
  EXPECT_THAT(**first, HasSubstr("retry: 1000\n\n"));
  auto es = events(**first);
  EXPECT_EQ(recipients(es), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(es[0].id, "0.1");
  EXPECT_EQ(es[1].id, "0.2");

  // Nothing new: the stream waits, and the next entry recorded answers the pending pull.
  EXPECT_FALSE(pull(*reply.stream).has_value());
  send("c");
  auto woken = pull(*reply.stream);
  ASSERT_TRUE(woken && *woken);
  EXPECT_EQ(recipients(events(**woken)), (std::vector<std::string>{"c"}));
  EXPECT_EQ(events(**woken)[0].id, "0.3");
}

TEST_F(JournalStreamTest, ResumesAfterLastEventIdWithoutRepeatsOrGaps) {
  for (auto r : {"a", "b", "c", "d"}) send(r);
  auto reply = open("/journal/stream", "0.2");
  ASSERT_EQ(reply.response.status, 200);
  EXPECT_EQ(recipients(drain(*reply.stream)), (std::vector<std::string>{"c", "d"}));
  // The query parameter stands in for the header.
  auto q = open("/journal/stream?last_event_id=0.3");
  EXPECT_EQ(recipients(drain(*q.stream)), (std::vector<std::string>{"d"}));
}

TEST_F(JournalStreamTest, ABacklogBoundsWhatANewStreamStartsWith) {
  for (int i = 0; i < 10; ++i) send("r" + std::to_string(i));
  auto reply = open("/journal/stream?backlog=3");
  EXPECT_EQ(recipients(drain(*reply.stream)), (std::vector<std::string>{"r7", "r8", "r9"}));
  auto none = open("/journal/stream?backlog=0");
  EXPECT_TRUE(recipients(drain(*none.stream)).empty());

  auto bad = open("/journal/stream?backlog=10001");
  EXPECT_EQ(bad.response.status, 400);
  EXPECT_EQ(json::parse(bad.response.body)["field"], "backlog");
  EXPECT_EQ(bad.stream, nullptr);
  auto unknown = open("/journal/stream?service=ses");
  EXPECT_EQ(unknown.response.status, 400);
  auto bad_id = open("/journal/stream", "yesterday");
  EXPECT_EQ(bad_id.response.status, 400);
  EXPECT_EQ(json::parse(bad_id.response.body)["field"], "Last-Event-ID");
}

TEST_F(JournalStreamTest, APieceHoldsAtMostOneBatch) {
  for (std::size_t i = 0; i < StubHost::kStreamBatchMax * 2 + 5; ++i) send("x");
  auto reply = open("/journal/stream?backlog=10000");
  std::vector<std::size_t> sizes;
  for (;;) {
    auto piece = pull(*reply.stream);
    if (!piece || !*piece) break;
    std::size_t n = 0;
    for (const auto& e : events(**piece)) n += e.type == "entry" ? 1 : 0;
    sizes.push_back(n);
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{StubHost::kStreamBatchMax, StubHost::kStreamBatchMax, 5}));
}

TEST_F(JournalStreamTest, ResetIsAnEventAndTheStreamStartsOver) {
  send("a");
  auto reply = open("/journal/stream");
  auto before = drain(*reply.stream);
  ASSERT_EQ(recipients(before), (std::vector<std::string>{"a"}));
  test::control(host_, make_request("POST", "/reset"));
  auto woken = pull(*reply.stream);
  ASSERT_TRUE(woken && *woken);
  auto es = events(**woken);
  ASSERT_FALSE(es.empty());
  EXPECT_EQ(es[0].type, "reset");
  send("b");
  auto after = drain(*reply.stream);
  ASSERT_EQ(recipients(after), (std::vector<std::string>{"b"}));
  EXPECT_EQ(after[0].id, "1.1");
  // An id from before the reset resumes from the start, after a reset event.
  auto old = open("/journal/stream", before[0].id);
  auto resumed = drain(*old.stream);
  ASSERT_GE(resumed.size(), 2u);
  EXPECT_EQ(resumed[0].type, "reset");
  EXPECT_EQ(recipients(resumed), (std::vector<std::string>{"b"}));
}

TEST_F(JournalStreamTest, CancelledStreamIsNotWokenAndFreesItsSlot) {
  std::vector<transport::Reply> open_streams;
  for (std::size_t i = 0; i < StubHost::kStreamsMax; ++i) {
    open_streams.push_back(open("/journal/stream"));
    ASSERT_EQ(open_streams.back().response.status, 200);
  }
  auto refused = open("/journal/stream");
  EXPECT_EQ(refused.response.status, 503);

  bool called = false;
  open_streams[0].stream->pull([](std::optional<std::string>) {});  // the retry line
  open_streams[0].stream->pull([&called](std::optional<std::string>) { called = true; });
  open_streams[0].stream->cancel();
  send("a");
  EXPECT_FALSE(called);
  open_streams.erase(open_streams.begin());
  EXPECT_EQ(open("/journal/stream").response.status, 200);
}

TEST_F(JournalStreamTest, TheTokenIsRequiredWhenSet) {
  host_.set_control_token("s3cret");
  auto reply = open("/journal/stream");
  EXPECT_EQ(reply.response.status, 401);
  EXPECT_EQ(reply.stream, nullptr);
  auto request = make_request("GET", "/journal/stream");
  request.headers.set("Authorization", "Bearer s3cret");
  auto ok = test::control(host_, std::move(request));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->response.status, 200);
}

TEST_F(JournalStreamTest, OnlyGet) {
  auto reply = test::control(host_, make_request("POST", "/journal/stream"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->response.status, 405);
  EXPECT_EQ(reply->response.headers.get_or("Allow", ""), "GET");
}

TEST_F(JournalStreamTest, SaysLiveOnceTheBacklogIsSent) {
  for (std::size_t i = 0; i < StubHost::kStreamBatchMax + 1; ++i) send("old");
  auto reply = open("/journal/stream?backlog=10000");
  auto backlog = drain(*reply.stream);
  ASSERT_FALSE(backlog.empty());
  EXPECT_EQ(backlog.back().type, "live");
  EXPECT_EQ(recipients(backlog).size(), StubHost::kStreamBatchMax + 1);
  send("new");
  auto after = drain(*reply.stream);
  ASSERT_EQ(after.size(), 1u);  // no second "live"
  EXPECT_EQ(recipients(after), (std::vector<std::string>{"new"}));

  // With nothing kept, "live" comes at once.
  auto empty = open("/journal/stream?backlog=0");
  auto es = drain(*empty.stream);
  ASSERT_EQ(es.size(), 1u);
  EXPECT_EQ(es[0].type, "live");
}

TEST_F(JournalStreamTest, APacedStreamGathersWhatComesInAnIntervalIntoOnePiece) {
  auto reply = open("/journal/stream?interval_ms=100");
  ASSERT_EQ(reply.response.status, 200);
  drain(*reply.stream);  // retry, live
  // After a quiet spell, the first entry goes at once.
  send("a");
  auto first = pull(*reply.stream);
  ASSERT_TRUE(first && *first);
  EXPECT_EQ(recipients(events(**first)), (std::vector<std::string>{"a"}));
  // The next ones wait for the rest of the interval, and go together.
  send("b");
  send("c");
  EXPECT_FALSE(pull(*reply.stream).has_value());
  clock_.run_for(std::chrono::milliseconds(99));
  EXPECT_FALSE(pull(*reply.stream).has_value());
  clock_.run_for(std::chrono::milliseconds(1));
  auto second = pull(*reply.stream);
  ASSERT_TRUE(second && *second);
  EXPECT_EQ(recipients(events(**second)), (std::vector<std::string>{"b", "c"}));
}

TEST_F(JournalStreamTest, LatestSkipsToTheNewestAndSaysHowManyItSkipped) {
  send("backlog1");
  send("backlog2");
  send("backlog3");
  // The backlog is sent whole, whatever `latest` says.
  auto reply = open("/journal/stream?interval_ms=50&latest=2");
  EXPECT_EQ(recipients(drain(*reply.stream)),
            (std::vector<std::string>{"backlog1", "backlog2", "backlog3"}));
  // The backlog counts as a piece: the interval runs from it, then the stream waits for news.
  clock_.run_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(pull(*reply.stream).has_value());
  send("a");
  ASSERT_TRUE(pull(*reply.stream).has_value());
  for (auto r : {"b", "c", "d", "e", "f"}) send(r);
  EXPECT_FALSE(pull(*reply.stream).has_value());
  clock_.run_for(std::chrono::milliseconds(50));
  auto piece = pull(*reply.stream);
  ASSERT_TRUE(piece && *piece);
  auto es = events(**piece);
  ASSERT_FALSE(es.empty());
  EXPECT_EQ(es[0].type, "gap");
  EXPECT_EQ(json::parse(es[0].data)["skipped"], 3);
  EXPECT_EQ(recipients(es), (std::vector<std::string>{"e", "f"}));
  // Ids stay the entries' own, so a reader can tell where the gap was.
  EXPECT_EQ(es[1].id, "0.8");
}

TEST_F(JournalStreamTest, PacingParametersAreChecked) {
  struct Case {
    std::string query;
    std::string field;
    std::string says;
  };
  for (const auto& c : std::vector<Case>{
           {"interval_ms=60001", "interval_ms", "from 0 to 60000, got \"60001\""},
           {"interval_ms=-1", "interval_ms", "got \"-1\""},
           {"latest=0", "latest", "from 1 to 1000, got \"0\""},
           {"latest=many", "latest", "got \"many\""},
       }) {
    auto reply = open("/journal/stream?" + c.query);
    EXPECT_EQ(reply.response.status, 400) << c.query;
    EXPECT_EQ(reply.stream, nullptr) << c.query;
    auto body = json::parse(reply.response.body);
    EXPECT_EQ(body["field"], c.field) << c.query;
    EXPECT_THAT(body["error"].get<std::string>(), HasSubstr(c.says)) << c.query;
  }
}

TEST_F(JournalStreamTest, CancellingAPacedStreamStopsItsTimer) {
  auto reply = open("/journal/stream?interval_ms=100");
  drain(*reply.stream);
  send("a");
  ASSERT_TRUE(pull(*reply.stream).has_value());
  send("b");
  bool called = false;
  reply.stream->pull([&called](std::optional<std::string>) { called = true; });
  reply.stream->cancel();
  clock_.run_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(called);
}

class SmallJournalStreamTest : public JournalStreamTest {
 protected:
  SmallJournalStreamTest() : JournalStreamTest(4) {}
};

TEST_F(SmallJournalStreamTest, AReaderFurtherBehindThanTheJournalKeepsIsToldWhatItMissed) {
  // A reader saw "a" (id 0.1), then was away while six more came: the journal keeps four, so
  // two are gone when it comes back.
  send("a");
  for (auto r : {"b", "c", "d", "e", "f", "g"}) send(r);
  auto reply = open("/journal/stream", "0.1");
  auto es = drain(*reply.stream);
  ASSERT_FALSE(es.empty());
  EXPECT_EQ(es[0].type, "gap");
  EXPECT_EQ(json::parse(es[0].data)["skipped"], 2);
  EXPECT_EQ(recipients(es), (std::vector<std::string>{"d", "e", "f", "g"}));
}

}  // namespace
}  // namespace notify::stubs
