// Connects the SES stub's delivery events to the fault engine, so rules can drop, duplicate or
// delay them like any request.
#pragma once

namespace notify::stubs {
class SesStub;
class StubHost;
}  // namespace notify::stubs

namespace notify::scenarios {

/// Each delivery event is checked against the host's rules as a request with service "ses",
/// operation "Event" and the event's recipient. Only rules that select operation "Event" are
/// consulted, so a rule written for sends never swallows receipts: error "ses.event_drop" drops
/// the event, "ses.event_duplicate" sends it twice, a delay delays it.
void connect_event_faults(stubs::SesStub& ses, stubs::StubHost& host);

}  // namespace notify::scenarios
