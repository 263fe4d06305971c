// notify-sim serve: every registered stub on one edge port (routed by path and operation, as
// LocalStack does) and on a listener of its own, the control API on the admin port, until SIGINT
// or SIGTERM.
#include "commands.hpp"
#include "notify/scenarios/scenario.hpp"
#include "notify/stubs/console.hpp"
#include "notify/stubs/edge.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/transport/clients.hpp"
#include "notify/transport/server.hpp"
#include "serve_config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

namespace notify::cli {
namespace {

void write_ready_file(const std::string& path, const nlohmann::json& ready) {
  // Written to a temporary name and renamed, so a reader never sees half a file.
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << ready.dump() << "\n";
    if (!out) throw std::runtime_error(path + ": cannot be written");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(path + ": cannot be written");
}

// --callback-url: "URL" for every stub that sends callbacks, or "service=URL,service=URL".
std::map<std::string, std::string> callback_urls(const std::string& arg,
                                                 const stubs::StubRegistry& registry) {
  std::map<std::string, std::string> out;
  std::string_view rest = arg;
  auto eq = rest.find('=');
  auto scheme = rest.find("://");
  if (eq == std::string_view::npos || (scheme != std::string_view::npos && scheme < eq)) {
    for (const auto& spec : registry.all())
      if (!spec.callback_config.empty()) out[spec.service] = arg;
    return out;
  }
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    auto sep = item.find('=');
    std::string service(item.substr(0, sep));
    const stubs::StubSpec* spec = registry.find(service);
    if (sep == std::string_view::npos || spec == nullptr || spec->callback_config.empty())
      throw scenarios::ScenarioError("--callback-url " + arg + ": " + service +
                                     ": expected a stub that sends callbacks, as SERVICE=URL");
    out[service] = std::string(item.substr(sep + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return out;
}

// A listener on every interface (0.0.0.0, ::) is not an address a client can be given: the
// exports name loopback instead, which is right on this machine, and the banner says so.
const char* wildcard_prefix(const std::string& url) {
  for (const char* w : {"http://0.0.0.0:", "http://[::]:"}) {
    if (url.rfind(w, 0) == 0) return w;
  }
  return nullptr;
}

std::string reachable(const std::string& value) {
  std::string out = value;
  for (const auto& [wild, local] : {std::pair{"http://0.0.0.0:", "http://127.0.0.1:"},
                                    std::pair{"http://[::]:", "http://[::1]:"}}) {
    for (auto at = out.find(wild); at != std::string::npos; at = out.find(wild, at))
      out.replace(at, std::string(wild).size(), local);
  }
  return out;
}

// The variables a client sets: the stubs', then the control API's, which load --faults with
// external stubs and the Python client read.
std::vector<stubs::EnvVar> exports(const stubs::Edge& edge, const stubs::StubRegistry& registry,
                                   const std::string& admin_url) {
  std::vector<stubs::EnvVar> out;
  for (const auto& v : edge.env(registry)) out.push_back({v.name, reachable(v.value)});
  out.push_back({"NOTIFY_SIM_ADMIN_URL", reachable(admin_url)});
  return out;
}

void print_banner(const stubs::Edge& edge, const stubs::StubRegistry& registry,
                  const stubs::StubHost& host, const std::string& admin_url, std::uint64_t seed,
                  const std::string& profile, bool console) {
  const std::string edge_url = edge.url();
  std::printf("notify-sim serve: provider stubs on %s, control API on %s (seed %llu, profile %s)\n",
              edge_url.c_str(), admin_url.c_str(), static_cast<unsigned long long>(seed),
              profile.c_str());
  for (const auto& l : edge.listeners()) {
    if (l.key.shared()) continue;
    const stubs::StubSpec* spec = registry.find(l.key.service);
    if (l.key.provider.empty() && l.key.az.empty() && spec != nullptr) {
      std::printf("  %s (%s), also on http://%s\n", spec->title.c_str(), spec->service.c_str(),
                  l.address.c_str());
      for (const auto& r : spec->routes)
        std::printf("    %-5s %s%s  %s\n", r.method.c_str(), edge_url.c_str(), r.path.c_str(),
                    r.what.c_str());
    } else {
      std::printf("  %s listener http://%s\n", l.key.name().c_str(), l.address.c_str());
    }
  }
  (void)host;
  std::printf("\nPoint clients at the stubs:\n");
  if (wildcard_prefix(edge_url) != nullptr)
    std::printf("# listening on every interface: these name this machine; from another one, use "
                "this machine's address in place of 127.0.0.1\n");
  for (const auto& v : exports(edge, registry, admin_url))
    std::printf("export %s=%s\n", v.name.c_str(), v.value.c_str());
  std::printf("\nControl API: curl %s/health ; curl %s/journal ; see docs/control-api.md\n",
              admin_url.c_str(), admin_url.c_str());
  if (console)
    std::printf("Console: open %s/ in a browser to see messages and switch faults; see "
                "docs/console.md\n",
                reachable(admin_url).c_str());
  std::fflush(stdout);
}

bool is_loopback(const std::string& address) {
  return address == "127.0.0.1" || address == "::1" || address == "localhost" ||
         address.rfind("127.", 0) == 0;
}

// Why serve could not start, on stderr and, with --ready-file, as {"error": ...} in the ready
// file: a script or test that waits for the file learns at once that it will never list ports,
// and why, instead of waiting out its time-out.
int cannot_start(const ServeArgs& args, const std::string& message) {
  std::fprintf(stderr, "notify-sim serve: %s\n", message.c_str());
  if (args.ready_file) {
    try {
      write_ready_file(*args.ready_file, {{"error", "notify-sim serve: " + message}});
    } catch (const std::exception& e) {
      std::fprintf(stderr, "notify-sim serve: --ready-file %s\n", e.what());
    }
  }
  return 2;
}

int serve_until_stopped(const ServeArgs& args);

}  // namespace

int serve(const ServeArgs& args) {
  try {
    return serve_until_stopped(args);
  } catch (const std::exception& e) {
    return cannot_start(args, e.what());
  }
}

namespace {

int serve_until_stopped(const ServeArgs& args) {
  const stubs::StubRegistry& registry = stubs::registry();
  ServeConfig config;
  std::map<std::string, std::string> callbacks;
  std::string profile;
  try {
    // --profile and NOTIFY_SIM_PROFILE arrive together in args.profile (the option wins).
    profile = resolve_profile(args.profile);
    if (args.config) config = load_serve_config(*args.config);
    if (args.callback_url) callbacks = callback_urls(*args.callback_url, registry);
  } catch (const scenarios::ScenarioError& e) {
    return cannot_start(args, e.what());
  }

  if (!args.admin_token && !is_loopback(args.admin_bind)) {
    return cannot_start(args, "--admin-bind " + args.admin_bind +
                                  ": the control API beyond loopback needs --admin-token (or "
                                  "NOTIFY_SIM_ADMIN_TOKEN)");
  }

  // One thread runs everything below (io.run() at the end): the hint lets Asio skip the
  // wake-ups it needs for several.
  boost::asio::io_context io(1);
  auto clock = runtime::make_system_clock(io);
  transport::ClientOptions client_options;
  client_options.one_thread = true;
  auto client = transport::make_beast_client(io, client_options);
  stubs::HostOptions host_options;
  host_options.seed = args.seed;
  host_options.journal = config.journal;
  stubs::StubHost host(*clock, host_options);
  if (args.admin_token) host.set_control_token(*args.admin_token);
  host.set_outbound_transport(client.get());
  if (args.ses_events)
    stubs::set_dotted(config.stubs["ses"], "events.destination", *args.ses_events);
  for (const auto& spec : registry.all()) {
    auto& stub = host.add(spec.make());
    nlohmann::json block = config.stubs.value(spec.service, nlohmann::json::object());
    if (auto it = callbacks.find(spec.service); it != callbacks.end())
      stubs::set_dotted(block, spec.callback_config, it->second);
    if (auto error = stub.configure(block)) {
      return cannot_start(args, error->under("stubs." + spec.service)
                                    .in_file(args.config.value_or("--callback-url"))
                                    .to_string());
    }
  }
  for (const auto& rule : config.faults) {
    if (auto r = host.faults().add(rule); !r)
      return cannot_start(args, *args.config + ": " + r.error().to_string());
  }

  stubs::SocketEdgeOptions edge_options;
  edge_options.shared.bind_address = args.bind;
  edge_options.shared.port = args.port;
  edge_options.shared.max_connections = args.max_connections;
  edge_options.shared.idle_timeout = std::chrono::milliseconds(args.idle_timeout_ms);
  edge_options.shared.one_thread = true;  // io.run() below is the only thread
  edge_options.others = edge_options.shared;
  edge_options.others.port = 0;
  transport::ServerOptions admin_options = edge_options.shared;
  admin_options.bind_address = args.admin_bind;
  admin_options.port = args.admin_port;
  auto backend = stubs::make_socket_edge(io, edge_options);
  // A refuse rule closes the listeners it covers, so clients get a real refused connection; a
  // closed listener receives no requests, so the end of a rule's window is noticed by the edge's
  // re-check timer.
  stubs::Edge edge(host, *clock, *backend, std::chrono::milliseconds(100));
  // A port in use (another serve still running) is named by the option that chose it.
  auto cannot_listen = [&args](const char* option, int port, const std::exception& e) {
    return cannot_start(args, std::string(option) + " " + std::to_string(port) + ": " + e.what() +
                                  "; expected a free port, or 0 for any free port");
  };
  try {
    edge.open(registry);
  } catch (const std::exception& e) {
    return cannot_listen("--port", args.port, e);
  }
  std::unique_ptr<transport::HttpServer> admin;
  try {
    admin = transport::HttpServer::start(
        io, admin_options,
        stubs::console::with_console(
            [&host](transport::Request q, transport::Responder done) {
              host.handle_control(std::move(q), std::move(done));
            },
            !args.no_ui));
  } catch (const std::exception& e) {
    edge.stop();
    return cannot_listen("--admin-port", args.admin_port, e);
  }
  // /health names the profile beside what the edge describes.
  host.set_health_details([&edge, &registry, profile, seed = args.seed] {
    nlohmann::json details = edge.describe(registry);
    details["profile"] = profile;
    details["seed"] = std::to_string(seed);
    return details;
  });

  const std::string admin_url = "http://" + admin->address();
  print_banner(edge, registry, host, admin_url, args.seed, profile, !args.no_ui);
  if (args.ready_file) {
    nlohmann::json ready = edge.describe(registry);
    ready["admin_url"] = admin_url;
    for (const auto& v : exports(edge, registry, admin_url)) ready["env"][v.name] = v.value;
    ready["seed"] = args.seed;
    ready["profile"] = profile;
    // JSON readers that hold numbers as doubles (JavaScript, jq) lose a 64-bit seed's low bits.
    ready["seed_string"] = std::to_string(args.seed);
    write_ready_file(*args.ready_file, ready);
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  auto stop = [&] {
    signals.cancel();
    edge.stop();
    admin->stop();
    io.stop();
  };
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    std::fprintf(stderr, "notify-sim serve: signal %d, stopping\n", sig);
    stop();
  });
  if (args.on_ready) {
    args.on_ready([&io, &stop] { boost::asio::post(io, stop); });
  }
  io.run();
  // A ready file left behind would tell the next reader that a stopped server is listening.
  if (args.ready_file) std::remove(args.ready_file->c_str());
  return 0;
}

}  // namespace
}  // namespace notify::cli
