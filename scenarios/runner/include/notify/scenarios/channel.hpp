// A channel's part in a scenario run (email, SMS, broadcast): its workload block, its core
// clients and delivery task, where its receipts arrive. Each channel is a file under
// scenarios/channels/ plus one line in channels.cpp; the world and the scenario parser take
// everything from the registry below and name no channel or provider themselves.
#pragma once

#include "notify/delivery/backstops.hpp"
#include "notify/delivery/receipts.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/http.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace notify::scenarios {

struct Scenario;

/// What a channel shares with the rest of a run.
struct ChannelEnv {
  const Scenario& scenario;
  runtime::Clock& clock;
  runtime::Rng& rng;  // the workload's stream; a channel other than the first forks its own
  store::Store& store;
  telemetry::Metrics& metrics;
  telemetry::Logger& logger;
  delivery::ReceiptRouter& receipts;
  /// Replays notifications left "created" and times out those left "sending": a channel whose
  /// notifications they cover gives it its delivery task (set_replay) when it connects.
  delivery::Backstops* backstops = nullptr;
};

/// Where the channel's clients send, known once the stubs listen.
struct ChannelLinks {
  transport::HttpTransport& transport;
  /// The base URL of a stub service's own listener, e.g. "http://ses.stubs.sim:4566"; with a
  /// provider and AZ, of that extra listener.
  std::function<std::string(const std::string& service, const std::string& provider,
                            const std::string& az)>
      stub_url;
  std::string receipt_base_url;  // the core's receipt endpoint, e.g. "http://core.sim:6011"
  /// Wire mode's clock runs this many times faster than real time; socket time-outs shrink with it.
  double time_scale = 1;
  /// Has the stub named by message["provider"] send an inbound SMS to the core (the control
  /// API's POST /inbound); returns what was wrong with the message, or nullopt.
  std::function<std::optional<std::string>(const nlohmann::json& message)> send_inbound;
};

class Channel {
 public:
  virtual ~Channel() = default;
  /// Builds the clients and the delivery task.
  virtual void connect(const ChannelLinks& links) = 0;
  /// Puts the workload on the clock. Every address or number it uses goes into `recipients`, for
  /// the no-PII check.
  virtual void schedule(std::vector<std::string>& recipients) = 0;
  /// Notifications still to be created, or delivery tasks (or their retries) still running.
  virtual bool work_remaining() const = 0;
  /// Stops timers of its own (provider checks) so a simulated run can end.
  virtual void stop() {}
  /// The channel's messages as the store holds them at the end of a run, for the report and the
  /// chaos invariants; null when the channel has nothing to report. An object:
  ///   "expected": units the workload submitted (notifications, broadcast events),
  ///   "stored":   those units the store holds,
  ///   "messages": [{"id", "status", "history": [{"status", "at"}], "attempts", "attempts_max",
  ///                 "reference", "keys": [...], "documented": "...", "acknowledged"}]
  /// where "history" is every status the store recorded (oldest first, "at" as the journal
  /// writes times), "attempts" the sends the core made for it and "attempts_max" what its retry
  /// rules allow, "reference" the provider's id the core stored (empty if none), "keys" the
  /// references under which a stub journals this message's accepted sends, and "documented" why
  /// a message may stay in a status that is not final (empty when it may not); "acknowledged"
  /// (optional) is true when its status says a provider accepted a send under one of its keys.
  virtual nlohmann::json chaos_report() const { return nullptr; }
};

/// How `notify-sim chaos` judges a channel's messages; see docs/reliability.md. Every invariant
/// reads a channel through these rules and its Channel::chaos_report(), so a channel joins by
/// filling both.
struct ChaosRules {
  /// Statuses a message may end a run in.
  std::set<std::string> final_statuses;
  /// Statuses it may also end in when a stub's callback was lost (the model documents them).
  std::set<std::string> open_if_callback_lost;
  /// The status before its delivery task first ran; left in it, a task never ended. Empty: none.
  std::string unstarted_status;
  /// The statuses each status may change to; the key "" lists those a message is created in.
  std::map<std::string, std::set<std::string>> transitions;
  /// Stub services whose accepted sends (journal entries in, ok, with a reference) carry this
  /// channel's messages, and their operations (empty: every operation).
  std::set<std::string> services;
  std::set<std::string> operations;
  /// True when every send carries the message's own key (so every accepted send can be matched
  /// to one message); false when the provider names a send by an id it makes up (SES).
  bool sends_carry_key = false;
  /// How many accepted sends one attempt the core records may cause (an SDK's own retries).
  int sends_per_attempt_max = 1;
};

/// A seed's choice of how a channel runs in `notify-sim chaos`, beyond its workload.
struct ChaosSetting {
  /// "core.<key>" options for the run, e.g. {"ses_receipts": "sqs"}.
  nlohmann::json core = nlohmann::json::object();
  /// Services the run then depends on, each of which gets a fault rule of its own, narrowed
  /// most of the time to one of the listed operations (empty: never narrowed); e.g.
  /// {"sqs": {"SendMessage", "ReceiveMessage", "DeleteMessage"}}.
  std::map<std::string, std::vector<std::string>> fault_services;
};

inline constexpr const char* kWholeNumber = "<whole number>";
/// Like kWholeNumber, but 0 is refused: a time-out or a window of 0 s cannot run.
inline constexpr const char* kPositiveWholeNumber = "<whole number from 1>";
/// An AWS account id: twelve digits, written as a string.
inline constexpr const char* kAwsAccountId = "<AWS account id>";
/// An AWS region name: "eu-west-2", "us-gov-west-1".
inline constexpr const char* kAwsRegion = "<AWS region>";

/// Whether `value` is allowed by a core option's `values` (one of them, or a value one of the
/// placeholders above stands for).
bool core_option_allows(const std::vector<std::string>& values, const std::string& value);

struct ChannelSpec {
  std::string name;  // the key under "workload"
  /// Checks the channel's workload block; throws stubs::ConfigError naming the field (under
  /// `path`, e.g. "workload.sms").
  std::function<void(const nlohmann::json& block, const std::string& path, const std::string& file)>
      validate;
  /// Makes the channel for one run; it adds its receipt paths to env.receipts here.
  std::function<std::unique_ptr<Channel>(ChannelEnv& env, const nlohmann::json& block)> make;
  /// Values of "core.<key>" the channel reads (e.g. "email_client"), with the allowed values,
  /// the first being the default when no profile gives one; kWholeNumber among them allows any
  /// whole number (written as a JSON integer or a string of digits), kPositiveWholeNumber any
  /// but 0, kAwsAccountId and kAwsRegion what their names say.
  std::vector<std::pair<std::string, std::vector<std::string>>> core_options;
  /// For `notify-sim chaos`: a random workload block for this channel of about `count`
  /// notifications spread over `spread_ms`, from `rng`, and how many notifications it makes.
  /// Unset: the channel takes no part in chaos runs.
  std::function<std::pair<nlohmann::json, std::size_t>(runtime::Rng& rng, std::size_t count,
                                                       std::int64_t spread_ms)>
      chaos_workload;
  /// How chaos runs judge this channel's messages (with chaos_workload).
  ChaosRules chaos_rules;
  /// For `notify-sim chaos`, with chaos_workload: the core options and extra faults of a seed,
  /// drawn from the channel's own stream after its workload. Unset: the defaults.
  std::function<ChaosSetting(runtime::Rng& rng)> chaos_setting;
};

/// "core.<key>" options that belong to no one channel (which metrics the core records, the
/// lifecycle backstops' rules), in the shape of ChannelSpec::core_options.
const std::vector<std::pair<std::string, std::vector<std::string>>>& core_wide_options();

/// The built-in channels, in the order their workloads are scheduled.
const std::vector<ChannelSpec>& channel_registry();
const ChannelSpec* find_channel(std::string_view name);

}  // namespace notify::scenarios
