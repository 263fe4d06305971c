// The Beast client's pool, limits and error mapping against the Beast server on 127.0.0.1.
#include "support.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <algorithm>
#include <set>
#include <vector>

namespace notify::transport {
namespace {

using namespace testing;
using boost::asio::io_context;

/// A port that nothing listens on: bound and closed again.
std::uint16_t closed_port(io_context& io) {
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  auto port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

TEST(BeastClient, NothingListeningIsConnectionRefused) {
  io_context io;
  auto client = make_beast_client(io);
  auto port = closed_port(io);
  auto result = send_and_wait(io, *client, get("http://127.0.0.1:" + std::to_string(port) + "/x"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error(), make_error_code(errc::connection_refused));
}

TEST(BeastClient, FullListenBacklogTimesOut) {
  io_context io;
  namespace ip = boost::asio::ip;
  // A listener that never accepts, its backlog filled: the kernel drops further SYNs, so the
  // connect (or, if the kernel completes it anyway, the read) runs out of time.
  ip::tcp::acceptor acceptor(io);
  ip::tcp::endpoint endpoint(ip::make_address("127.0.0.1"), 0);
  acceptor.open(endpoint.protocol());
  acceptor.bind(endpoint);
  acceptor.listen(0);
  const auto port = acceptor.local_endpoint().port();
  // Asynchronous connects, because a synchronous one would wait out the kernel's SYN retries.
  std::vector<ip::tcp::socket> fillers;
  for (int i = 0; i < 2; ++i) fillers.emplace_back(io);
  for (auto& filler : fillers) {
    filler.async_connect(ip::tcp::endpoint(ip::make_address("127.0.0.1"), port),
                         [](boost::system::error_code) {});
  }
  auto client = make_beast_client(io);
  SendOptions options;
  options.connect_timeout = std::chrono::milliseconds(100);
  options.read_timeout = std::chrono::milliseconds(100);
  auto result =
      send_and_wait(io, *client, get("http://127.0.0.1:" + std::to_string(port) + "/"), options);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error(), make_error_code(errc::timed_out));
}

TEST(BeastClient, HttpsAndBadUrlsAreInvalidArguments) {
  io_context io;
  auto client = make_beast_client(io);
  auto https = send_and_wait(io, *client, get("https://127.0.0.1:1/"));
  ASSERT_FALSE(https.has_value());
  EXPECT_EQ(https.error(), make_error_code(errc::invalid_argument));
  auto garbage = send_and_wait(io, *client, get("not a url"));
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error(), make_error_code(errc::invalid_argument));
}

TEST(BeastClient, CompletionIsNeverInline) {
  io_context io;
  auto client = make_beast_client(io);
  bool called = false;
  client->send(get("https://127.0.0.1:1/"), {}, [&](SendResult) { called = true; });
  EXPECT_FALSE(called);
  EXPECT_TRUE(run_until(io, [&] { return called; }));
}

TEST(BeastClient, PoolBoundHoldsConcurrentRequestsInFifo) {
  io_context io;
  std::size_t most = 0;
  std::set<std::string> remotes;
  std::vector<std::string> order;
  std::unique_ptr<HttpServer> server;
  server = HttpServer::start(io, {}, [&](Request request, Responder respond) {
    most = std::max(most, server->connection_count());
    remotes.insert(request.remote);
    order.push_back(request.target);
    Reply reply = ok(request.target);
    reply.delay = std::chrono::milliseconds(30);
    respond(reply);
  });
  ClientOptions options;
  options.max_connections_per_host = 2;
  auto client = make_beast_client(io, options);
  std::vector<SendResult> results;
  for (int i = 0; i < 5; ++i) {
    client->send(get(url(*server, "/" + std::to_string(i))), {},
                 [&](SendResult r) { results.push_back(std::move(r)); });
  }
  ASSERT_TRUE(run_until(io, [&] { return results.size() == 5; }));
  for (const auto& r : results) EXPECT_TRUE(r.has_value()) << r.error().message();
  EXPECT_LE(most, 2u);
  EXPECT_EQ(remotes.size(), 2u);
  // The first two went out at once; the other three waited for a free connection.
  ASSERT_EQ(order.size(), 5u);
  EXPECT_EQ(std::set<std::string>(order.begin(), order.begin() + 2),
            (std::set<std::string>{"/0", "/1"}));
  EXPECT_EQ(order.back(), "/4");
}

TEST(BeastClient, QueueBeyondItsBoundIsPoolExhausted) {
  io_context io;
  Reply reply = ok();
  reply.delay = std::chrono::milliseconds(30);
  auto server = HttpServer::start(io, {}, [reply](Request, Responder respond) { respond(reply); });
  ClientOptions options;
  options.max_connections_per_host = 1;
  options.max_queued_per_host = 1;
  auto client = make_beast_client(io, options);
  std::vector<SendResult> results(3, SendResult(make_error_code(errc::invalid_argument)));
  int done = 0;
  for (int i = 0; i < 3; ++i) {
    client->send(get(url(*server)), {}, [&, i](SendResult r) {
      results[static_cast<std::size_t>(i)] = std::move(r);
      ++done;
    });
  }
  ASSERT_TRUE(run_until(io, [&] { return done == 3; }));
  EXPECT_TRUE(results[0].has_value());
  EXPECT_TRUE(results[1].has_value());
  ASSERT_FALSE(results[2].has_value());
  EXPECT_EQ(results[2].error(), make_error_code(errc::pool_exhausted));
}

TEST(BeastClient, StalePooledConnectionIsRetriedOnAFreshOne) {
  io_context io;
  ServerOptions server_options;
  server_options.idle_timeout = std::chrono::milliseconds(20);
  std::set<std::string> remotes;
  int calls = 0;
  auto server = HttpServer::start(io, server_options, [&](Request request, Responder respond) {
    ++calls;
    remotes.insert(request.remote);
    respond(ok());
  });
  auto client = make_beast_client(io);
  ASSERT_TRUE(send_and_wait(io, *client, get(url(*server))).has_value());
  // The server closes the idle connection; the client still holds it in its pool.
  ASSERT_TRUE(run_until(io, [&] { return server->connection_count() == 0; }));
  auto result = send_and_wait(io, *client, get(url(*server)));
  ASSERT_TRUE(result.has_value()) << result.error().message();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(remotes.size(), 2u);
}

TEST(BeastClient, ResponseBodyOverLimitIsProtocolError) {
  io_context io;
  auto server = HttpServer::start(
      io, {}, [](Request, Responder respond) { respond(ok(std::string(4096, 'z'))); });
  ClientOptions options;
  options.response_body_limit_bytes = 100;
  auto client = make_beast_client(io, options);
  auto result = send_and_wait(io, *client, get(url(*server)));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error(), make_error_code(errc::protocol_error));
}

TEST(BeastClient, GivenHostAndUserAgentAreKept) {
  io_context io;
  Request seen;
  auto server = HttpServer::start(io, {}, [&](Request request, Responder respond) {
    seen = std::move(request);
    respond(ok());
  });
  auto client = make_beast_client(io);
  Request request = get(url(*server, "/q?a=1"));
  request.headers.set("Host", "email.eu-west-2.amazonaws.com");
  request.headers.set("User-Agent", "Boto3/1.34");
  ASSERT_TRUE(send_and_wait(io, *client, std::move(request)).has_value());
  EXPECT_EQ(seen.headers.get_or("Host", ""), "email.eu-west-2.amazonaws.com");
  EXPECT_EQ(seen.headers.get_or("User-Agent", ""), "Boto3/1.34");
  EXPECT_EQ(seen.target, "/q?a=1");
}

TEST(BeastClient, DestroyedWithARequestPendingLeaksNothing) {
  io_context io;
  int calls = 0;
  auto server = HttpServer::start(io, {}, [&](Request, Responder respond) {
    ++calls;
    respond(action(ConnectionAction::hang));
  });
  auto client = make_beast_client(io);
  std::optional<SendResult> result;
  client->send(get(url(*server)), {}, [&](SendResult r) { result = std::move(r); });
  ASSERT_TRUE(run_until(io, [&] { return calls == 1; }));
  client.reset();
  ASSERT_TRUE(run_until(io, [&] { return result.has_value(); }));
  EXPECT_FALSE(result->has_value());
  server->stop();
  io.restart();
  io.run_for(std::chrono::seconds(5));
  EXPECT_TRUE(io.stopped());
}

TEST(BeastClient, DestroyedAfterTheIoContextStoppedDropsRequests) {
  io_context io;
  auto client = make_beast_client(io);
  auto port = closed_port(io);
  bool called = false;
  client->send(get("http://127.0.0.1:" + std::to_string(port) + "/"), {},
               [&](SendResult) { called = true; });
  // The io_context never runs again: the request is dropped with it, without a call.
  client.reset();
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace notify::transport
