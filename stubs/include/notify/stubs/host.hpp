// StubHost: everything behind the edge port and the admin port. It routes a request to its
// stub, asks the fault engine for a verdict, lets the stub answer (now or later), journals the
// exchange and keeps the per-service counters that /metrics exposes. It also lends each stub its
// services: the clock, a seeded random stream, outbound requests and scheduled callbacks, each
// faulted and journaled with the number of the request that caused it.
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
#include <nlohmann/json_fwd.hpp>
#include <optional>
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
  std::vector<Stub*> stubs() const;
  /// The transport stubs' outbound requests and callbacks (delivery receipts) go through. Until
  /// it is set, callbacks are counted as failed and outbound requests fail as refused.
  void set_outbound_transport(transport::HttpTransport* transport);
  /// Where stubs find each other's listeners (StubServices::listener_url); set by the edge.
  using ListenerDirectory = std::function<std::optional<std::string>(
      const std::string& service, const std::string& provider, const std::string& az)>;
  void set_listener_directory(ListenerDirectory directory);
  /// Every control API call must then carry "Authorization: Bearer <token>" (401 otherwise).
  void set_control_token(std::string token);
  /// Extra members of GET /health (listeners, environment), supplied by whoever owns them.
  void set_health_details(std::function<nlohmann::json()> details);

  /// The header an outbound request carries so that the receiving host journals its parent.
  static constexpr const char* kParentHeader = "X-Notify-Sim-Parent";

  /// Sends an inbound SMS as the stub named by message["provider"] would (the control API's
  /// POST /inbound, a scenario's inbound workload). Returns what was wrong, or nullopt.
  std::optional<FieldError> send_inbound(const nlohmann::json& message);

  FaultEngine& faults() { return faults_; }
  const FaultEngine& faults() const { return faults_; }
  Journal& journal() { return journal_; }
  const Journal& journal() const { return journal_; }
  runtime::Clock& clock() { return clock_; }

  /// Edge handler: route by path, verdict, answer, journal. Usable as a ServerHandler.
  void handle(transport::Request request, transport::Responder respond);
  /// Admin handler: the control API (/faults, /journal, /journal/wait, /reset, /health,
  /// /metrics). Usable as a ServerHandler.
  void handle_control(transport::Request request, transport::Responder respond);

  /// Called when the set of refused services may have changed (after any rule change and on
  /// each request), so the owner can close or re-open listeners; a closed listener sees no
  /// requests, so the owner also re-checks on a timer (the Edge does). Set it before serving.
  /// The host owns faults().on_change() for this; do not replace that callback.
  void on_refusal_change(std::function<void()> callback);

  /// Outbound requests (calls and callbacks) sent and not yet answered; their journal entries
  /// are written when the answer (or its absence) is known.
  std::size_t outbound_in_flight() const { return outbound_in_flight_.load(); }

  /// Clears journal, faults, stub state and pending callbacks; restarts sequence numbers.
  void reset();

  std::string prometheus_metrics() const;
  /// The instant journal since_ms/until_ms count from: construction or the last reset().
  runtime::TimePoint origin() const;

  /// /journal/wait time-outs: the default and the most a caller may ask for.
  static constexpr std::int64_t kWaitTimeoutMsDefault = 5'000;
  static constexpr std::int64_t kWaitTimeoutMsMax = 60'000;
  /// GET /faults lists at most this many of the latest firings.
  static constexpr std::size_t kFiringsListedMax = 1'000;
  /// Callbacks waiting on the clock at once, per service; beyond, new ones are dropped.
  static constexpr std::size_t kPendingCallbacksMax = 100'000;
  /// /journal/stream: streams open at once (503 beyond), the entries a new stream starts with
  /// by default, the entries written in one piece (`latest` instead, when given), and the
  /// largest `interval_ms` and `latest` a paced stream may ask for.
  static constexpr std::size_t kStreamsMax = 16;
  static constexpr std::size_t kStreamBacklogDefault = 1'000;
  static constexpr std::size_t kStreamBatchMax = 64;
  static constexpr std::size_t kStreamIntervalMsMax = 60'000;
  static constexpr std::size_t kStreamLatestMax = 1'000;

 private:
  class Services;
  struct PendingCallback;
  Stub* route(const transport::Request& request) const;
  void answer(Stub* stub, const transport::Request& request, const RequestInfo& info,
              const Verdict& verdict, JournalEntry entry, transport::Responder respond);
  void finish(JournalEntry entry, std::size_t fired, transport::Reply reply,
              transport::Responder respond);
  void fill(JournalEntry& entry, transport::Reply& reply, StubAnswer answer, bool truncate,
            const std::string& error) const;
  /// `to_own_listener`: the request goes to one of this host's stubs (not to a callback URL),
  /// so a refused connection there may be a refuse rule's closed listener. `prefix`, when set,
  /// is put before the outcome journaled for the answer (e.g. "retry:").
  void send_outbound(std::uint64_t parent, const RequestInfo& info, transport::Request request,
                     transport::SendOptions options,
                     std::function<void(transport::SendResult)> done, bool to_own_listener = false,
                     std::function<std::string(const transport::SendResult&)> prefix = nullptr);
  void schedule_callback(Callback callback);
  /// Puts `pending` on the clock; callbacks_mutex_ held.
  void arm_callback_locked(std::shared_ptr<PendingCallback> pending, runtime::Duration delay);
  void fire_callback(std::uint64_t id);
  void send_callback(const std::shared_ptr<const Callback>& callback,
                     const transport::Request& request, CallbackAttempt attempt);
  CallbackCounters callback_counters(std::string_view service) const;
  void count(const JournalEntry& entry, std::size_t fired);
  void register_error_names();
  void control_faults(transport::Request& request, transport::Responder& respond);
  void control_fault_id(transport::Request& request, const std::string& id,
                        transport::Responder& respond);
  void control_journal(transport::Request& request, transport::Responder& respond);
  void control_journal_wait(transport::Request& request, transport::Responder& respond);
  void control_journal_stream(transport::Request& request, transport::Responder& respond);
  std::optional<std::string> unknown_service(const JournalQuery& query) const;
  nlohmann::json clock_json() const;

  runtime::Clock& clock_;
  HostOptions options_;
  runtime::Rng rng_;
  FaultEngine faults_;
  Journal journal_;
  std::vector<std::unique_ptr<Stub>> stubs_;
  std::vector<std::unique_ptr<Services>> services_;
  std::atomic<transport::HttpTransport*> outbound_{nullptr};
  std::atomic<std::size_t> outbound_in_flight_{0};
  std::function<nlohmann::json()> health_details_;
  ListenerDirectory directory_;
  std::string control_token_;
  mutable std::mutex callbacks_mutex_;
  std::map<std::uint64_t, std::shared_ptr<PendingCallback>> pending_;  // by callback id
  std::map<std::string, CallbackCounters, std::less<>> callback_counters_;
  std::uint64_t next_callback_ = 1;
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
  // Open /journal/stream bodies; shared with them, since a body may outlive the host.
  std::shared_ptr<std::atomic<std::size_t>> streams_open_ =
      std::make_shared<std::atomic<std::size_t>>(0);
};

}  // namespace notify::stubs
