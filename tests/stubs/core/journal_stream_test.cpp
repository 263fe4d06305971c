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
  ASSERT_EQ(before.size(), 1u);
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
