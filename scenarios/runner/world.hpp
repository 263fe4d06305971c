// The pieces of one run, wired the same way in both modes: a store, metrics, a logger, the
// stub host with every registered stub, the edge they are reached through, the core's receipt
// endpoint, the email client and the delivery task. Only the clock, the transports and the
// edge's backend differ between simulated and wire mode.
#pragma once

#include "notify/delivery/receipts.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/scenarios/channel.hpp"
#include "notify/scenarios/scenario.hpp"
#include "notify/store/store.hpp"
#include "notify/stubs/edge.hpp"
#include "notify/stubs/host.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"

#include <memory>
#include <string>
#include <vector>

namespace notify::scenarios {

/// The scenario's "core": {"metrics"} setting; otel (today's Notify) when absent.
telemetry::MetricsFormat metrics_format(const Scenario& s);

struct World {
  World(const Scenario& scenario, std::uint64_t seed, runtime::Clock& clock);

  /// Configures every stub from the scenario (with its callbacks sent to the core's receipt
  /// endpoint at `receipt_base_url` unless the scenario says otherwise), then connects each
  /// channel's clients to the stubs' own listeners on `edge`.
  /// `core_transport` is what the core sends through; the stubs' callbacks and outbound calls go
  /// through `stub_transport`.
  void connect(const stubs::Edge& edge, const std::string& receipt_base_url,
               transport::HttpTransport& core_transport, transport::HttpTransport& stub_transport);

  /// Sends metrics as StatsD to "host:port" too. Throws ScenarioError for a bad address.
  void send_statsd_to(const std::string& address);

  /// Schedules the workload and the fault timeline on the clock.
  void schedule();

  /// True when the workload is submitted, no delivery task is running and no notification
  /// waits for a receipt.
  bool settled() const;
  /// Cheaper than settled(): notifications still to create, or delivery tasks running.
  bool work_remaining() const;

  const Scenario& scenario;
  runtime::Clock& clock;
  runtime::Rng rng;
  std::unique_ptr<store::Store> store;
  delivery::ReceiptRouter receipts;  // the core's receipt endpoint
  telemetry::Metrics metrics;
  telemetry::Logger logger;
  stubs::StubHost host;
  /// Notify's replay-created-notifications and timeout-sending-notifications for every channel.
  std::unique_ptr<delivery::Backstops> backstops;
  std::unique_ptr<ChannelEnv> channel_env;
  std::vector<std::unique_ptr<Channel>> channels;  // those the scenario has a workload for
  std::vector<std::string> recipients;  // every address the workload used, for the PII check
  /// Wire mode: how much faster than real time the scenario clock runs (see connect()).
  double transport_time_scale = 1;
};

}  // namespace notify::scenarios
