// notify-sim serve: the stubs on one edge port (routed by path and operation, as LocalStack
// does), the control API on the admin port, until SIGINT or SIGTERM.
#include "commands.hpp"
#include "notify/scenarios/event_faults.hpp"
#include "notify/scenarios/scenario.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/ses.hpp"
#include "notify/transport/clients.hpp"
#include "notify/transport/server.hpp"
#include "serve_config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

namespace notify::cli {
namespace {

void write_ready_file(const std::string& path, const std::string& edge, const std::string& admin) {
  // Written to a temporary name and renamed, so a reader never sees half a file.
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << nlohmann::json{{"edge_url", edge}, {"admin_url", admin}}.dump() << "\n";
    if (!out) throw std::runtime_error(path + ": cannot be written");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(path + ": cannot be written");
}

}  // namespace

int serve(const ServeArgs& args) {
  ServeConfig config;
  if (args.config) {
    try {
      config = load_serve_config(*args.config);
    } catch (const scenarios::ScenarioError& e) {
      std::fprintf(stderr, "notify-sim serve: %s\n", e.what());
      return 2;
    }
  }

  boost::asio::io_context io;
  auto clock = runtime::make_system_clock(io);
  auto client = transport::make_beast_client(io);
  stubs::HostOptions host_options;
  host_options.seed = args.seed;
  host_options.journal = config.journal;
  stubs::StubHost host(*clock, host_options);
  auto& ses = static_cast<stubs::SesStub&>(host.add(std::make_unique<stubs::SesStub>()));
  host.set_callback_transport(client.get());

  nlohmann::json ses_config = config.stubs.value("ses", nlohmann::json::object());
  if (args.callback_url) ses_config["events"]["callback_url"] = *args.callback_url;
  if (std::string err = ses.configure(ses_config); !err.empty()) {
    std::fprintf(stderr, "notify-sim serve: %s: stubs.ses.%s\n",
                 args.config.value_or("--callback-url").c_str(), err.c_str());
    return 2;
  }
  scenarios::connect_event_faults(ses, host);
  for (const auto& rule : config.faults) {
    if (auto r = host.faults().add(rule); !r) {
      std::fprintf(stderr, "notify-sim serve: %s: %s\n", args.config->c_str(),
                   r.error().to_string().c_str());
      return 2;
    }
  }

  transport::ServerOptions edge_options;
  edge_options.bind_address = args.bind;
  edge_options.port = args.port;
  transport::ServerOptions admin_options = edge_options;
  admin_options.port = args.admin_port;
  auto edge = transport::HttpServer::start(
      io, edge_options, [&host](transport::Request q, transport::Responder done) {
        host.handle(std::move(q), std::move(done));
      });
  auto admin = transport::HttpServer::start(
      io, admin_options, [&host](transport::Request q, transport::Responder done) {
        host.handle_control(std::move(q), std::move(done));
      });
  // A refuse rule on the whole SES service closes the edge listener, so clients get a real
  // refused connection; removing the rule opens it again on the same port.
  auto check_refusal = [&host, &edge] {
    bool refuse = host.faults().refuses_service("ses");
    if (edge->accepting() == refuse) edge->set_accepting(!refuse);
  };
  host.on_refusal_change(check_refusal);
  check_refusal();
  // A closed listener receives no requests, so the end of a refuse rule's time window is
  // noticed by this tick rather than by a request.
  boost::asio::steady_timer refusal_tick(io);
  std::function<void()> tick = [&] {
    check_refusal();
    refusal_tick.expires_after(std::chrono::milliseconds(100));
    refusal_tick.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
  };
  tick();

  const std::string edge_url = "http://" + edge->address();
  const std::string admin_url = "http://" + admin->address();
  std::printf("notify-sim serve: provider stubs on %s, control API on %s\n", edge_url.c_str(),
              admin_url.c_str());
  std::printf(
      "  SES v1 (Query)  POST %s/\n  SES v2 (JSON)   %s/v2/email/...\n"
      "  SES stub       POST %s/ses   (Notify's SES_STUB_URL contract)\n",
      edge_url.c_str(), edge_url.c_str(), edge_url.c_str());
  std::printf("\nPoint clients at the stubs:\n");
  std::printf("export AWS_ENDPOINT_URL=%s\n", edge_url.c_str());
  std::printf("export AWS_ENDPOINT_URL_SES=%s\n", edge_url.c_str());
  std::printf("export AWS_ENDPOINT_URL_SESV2=%s\n", edge_url.c_str());
  std::printf("export SES_STUB_URL=%s/ses\n", edge_url.c_str());
  std::printf("export AWS_ACCESS_KEY_ID=AKIDEXAMPLE\n");
  std::printf("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n");
  std::printf("export AWS_DEFAULT_REGION=eu-west-2\n");
  std::printf("\nControl API: curl %s/health ; curl %s/journal ; see docs/control-api.md\n",
              admin_url.c_str(), admin_url.c_str());
  std::fflush(stdout);
  if (args.ready_file) write_ready_file(*args.ready_file, edge_url, admin_url);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    std::fprintf(stderr, "notify-sim serve: signal %d, stopping\n", sig);
    refusal_tick.cancel();
    edge->stop();
    admin->stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace notify::cli
