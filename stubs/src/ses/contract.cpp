// Notify's own SES stub contract (SES_STUB_URL; notifications-api
// app/clients/email/aws_ses_stub.py): GET or POST /ses with any body answers {"MessageId":
// "<uuid>"} and, like notifications-email-provider-stub, later reports a Delivery for it. No limits
// apply: the contract exists for load tests.
#include "core.hpp"

#include <nlohmann/json.hpp>

namespace notify::stubs::ses {

StubAnswer handle_contract(Core& core, const transport::Request& request,
                           const std::string& fault) {
  const std::string rid = core.request_id();
  if (request.method != "POST" && request.method != "GET") {
    return core.error_answer(
        Protocol::contract,
        {405, "MethodNotAllowed", "/ses takes GET or POST, not " + request.method + "."}, rid);
  }
  EventFaults event_faults;
  if (auto a = core.fault_answer(fault, Protocol::contract, rid, event_faults)) return *a;
  SentMail mail{core.services->rng().uuid4(), "stub@notify-sim", {}, core.now(), "StubSend"};
  core.counters.accepted_messages += 1;
  StubAnswer answer{json_success(nlohmann::json{{"MessageId", mail.message_id}}.dump(
                                     -1, ' ', false, nlohmann::json::error_handler_t::replace),
                                 rid),
                    mail.message_id, "ok"};
  core.schedule_events(mail, {}, event_faults);
  return answer;
}

}  // namespace notify::stubs::ses
