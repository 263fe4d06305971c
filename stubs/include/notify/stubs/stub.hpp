// Stub: one provider's handler. It maps (request, fault verdict, state) to an answer, given now
// or later; anything else it does (a delivery receipt, a Lambda's call to its CBC) goes through
// the host's services, so it gets a fault verdict and a journal entry linked to the request that
// caused it. The same object serves a socket and the in-process transport.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/stubs/faults.hpp"
#include "notify/stubs/fields.hpp"
#include "notify/transport/http.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace notify::stubs {

/// What a stub returns for one request, with the annotations the journal keeps.
struct StubAnswer {
  transport::Response response;
  std::string reference;  // e.g. the MessageId handed out, or empty
  std::string outcome;    // "ok", or "error:<code>" for an error in the provider's format
};

/// One request at a stub: the request, what describe() said of it, the provider-level fault to
/// render (empty: none) and its journal number, which anything the stub does because of it
/// carries as its parent.
struct Call {
  const transport::Request& request;
  const RequestInfo& info;
  const std::string& error;
  std::uint64_t seq = 0;
};

/// Delivers a stub's answer, exactly once, from any thread.
using Answer = std::function<void(StubAnswer)>;

/// Where a callback's sender is when one of its sends got no 2xx answer.
struct CallbackAttempt {
  int sends = 1;   // sends of the current request, this one included
  int builds = 1;  // times the request was built: 1 for the sender's first run
};

/// A sender's decision to try again.
struct CallbackRetry {
  runtime::Duration delay{0};
  /// Build the request anew (the sender runs again: new ids and times) rather than send the
  /// same request again (an SDK's own retry).
  bool rebuild = false;
};

/// A request a stub sends on its own later (a delivery receipt, an SES event).
struct Callback {
  /// What fault selectors see. Only rules that name this operation (e.g. "Event", "Receipt")
  /// apply to callbacks, so a rule written for sends never swallows receipts.
  RequestInfo info;
  std::uint64_t parent = 0;  // journal number of the request that caused it
  runtime::Duration delay{0};
  /// Builds the request when it is due (its body may say when it was sent). An absolute URL
  /// target. nullopt: nothing to send any more.
  std::function<std::optional<transport::Request>()> build;
  /// The stub's error names that drop or duplicate this callback (e.g. "ses.event_drop"). A
  /// connection-level verdict (refuse, reset, hang) drops it as well; a delay delays it.
  std::string drop_error;
  std::string duplicate_error;
  /// Dropped by a fault on the request that caused it: journaled as dropped, never sent.
  bool dropped = false;
  /// How its sender retries a send that got no 2xx answer (or none): the delay and whether it
  /// builds the request again, or nullopt when it gives up. Unset: it never retries (an SNS
  /// POST, a provider's receipt). Every send is journaled; one that is retried has its outcome
  /// prefixed "retry:" ("retry:status:400"), so a lost callback is one whose last send failed.
  /// Each copy of a duplicated callback retries on its own.
  std::function<std::optional<CallbackRetry>(const transport::SendResult& result,
                                             const CallbackAttempt& attempt)>
      retry;
};

/// Counts of one service's callbacks since the last reset.
struct CallbackCounters {
  std::uint64_t scheduled = 0;
  std::uint64_t sent = 0;     // requests handed to the transport (a duplicate counts twice)
  std::uint64_t dropped = 0;  // by a fault rule or the pending limit
  std::uint64_t failed = 0;   // its last send got no 2xx answer: the callback is lost
  std::uint64_t retried = 0;  // sends that got no 2xx answer and that the sender tried again
  std::uint64_t pending = 0;  // waiting on the clock
};

/// What the host lends a stub. Every call is thread-safe.
class StubServices {
 public:
  virtual ~StubServices() = default;
  virtual runtime::Clock& clock() = 0;
  /// The stub's own seeded random stream (forked by service name, so adding a stub or a draw in
  /// one stub does not shift another's).
  virtual runtime::Rng& rng() = 0;
  /// Sends `request` (an absolute URL) on behalf of the request numbered `parent`, through the
  /// host's outbound transport. The host journals the exchange (direction "out", with its
  /// parent) and the receiving stub, if it is one of ours, journals it with the same parent.
  /// `done` runs later, never inline.
  virtual void send(std::uint64_t parent, const RequestInfo& info, transport::Request request,
                    transport::SendOptions options,
                    std::function<void(transport::SendResult)> done) = 0;
  /// Schedules a callback on the run's clock, subject to the fault rules for its operation.
  virtual void schedule_callback(Callback callback) = 0;
  virtual CallbackCounters callback_counters(std::string_view service) const = 0;
  /// The base URL ("http://host:port") of the listener serving `service` (with `provider`
  /// and/or `az` for an extra listener, e.g. a CBC's path through one AZ); nullopt when no such
  /// listener is open. A stub that calls another sends there, so the call meets that listener's
  /// faults (a closed port during an AZ outage).
  virtual std::optional<std::string> listener_url(const std::string& service,
                                                  const std::string& provider = {},
                                                  const std::string& az = {}) const = 0;
};

class Stub {
 public:
  virtual ~Stub() = default;
  /// The service name selectors use: "ses", "firetext", "mmg", "lambda", "cbc".
  virtual std::string_view service() const = 0;
  /// Edge routing: does this request belong to this stub (by path, and for SES v1 by form)?
  virtual bool accepts(const transport::Request& request) const = 0;
  /// Operation, recipient and so on, for fault selectors and the journal. Must not fail:
  /// an unparseable request gets an operation like "Unknown".
  virtual RequestInfo describe(const transport::Request& request) const = 0;
  /// Answers one request at once. When `call.error` is set (a name from error_names()), the
  /// answer must be that error in the provider's own wire format.
  virtual StubAnswer handle(const Call& call) = 0;
  /// Answers one request, now or later, exactly once. Stubs that wait on something (a Lambda on
  /// its CBC) override this; the default answers at once with handle().
  virtual void handle_async(const Call& call, Answer answer) { answer(handle(call)); }
  /// True for a stub that overrides handle_async; the host calls handle() directly otherwise.
  virtual bool answers_later() const { return false; }
  /// The fault names this stub renders, e.g. "ses.throttling".
  virtual std::vector<std::string> error_names() const = 0;
  /// Every operation, provider and AZ describe() (and the stub's callbacks) can report, so a
  /// fault rule naming anything else is refused. nullopt: not declared, so not checked.
  virtual std::optional<SelectorNames> selector_names() const { return std::nullopt; }
  /// Drops per-run state (quotas, counters).
  virtual void reset() {}
  /// Stub-specific configuration from the stub's block of a config or scenario file (e.g.
  /// "ses": {...}). Keys left out keep their values. Returns the error, naming the field
  /// relative to the block, or nullopt.
  virtual std::optional<FieldError> configure(const nlohmann::json& config) {
    (void)config;
    return std::nullopt;
  }
  /// What the stub holds now, for the control API's GET /state (a queue stub's messages per
  /// queue, say); null for a stub with nothing to show beyond the journal.
  virtual nlohmann::json state() const;
  /// Called once by the host before the first request.
  virtual void attach(StubServices& services) { services_ = &services; }
  /// Whether send_inbound() does anything (the SMS stubs).
  virtual bool sends_inbound() const { return false; }
  /// Sends a message from a handset to the configured inbound URL, as the provider posts one to
  /// Notify, through the host's callbacks (operation "Inbound"). `message` is the control API's
  /// POST /inbound body without "provider". Returns what was wrong with it, or nullopt.
  virtual std::optional<FieldError> send_inbound(const nlohmann::json& message) {
    (void)message;
    return FieldError{
        {}, "provider", "a stub that sends inbound SMS", "\"" + std::string(service()) + "\""};
  }

 protected:
  StubServices* services_ = nullptr;
};

/// What fault rules may name when these stubs are loaded: their services, their errors, and
/// each one's own operations, providers and AZs.
FaultVocabulary fault_vocabulary(const std::vector<const Stub*>& stubs);

}  // namespace notify::stubs
