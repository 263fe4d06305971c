// The provider registry: each stub registers itself once, with everything the wiring needs to
// know about it (its name, a factory, its routes and error names, the environment a client sets
// to reach it, extra listeners, where its callbacks go). serve, config validation, the scenario
// world and load take all of it from here and name no provider themselves.
#pragma once

#include "notify/stubs/fields.hpp"
#include "notify/stubs/stub.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notify::stubs {

/// A route as serve's banner and /health describe it.
struct RouteDoc {
  std::string method;  // "POST", "GET", "*"
  std::string path;    // "/", "/v2/email/...", "/ses"
  std::string what;    // "SES v1 (Query)"
};

/// A listener of its own beside the shared edge, serving one provider and/or availability zone
/// of the service (the CBC has one per AZ path). Fault rules naming that provider or AZ close it.
struct ListenerSpec {
  std::string provider;
  std::string az;
};

/// One environment variable a client sets to reach the stub, as serve prints it.
struct EnvVar {
  std::string name;
  std::string value;
};

/// What follows a 2xx answer to one request of an operation made of several.
struct LoadNext {
  std::optional<transport::Request> request;  // the next request; nullopt: the operation is done
  /// Set when the answer, 2xx though it was, ends the operation as a failure (a receive that
  /// found no message); the failure's kind in the load report.
  std::string error;
};

/// An operation `notify-sim load --target stub` performs on this stub: one request, or a chain of
/// them (a send, a receive, a delete) that counts as one operation, its latency the chain's.
struct LoadOperation {
  std::string name;  // "ses-v1"
  std::string what;  // "SES v1 SendEmail (Query form)"
  /// The `n`th operation's first request to a stub at `base_url`; the same n gives the same one.
  std::function<transport::Request(const std::string& base_url, std::size_t n)> request;
  /// For a chain: given the 2xx answer to its `step`th request (0 for the first), what follows.
  /// Unset: the operation is one request.
  std::function<LoadNext(const std::string& base_url, std::size_t n, std::size_t step,
                         const transport::Response& answer)>
      next;
};

/// Reports one invariant that does not hold: its name and what was found.
using ChaosViolation = std::function<void(std::string invariant, std::string detail)>;

/// The member `key` of a run's JSON report (or of any object in it), or `empty` when `j` is not
/// an object or has no such member; never copied (a report holds every journal body).
inline const nlohmann::json& report_member(const nlohmann::json& j, const char* key,
                                           const nlohmann::json& empty) {
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it == j.end() ? empty : *it;
}

struct StubSpec {
  std::string service;  // the service name selectors use; also the config block's key
  std::string title;    // "Amazon SES"
  std::function<std::unique_ptr<Stub>()> make;
  std::vector<RouteDoc> routes;
  /// The variables for a client of a stub reached at `base_url` ("http://127.0.0.1:4566").
  std::function<std::vector<EnvVar>(const std::string& base_url)> env;
  std::vector<ListenerSpec> listeners;
  /// The (provider, AZ) pairs describe() reports for its requests, when they are not its
  /// listeners' (the Lambda stub: each proxy function's operator and AZ). Chaos runs narrow some
  /// fault rules to one of them. Empty: the listeners' pairs.
  std::vector<ListenerSpec> fault_scopes;
  /// Error names chaos runs never draw: faults that change what the stub receives behind the
  /// core's back (lambda.tamper_document), so that the invariants, which compare the stubs'
  /// records with the core's, would blame the core for them.
  std::vector<std::string> chaos_excluded_errors;
  /// Where, in the stub's config block, the default callback URL goes (dotted, e.g.
  /// "events.callback_url"); empty for stubs that send no callbacks.
  std::string callback_config;
  /// The path a Notify-like core receives this stub's callbacks on (appended to a receiver's base
  /// URL), e.g. "/notifications/email/ses".
  std::string receipt_path;
  /// The operation its callbacks carry for fault selectors ("Event", "Receipt"); rules must name
  /// it to drop, duplicate or delay them. Empty for stubs that send no callbacks.
  std::string callback_operation;
  /// Where, in the stub's config block, the URL of Notify's inbound SMS route goes (dotted,
  /// "inbound.url"), the path of that route, and the "user:pass" a run's own core accepts there.
  /// Empty for stubs that send no inbound messages.
  std::string inbound_config;
  std::string inbound_path;
  std::string inbound_userinfo;
  /// Load-test requests, the first being the default; and the config block that lets the stub
  /// be measured rather than its provider's quotas (e.g. SES's send rate off).
  std::vector<LoadOperation> load_operations;
  nlohmann::json load_config = nlohmann::json::object();
  /// After a chaos run: checks the stub's own records in the run's JSON report (its
  /// stub_state, the journal) against the scenario, reporting what does not hold. Returns
  /// whether the stub still holds work the core never took (a message left on a queue), which
  /// the invariants treat as a lost callback. Empty: the stub has no checks of its own.
  std::function<bool(const nlohmann::json& scenario, const nlohmann::json& report,
                     const ChaosViolation& violation)>
      chaos_check;
};

class StubRegistry {
 public:
  /// Registers a provider. A second registration of the same service is a programming error.
  void add(StubSpec spec);
  const StubSpec* find(std::string_view service) const;
  /// Every registered stub, in registration order.
  const std::vector<StubSpec>& all() const { return specs_; }
  std::vector<std::string> services() const;
  /// Every registered stub's error names (what fault rules may name).
  std::set<std::string> error_names() const;
  /// Every registered service and error name, for checking fault rules in files.
  FaultVocabulary vocabulary() const;

  /// Checks a "stubs" block ({"ses": {...}, ...}): known services, and each block as its stub's
  /// configure() reads it. Throws ConfigError naming the field under `path` (e.g. "stubs").
  void validate_configs(const nlohmann::json& stubs, const std::string& path,
                        const std::string& file) const;

 private:
  std::vector<StubSpec> specs_;
};

/// The process's registry, with the built-in providers registered on first use. Tests may add
/// providers of their own.
StubRegistry& registry();

/// Sets a dotted key ("events.callback_url") in a JSON object, creating objects on the way.
void set_dotted(nlohmann::json& config, std::string_view dotted, nlohmann::json value);
/// True when the dotted key is present in `config`.
bool has_dotted(const nlohmann::json& config, std::string_view dotted);

}  // namespace notify::stubs
