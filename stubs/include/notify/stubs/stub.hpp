// Stub: one provider's handler. A pure function of (request, fault verdict, state) to answer;
// the same object serves a socket and the in-process transport.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/stubs/faults.hpp"
#include "notify/transport/http.hpp"

#include <nlohmann/json_fwd.hpp>

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

/// What the host lends a stub: the run's clock, its own seeded random stream, and a transport
/// for the callbacks it sends (delivery receipts). All are owned by the host.
struct StubEnv {
  runtime::Clock* clock = nullptr;
  runtime::Rng* rng = nullptr;
  transport::HttpTransport* callbacks = nullptr;
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
  /// Answers one request. `error` is a provider-level fault name this stub registered (or
  /// empty): the answer must then be that error in the provider's own wire format.
  virtual StubAnswer handle(const transport::Request& request, const RequestInfo& info,
                            const std::string& error) = 0;
  /// The fault names this stub renders, e.g. "ses.throttling".
  virtual std::vector<std::string> error_names() const = 0;
  /// The answer to a request for an unknown route/operation on this stub's paths, in the
  /// provider's error format.
  virtual StubAnswer not_found(const transport::Request& request) const = 0;
  /// Drops per-run state (quotas, counters, pending events).
  virtual void reset() {}
  /// Stub-specific configuration (e.g. SES limits) from the "ses": {...} block of a config
  /// file. Returns an error message naming the field, or empty.
  virtual std::string configure(const nlohmann::json& config) { return {}; }
  /// Called once by the host before the first request.
  virtual void attach(StubEnv env) { env_ = env; }

 protected:
  StubEnv env_;
};

}  // namespace notify::stubs
