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
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
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
  /// on each request), so the owner can close or re-open listeners.
  void on_refusal_change(std::function<void()> callback);

  /// Clears journal, faults and stub state; restarts sequence numbers.
  void reset();

  std::string prometheus_metrics() const;

 private:
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
};

}  // namespace notify::stubs
