// The SES stub's state and the steps every handler shares: request and message ids, the
// SigV4 check, admission against the modelled limits, and delivery-event scheduling. The
// handlers (v1.cpp, v2.cpp, contract.cpp) are free functions over a Core, called with its
// mutex held.
#pragma once

#include "events.hpp"
#include "limits.hpp"
#include "render.hpp"

#include "notify/stubs/fields.hpp"
#include "notify/stubs/ses.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace notify::stubs::ses {

/// Which of the stub's protocols a request belongs to.
enum class Route { none, v1, v2, contract };

/// Routes by path (and for SES v1 at "/" by form, content type or credential scope). For v2,
/// `v2_path` receives the path below the prefix, e.g. "/v2/email/account".
Route route_of(const transport::Request& request, std::string_view path_prefix,
               std::string* v2_path = nullptr);

/// Event faults a request carried (ses.event_drop / ses.event_duplicate) or the filter said.
struct EventFaults {
  bool drop = false;
  bool duplicate = false;
};

class Core : public std::enable_shared_from_this<Core> {
 public:
  explicit Core(SesOptions options) : options(std::move(options)) {}

  std::string request_id();
  /// 0100<12 hex ms>-<uuid>-000000, as SES message ids look.
  std::string message_id();
  runtime::TimePoint now() const { return services->clock().now(); }

  StubAnswer error_answer(Protocol protocol, const SesError& error, std::string_view request_id);
  /// The answer for an injected fault, or nullopt when `name` is an event fault (the request
  /// then proceeds and `events` is marked).
  std::optional<StubAnswer> fault_answer(const std::string& name, Protocol protocol,
                                         std::string_view request_id, EventFaults& events);

  /// Strict SigV4 when configured; otherwise only a malformed Authorization is refused.
  std::optional<SesError> check_auth(const transport::Request& request);

  /// The modelled send rate and daily quota. On success the send is counted.
  std::optional<SesError> admit(std::uint64_t recipients, Protocol protocol);

  /// One event per recipient (one for an empty list) after the configured delay, through the
  /// host's callback service, linked to the request being handled.
  void schedule_events(const SentMail& mail, const std::vector<std::string>& recipients,
                       EventFaults faults);

  SesOptions options;
  StubServices* services = nullptr;
  std::uint64_t current_seq = 0;  // the journal number of the request being handled
  std::mutex mutex;
  SendRateLimiter rate;
  RollingQuota quota;
  SendStatistics stats;
  SesCounters counters;
  /// Bumped by reset(): events scheduled before it are not sent.
  std::uint64_t generation = 0;
  /// The reply_to of the Celery producer this stub plays (one per process, as Celery's is).
  std::string reply_to;

 private:
  /// The event's SNS POST, or with `celery` its SQS SendMessage of a Celery task; `count` says
  /// whether it counts in the bounce and complaint statistics (once per event with "both").
  std::optional<transport::Request> build_event(const SentMail& mail, const std::string& recipient,
                                                std::uint64_t generation, bool celery, bool count);
};

StubAnswer handle_v1(Core& core, const transport::Request& request, const std::string& fault);
StubAnswer handle_v2(Core& core, const transport::Request& request, std::string_view path,
                     const std::string& fault);
StubAnswer handle_contract(Core& core, const transport::Request& request, const std::string& fault);

/// Checks a base64 raw MIME message as SES does (size, base64, header line length, From,
/// recipients from the headers when `destinations` is empty). v2 names its errors
/// BadRequestException where v1 says InvalidParameterValue.
std::optional<SesError> parse_raw_message(std::string_view data, const SesLimits& limits,
                                          std::size_t bytes_max, std::string source,
                                          std::vector<std::string> destinations, bool v2,
                                          std::string& out_source,
                                          std::vector<std::string>& out_recipients);

/// The recipient rules of every send: at least one, at most recipients_max, each a valid address.
/// v2 names its errors BadRequestException where v1 says InvalidParameterValue.
std::optional<SesError> check_recipients(const std::vector<std::string>& recipients,
                                         const SesLimits& limits, bool v2);

RequestInfo describe_v1(const transport::Request& request);
RequestInfo describe_v2(const transport::Request& request, std::string_view path);

/// Applies the "ses" config block to `options`; returns the error, naming the field relative to
/// the block, or nullopt.
std::optional<FieldError> apply_config(const nlohmann::json& config, SesOptions& options);

}  // namespace notify::stubs::ses
