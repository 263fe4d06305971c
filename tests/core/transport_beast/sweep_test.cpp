// Failure-point sweeps: a peer that stops after every possible byte. The client
// must classify each cut exactly once; the server must never hand a partial request to its
// handler and must free the connection.
#include "support.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <deque>

namespace notify::transport {
namespace {

using namespace testing;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

const std::string kCanned =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\nContent-Type: text/plain\r\n\r\nhello";

/// A scripted HTTP peer: for the n-th request it receives (over all connections) it writes the
/// first cuts[n] bytes of kCanned; a cut short of the whole answer closes the connection.
class RawServer {
 public:
  RawServer(asio::io_context& io, std::deque<std::size_t> cuts)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        socket_(io),
        cuts_(std::move(cuts)) {
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int connections() const { return connections_; }

 private:
  void accept() {
    acceptor_.async_accept(socket_, [this](error_code ec) {
      if (ec) return;
      ++connections_;
      buffer_.consume(buffer_.size());
      read();
    });
  }
  void read() {
    asio::async_read_until(socket_, buffer_, "\r\n\r\n", [this](error_code ec, std::size_t n) {
      if (ec || cuts_.empty()) return drop();
      buffer_.consume(n);
      cut_ = cuts_.front();
      cuts_.pop_front();
      asio::async_write(socket_, asio::buffer(kCanned.data(), cut_),
                        [this](error_code ec, std::size_t) {
                          if (ec || cut_ < kCanned.size()) return drop();
                          read();
                        });
    });
  }
  void drop() {
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    accept();
  }

  tcp::acceptor acceptor_;
  tcp::socket socket_;
  asio::streambuf buffer_;
  std::deque<std::size_t> cuts_;
  std::size_t cut_ = 0;
  int connections_ = 0;
};

TEST(BeastSweep, ResponseCutAtEveryByteOnAFreshConnection) {
  for (std::size_t cut = 0; cut <= kCanned.size(); ++cut) {
    SCOPED_TRACE("cut after " + std::to_string(cut) + " bytes");
    asio::io_context io;
    RawServer raw(io, {cut});
    auto client = make_beast_client(io);
    auto result =
        send_and_wait(io, *client, get("http://127.0.0.1:" + std::to_string(raw.port()) + "/"));
    if (cut == kCanned.size()) {
      ASSERT_TRUE(result.has_value()) << result.error().message();
      EXPECT_EQ(result->body, "hello");
      EXPECT_EQ(result->headers.get_or("x-a", ""), "b");
    } else {
      ASSERT_FALSE(result.has_value());
      EXPECT_EQ(result.error(), make_error_code(errc::truncated_response));
    }
  }
}

TEST(BeastSweep, ResponseCutOnAReusedConnectionRetriesOnlyBeforeTheFirstByte) {
  for (std::size_t cut = 0; cut < kCanned.size(); ++cut) {
    SCOPED_TRACE("cut after " + std::to_string(cut) + " bytes");
    asio::io_context io;
    // First request answered whole, second cut, and a third (the retry) answered whole.
    RawServer raw(io, {kCanned.size(), cut, kCanned.size()});
    auto client = make_beast_client(io);
    const auto target = "http://127.0.0.1:" + std::to_string(raw.port()) + "/";
    ASSERT_TRUE(send_and_wait(io, *client, get(target)).has_value());
    auto result = send_and_wait(io, *client, get(target));
    if (cut == 0) {
      ASSERT_TRUE(result.has_value()) << result.error().message();
      EXPECT_EQ(raw.connections(), 2);
    } else {
      ASSERT_FALSE(result.has_value());
      EXPECT_EQ(result.error(), make_error_code(errc::truncated_response));
      EXPECT_EQ(raw.connections(), 1);
    }
  }
}

TEST(BeastSweep, RequestCutAtEveryByteNeverReachesTheHandler) {
  const std::string request =
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nX-Y: z\r\n\r\nbody";
  asio::io_context io;
  int calls = 0;
  auto server = HttpServer::start(io, {}, [&](Request r, Responder respond) {
    ++calls;
    EXPECT_EQ(r.body, "body");
    respond(ok());
  });
  for (std::size_t cut = 0; cut <= request.size(); ++cut) {
    SCOPED_TRACE("cut after " + std::to_string(cut) + " bytes");
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->port()));
    asio::write(socket, asio::buffer(request.data(), cut));
    socket.shutdown(tcp::socket::shutdown_send);
    // Read whatever the server says until it closes.
    std::string answer;
    bool closed = false;
    asio::async_read(socket, asio::dynamic_buffer(answer),
                     [&](error_code, std::size_t) { closed = true; });
    ASSERT_TRUE(run_until(io, [&] { return closed; }));
    ASSERT_TRUE(run_until(io, [&] { return server->connection_count() == 0; }));
    if (cut == request.size()) {
      EXPECT_EQ(calls, 1);
      EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
    } else {
      EXPECT_EQ(calls, 0);
      // A cut inside the headers is a malformed request, never a handled one.
      EXPECT_TRUE(answer.empty() || answer.rfind("HTTP/1.1 400", 0) == 0) << answer;
    }
  }
}

}  // namespace
}  // namespace notify::transport
