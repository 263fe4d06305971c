#include "load_stubs.hpp"

#include "notify/delivery/sms_provider_table.hpp"
#include "notify/runtime/assert.hpp"
#include "notify/stubs/edge.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/transport/clients.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <ctime>
#include <stdexcept>
#include <thread>

namespace notify::load {

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

ProviderUrls external_urls(const CoreLoadOptions& o) {
  ProviderUrls u;
  if (!o.getenv) return u;
  auto get = [&](const char* name) { return o.getenv(name).value_or(""); };
  const std::string aws = get("AWS_ENDPOINT_URL");
  u.ses = get("AWS_ENDPOINT_URL_SES");
  if (u.ses.empty()) u.ses = aws;
  u.ses_stub = get("SES_STUB_URL");
  std::string sms_missing;  // the SMS variables not set
  for (const auto& provider : delivery::sms_providers()) {
    const std::string url = get(provider.url_variable.c_str());
    if (!url.empty()) u.sms[provider.name] = url;
    else sms_missing += (sms_missing.empty() ? "" : " and ") + provider.url_variable;
  }
  u.lambda = get("AWS_ENDPOINT_URL_LAMBDA");
  if (u.lambda.empty()) u.lambda = aws;
  u.admin = trim_slash(get("NOTIFY_SIM_ADMIN_URL"));
  u.external = !u.ses.empty() || !u.ses_stub.empty() || !u.sms.empty() || !u.lambda.empty();
  if (!u.external) return u;
  for (const auto& share : o.mix) {
    if (share.channel == "email" && u.ses.empty() && u.ses_stub.empty())
      throw std::invalid_argument(
          "--mix email: external stubs are in use but neither AWS_ENDPOINT_URL_SES, "
          "AWS_ENDPOINT_URL nor SES_STUB_URL is set");
    if (share.channel == "sms" && !sms_missing.empty())
      throw std::invalid_argument("--mix sms: external stubs are in use but " + sms_missing +
                                  (sms_missing.find(" and ") == std::string::npos
                                       ? " is not set"
                                       : " are not set"));
    if (share.channel == "broadcast" && u.lambda.empty())
      throw std::invalid_argument(
          "--mix broadcast: external stubs are in use but neither AWS_ENDPOINT_URL_LAMBDA nor "
          "AWS_ENDPOINT_URL is set");
  }
  if (!u.ses.empty()) u.ses = trim_slash(u.ses) + "/";
  return u;
}

double thread_cpu_s(pthread_t thread) {
  clockid_t id;
  timespec ts{};
  if (pthread_getcpuclockid(thread, &id) != 0 || clock_gettime(id, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct EmbeddedStubs::Impl {
  boost::asio::io_context io{1};  // run by `thread` alone
  std::unique_ptr<runtime::Clock> clock;
  std::unique_ptr<stubs::StubHost> host;
  std::unique_ptr<transport::HttpTransport> client;
  std::unique_ptr<stubs::EdgeBackend> backend;
  std::unique_ptr<stubs::Edge> edge;
  std::thread thread;
};

EmbeddedStubs::EmbeddedStubs(std::uint64_t seed, const std::string& receipt_base,
                             const std::vector<stubs::FaultRule>& faults)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.clock = runtime::make_system_clock(m.io);
  stubs::HostOptions ho;
  ho.seed = seed;
  // The journal is a ring; a load run reads none of it, so keep it small and cheap.
  ho.journal.capacity = 1000;
  ho.journal.body_bytes_max = 256;
  m.host = std::make_unique<stubs::StubHost>(*m.clock, ho);
  for (const auto& spec : stubs::registry().all()) {
    auto& stub = m.host->add(spec.make());
    nlohmann::json config = spec.load_config;
    if (!spec.callback_config.empty() && !receipt_base.empty())
      stubs::set_dotted(config, spec.callback_config, receipt_base + spec.receipt_path);
    if (auto error = stub.configure(config))
      throw std::runtime_error("embedded stub: " + error->under(spec.service).to_string());
  }
  for (const auto& rule : faults)
    if (auto r = m.host->faults().add(rule); !r)
      throw std::invalid_argument("--faults: " + r.error().to_string());
  // m.thread is the only thread that runs m.io.
  transport::ClientOptions client_options;
  client_options.one_thread = true;
  m.client = transport::make_beast_client(m.io, client_options);
  m.host->set_outbound_transport(m.client.get());
  stubs::SocketEdgeOptions edge_options;
  edge_options.shared.one_thread = true;
  edge_options.others.one_thread = true;
  m.backend = stubs::make_socket_edge(m.io, edge_options);
  m.edge =
      std::make_unique<stubs::Edge>(*m.host, *m.clock, *m.backend, std::chrono::milliseconds(100));
  m.edge->open(stubs::registry());
  m.thread = std::thread([&m] { m.io.run(); });
}

EmbeddedStubs::~EmbeddedStubs() {
  Impl& m = *impl_;
  boost::asio::post(m.io, [&m] {
    m.edge->stop();
    m.io.stop();
  });
  m.thread.join();
}

std::string EmbeddedStubs::url(const std::string& service) const {
  return impl_->edge->url({service, "", ""});
}

double EmbeddedStubs::cpu_s() { return thread_cpu_s(impl_->thread.native_handle()); }

// Sends one request and runs `io` until its answer arrives (before and after the run).
transport::SendResult send_now(boost::asio::io_context& io, transport::HttpTransport& client,
                               transport::Request request) {
  std::optional<transport::SendResult> out;
  client.send(std::move(request),
              {std::chrono::milliseconds(5000), std::chrono::milliseconds(5000)},
              [&out](transport::SendResult r) { out = std::move(r); });
  while (!out && io.run_one() > 0) {
  }
  io.restart();
  NOTIFY_ASSERT(out.has_value());
  return std::move(*out);
}

void run_measured(boost::asio::io_context& io, std::chrono::steady_clock::time_point start,
                  EmbeddedStubs* embedded, ThreadTimes* times) {
  const double driver_cpu_before = thread_cpu_s(pthread_self());
  const double stubs_cpu_before = embedded ? embedded->cpu_s() : 0;
  io.run();
  io.restart();
  if (times == nullptr) return;
  times->wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  times->core_cpu_s = thread_cpu_s(pthread_self()) - driver_cpu_before;
  times->stubs_cpu_s = embedded ? embedded->cpu_s() - stubs_cpu_before : 0;
}

void tick_every_second(boost::asio::steady_timer& timer,
                       std::chrono::steady_clock::time_point first, std::function<bool()> on_tick) {
  timer.expires_at(first);
  timer.async_wait([&timer, on_tick = std::move(on_tick)](boost::system::error_code ec) mutable {
    if (ec || !on_tick()) return;
    tick_every_second(timer, std::chrono::steady_clock::now() + std::chrono::seconds(1),
                      std::move(on_tick));
  });
}

void delete_faults(boost::asio::io_context& io, transport::HttpTransport& client,
                   const std::string& admin, const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    transport::Request q;
    q.method = "DELETE";
    q.target = admin + "/faults/" + id;
    (void)send_now(io, client, q);
  }
}

// Adds the rules to running stubs through their control API; returns the ids to delete after.
std::vector<std::string> post_faults(boost::asio::io_context& io, transport::HttpTransport& client,
                                     const std::string& admin, const nlohmann::json& rules,
                                     const std::string& file) {
  if (admin.empty())
    throw std::invalid_argument(
        "--faults " + file +
        ": external stubs are in use, so the rules go to their control API; set "
        "NOTIFY_SIM_ADMIN_URL to the control API URL serve printed (e.g. http://127.0.0.1:4567)");
  transport::Request q;
  q.method = "POST";
  q.target = admin + "/faults";
  q.headers.set("Content-Type", "application/json");
  q.body = (rules.is_array() ? nlohmann::json{{"faults", rules}} : rules).dump();
  auto r = send_now(io, client, q);
  if (!r) throw std::invalid_argument("--faults: " + admin + ": " + r.error().message());
  if (r->status != 201)
    throw std::invalid_argument("--faults " + file + ": the control API answered " +
                                std::to_string(r->status) + ": " + r->body);
  std::vector<std::string> ids;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_object() && j.contains("ids") && j["ids"].is_array())
    for (const auto& id : j["ids"])
      if (id.is_string()) ids.push_back(id.get<std::string>());
  return ids;
}

}  // namespace notify::load
