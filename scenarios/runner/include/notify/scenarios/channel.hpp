// A channel's part in a scenario run (email, SMS, broadcast): its workload block, its core
// clients and delivery task, where its receipts arrive. Each channel is a file under
// scenarios/channels/ plus one line in channels.cpp; the world and the scenario parser take
// everything from the registry below and name no channel or provider themselves.
#pragma once

#include "notify/delivery/receipts.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/http.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
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
};

struct ChannelSpec {
  std::string name;  // the key under "workload"
  /// Checks the channel's workload block; throws stubs::ConfigError naming the field (under
  /// `path`, e.g. "workload.sms").
  std::function<void(const nlohmann::json& block, const std::string& path, const std::string& file)>
      validate;
  /// Makes the channel for one run; it adds its receipt paths to env.receipts here.
  std::function<std::unique_ptr<Channel>(ChannelEnv& env, const nlohmann::json& block)> make;
  /// Values of "core.<key>" the channel reads (e.g. "email_client"), with the allowed values,
  /// the first being the default.
  std::vector<std::pair<std::string, std::vector<std::string>>> core_options;
  /// For `notify-sim chaos`: a random workload block for this channel of about `count`
  /// notifications spread over `spread_ms`, from `rng`, and how many notifications it makes.
  /// Unset: the channel takes no part in chaos runs.
  std::function<std::pair<nlohmann::json, std::size_t>(runtime::Rng& rng, std::size_t count,
                                                       std::int64_t spread_ms)>
      chaos_workload;
};

/// The built-in channels, in the order their workloads are scheduled.
const std::vector<ChannelSpec>& channel_registry();
const ChannelSpec* find_channel(std::string_view name);

}  // namespace notify::scenarios
