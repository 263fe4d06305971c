#include "notify/stubs/edge.hpp"

#include "notify/transport/clients.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>

namespace notify::stubs {

namespace {

constexpr const char* kSimEdge = "stubs.sim:4566";

class InProcessEdge final : public EdgeBackend {
 public:
  explicit InProcessEdge(transport::InProcessTransport& net) : net_(net) {}
  std::string listen(const ListenerKey& key, transport::ServerHandler handler) override {
    std::string authority = key.shared() ? std::string(kSimEdge) : key.name() + "." + kSimEdge;
    for (char& c : authority) {
      if (c == '/') c = '-';
    }
    net_.route(authority, std::move(handler));
    return authority;
  }
  void set_accepting(const std::string& address, bool accepting) override {
    net_.set_refusing(address, !accepting);
  }
  void stop() override {}

 private:
  transport::InProcessTransport& net_;
};

class SocketEdge final : public EdgeBackend {
 public:
  SocketEdge(boost::asio::io_context& io, SocketEdgeOptions options)
      : io_(io), options_(std::move(options)) {}
  std::string listen(const ListenerKey& key, transport::ServerHandler handler) override {
    if (options_.time_scale != 1) {
      handler = [scale = options_.time_scale, handler = std::move(handler)](
                    transport::Request q, transport::Responder done) {
        handler(std::move(q), [scale, done = std::move(done)](transport::Reply r) {
          r.delay = std::chrono::duration_cast<std::chrono::nanoseconds>(r.delay / scale);
          done(std::move(r));
        });
      };
    }
    auto server = transport::HttpServer::start(
        io_, key.shared() ? options_.shared : options_.others, std::move(handler));
    std::string address = server->address();
    servers_[address] = std::move(server);
    return address;
  }
  void set_accepting(const std::string& address, bool accepting) override {
    auto& server = servers_.at(address);
    if (server->accepting() != accepting) server->set_accepting(accepting);
  }
  void stop() override {
    for (auto& [address, server] : servers_) server->stop();
  }

 private:
  boost::asio::io_context& io_;
  SocketEdgeOptions options_;
  std::map<std::string, std::unique_ptr<transport::HttpServer>> servers_;
};

}  // namespace

std::string ListenerKey::name() const {
  if (shared()) return "edge";
  std::string out = service;
  if (!provider.empty()) out += "/" + provider;
  if (!az.empty()) out += "/" + az;
  return out;
}

std::unique_ptr<EdgeBackend> make_inprocess_edge(transport::InProcessTransport& net) {
  return std::make_unique<InProcessEdge>(net);
}

std::unique_ptr<EdgeBackend> make_socket_edge(boost::asio::io_context& io,
                                              SocketEdgeOptions options) {
  return std::make_unique<SocketEdge>(io, std::move(options));
}

Edge::Edge(StubHost& host, runtime::Clock& clock, EdgeBackend& backend, runtime::Duration recheck,
           std::function<bool()> keep_checking)
    : host_(host),
      clock_(clock),
      backend_(backend),
      recheck_(recheck),
      keep_checking_(std::move(keep_checking)) {}

Edge::~Edge() {
  *alive_ = false;
  if (recheck_scheduled_) clock_.cancel(recheck_timer_);
  host_.on_refusal_change(nullptr);
  host_.set_health_details(nullptr);
  host_.set_listener_directory(nullptr);
}

void Edge::open(const StubRegistry& registry) {
  registry_ = &registry;
  auto handler = [this](transport::Request q, transport::Responder done) {
    host_.handle(std::move(q), std::move(done));
  };
  std::vector<ListenerKey> keys{ListenerKey{}};
  for (Stub* stub : host_.stubs()) {
    keys.push_back({std::string(stub->service()), "", ""});
    if (const StubSpec* spec = registry.find(stub->service())) {
      for (const auto& l : spec->listeners) keys.push_back({spec->service, l.provider, l.az});
    }
  }
  for (auto& key : keys) {
    std::string address = backend_.listen(key, handler);
    listeners_.push_back({std::move(key), std::move(address), true});
  }
  host_.on_refusal_change([this] { check_refusals(); });
  host_.set_health_details([this] { return describe(*registry_); });
  host_.set_listener_directory([this](const std::string& service, const std::string& provider,
                                      const std::string& az) -> std::optional<std::string> {
    for (const auto& l : listeners_) {
      if (l.key == ListenerKey{service, provider, az}) return "http://" + l.address;
    }
    return std::nullopt;
  });
  check_refusals();
}

void Edge::stop() {
  if (recheck_scheduled_) clock_.cancel(recheck_timer_);
  recheck_scheduled_ = false;
  backend_.stop();
}

std::vector<Listener> Edge::listeners() const { return listeners_; }

std::string Edge::url(const ListenerKey& key) const {
  for (const auto& l : listeners_) {
    if (l.key == key) return "http://" + l.address;
  }
  throw std::out_of_range("no listener " + key.name() + " is open");
}

std::vector<EnvVar> Edge::env(const StubRegistry& registry) const {
  std::vector<EnvVar> out;
  for (Stub* stub : host_.stubs()) {
    const StubSpec* spec = registry.find(stub->service());
    if (spec == nullptr || !spec->env) continue;
    for (auto& v : spec->env(url())) {
      // Stubs of one platform share some variables (AWS credentials); the first one stands.
      bool seen =
          std::any_of(out.begin(), out.end(), [&](const EnvVar& e) { return e.name == v.name; });
      if (!seen) out.push_back(std::move(v));
    }
  }
  return out;
}

nlohmann::json Edge::describe(const StubRegistry& registry) const {
  nlohmann::json listeners = nlohmann::json::object();
  for (const auto& l : listeners_) listeners[l.key.name()] = "http://" + l.address;
  nlohmann::json env = nlohmann::json::object();
  for (const auto& v : this->env(registry)) env[v.name] = v.value;
  return {{"edge_url", url()}, {"listeners", listeners}, {"env", env}};
}

void Edge::check_refusals() {
  FaultEngine& faults = host_.faults();
  // The common case, on every request: no refuse rule and every listener open.
  if (faults.refuse_rule_count() == 0 && all_open_) return;
  bool any_closed = false;
  bool all_services_refused = !host_.stubs().empty();
  std::map<std::string, bool> service_refused;
  for (Stub* stub : host_.stubs()) {
    bool refused = faults.refuses_service(std::string(stub->service()));
    service_refused[std::string(stub->service())] = refused;
    all_services_refused = all_services_refused && refused;
  }
  for (auto& l : listeners_) {
    bool refuse = false;
    if (l.key.shared()) {
      // The shared edge serves every service, so it closes only when all of them refuse; a
      // refused service's requests that reach it meet the rule's verdict instead.
      refuse = all_services_refused;
    } else if (l.key.provider.empty() && l.key.az.empty()) {
      refuse = service_refused[l.key.service];
    } else {
      refuse = faults.refuses_listener(l.key.service, l.key.provider, l.key.az);
    }
    if (l.accepting == refuse) {
      backend_.set_accepting(l.address, !refuse);
      l.accepting = !refuse;
    }
    any_closed = any_closed || refuse;
  }
  all_open_ = !any_closed;
  // A rule whose window opens later closes its listener then, with no request to notice it.
  bool windowed = false;
  for (const auto& rule : faults.rules()) {
    windowed = windowed || (rule.enabled && rule.action.type == FaultAction::Type::refuse &&
                            (rule.trigger.from || rule.trigger.until));
  }
  if ((any_closed || windowed) && !recheck_scheduled_ && keep_checking_()) {
    recheck_scheduled_ = true;
    std::weak_ptr<bool> alive = alive_;
    recheck_timer_ = clock_.schedule_after(recheck_, [this, alive] {
      if (alive.expired()) return;
      recheck_scheduled_ = false;
      check_refusals();
    });
  }
}

}  // namespace notify::stubs
