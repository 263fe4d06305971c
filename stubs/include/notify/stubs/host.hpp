// StubHost: everything behind the edge port and the admin port. It routes a request to its
// stub, asks the fault engine for a verdict, lets the stub answer, journals the exchange and
// keeps the per-service counters that /metrics exposes.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/stubs/faults.hpp"
#include "notify/stubs/journal.hpp"
#include "notify/stubs/stub.hpp"
#include "notify/transport/server.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace notify::stubs {

struct HostOptions {
  JournalOptions journal;
  std::uint64_t seed = 1;
};

class StubHost {
 public:
  StubHost(runtime::Clock& clock, HostOptions options);
  ~StubHost();

  /// Takes ownership; registers the stub's error names with the fault engine.
  Stub& add(std::unique_ptr<Stub> stub);
  Stub* find(std::string_view service) const;
  /// The transport stubs send callbacks (delivery receipts) through.
  void set_callback_transport(transport::HttpTransport* transport);

  FaultEngine& faults() { return faults_; }
  Journal& journal() { return journal_; }
  runtime::Clock& clock() { return clock_; }

  /// Edge handler: route by path, verdict, answer, journal. Usable as a ServerHandler.
  void handle(transport::Request request, transport::Responder respond);
  /// Admin handler: the control API (/faults, /journal, /journal/wait, /reset, /health,
  /// /metrics). Usable as a ServerHandler.
  void handle_control(transport::Request request, transport::Responder respond);

  /// Called when the set of refused services may have changed (after any rule change and
  /// on each request), so the owner can close or re-open listeners. Set it before serving.
  /// The host owns faults().on_change() for this; do not replace that callback.
  void on_refusal_change(std::function<void()> callback);

  /// Clears journal, faults and stub state; restarts sequence numbers.
  void reset();

  std::string prometheus_metrics() const;
  /// The instant journal since_ms/until_ms count from: construction or the last reset().
  runtime::TimePoint origin() const;

  /// /journal/wait time-outs: the default and the most a caller may ask for.
  static constexpr std::int64_t kWaitTimeoutMsDefault = 5'000;
  static constexpr std::int64_t kWaitTimeoutMsMax = 60'000;
  /// GET /faults lists at most this many of the latest firings.
  static constexpr std::size_t kFiringsListedMax = 1'000;

 private:
  Stub* route(const transport::Request& request) const;
  void register_error_names();
  void control_faults(transport::Request& request, transport::Responder& respond);
  void control_fault_id(transport::Request& request, const std::string& id,
                        transport::Responder& respond);
  void control_journal(transport::Request& request, transport::Responder& respond);
  void control_journal_wait(transport::Request& request, transport::Responder& respond);

  runtime::Clock& clock_;
  HostOptions options_;
  runtime::Rng rng_;
  FaultEngine faults_;
  Journal journal_;
  std::vector<std::unique_ptr<Stub>> stubs_;
  std::vector<std::unique_ptr<runtime::Rng>> stub_rngs_;
  transport::HttpTransport* callbacks_ = nullptr;
  std::atomic<std::uint64_t> next_seq_{1};
  std::function<void()> on_refusal_change_;
  mutable std::mutex metrics_mutex_;
  std::map<std::string, std::uint64_t> requests_by_service_;
  std::map<std::string, std::uint64_t> faults_by_service_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> responses_by_outcome_;
  runtime::TimePoint origin_;  // guarded by metrics_mutex_
  // Cleared by the destructor; async /journal/wait answers check it before touching the host,
  // because their timer may outlive it on a clock that outlives it.
  std::shared_ptr<std::atomic<bool>> alive_;
};

}  // namespace notify::stubs
