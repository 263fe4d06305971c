// The two HttpTransport implementations: real sockets through Beast, and in-process delivery to
// stub handlers with the virtual clock.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/transport/http.hpp"
#include "notify/transport/server.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace notify::transport {

struct ClientOptions {
  std::size_t max_connections_per_host = 64;  // requests beyond wait for a free connection
  std::size_t max_queued_per_host = 100'000;  // beyond that: errc::pool_exhausted
  std::size_t response_body_limit_bytes = 64 * 1024 * 1024;
  std::chrono::milliseconds idle_timeout{30'000};  // pooled connections idle this long close
  /// The io_context runs on one thread only, and send() is called on it: the client then needs
  /// no strand, and a request starts inside send() instead of after a hop through the queue.
  bool one_thread = false;
};

/// Keep-alive HTTP/1.1 client with a bounded pool per host:port. Completions run on `io`.
/// A request sent on a pooled connection that the server had closed is retried once on a
/// fresh connection, as HTTP clients do for idempotent reuse failures.
std::unique_ptr<HttpTransport> make_beast_client(boost::asio::io_context& io,
                                                 ClientOptions options = {});

/// Routes requests to handlers by URL authority ("host:port") without sockets. Connection-level
/// actions become the error a socket would give: refuse -> connection_refused, reset ->
/// connection_reset, hang -> timed_out after the read time-out, truncate -> truncated_response.
/// An authority with no route is connection_refused. Delays and completions run on `clock`.
class InProcessTransport final : public HttpTransport {
 public:
  explicit InProcessTransport(runtime::Clock& clock);
  ~InProcessTransport() override;

  /// Requests to http://`authority`/... go to `handler`. Replaces an earlier route.
  void route(std::string authority, ServerHandler handler);
  void unroute(const std::string& authority);
  /// While refusing, `authority` behaves like a closed port.
  void set_refusing(const std::string& authority, bool refusing);

  void send(Request request, SendOptions options, SendHandler done) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace notify::transport
