// Private to the Beast server shell: the listener state shared by the acceptor and every
// connection, and the per-connection state machine.
#pragma once

#include "notify/transport/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace notify::transport::beast_server {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

class Connection;

/// Everything the acceptor and the connections share. Lives as long as any connection or pending
/// accept does, so the HttpServer handle can go away first.
class ServerState : public std::enable_shared_from_this<ServerState> {
 public:
  ServerState(asio::io_context& io, ServerOptions options, ServerHandler handler);

  /// Binds, listens and arms the first accept. Throws std::system_error naming the address.
  void open();
  void set_accepting(bool accepting);
  bool accepting() const;
  void stop();
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }
  std::size_t connection_count() const;
  std::uint16_t port() const;
  std::string address() const;

  const ServerOptions& options() const { return options_; }
  const ServerHandler& handler() const { return handler_; }
  /// Called once per connection when its socket closes (and again, harmlessly, from its
  /// destructor). Frees a max_connections slot.
  void unregister(Connection* connection);
  /// Connections closed to make room for new ones, and new ones shed because every slot was busy.
  std::uint64_t evicted() const { return evicted_.load(); }
  std::uint64_t shed() const { return shed_.load(); }

 private:
  void open_locked();
  void close_acceptor_locked();
  void arm_accept_locked();
  void on_accept(std::uint64_t generation, error_code ec, tcp::socket socket);

  asio::io_context& io_;
  const ServerOptions options_;
  const ServerHandler handler_;
  std::atomic<bool> stopped_{false};

  // Guards everything below. The acceptor is touched from stop()/set_accepting() on any
  // thread and from accept completions on the io threads.
  mutable std::mutex mutex_;
  tcp::acceptor acceptor_;
  tcp::endpoint endpoint_;
  bool accepting_ = false;
  bool accept_armed_ = false;
  // Bumped on every (re)open so that the completion of an accept cancelled by a close does not
  // re-arm the acceptor of a later open.
  std::uint64_t generation_ = 0;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;
  std::atomic<std::uint64_t> evicted_{0};
  std::atomic<std::uint64_t> shed_{0};
};

/// One accepted socket. Every member runs on the connection's strand (the socket's executor).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerState> server, tcp::socket socket);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  asio::any_io_executor executor() { return socket_.get_executor(); }
  void start();
  void on_server_stop();
  void on_reply(Reply reply);
  /// Since when (steady clock, ns) the connection has been waiting for or reading a request;
  /// 0 while a request is being answered. Read from any thread.
  std::int64_t waiting_since() const { return waiting_since_.load(std::memory_order_relaxed); }
  /// Closes the connection if it is still waiting for a request: its slot goes to a new client.
  void evict();

 private:
  enum class Phase { reading, handling, delaying, writing, hanging, lingering, streaming, closed };

  void read_request();
  void on_read(error_code ec);
  void call_handler();
  void enact(Reply reply);
  void write_response(const Response& response);
  void write_truncated(const Response& response);
  void answer_and_linger(http::status status);
  void linger();
  void hang();
  void start_stream(const Response& head, std::shared_ptr<BodyStream> stream);
  void pull_stream();
  void on_stream_piece(std::uint64_t generation, std::optional<std::string> piece);
  void end_stream();
  void reset();
  void close();
  /// Arms the one timer; `fn` runs on expiry unless the timer was re-armed or cancelled.
  template <class Fn>
  void arm_timer(std::chrono::nanoseconds after, Fn fn);
  void cancel_timer();
  http::response<http::string_body> build_response(const Response& response) const;
  /// Writes the common answer into write_buffer_ without Beast's message; false when the
  /// answer needs Beast's serializer.
  bool serialize_plain(const Response& response);

  std::shared_ptr<ServerState> server_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::uint64_t timer_generation_ = 0;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Phase phase_ = Phase::reading;
  bool stop_requested_ = false;
  // Of the request being answered.
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  std::string remote_;
  std::array<char, 4096> discard_{};
  std::string write_buffer_;       // the answer being written by the plain path
  bool write_keep_alive_ = false;  // whether that answer keeps the connection open
  std::atomic<std::int64_t> waiting_since_{0};
  // A streamed body: the stream, whether a piece is being written, and a generation that makes
  // a piece arriving after the stream ended (or for an earlier stream) do nothing.
  std::shared_ptr<BodyStream> stream_;
  bool stream_writing_ = false;
  bool stream_chunked_ = false;
  std::uint64_t stream_generation_ = 0;
};

}  // namespace notify::transport::beast_server
