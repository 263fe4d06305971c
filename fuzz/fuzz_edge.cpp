// Fuzz target: any bytes as one request at the stubs' edge, through the host, fault engine and
// every registered stub (SES v1/v2 and /ses, Firetext, MMG, Lambda and its proxy functions, the
// CBCs), then the clock runs out their callbacks and late answers. Input: a request line, header
// lines, a blank line, the body.
#include "notify/runtime/clock.hpp"
#include "notify/stubs/edge.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/transport/clients.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

notify::transport::Request to_request(std::string_view in) {
  notify::transport::Request r;
  auto line = [&in]() {
    auto end = in.find('\n');
    std::string_view l = in.substr(0, end);
    in = end == std::string_view::npos ? std::string_view{} : in.substr(end + 1);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
  };
  std::string_view first = line();
  auto space = first.find(' ');
  r.method = std::string(first.substr(0, space));
  r.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
  if (r.target.empty() || r.target.front() != '/') r.target = "/" + r.target;
  while (!in.empty()) {
    std::string_view h = line();
    if (h.empty()) break;
    auto colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.add(h.substr(0, colon), value);
  }
  r.body = std::string(in);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace notify;
  runtime::VirtualClock clock;
  transport::InProcessTransport net(clock);
  stubs::StubHost host(clock, {});
  for (const auto& spec : stubs::registry().all()) host.add(spec.make());
  host.set_outbound_transport(&net);
  auto backend = stubs::make_inprocess_edge(net);
  stubs::Edge edge(host, clock, *backend, std::chrono::seconds(1), [] { return false; });
  edge.open(stubs::registry());
  // Callbacks from the stubs go somewhere that answers.
  net.route("receiver.fuzz:1", [](transport::Request, transport::Responder done) {
    transport::Reply r;
    r.response.status = 200;
    done(std::move(r));
  });
  for (stubs::Stub* stub : host.stubs()) {
    if (const auto* spec = stubs::registry().find(stub->service());
        spec != nullptr && !spec->callback_config.empty()) {
      nlohmann::json config = nlohmann::json::object();
      stubs::set_dotted(config, spec->callback_config, "http://receiver.fuzz:1/r");
      (void)stub->configure(config);
    }
  }
  bool answered = false;
  host.handle(to_request({reinterpret_cast<const char*>(data), size}),
              [&answered](transport::Reply) { answered = true; });
  for (int i = 0; i < 10'000 && clock.step(); ++i) {
  }
  (void)answered;
  return 0;
}
