// One server connection: read a request within the limits, hand it to the handler, and enact
// the handler's Reply (respond, refuse, reset, hang, truncate), keeping the connection alive
// between requests as HTTP/1.1 wants.
#include "server_internal.hpp"

#include "notify/runtime/assert.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <utility>

namespace notify::transport::beast_server {
namespace {

// How long an error answer (413, 431, 400) waits for the peer to read it and close, while the
// rest of an oversized request is drained so that the kernel does not answer it with an RST.
constexpr std::chrono::milliseconds kLingerTime{2'000};
constexpr std::string_view kServerName = "notify-sim";
// A connection's write buffer that grew beyond this for a large answer is released after it.
constexpr std::size_t kWriteBufferKeptMax = 64 * 1024;
// Likewise the read buffer, which grows to the largest request read (up to the body limit).
constexpr std::size_t kReadBufferKeptMax = 64 * 1024;
// The read buffer's room from the start. Beast reads at most the room a buffer has (512 bytes
// when it has less), so a buffer grown only as far as the last request took two or three reads
// for each SES call or SNS event of a kilobyte or two; with this, one.
constexpr std::size_t kReadBufferInitial = 8 * 1024;

bool plain_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// Printable ASCII without outer spaces: Beast writes such a value as it is (it trims outer
// whitespace and drops some control characters, which this test leaves to it).
bool plain_value(std::string_view s) {
  if (!s.empty() && (s.front() == ' ' || s.back() == ' ')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// RFC 9112 6.1: a request with a transfer coding that does not end in chunked has a body whose
// length cannot be known, so the server must answer 400 and close. Answering it instead would
// leave the body in the buffer to be read as the next request on the connection.
bool unknowable_length(const http::request<http::string_body>& message) {
  return message.count(http::field::transfer_encoding) > 0 && !message.chunked();
}

// RFC 9112 3.2: an HTTP/1.1 request must carry exactly one Host; without it, or with two, the
// server must answer 400.
bool bad_host(const http::request<http::string_body>& message) {
  return message.version() >= 11 && message.count(http::field::host) != 1;
}

}  // namespace

Connection::Connection(std::shared_ptr<ServerState> server, tcp::socket socket)
    : server_(std::move(server)), socket_(std::move(socket)), timer_(socket_.get_executor()) {
  buffer_.reserve(kReadBufferInitial);
  error_code ec;
  auto peer = socket_.remote_endpoint(ec);
  if (!ec) remote_ = peer.address().to_string() + ":" + std::to_string(peer.port());
}

Connection::~Connection() { server_->unregister(this); }

template <class Fn>
void Connection::arm_timer(std::chrono::nanoseconds after, Fn fn) {
  auto generation = ++timer_generation_;
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this(), generation, fn](error_code ec) {
    if (ec || generation != self->timer_generation_) return;
    fn(*self);
  });
}

void Connection::cancel_timer() {
  ++timer_generation_;
  timer_.cancel();
}

void Connection::start() {
  if (server_->stopped()) {
    close();
    return;
  }
  read_request();
}

void Connection::evict() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    if (self->phase_ == Phase::reading) self->close();
  });
}

void Connection::read_request() {
  phase_ = Phase::reading;
  waiting_since_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                       std::memory_order_relaxed);
  if (buffer_.size() == 0 && buffer_.capacity() > kReadBufferKeptMax) buffer_.shrink_to_fit();
  parser_.emplace();
  parser_->body_limit(server_->options().body_limit_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(server_->options().header_limit_bytes, UINT32_MAX)));
  // The idle time-out covers the wait for the next request and the reading of it, so a peer
  // that sends nothing, or a byte a minute, cannot hold a connection slot for ever.
  arm_timer(server_->options().idle_timeout, [](Connection& c) {
    if (c.phase_ == Phase::reading) c.close();
  });
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
}

void Connection::on_read(error_code ec) {
  if (phase_ != Phase::reading) return;  // closed by the idle time-out or stop()
  waiting_since_.store(0, std::memory_order_relaxed);
  cancel_timer();
  if (ec == http::error::body_limit) return answer_and_linger(http::status::payload_too_large);
  if (ec == http::error::header_limit) {
    return answer_and_linger(http::status::request_header_fields_too_large);
  }
  if (ec && ec.category() == http::make_error_code(http::error::bad_method).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return answer_and_linger(http::status::bad_request);
  }
  if (ec || server_->stopped()) return close();
  if (unknowable_length(parser_->get()) || bad_host(parser_->get())) {
    return answer_and_linger(http::status::bad_request);
  }
  call_handler();
}

void Connection::call_handler() {
  auto& message = parser_->get();
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) request.headers.add(field.name_string(), field.value());
  request.body = std::move(message.body());
  request.remote = remote_;
  version_ = message.version();
  keep_alive_ = message.keep_alive();
  head_ = message.method() == http::verb::head;
  parser_.reset();
  phase_ = Phase::handling;

  // The responder may run on any thread and outlive this call; it hops to the strand. The flag
  // makes a second call a loud programmer error instead of a second answer on the wire.
  struct Once {
    std::shared_ptr<Connection> connection;
    std::atomic<bool> called{false};
  };
  auto once = std::make_shared<Once>();
  once->connection = shared_from_this();
  Responder responder = [once](Reply reply) {
    NOTIFY_ASSERT(!once->called.exchange(true));
    auto connection = once->connection;
    // On the connection's own thread (a handler that answers at once) the reply is enacted
    // inline; from any other thread it is queued to the connection's executor.
    asio::dispatch(connection->executor(), [connection, reply = std::move(reply)]() mutable {
      connection->on_reply(std::move(reply));
    });
  };
  server_->handler()(std::move(request), std::move(responder));
}

void Connection::on_reply(Reply reply) {
  if (phase_ != Phase::handling) return;  // the socket was closed meanwhile
  if (reply.delay > std::chrono::nanoseconds::zero()) {
    phase_ = Phase::delaying;
    // The timer's handler needs the reply; keep it in a shared slot so the lambda stays
    // copyable.
    auto held = std::make_shared<Reply>(std::move(reply));
    arm_timer(held->delay, [held](Connection& c) {
      if (c.phase_ == Phase::delaying) c.enact(std::move(*held));
    });
    return;
  }
  enact(std::move(reply));
}

void Connection::enact(Reply reply) {
  switch (reply.action) {
    case ConnectionAction::respond:
      if (reply.stream) return start_stream(reply.response, std::move(reply.stream));
      return write_response(reply.response);
    case ConnectionAction::refuse:
      return close();
    case ConnectionAction::reset:
      return reset();
    case ConnectionAction::hang:
      return hang();
    case ConnectionAction::truncate:
      return write_truncated(reply.response);
  }
  NOTIFY_ASSERT(false);
}

http::response<http::string_body> Connection::build_response(const Response& response) const {
  // Beast rejects status codes outside 100-999; a handler producing one is a programmer error.
  NOTIFY_ASSERT(response.status >= 100 && response.status <= 999);
  http::response<http::string_body> out;
  out.version(version_);
  out.result(static_cast<unsigned>(response.status));
  if (auto reason = reason_phrase(response.status); !reason.empty()) out.reason(reason);
  for (const auto& [name, value] : response.headers) {
    // Framing is ours to decide: the body is always sent whole with a Content-Length.
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
    out.insert(name, value);
  }
  if (!response.headers.contains("Server")) out.set(http::field::server, kServerName);
  const bool no_body =
      response.status / 100 == 1 || response.status == 204 || response.status == 304;
  if (!no_body) {
    out.content_length(response.body.size());
    if (!head_) out.body() = response.body;
  }
  const bool handler_closes = response.headers.get("Connection").has_value() &&
                              iequals(*response.headers.get("Connection"), "close");
  out.keep_alive(keep_alive_ && !handler_closes && !stop_requested_ && !server_->stopped());
  return out;
}

bool Connection::serialize_plain(const Response& response) {
  // The common answer: HTTP/1.x, a body framed by Content-Length, no Connection header of the
  // handler's and nothing Beast would rewrite. Anything else goes through Beast's serializer.
  if (head_ || (version_ != 10 && version_ != 11)) return false;
  if (response.status < 200 || response.status > 999 || response.status == 204 ||
      response.status == 304) {
    return false;
  }
  bool has_server = false;
  for (const auto& [name, value] : response.headers) {
    if (!plain_name(name) || !plain_value(value) || iequals(name, "Connection")) return false;
    has_server = has_server || iequals(name, "Server");
  }
  const bool keep_alive = keep_alive_ && !stop_requested_ && !server_->stopped();
  // Byte for byte what Beast writes for build_response(): the handler's fields in order,
  // Server, Content-Length, then Connection as keep_alive() sets it for the version.
  std::string& out = write_buffer_;
  out.clear();
  out += version_ == 11 ? "HTTP/1.1 " : "HTTP/1.0 ";
  char status[4];
  status[0] = static_cast<char>('0' + response.status / 100);
  status[1] = static_cast<char>('0' + response.status / 10 % 10);
  status[2] = static_cast<char>('0' + response.status % 10);
  status[3] = ' ';
  out.append(status, sizeof status);
  out += reason_phrase(response.status);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!has_server) {
    out += "Server: ";
    out += kServerName;
    out += "\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(response.body.size());
  out += "\r\n";
  if (version_ == 11 && !keep_alive) out += "Connection: close\r\n";
  if (version_ == 10 && keep_alive) out += "Connection: keep-alive\r\n";
  out += "\r\n";
  out += response.body;
  write_keep_alive_ = keep_alive;
  return true;
}

void Connection::write_response(const Response& response) {
  phase_ = Phase::writing;
  if (serialize_plain(response)) {
    // One buffer, reused by the connection from one answer to the next.
    asio::async_write(socket_, asio::buffer(write_buffer_),
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        if (self->phase_ != Phase::writing) return;
                        if (self->write_buffer_.capacity() > kWriteBufferKeptMax) {
                          std::string().swap(self->write_buffer_);
                        }
                        const bool again = !ec && self->write_keep_alive_ &&
                                           !self->stop_requested_ && !self->server_->stopped();
                        if (again) {
                          self->read_request();
                        } else {
                          self->close();
                        }
                      });
    return;
  }
  auto message = std::make_shared<http::response<http::string_body>>(build_response(response));
  http::async_write(
      socket_, *message, [self = shared_from_this(), message](error_code ec, std::size_t) {
        if (self->phase_ != Phase::writing) return;
        const bool again =
            !ec && message->keep_alive() && !self->stop_requested_ && !self->server_->stopped();
        if (again) {
          self->read_request();
        } else {
          self->close();
        }
      });
}

void Connection::write_truncated(const Response& response) {
  phase_ = Phase::writing;
  auto message = build_response(response);
  message.keep_alive(false);
  std::ostringstream wire;
  wire << message;
  auto bytes = std::make_shared<std::string>(std::move(wire).str());
  const std::size_t body = message.body().size();
  bytes->resize(bytes->size() - body + body / 2);
  asio::async_write(socket_, asio::buffer(*bytes),
                    [self = shared_from_this(), bytes](error_code, std::size_t) {
                      if (self->phase_ == Phase::writing) self->close();
                    });
}

void Connection::answer_and_linger(http::status status) {
  phase_ = Phase::writing;
  version_ = 11;
  keep_alive_ = false;
  head_ = false;
  Response response;
  response.status = static_cast<int>(status);
  response.headers.set("Content-Type", "text/plain");
  response.body = std::string(reason_phrase(response.status)) + "\n";
  auto message = std::make_shared<http::response<http::string_body>>(build_response(response));
  http::async_write(socket_, *message,
                    [self = shared_from_this(), message](error_code ec, std::size_t) {
                      if (self->phase_ != Phase::writing) return;
                      if (ec) return self->close();
                      self->linger();
                    });
}

void Connection::linger() {
  phase_ = Phase::lingering;
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  arm_timer(std::min<std::chrono::nanoseconds>(kLingerTime, server_->options().idle_timeout),
            [](Connection& c) { c.close(); });
  struct Drain {
    std::shared_ptr<Connection> self;
    void operator()(error_code ec, std::size_t) const {
      if (self->phase_ != Phase::lingering) return;
      if (ec) return self->close();
      self->socket_.async_read_some(asio::buffer(self->discard_), *this);
    }
  };
  Drain{shared_from_this()}(error_code{}, 0);
}

void Connection::hang() {
  phase_ = Phase::hanging;
  // Reading (and discarding) is how a peer's close is noticed; nothing read is answered.
  struct Discard {
    std::shared_ptr<Connection> self;
    void operator()(error_code ec, std::size_t) const {
      if (self->phase_ != Phase::hanging) return;
      if (ec) return self->close();
      self->socket_.async_read_some(asio::buffer(self->discard_), *this);
    }
  };
  Discard{shared_from_this()}(error_code{}, 0);
}

void Connection::start_stream(const Response& head, std::shared_ptr<BodyStream> stream) {
  NOTIFY_ASSERT(head.status >= 200 && head.status <= 999);
  phase_ = Phase::streaming;
  stream_ = std::move(stream);
  stream_writing_ = true;
  stream_chunked_ = version_ == 11;
  ++stream_generation_;
  // The body's length is unknown, so it is chunked (HTTP/1.1) or ends with the connection
  // (HTTP/1.0); either way the connection closes after it.
  std::string& out = write_buffer_;
  out = version_ == 11 ? "HTTP/1.1 " : "HTTP/1.0 ";
  out += std::to_string(head.status);
  out += ' ';
  out += reason_phrase(head.status);
  out += "\r\n";
  bool has_server = false;
  for (const auto& [name, value] : head.headers) {
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
        iequals(name, "Connection") || !plain_name(name) || !plain_value(value)) {
      continue;
    }
    has_server = has_server || iequals(name, "Server");
    out += name + ": " + value + "\r\n";
  }
  if (!has_server) out += "Server: " + std::string(kServerName) + "\r\n";
  if (stream_chunked_) out += "Transfer-Encoding: chunked\r\n";
  out += "Connection: close\r\n\r\n";
  asio::async_write(socket_, asio::buffer(write_buffer_),
                    [self = shared_from_this()](error_code ec, std::size_t) {
                      if (self->phase_ != Phase::streaming) return;
                      self->stream_writing_ = false;
                      if (ec || self->head_) return self->close();
                      // Reading (and discarding) is how the peer's leaving is noticed while the
                      // stream waits for its next piece.
                      struct Discard {
                        std::shared_ptr<Connection> self;
                        void operator()(error_code ec, std::size_t) const {
                          if (self->phase_ == Phase::closed) return;
                          if (ec) return self->close();
                          self->socket_.async_read_some(asio::buffer(self->discard_), *this);
                        }
                      };
                      Discard{self}(error_code{}, 0);
                      self->pull_stream();
                    });
}

void Connection::pull_stream() {
  if (phase_ != Phase::streaming) return;
  if (stop_requested_ || server_->stopped()) return end_stream();
  const std::uint64_t generation = stream_generation_;
  // The callback holds the connection weakly: the read that watches for the peer keeps it alive
  // while a piece is awaited, and a stream that keeps its callback after cancel() (or forever)
  // must not keep a closed connection, and the server it points to, from being freed.
  stream_->pull([weak = weak_from_this(), generation](std::optional<std::string> piece) {
    auto connection = weak.lock();
    if (!connection) return;
    asio::dispatch(connection->executor(),
                   [connection, generation, piece = std::move(piece)]() mutable {
                     connection->on_stream_piece(generation, std::move(piece));
                   });
  });
}

void Connection::on_stream_piece(std::uint64_t generation, std::optional<std::string> piece) {
  if (phase_ != Phase::streaming || generation != stream_generation_ || stream_writing_) return;
  if (!piece) return end_stream();
  if (piece->empty()) return pull_stream();
  std::string& out = write_buffer_;
  out.clear();
  if (stream_chunked_) {
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", piece->size());
    out += size;
  }
  out += *piece;
  if (stream_chunked_) out += "\r\n";
  stream_writing_ = true;
  asio::async_write(socket_, asio::buffer(write_buffer_),
                    [self = shared_from_this()](error_code ec, std::size_t) {
                      if (self->phase_ != Phase::streaming) return;
                      self->stream_writing_ = false;
                      if (self->write_buffer_.capacity() > kWriteBufferKeptMax) {
                        std::string().swap(self->write_buffer_);
                      }
                      if (ec) return self->close();
                      self->pull_stream();
                    });
}

void Connection::end_stream() {
  if (phase_ != Phase::streaming || stream_writing_) return;
  ++stream_generation_;
  if (stream_) std::exchange(stream_, nullptr)->cancel();
  phase_ = Phase::writing;
  if (!stream_chunked_) return close();
  // The last chunk tells the reader that the body ended whole, not that the connection broke.
  write_buffer_ = "0\r\n\r\n";
  asio::async_write(socket_, asio::buffer(write_buffer_),
                    [self = shared_from_this()](error_code, std::size_t) {
                      if (self->phase_ == Phase::writing) self->close();
                    });
}

void Connection::reset() {
  error_code ignored;
  // SO_LINGER with a zero time-out makes close() send an RST instead of a FIN.
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  close();
}

void Connection::close() {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  cancel_timer();
  ++stream_generation_;
  if (stream_) std::exchange(stream_, nullptr)->cancel();
  error_code ignored;
  socket_.close(ignored);
  server_->unregister(this);
}

void Connection::on_server_stop() {
  stop_requested_ = true;
  // Idle, half-read and hung connections close now; answers in flight finish first and then
  // close (write_response checks stop_requested_).
  if (phase_ == Phase::reading || phase_ == Phase::hanging || phase_ == Phase::lingering) close();
  // A streamed body ends now, or as soon as the piece being written is out.
  if (phase_ == Phase::streaming) end_stream();
}

}  // namespace notify::transport::beast_server
