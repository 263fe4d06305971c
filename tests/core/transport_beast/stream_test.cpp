// Streamed bodies (server-sent events) through the Beast server shell, read by a raw socket:
// chunked framing, pieces in order, one piece pulled at a time, and a clean end when the stream
// ends, when the peer leaves and when the server stops.
#include "support.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <deque>
#include <memory>
#include <string>

namespace notify::transport {
namespace {

using namespace testing;
using boost::asio::io_context;
using boost::asio::ip::tcp;

// Hands out queued pieces; a pull with nothing queued waits for push() or finish().
class QueueStream final : public BodyStream {
 public:
  void pull(Next next) override {
    ++pulls;
    if (!queue.empty()) {
      auto piece = std::move(queue.front());
      queue.pop_front();
      return next(std::move(piece));
    }
    pending = std::move(next);
  }
  void cancel() override { ++cancels; }
  void push(std::optional<std::string> piece) {
    if (pending) return std::exchange(pending, nullptr)(std::move(piece));
    queue.push_back(std::move(piece));
  }
  std::deque<std::optional<std::string>> queue;
  Next pending;
  int pulls = 0;
  int cancels = 0;
};

class EndlessStream final : public BodyStream {
 public:
  void pull(Next next) override {
    ++pulls;
    next(std::string(64 * 1024, 'x'));
  }
  void cancel() override { ++cancels; }
  int pulls = 0;
  int cancels = 0;
};

ServerHandler streaming(std::shared_ptr<BodyStream> stream) {
  return [stream](Request, Responder respond) {
    Reply reply;
    reply.response.headers.set("Content-Type", "text/event-stream");
    reply.stream = stream;
    respond(std::move(reply));
  };
}

// A raw client: sends one request and collects everything the server writes until it closes.
struct RawClient {
  RawClient(io_context& io, std::uint16_t port, const std::string& version = "1.1")
      : socket(io) {
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    std::string request = "GET /s HTTP/" + version + "\r\nHost: x\r\n\r\n";
    boost::asio::write(socket, boost::asio::buffer(request));
  }
  void read() {
    socket.async_read_some(boost::asio::buffer(chunk), [this](boost::system::error_code ec,
                                                              std::size_t n) {
      received.append(chunk.data(), n);
      if (ec) {
        closed = true;
        return;
      }
      read();
    });
  }
  std::string body() const {
    auto end = received.find("\r\n\r\n");
    return end == std::string::npos ? "" : received.substr(end + 4);
  }
  tcp::socket socket;
  std::array<char, 4096> chunk{};
  std::string received;
  bool closed = false;
};

TEST(BeastServerStream, PiecesArriveChunkedInOrderAndTheEndIsTheLastChunk) {
  io_context io;
  auto stream = std::make_shared<QueueStream>();
  auto server = HttpServer::start(io, {}, streaming(stream));
  RawClient client(io, server->port());
  client.read();
  ASSERT_TRUE(run_until(io, [&] { return stream->pending != nullptr; }));
  // The head is on the wire before the first pull; the client may not have read it yet.
  ASSERT_TRUE(run_until(io, [&] { return client.received.find("\r\n\r\n") != std::string::npos; }))
      << client.received;
  EXPECT_NE(client.received.find("HTTP/1.1 200 OK\r\n"), std::string::npos);
  EXPECT_NE(client.received.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_NE(client.received.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(client.received.find("Content-Length"), std::string::npos);

  stream->push("data: one\n\n");
  ASSERT_TRUE(run_until(io, [&] { return client.body().size() >= 16; }));
  EXPECT_EQ(client.body(), "b\r\ndata: one\n\n\r\n");
  stream->push("data: two\n\n");
  stream->push(std::nullopt);
  ASSERT_TRUE(run_until(io, [&] { return client.closed; }));
  EXPECT_EQ(client.body(), "b\r\ndata: one\n\n\r\nb\r\ndata: two\n\n\r\n0\r\n\r\n");
  EXPECT_EQ(stream->cancels, 1);
}

TEST(BeastServerStream, Http10GetsTheBodyUntilTheConnectionCloses) {
  io_context io;
  auto stream = std::make_shared<QueueStream>();
  stream->push("abc");
  stream->push(std::nullopt);
  auto server = HttpServer::start(io, {}, streaming(stream));
  RawClient client(io, server->port(), "1.0");
  client.read();
  ASSERT_TRUE(run_until(io, [&] { return client.closed; }));
  EXPECT_NE(client.received.find("HTTP/1.0 200 OK\r\n"), std::string::npos);
  EXPECT_EQ(client.body(), "abc");
}

TEST(BeastServerStream, ServerStopEndsTheBodyCleanly) {
  io_context io;
  auto stream = std::make_shared<QueueStream>();
  auto server = HttpServer::start(io, {}, streaming(stream));
  RawClient client(io, server->port());
  client.read();
  ASSERT_TRUE(run_until(io, [&] { return stream->pending != nullptr; }));
  server->stop();
  ASSERT_TRUE(run_until(io, [&] { return client.closed; }));
  EXPECT_EQ(client.body(), "0\r\n\r\n");
  EXPECT_EQ(stream->cancels, 1);
  EXPECT_EQ(server->connection_count(), 0u);
}

TEST(BeastServerStream, APeerThatLeavesCancelsTheStream) {
  io_context io;
  auto stream = std::make_shared<QueueStream>();
  auto server = HttpServer::start(io, {}, streaming(stream));
  {
    RawClient client(io, server->port());
    ASSERT_TRUE(run_until(io, [&] { return stream->pending != nullptr; }));
  }
  ASSERT_TRUE(run_until(io, [&] { return stream->cancels == 1; }));
  ASSERT_TRUE(run_until(io, [&] { return server->connection_count() == 0; }));
  // A piece that arrives after the connection closed goes nowhere.
  stream->push("late");
}

TEST(BeastServerStream, AReaderThatDoesNotReadIsPulledNoFurtherThanTheSocketTakes) {
  io_context io;
  auto stream = std::make_shared<EndlessStream>();
  auto server = HttpServer::start(io, {}, streaming(stream));
  RawClient client(io, server->port());  // never reads
  // Run until the server has nothing left to do: its write waits on the full socket.
  int idle_rounds = 0;
  for (int i = 0; i < 100'000 && idle_rounds < 50; ++i) idle_rounds = io.poll() == 0 ? idle_rounds + 1 : 0;
  ASSERT_EQ(idle_rounds, 50);
  const int pulls = stream->pulls;
  EXPECT_GT(pulls, 0);
  // Kernel buffers on loopback take a few megabytes at most; 64 KiB pieces beyond that would
  // mean the server queued them itself.
  EXPECT_LT(pulls, 256);
  for (int i = 0; i < 200; ++i) io.poll();
  EXPECT_EQ(stream->pulls, pulls);
}

}  // namespace
}  // namespace notify::transport
