#include "notify/scenarios/event_faults.hpp"

#include "notify/stubs/host.hpp"
#include "notify/stubs/ses.hpp"

#include <algorithm>

namespace notify::scenarios {

void connect_event_faults(stubs::SesStub& ses, stubs::StubHost& host) {
  ses.set_event_filter([&host](const stubs::RequestInfo& info) {
    stubs::EventVerdict v;
    auto rules = host.faults().rules();
    bool any = std::any_of(rules.begin(), rules.end(), [](const stubs::FaultRule& r) {
      return r.enabled && r.match.operation == "Event";
    });
    if (!any) return v;
    auto verdict = host.faults().evaluate(info, 0);
    v.drop = verdict.error == stubs::kSesEventDrop ||
             verdict.connection != transport::ConnectionAction::respond;
    v.duplicate = verdict.error == stubs::kSesEventDuplicate;
    v.extra_delay = verdict.delay;
    return v;
  });
}

}  // namespace notify::scenarios
