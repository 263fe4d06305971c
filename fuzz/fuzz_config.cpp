// Fuzz target: any bytes as the JSON files and bodies notify-sim reads from users: a scenario
// file, a serve configuration, fault rules, and the control API's bodies.
#include "notify/runtime/clock.hpp"
#include "notify/scenarios/scenario.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/registry.hpp"
#include "serve_config.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace notify;
  std::string text(reinterpret_cast<const char*>(data), size);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded()) {
    try {
      (void)scenarios::parse_scenario(j, "fuzz.json");
    } catch (const scenarios::ScenarioError&) {
    }
    try {
      (void)cli::parse_serve_config(j, "fuzz.json");
    } catch (const scenarios::ScenarioError&) {
    }
    (void)stubs::parse_fault_rules(j, "faults", stubs::registry().vocabulary());
  }
  // The control API takes the raw bytes, whatever they are.
  runtime::VirtualClock clock;
  stubs::StubHost host(clock, {});
  for (const auto& spec : stubs::registry().all()) host.add(spec.make());
  for (const char* path : {"/faults", "/journal/wait", "/faults/x"}) {
    transport::Request r;
    r.method = std::string(path) == "/faults/x" ? "PUT" : "POST";
    r.target = path;
    r.body = text;
    host.handle_control(std::move(r), [](transport::Reply) {});
  }
  for (int i = 0; i < 1000 && clock.step(); ++i) {
  }
  return 0;
}
