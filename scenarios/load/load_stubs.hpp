// Where a load run's provider stubs are: embedded ones on a thread of their own, or the running
// stubs the environment names (the variables serve prints), and their control API for fault
// rules.
#pragma once

#include "notify/load/core_load.hpp"
#include "notify/stubs/faults.hpp"
#include "notify/transport/http.hpp"

#include <pthread.h>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace notify::load {

/// Each channel's provider URL, read from the variables serve prints.
struct ProviderUrls {
  std::string ses;       // SES v1 endpoint (SigV4), with a trailing '/'
  std::string ses_stub;  // Notify's SES_STUB_URL contract, when no SES endpoint is set
  std::map<std::string, std::string> sms;  // provider -> full send URL, as its variable says
  std::string lambda;
  std::string admin;  // the control API, for --faults
  bool external = false;
};

std::string trim_slash(std::string s);

/// The running stubs named by the environment (external is false when none is named). Throws
/// std::invalid_argument when a channel of the mix has no variable while others are set.
ProviderUrls external_urls(const CoreLoadOptions& options);

/// CPU seconds a thread has used.
double thread_cpu_s(pthread_t thread);

/// Every registered stub on free loopback ports, on a thread of its own so that it does not share
/// the driver's event loop, each configured with its load_config (limits off: the run measures
/// the core or the stub, not SES's quota) and its callbacks sent to the core's receipt endpoint
/// at `receipt_base`; with an empty `receipt_base` (a run of the stubs alone) no callbacks.
class EmbeddedStubs {
 public:
  /// Throws std::invalid_argument for a rule the fault engine refuses.
  EmbeddedStubs(std::uint64_t seed, const std::string& receipt_base,
                const std::vector<stubs::FaultRule>& faults);
  ~EmbeddedStubs();
  EmbeddedStubs(const EmbeddedStubs&) = delete;
  EmbeddedStubs& operator=(const EmbeddedStubs&) = delete;

  /// "http://127.0.0.1:port" of a service's own listener.
  std::string url(const std::string& service) const;
  /// CPU seconds the stubs' thread has used so far.
  double cpu_s();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Sends one request and runs `io` until its answer arrives (before and after the run).
transport::SendResult send_now(boost::asio::io_context& io, transport::HttpTransport& client,
                               transport::Request request);

/// Runs `io` until the run stops it, and puts in `times` (when given) the wall time from `start`
/// and the CPU time this thread and the embedded stubs' thread (when any) used meanwhile.
void run_measured(boost::asio::io_context& io, std::chrono::steady_clock::time_point start,
                  EmbeddedStubs* embedded, ThreadTimes* times);

/// Calls `on_tick` at `first` and then a second after each call returns, until it returns false
/// or `timer` is cancelled: a run's progress line.
void tick_every_second(boost::asio::steady_timer& timer,
                       std::chrono::steady_clock::time_point first, std::function<bool()> on_tick);

/// Deletes, through the control API at `admin`, the rules post_faults added.
void delete_faults(boost::asio::io_context& io, transport::HttpTransport& client,
                   const std::string& admin, const std::vector<std::string>& ids);

/// Adds fault rules to running stubs through their control API at `admin`; returns the ids to
/// delete after the run. Throws std::invalid_argument, naming `file`, when there is no control
/// API or it refuses the rules.
std::vector<std::string> post_faults(boost::asio::io_context& io, transport::HttpTransport& client,
                                     const std::string& admin, const nlohmann::json& rules,
                                     const std::string& file);

}  // namespace notify::load
