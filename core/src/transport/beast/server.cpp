// HttpServer::start and the listener: binding, accepting within max_connections, closing and
// re-opening the port, and stop(). The per-connection work is in server_connection.cpp.
#include "server_internal.hpp"

#include "notify/runtime/assert.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <system_error>
#include <utility>
#include <vector>

namespace notify::transport {
namespace beast_server {

ServerState::ServerState(asio::io_context& io, ServerOptions options, ServerHandler handler)
    : io_(io), options_(std::move(options)), handler_(std::move(handler)), acceptor_(io) {
  NOTIFY_ASSERT(handler_);
  NOTIFY_ASSERT(options_.max_connections > 0);
}

void ServerState::open() {
  error_code ec;
  auto address = asio::ip::make_address(options_.bind_address, ec);
  if (ec) {
    throw std::system_error(ec, "HttpServer: bind_address '" + options_.bind_address +
                                    "' is not an IP address (want e.g. 127.0.0.1)");
  }
  std::lock_guard lock(mutex_);
  endpoint_ = tcp::endpoint(address, options_.port);
  open_locked();
}

void ServerState::open_locked() {
  error_code ec;
  acceptor_.open(endpoint_.protocol(), ec);
  // SO_REUSEADDR lets set_accepting(true) bind the same port again while connections from the
  // previous listening socket are still in TIME_WAIT.
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint_, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) endpoint_ = acceptor_.local_endpoint(ec);
  if (ec) {
    error_code ignored;
    acceptor_.close(ignored);
    throw std::system_error(ec, "HttpServer: cannot listen on " + endpoint_.address().to_string() +
                                    ":" + std::to_string(endpoint_.port()));
  }
  ++generation_;
  accepting_ = true;
  accept_armed_ = false;
  arm_accept_locked();
}

void ServerState::close_acceptor_locked() {
  error_code ignored;
  acceptor_.close(ignored);
  accepting_ = false;
  accept_armed_ = false;
}

void ServerState::arm_accept_locked() {
  // Accepting goes on when every slot is taken: a new client takes the slot of the connection
  // that has waited longest for a request (an idle keep-alive connection, or a client sending
  // its request a byte at a time), so idle or slow clients cannot lock out a well-formed one.
  if (!accepting_ || accept_armed_ || stopped()) return;
  accept_armed_ = true;
  // Each connection gets its own strand, so handlers of one connection never run concurrently
  // even when several threads run the io_context; on one thread that holds without a strand.
  acceptor_.async_accept(
      options_.one_thread ? asio::any_io_executor(io_.get_executor())
                          : asio::any_io_executor(asio::make_strand(io_)),
      [self = shared_from_this(), generation = generation_](error_code ec, tcp::socket socket) {
        self->on_accept(generation, ec, std::move(socket));
      });
}

void ServerState::on_accept(std::uint64_t generation, error_code ec, tcp::socket socket) {
  std::shared_ptr<Connection> connection;
  // Owners taken while looking for a slot are released after the lock: a connection whose last
  // owner goes unregisters itself, which takes the lock.
  std::vector<std::shared_ptr<Connection>> looked_at;
  {
    std::lock_guard lock(mutex_);
    if (generation != generation_) return;  // a closed acceptor's accept; a new one is armed
    accept_armed_ = false;
    if (ec || stopped() || !accepting_) {
      // Transient accept errors (ECONNABORTED, EMFILE) must not stop the listener.
      if (ec != asio::error::operation_aborted) arm_accept_locked();
      return;
    }
    if (connections_.size() >= options_.max_connections) {
      std::shared_ptr<Connection> oldest;
      std::int64_t oldest_since = 0;
      looked_at.reserve(connections_.size());
      for (const auto& [raw, weak] : connections_) {
        auto c = weak.lock();
        if (!c) continue;
        std::int64_t since = c->waiting_since();
        if (since != 0 && (oldest == nullptr || since < oldest_since)) {
          oldest = c;
          oldest_since = since;
        }
        looked_at.push_back(std::move(c));
      }
      if (oldest == nullptr) {
        // Every slot is answering a request: shed the newcomer rather than queue it unseen.
        ++shed_;
        error_code ignored;
        socket.close(ignored);
        arm_accept_locked();
        return;
      }
      ++evicted_;
      oldest->evict();
    }
    connection = std::make_shared<Connection>(shared_from_this(), std::move(socket));
    connections_.emplace(connection.get(), connection);
    arm_accept_locked();
  }
  asio::post(connection->executor(), [connection] { connection->start(); });
}

void ServerState::unregister(Connection* connection) {
  std::lock_guard lock(mutex_);
  if (connections_.erase(connection) > 0) arm_accept_locked();
}

void ServerState::set_accepting(bool accepting) {
  std::lock_guard lock(mutex_);
  if (stopped() || accepting == accepting_) return;
  if (accepting) {
    open_locked();
  } else {
    close_acceptor_locked();
  }
}

bool ServerState::accepting() const {
  std::lock_guard lock(mutex_);
  return accepting_;
}

void ServerState::stop() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mutex_);
    if (stopped_.exchange(true, std::memory_order_acq_rel)) return;
    close_acceptor_locked();
    for (auto& [raw, weak] : connections_) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
  }
  for (auto& connection : live) {
    asio::post(connection->executor(), [connection] { connection->on_server_stop(); });
  }
}

std::size_t ServerState::connection_count() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

std::uint16_t ServerState::port() const {
  std::lock_guard lock(mutex_);
  return endpoint_.port();
}

std::string ServerState::address() const {
  std::lock_guard lock(mutex_);
  return endpoint_.address().to_string() + ":" + std::to_string(endpoint_.port());
}

namespace {

/// The handle given to the owner. Destroying it stops the server; the state lives on until the
/// last connection's handlers have run or been destroyed with the io_context.
class BeastServer final : public HttpServer {
 public:
  explicit BeastServer(std::shared_ptr<ServerState> state) : state_(std::move(state)) {}
  ~BeastServer() override { state_->stop(); }

  std::uint16_t port() const override { return state_->port(); }
  std::string address() const override { return state_->address(); }
  void set_accepting(bool accepting) override { state_->set_accepting(accepting); }
  bool accepting() const override { return state_->accepting(); }
  void stop() override { state_->stop(); }
  std::size_t connection_count() const override { return state_->connection_count(); }

 private:
  std::shared_ptr<ServerState> state_;
};

}  // namespace
}  // namespace beast_server

std::unique_ptr<HttpServer> HttpServer::start(boost::asio::io_context& io, ServerOptions options,
                                              ServerHandler handler) {
  auto state =
      std::make_shared<beast_server::ServerState>(io, std::move(options), std::move(handler));
  state->open();
  return std::make_unique<beast_server::BeastServer>(std::move(state));
}

}  // namespace notify::transport
