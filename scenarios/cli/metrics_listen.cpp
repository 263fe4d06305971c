#include "metrics_listen.hpp"

#include "notify/transport/server.hpp"

#include <boost/asio/io_context.hpp>

#include <stdexcept>
#include <thread>

namespace notify::cli {

namespace {

constexpr const char* kOption = "--metrics-listen";

[[noreturn]] void bad(const std::string& listen, const std::string& what) {
  throw std::invalid_argument(std::string(kOption) + " " + listen + ": " + what);
}

}  // namespace

struct MetricsListener::Impl {
  boost::asio::io_context io{1};
  std::unique_ptr<transport::HttpServer> server;
  std::thread thread;
};

MetricsListener::MetricsListener(const std::string& listen, client::MetricsPage& page)
    : impl_(std::make_unique<Impl>()) {
  const auto colon = listen.rfind(':');
  const std::string port_text = colon == std::string::npos ? "" : listen.substr(colon + 1);
  std::string host = colon == std::string::npos ? "" : listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty() || port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port_text) > 65535) {
    bad(listen,
        "expected HOST:PORT with an IP address and a port from 0 (any free port) to "
        "65535, e.g. 127.0.0.1:9464");
  }
  transport::ServerOptions options;
  options.bind_address = host;
  options.port = static_cast<std::uint16_t>(std::stoul(port_text));
  // A scraper or two: a few connections, small requests.
  options.max_connections = 16;
  options.body_limit_bytes = 64 * 1024;
  options.one_thread = true;  // the thread below is the only one
  try {
    impl_->server = transport::HttpServer::start(impl_->io, options, page.handler());
  } catch (const std::exception& e) {
    std::string what = e.what();
    constexpr std::string_view kPrefix = "HttpServer: ";
    if (what.rfind(kPrefix, 0) == 0) what.erase(0, kPrefix.size());
    bad(listen, what + "; expected a free port, or 0 for any free port");
  }
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

MetricsListener::~MetricsListener() {
  impl_->server->stop();
  impl_->io.stop();
  impl_->thread.join();
}

std::string MetricsListener::url() const {
  // address() is "host:port"; an IPv6 host needs its brackets in a URL.
  const std::string address = impl_->server->address();
  const auto colon = address.rfind(':');
  const std::string host = address.substr(0, colon);
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + address.substr(colon) + "/metrics";
}

}  // namespace notify::cli
