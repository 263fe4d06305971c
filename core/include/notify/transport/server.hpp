// HttpServer: the thin Beast server shell that every stub and the core's receipt endpoint run
// behind. It owns sockets, limits and connection-level faults; what to answer is decided by a
// handler that never sees a socket.
#pragma once

#include "notify/transport/http.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace notify::transport {

/// What the server does with a request once the handler has decided.
enum class ConnectionAction {
  respond,   // write `response` (after `delay`)
  refuse,    // close the connection at once without answering
  reset,     // abort the connection with a TCP RST
  hang,      // never answer; the connection stays open until the peer gives up or stop()
  truncate,  // write the status line, headers and half the body, then close
};

/// A response body written as it is produced (server-sent events). The server asks for the next
/// piece only once the previous one is on the wire, so a slow reader costs one piece of memory.
class BodyStream {
 public:
  using Next = std::function<void(std::optional<std::string>)>;
  virtual ~BodyStream() = default;
  /// Asks for the next piece. The stream calls `next` once, from any thread, when it has one:
  /// with the piece, or with nullopt when the body is complete.
  virtual void pull(Next next) = 0;
  /// The connection is closing (the peer left or the server stops): a `next` still pending will
  /// not be used and can be dropped. Called at most once, on the connection's thread.
  virtual void cancel() = 0;
};

struct Reply {
  Response response;
  ConnectionAction action = ConnectionAction::respond;
  std::chrono::nanoseconds delay{0};
  /// With `respond`: the status and headers of `response`, then this stream as the body (chunked
  /// for HTTP/1.1), and the connection closes after it. On server stop the body is ended.
  std::shared_ptr<BodyStream> stream;
};

/// Calls back exactly once with the reply. Safe to call from any thread.
using Responder = std::function<void(Reply)>;
using ServerHandler = std::function<void(Request, Responder)>;

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;                           // 0: the kernel picks one; port() tells which
  std::size_t body_limit_bytes = 41 * 1024 * 1024;  // 413 beyond
  std::size_t header_limit_bytes = 16 * 1024;       // 431 beyond
  /// Open connections at most. A new client beyond it takes the slot of the connection that has
  /// waited longest for a request (idle keep-alive, or a request arriving a byte at a time); if
  /// every slot is answering a request, the newcomer is closed at once.
  std::size_t max_connections = 1024;
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive connections idle this long close
  /// The io_context runs on one thread only, so connections need no strand of their own.
  bool one_thread = false;
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  /// Binds and starts accepting on `io`. Throws std::system_error naming the address if it
  /// cannot bind.
  static std::unique_ptr<HttpServer> start(boost::asio::io_context& io, ServerOptions options,
                                           ServerHandler handler);

  virtual std::uint16_t port() const = 0;
  virtual std::string address() const = 0;  // "127.0.0.1:PORT"
  /// Closes (false) or re-opens at the same port (true) the listening socket. While closed, new
  /// connections are refused by the kernel, as they are by a host whose service is down.
  /// Open connections are unaffected. Thread-safe.
  virtual void set_accepting(bool accepting) = 0;
  virtual bool accepting() const = 0;
  /// Stops accepting, closes idle connections, lets answers in flight finish, and closes the
  /// rest (hung ones included). Thread-safe; idempotent.
  virtual void stop() = 0;
  virtual std::size_t connection_count() const = 0;
};

}  // namespace notify::transport
