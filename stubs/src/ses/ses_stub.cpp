// SesStub: routes a request to its protocol's handler with the state lock held.
#include "notify/stubs/ses.hpp"

#include "core.hpp"

#include "notify/runtime/assert.hpp"

#include <nlohmann/json.hpp>

namespace notify::stubs {

struct SesStub::Impl {
  std::shared_ptr<ses::Core> core;
};

SesStub::SesStub() : SesStub(SesOptions{}) {}

SesStub::SesStub(SesOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->core = std::make_shared<ses::Core>(std::move(options));
}

SesStub::~SesStub() {
  std::lock_guard lock(impl_->core->mutex);
  if (impl_->core->env.clock != nullptr) impl_->core->cancel_events();
}

bool SesStub::accepts(const transport::Request& request) const {
  std::lock_guard lock(impl_->core->mutex);
  return ses::route_of(request, impl_->core->options.path_prefix) != ses::Route::none;
}

RequestInfo SesStub::describe(const transport::Request& request) const {
  std::string prefix;
  {
    std::lock_guard lock(impl_->core->mutex);
    prefix = impl_->core->options.path_prefix;
  }
  std::string v2_path;
  switch (ses::route_of(request, prefix, &v2_path)) {
    case ses::Route::v1:
      return ses::describe_v1(request);
    case ses::Route::v2:
      return ses::describe_v2(request, v2_path);
    case ses::Route::contract:
      return RequestInfo{"ses", "", "", "StubSend", ""};
    case ses::Route::none:
      break;
  }
  return RequestInfo{"ses", "", "", "Unknown", ""};
}

StubAnswer SesStub::handle(const transport::Request& request, const RequestInfo& info,
                           const std::string& error) {
  ses::Core& core = *impl_->core;
  std::lock_guard lock(core.mutex);
  NOTIFY_ASSERT(core.env.clock != nullptr && core.env.rng != nullptr);
  std::string v2_path;
  switch (ses::route_of(request, core.options.path_prefix, &v2_path)) {
    case ses::Route::v1:
      return ses::handle_v1(core, request, error);
    case ses::Route::v2:
      return ses::handle_v2(core, request, v2_path, error);
    case ses::Route::contract:
      return ses::handle_contract(core, request, error);
    case ses::Route::none:
      break;
  }
  // The host routed something here that is not SES-shaped (e.g. a bare GET /): answer as the
  // Query API would, since "/" is its endpoint.
  return ses::handle_v1(core, request, error);
}

std::vector<std::string> SesStub::error_names() const {
  return {kSesThrottling,         kSesDailyQuota,      kSesHeaderTooLong, kSesMessageRejected,
          kSesServiceUnavailable, kSesInternalFailure, kSesEventDrop,     kSesEventDuplicate};
}

StubAnswer SesStub::not_found(const transport::Request& request) const {
  ses::Core& core = *impl_->core;
  std::lock_guard lock(core.mutex);
  std::string rid = core.env.rng != nullptr ? core.env.rng->uuid4() : std::string("0");
  std::string v2_path;
  ses::Route route = ses::route_of(request, core.options.path_prefix, &v2_path);
  ses::SesError e;
  ses::Protocol protocol = ses::Protocol::v1;
  if (route == ses::Route::v2) {
    protocol = ses::Protocol::v2;
    e = {404, "NotFoundException",
         "notify-sim's SES v2 has no operation " + request.method + " " + v2_path + "."};
  } else if (route == ses::Route::contract) {
    protocol = ses::Protocol::contract;
    e = {404, "NotFound", "No such route: " + request.method + " " + std::string(request.path())};
  } else {
    e = {400, "InvalidAction",
         "The request " + request.method + " " + std::string(request.path()) +
             " is not an SES action this stub serves (SendEmail, SendRawEmail, GetSendQuota, "
             "GetSendStatistics)."};
  }
  StubAnswer a;
  a.response = ses::render_error(protocol, e, rid);
  a.outcome = "error:" + e.code;
  return a;
}

void SesStub::reset() {
  ses::Core& core = *impl_->core;
  std::lock_guard lock(core.mutex);
  if (core.env.clock != nullptr) {
    core.cancel_events();
    core.rate.configure(core.options.limits.max_send_rate, core.now());
  }
  core.quota.clear();
  core.stats.clear();
  core.counters = SesCounters{};
  core.tally->failed = 0;
}

std::string SesStub::configure(const nlohmann::json& config) {
  ses::Core& core = *impl_->core;
  std::lock_guard lock(core.mutex);
  std::string error = ses::apply_config(config, core.options);
  if (error.empty() && core.env.clock != nullptr) {
    core.rate.configure(core.options.limits.max_send_rate, core.now());
  }
  return error;
}

void SesStub::attach(StubEnv env) {
  Stub::attach(env);
  ses::Core& core = *impl_->core;
  std::lock_guard lock(core.mutex);
  core.env = env;
  if (env.clock != nullptr) core.rate.configure(core.options.limits.max_send_rate, core.now());
}

void SesStub::set_event_filter(std::function<EventVerdict(const RequestInfo&)> filter) {
  std::lock_guard lock(impl_->core->mutex);
  impl_->core->filter = std::move(filter);
}

SesOptions SesStub::options() const {
  std::lock_guard lock(impl_->core->mutex);
  return impl_->core->options;
}

SesCounters SesStub::counters() const {
  std::lock_guard lock(impl_->core->mutex);
  SesCounters c = impl_->core->counters;
  c.events_failed = impl_->core->tally->failed.load();
  return c;
}

std::size_t SesStub::pending_events() const {
  std::lock_guard lock(impl_->core->mutex);
  return impl_->core->pending_count();
}

}  // namespace notify::stubs
