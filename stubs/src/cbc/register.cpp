// The CBC stub's one registration: a listener per operator per AZ path, so an AZ outage is a
// closed port on that path only.
#include "notify/stubs/cbc.hpp"

namespace notify::stubs {

void register_cbc(StubRegistry& registry) {
  StubSpec spec;
  spec.service = "cbc";
  spec.title = "Cell Broadcast Centres (EE, O2, Three: CAP 1.2; Vodafone: IBAG)";
  spec.make = [] { return std::make_unique<CbcStub>(); };
  spec.routes = {{"POST", "/cbc/{operator}/{az}", "a CAP or IBAG document from a proxy Lambda"}};
  spec.env = [](const std::string&) { return std::vector<EnvVar>{}; };
  for (auto op : kCbcOperators)
    for (auto az : kCbcAzs) spec.listeners.push_back({std::string(op), std::string(az)});
  registry.add(std::move(spec));
}

}  // namespace notify::stubs
