// make_beast_client: HttpTransport over Beast. A pool of keep-alive connections per host:port,
// bounded, with a bounded FIFO of requests waiting for a connection. Every handler runs on one
// strand (or straight on the io_context when it has one thread); completions are posted to the
// io_context.
#include "client_errors.hpp"

#include "notify/runtime/assert.hpp"
#include "notify/transport/clients.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace notify::transport {
namespace beast_client {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr std::string_view kUserAgent = "notify-sim";
// Large enough for any provider's answer headers; a peer beyond it is misbehaving.
constexpr std::uint32_t kResponseHeaderLimit = 64 * 1024;
// The read buffer's room from the start: Beast reads at most the room a buffer has (512 bytes
// when it has less), so an answer of a kilobyte or two would otherwise take several reads.
constexpr std::size_t kReadBufferInitial = 8 * 1024;

/// One request on its way: what send() was given, and its wire form.
struct Exchange {
  SendOptions options;
  SendHandler done;
  std::string pool_key;
  http::request<http::string_body> wire;
  bool retried = false;
};

struct Pool;

struct Connection {
  explicit Connection(const asio::any_io_executor& ex, Pool& owner)
      : pool(&owner), socket(ex), resolver(ex), timer(ex) {
    buffer.reserve(kReadBufferInitial);
  }

  Pool* pool;
  tcp::socket socket;
  tcp::resolver resolver;
  asio::steady_timer timer;
  std::uint64_t timer_generation = 0;
  bool timed_out = false;
  boost::beast::flat_buffer buffer;
  std::optional<http::response_parser<http::string_body>> parser;
  std::unique_ptr<Exchange> exchange;
  bool reused = false;
  runtime::TimePoint idle_since{};
  runtime::TimePoint started{};
};

struct Pool {
  std::string host;
  std::string port;
  std::size_t open = 0;  // connections counted against max_connections_per_host
  std::vector<std::shared_ptr<Connection>> idle;
  std::deque<std::unique_ptr<Exchange>> waiting;
};

class ClientState : public std::enable_shared_from_this<ClientState> {
 public:
  ClientState(asio::io_context& io, ClientOptions options)
      : io_(io),
        strand_(options.one_thread ? asio::any_io_executor(io.get_executor())
                                   : asio::any_io_executor(asio::make_strand(io))),
        options_(options),
        clock_(runtime::make_system_clock(io)) {
    NOTIFY_ASSERT(options_.max_connections_per_host > 0);
  }

  void send(Request request, SendOptions options, SendHandler done) {
    NOTIFY_ASSERT(done);
    // The handler is never called from inside send(): submit() posts every completion.
    if (options_.one_thread) return submit(std::move(request), options, std::move(done));
    asio::post(strand_, [self = shared_from_this(), request = std::move(request), options,
                         done = std::move(done)]() mutable {
      self->submit(std::move(request), options, std::move(done));
    });
  }

  void shutdown() {
    asio::post(strand_, [self = shared_from_this()] { self->on_shutdown(); });
  }

 private:
  void submit(Request request, SendOptions options, SendHandler done) {
    if (shut_) return complete(std::move(done), error_code(asio::error::operation_aborted));
    auto url = parse_url(request.target);
    if (!url) return complete(std::move(done), url.error());
    if (url->scheme != "http") {
      // TLS is not built in: the stubs and the receipt endpoint speak plain HTTP.
      return complete(std::move(done), make_error_code(errc::invalid_argument));
    }
    auto exchange = std::make_unique<Exchange>();
    exchange->options = options;
    exchange->done = std::move(done);
    exchange->pool_key = url->host + ":" + std::to_string(url->port);
    build_wire(*exchange, std::move(request), *url);
    auto& pool = pools_[exchange->pool_key];
    if (pool.host.empty()) {
      pool.host = url->host;
      pool.port = std::to_string(url->port);
    }
    dispatch(pool, std::move(exchange));
  }

  static void build_wire(Exchange& exchange, Request request, const Url& url) {
    auto& wire = exchange.wire;
    auto verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) {
      wire.method_string(request.method);
    } else {
      wire.method(verb);
    }
    wire.target(url.target);
    wire.version(11);
    for (const auto& [name, value] : request.headers) {
      // The body is always framed by a Content-Length computed here.
      if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
      wire.insert(name, value);
    }
    if (!request.headers.contains("Host")) wire.set(http::field::host, url.authority());
    if (!request.headers.contains("User-Agent")) wire.set(http::field::user_agent, kUserAgent);
    const bool wants_length = !request.body.empty() || verb == http::verb::post ||
                              verb == http::verb::put || verb == http::verb::patch;
    if (wants_length) wire.content_length(request.body.size());
    wire.body() = std::move(request.body);
  }

  void dispatch(Pool& pool, std::unique_ptr<Exchange> exchange) {
    while (!pool.idle.empty()) {
      auto connection = std::move(pool.idle.back());
      pool.idle.pop_back();
      if (clock_->now() - connection->idle_since <= options_.idle_timeout) {
        return start_exchange(std::move(connection), std::move(exchange), true);
      }
      discard(std::move(connection));
    }
    if (pool.open < options_.max_connections_per_host) {
      ++pool.open;
      return connect(std::make_shared<Connection>(strand_, pool), std::move(exchange));
    }
    if (pool.waiting.size() < options_.max_queued_per_host) {
      pool.waiting.push_back(std::move(exchange));
      return;
    }
    complete(std::move(exchange->done), make_error_code(errc::pool_exhausted));
  }

  template <class Fn>
  void arm_timer(const std::shared_ptr<Connection>& c, std::chrono::nanoseconds after, Fn fn) {
    auto generation = ++c->timer_generation;
    c->timer.expires_after(after);
    c->timer.async_wait([self = shared_from_this(), c, generation, fn](error_code ec) {
      if (ec || generation != c->timer_generation) return;
      c->timed_out = true;
      fn(*c);
    });
  }

  static void cancel_timer(Connection& c) {
    ++c.timer_generation;
    c.timer.cancel();
  }

  static void close_socket(Connection& c) {
    error_code ignored;
    c.socket.close(ignored);
  }

  void connect(std::shared_ptr<Connection> c, std::unique_ptr<Exchange> exchange) {
    c->exchange = std::move(exchange);
    busy_.insert(c);
    arm_timer(c, c->exchange->options.connect_timeout, [](Connection& conn) {
      conn.resolver.cancel();
      close_socket(conn);
    });
    c->resolver.async_resolve(
        c->pool->host, c->pool->port,
        [self = shared_from_this(), c](error_code ec, tcp::resolver::results_type results) {
          self->on_resolve(c, ec, std::move(results));
        });
  }

  void on_resolve(const std::shared_ptr<Connection>& c, error_code ec,
                  tcp::resolver::results_type results) {
    if (c->timed_out) return fail(c, make_error_code(errc::timed_out), false);
    if (ec || shut_) {
      return fail(c,
                  shut_ ? error_code(asio::error::operation_aborted)
                        : make_error_code(errc::host_not_found),
                  false);
    }
    asio::async_connect(c->socket, results,
                        [self = shared_from_this(), c](error_code ec, const tcp::endpoint&) {
                          self->on_connect(c, ec);
                        });
  }

  void on_connect(const std::shared_ptr<Connection>& c, error_code ec) {
    if (c->timed_out) return fail(c, make_error_code(errc::timed_out), false);
    if (ec || shut_) {
      return fail(
          c,
          shut_ ? error_code(asio::error::operation_aborted) : make_error_code(classify(ec, true)),
          false);
    }
    cancel_timer(*c);
    error_code ignored;
    c->socket.set_option(tcp::no_delay(true), ignored);
    auto exchange = std::move(c->exchange);
    busy_.erase(c);
    start_exchange(c, std::move(exchange), false);
  }

  void start_exchange(std::shared_ptr<Connection> c, std::unique_ptr<Exchange> exchange,
                      bool reused) {
    c->exchange = std::move(exchange);
    c->reused = reused;
    busy_.insert(c);
    // The read time-out also bounds the write, so a peer that stops reading cannot hold the
    // request for ever.
    arm_timer(c, c->exchange->options.read_timeout, [](Connection& conn) { close_socket(conn); });
    c->started = clock_->now();
    http::async_write(
        c->socket, c->exchange->wire,
        [self = shared_from_this(), c](error_code ec, std::size_t) { self->on_write(c, ec); });
  }

  void on_write(const std::shared_ptr<Connection>& c, error_code ec) {
    if (c->timed_out) return fail(c, make_error_code(errc::timed_out), true);
    if (ec) return fail(c, ec, true);
    arm_timer(c, c->exchange->options.read_timeout, [](Connection& conn) { close_socket(conn); });
    c->parser.emplace();
    c->parser->body_limit(options_.response_body_limit_bytes);
    c->parser->header_limit(kResponseHeaderLimit);
    if (c->exchange->wire.method() == http::verb::head) c->parser->skip(true);
    http::async_read(
        c->socket, c->buffer, *c->parser,
        [self = shared_from_this(), c](error_code ec, std::size_t) { self->on_read(c, ec); });
  }

  void on_read(const std::shared_ptr<Connection>& c, error_code ec) {
    if (c->timed_out) return fail(c, make_error_code(errc::timed_out), true);
    if (ec) return fail(c, ec, true);
    cancel_timer(*c);
    auto message = c->parser->release();
    c->parser.reset();
    Response response;
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) response.headers.add(field.name_string(), field.value());
    response.body = std::move(message.body());
    response.transport_time = clock_->now() - c->started;
    const bool keep_alive = message.keep_alive() && c->exchange->wire.keep_alive();
    auto exchange = std::move(c->exchange);
    busy_.erase(c);
    complete(std::move(exchange->done), std::move(response));
    release(c, keep_alive);
  }

  /// An exchange or a connect failed on `c`. Retries once on a fresh connection when a reused
  /// connection turned out to have been closed by the server while it sat in the pool.
  void fail(const std::shared_ptr<Connection>& c, error_code ec, bool exchanging) {
    cancel_timer(*c);
    close_socket(*c);
    busy_.erase(c);
    auto exchange = std::move(c->exchange);
    const bool nothing_received = c->buffer.size() == 0 && (!c->parser || !c->parser->got_some());
    if (exchanging && !shut_ && !c->timed_out && c->reused && !exchange->retried &&
        nothing_received && is_stale_connection(ec)) {
      exchange->retried = true;
      // The fresh connection takes the stale one's slot in the pool.
      return connect(std::make_shared<Connection>(strand_, *c->pool), std::move(exchange));
    }
    if (shut_) {
      ec = asio::error::operation_aborted;
    } else if (ec.category() != notify_category()) {
      ec = make_error_code(classify(ec, !exchanging));
    }
    complete(std::move(exchange->done), ec);
    discard(c);
  }

  /// Back to the pool after a complete exchange, or closed when either side asked for it.
  void release(const std::shared_ptr<Connection>& c, bool keep_alive) {
    if (!keep_alive || shut_) return discard(c);
    c->buffer.clear();
    auto& pool = *c->pool;
    if (!pool.waiting.empty()) {
      auto next = std::move(pool.waiting.front());
      pool.waiting.pop_front();
      return start_exchange(c, std::move(next), true);
    }
    c->idle_since = clock_->now();
    pool.idle.push_back(c);
  }

  /// Closes `c` and frees its slot, which the first waiting request (if any) takes.
  void discard(const std::shared_ptr<Connection>& c) {
    close_socket(*c);
    auto& pool = *c->pool;
    NOTIFY_ASSERT(pool.open > 0);
    --pool.open;
    if (!shut_ && !pool.waiting.empty()) {
      auto next = std::move(pool.waiting.front());
      pool.waiting.pop_front();
      dispatch(pool, std::move(next));
    }
  }

  void on_shutdown() {
    shut_ = true;
    for (auto& [key, pool] : pools_) {
      for (auto& exchange : pool.waiting) {
        complete(std::move(exchange->done), error_code(asio::error::operation_aborted));
      }
      pool.waiting.clear();
      for (auto& c : pool.idle) close_socket(*c);
      pool.idle.clear();
    }
    // Busy connections complete their exchange with operation_aborted from their handlers.
    for (const auto& c : busy_) {
      cancel_timer(*c);
      c->resolver.cancel();
      close_socket(*c);
    }
  }

  void complete(SendHandler done, SendResult result) {
    asio::post(io_, [done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
  }

  asio::io_context& io_;
  asio::any_io_executor strand_;
  const ClientOptions options_;
  std::unique_ptr<runtime::Clock> clock_;
  std::unordered_map<std::string, Pool> pools_;
  std::unordered_set<std::shared_ptr<Connection>> busy_;
  bool shut_ = false;
};

class BeastClient final : public HttpTransport {
 public:
  BeastClient(asio::io_context& io, ClientOptions options)
      : state_(std::make_shared<ClientState>(io, options)) {}
  // Requests still in flight finish with operation_aborted if the io_context runs again, or are
  // dropped with it.
  ~BeastClient() override { state_->shutdown(); }

  void send(Request request, SendOptions options, SendHandler done) override {
    state_->send(std::move(request), options, std::move(done));
  }

 private:
  std::shared_ptr<ClientState> state_;
};

}  // namespace
}  // namespace beast_client

std::unique_ptr<HttpTransport> make_beast_client(boost::asio::io_context& io,
                                                 ClientOptions options) {
  return std::make_unique<beast_client::BeastClient>(io, options);
}

}  // namespace notify::transport
