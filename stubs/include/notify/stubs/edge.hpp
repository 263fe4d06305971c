// The edge: every listener the stubs are reached through, for serve, sim mode and wire mode
// alike. There is one shared listener that routes every service (the edge port), one listener
// per service, and the extra listeners a provider asks for (one per provider and availability
// zone). Each is closed while a refuse rule covers it, so a client sees a real refused
// connection (a closed port on a socket, a refusing authority in process), and opened again when
// the rule ends; one re-check timer on the run's clock notices rules whose time window closes.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/transport/server.hpp"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}
namespace notify::transport {
class InProcessTransport;
}

namespace notify::stubs {

/// Which listener: all empty for the shared edge; a service alone for that service's own
/// listener; with a provider and/or AZ for an extra listener.
struct ListenerKey {
  std::string service;
  std::string provider;
  std::string az;
  bool shared() const { return service.empty(); }
  /// "edge", "ses", "cbc/ee/az1": how the ready file and /health name it.
  std::string name() const;
  friend bool operator==(const ListenerKey&, const ListenerKey&) = default;
};

/// Where listeners live: sockets, or authorities of an in-process transport.
class EdgeBackend {
 public:
  virtual ~EdgeBackend() = default;
  /// Opens a listener; returns its address, "host:port".
  virtual std::string listen(const ListenerKey& key, transport::ServerHandler handler) = 0;
  virtual void set_accepting(const std::string& address, bool accepting) = 0;
  virtual void stop() = 0;
};

/// In-process listeners: "stubs.sim:4566" for the shared edge, "<name>.stubs.sim:4566" for the
/// others. The transport must outlive the backend.
std::unique_ptr<EdgeBackend> make_inprocess_edge(transport::InProcessTransport& net);

struct SocketEdgeOptions {
  transport::ServerOptions shared;  // the edge port
  transport::ServerOptions others;  // per-service and extra listeners (port 0: any free port)
  /// Fault delays are on the run's clock; a server waits in real time. With a scenario clock
  /// running `time_scale` times faster than real time, delays shrink by that factor.
  double time_scale = 1;
};
/// Socket listeners (Beast) on `io`.
std::unique_ptr<EdgeBackend> make_socket_edge(boost::asio::io_context& io,
                                              SocketEdgeOptions options);

struct Listener {
  ListenerKey key;
  std::string address;
  bool accepting = true;
};

class Edge {
 public:
  /// `recheck` is how often, on `clock`, a closed listener is looked at again while
  /// `keep_checking()` holds (a closed listener receives no requests, so nothing else would
  /// notice a refuse rule's window ending).
  Edge(
      StubHost& host, runtime::Clock& clock, EdgeBackend& backend, runtime::Duration recheck,
      std::function<bool()> keep_checking = [] { return true; });
  ~Edge();
  Edge(const Edge&) = delete;
  Edge& operator=(const Edge&) = delete;

  /// Opens the shared edge, one listener per stub on the host, and each registered stub's extra
  /// listeners; connects the host's refusal callback and its /health details.
  void open(const StubRegistry& registry);
  void stop();

  std::vector<Listener> listeners() const;
  /// "http://host:port" of a listener (the shared edge by default); throws std::out_of_range for
  /// a listener that is not open.
  std::string url(const ListenerKey& key = {}) const;
  /// Each stub's client environment, pointed at the shared edge (as serve prints it).
  std::vector<EnvVar> env(const StubRegistry& registry) const;
  /// {"edge_url", "listeners": {name: url}, "env": {NAME: value}}, for the ready file and /health.
  nlohmann::json describe(const StubRegistry& registry) const;

  /// Closes and opens listeners to match the refuse rules now.
  void check_refusals();

 private:
  StubHost& host_;
  runtime::Clock& clock_;
  EdgeBackend& backend_;
  runtime::Duration recheck_;
  std::function<bool()> keep_checking_;
  std::vector<Listener> listeners_;
  const StubRegistry* registry_ = nullptr;
  bool recheck_scheduled_ = false;
  bool all_open_ = true;
  runtime::TimerId recheck_timer_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace notify::stubs
