// Scenario: one file that combines a workload, a fault timeline and expectations. Parsed once,
// with errors that name the file, the field and what was expected.
#pragma once

#include "notify/telemetry/otel.hpp"

#include "notify/stubs/faults.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace notify::scenarios {

/// A scenario or configuration file that cannot be used. what() is one line for a person:
/// "<file>: <field>: <problem>".
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TimedFault {
  std::chrono::milliseconds at{0};
  std::optional<std::chrono::milliseconds> until;  // removed then
  stubs::FaultRule rule;
};

/// One count check: the actual value must equal `equals`, or lie in [min, max].
struct CountCheck {
  std::optional<std::int64_t> equals, min, max;
  bool holds(std::int64_t v) const {
    return (!equals || v == *equals) && (!min || v >= *min) && (!max || v <= *max);
  }
  std::string describe() const;
};

struct StatusExpectation {
  std::string status;
  CountCheck count;
};

/// Notifications counted by any of status, channel (the notification type) and provider (the
/// stub service that accepted it; "" for one never sent).
struct NotificationExpectation {
  std::optional<std::string> status, channel, provider;
  CountCheck count;
};

/// How many distinct providers took a channel's notifications (one: all went the same way).
struct ProviderCountExpectation {
  std::string channel;
  CountCheck count;
};

struct JournalExpectation {
  std::optional<std::string> service, operation, outcome, direction;
  CountCheck count;
};

struct LogExpectation {
  std::optional<std::string> level;  // debug, info, warning, error
  std::string contains;
  CountCheck count;
};

struct MetricExpectation {
  std::string name;
  /// counter | timing (the number of samples) | gauge (last value) for a StatsD name; otel for
  /// an OpenTelemetry instrument (histograms: recordings, counters: the sum, gauges: the value).
  std::string kind = "counter";
  /// OTel only: the attribute sets counted must carry each of these; nullopt = must lack it.
  std::vector<std::pair<std::string, std::optional<telemetry::AttributeValue>>> attributes;
  CountCheck count;
};

struct Expectations {
  std::vector<StatusExpectation> statuses;
  std::vector<NotificationExpectation> notifications;
  std::vector<ProviderCountExpectation> providers;
  bool all_final = true;  // no notification left in created/sending/pending
  std::optional<CountCheck> attempts_total;
  std::optional<CountCheck> attempts_max;
  std::vector<JournalExpectation> journal;
  std::vector<LogExpectation> logs;
  std::vector<MetricExpectation> metrics;
  bool no_pii_in_logs = true;  // no recipient of the workload appears in any log line
};

struct WireSettings {
  /// Wire mode runs the scenario's clock this many times faster than real time (retry delays,
  /// fault windows, receipt delays all shrink together). 1 = real time.
  double time_scale = 1;
  std::chrono::milliseconds timeout{60'000};  // real time
  /// When nothing is on a socket and no timer is due, scenario time jumps to the next timer
  /// (never past the horizon) instead of waiting for it. For scenarios that span hours or days.
  bool skip_idle = false;
};

/// The lifecycle backstops' settings, under "core.backstops" (see docs/core.md), with Notify's
/// defaults. Which notifications a replay picks and whether a time-out counts a metric are the
/// core options "replay_created_rule" and "timeout_metric".
struct BackstopSettings {
  bool enabled = true;
  std::chrono::seconds sending_timeout{259200};   // SENDING_NOTIFICATIONS_TIMEOUT_PERIOD
  std::chrono::minutes timeout_at{5};             // daily, after midnight UTC
  std::chrono::seconds replay_after{3600};        // still "created" this long: re-sent
  std::chrono::minutes replay_every{15};          // minutes 0, 15, 30, 45
  std::chrono::seconds replay_age_limit{604800};  // age-limited rule only
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  /// The profile that runs (docs/profiles.md) and the file's own "profile" key, if any.
  std::string profile;
  std::optional<std::string> profile_key;
  /// Channel options under "core" (e.g. email_client) that the file sets, checked against the
  /// channel registry.
  std::map<std::string, std::string> core_explicit;
  /// What the channels read: the profile's values with core_explicit laid over them.
  std::map<std::string, std::string> core_options;
  int max_retries = 48;
  std::chrono::seconds retry_delay{300};
  BackstopSettings backstops;
  nlohmann::json stub_config = nlohmann::json::object();  // {"<service>": {...}} per stub
  /// Each channel's workload block ("email", "sms", ...), checked against its channel.
  std::map<std::string, nlohmann::json> workload;
  std::vector<TimedFault> faults;
  std::chrono::milliseconds horizon{std::chrono::hours(24 * 3)};  // simulated time bound
  WireSettings wire;
  Expectations expect;
};

/// Reads and validates a scenario file, under its own "profile" key or the default profile.
/// Throws ScenarioError.
Scenario load_scenario(const std::string& path);
Scenario parse_scenario(const nlohmann::json& j, const std::string& file);

/// Runs `scenario` under the profile called `name` (core_options recomputed). Throws
/// ScenarioError for an unknown name or an explicit option that contradicts the profile.
void use_profile(Scenario& scenario, const std::string& name);

/// The scenario files in `paths`: files as given, directories scanned for *.json (sorted).
std::vector<std::string> expand_scenario_paths(const std::vector<std::string>& paths);

}  // namespace notify::scenarios
