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

SesStub::~SesStub() = default;

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

StubAnswer SesStub::handle(const Call& call) {
  const transport::Request& request = call.request;
  const std::string& error = call.error;
  ses::Core& core = *impl_->core;
  std::lock_guard lock(core.mutex);
  NOTIFY_ASSERT(core.services != nullptr);
  core.current_seq = call.seq;
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

std::optional<SelectorNames> SesStub::selector_names() const {
  // v1 actions, v2 operations, Notify's stub contract and the delivery events.
  return SelectorNames{{"SendEmail", "SendRawEmail", "GetSendQuota", "GetSendStatistics",
                        "SendEmailV2", "GetAccount", "StubSend", "Event", "Unknown"},
                       {},
                       {}};
}

std::vector<std::string> SesStub::error_names() const {
  return {kSesThrottling,         kSesDailyQuota,      kSesHeaderTooLong, kSesMessageRejected,
          kSesServiceUnavailable, kSesInternalFailure, kSesEventDrop,     kSesEventDuplicate};
}

void SesStub::reset() {
  ses::Core& core = *impl_->core;
  std::lock_guard lock(core.mutex);
  core.generation += 1;
  if (core.services != nullptr) core.rate.configure(core.options.limits.max_send_rate, core.now());
  core.quota.clear();
  core.stats.clear();
  core.counters = SesCounters{};
}

std::optional<FieldError> SesStub::configure(const nlohmann::json& config) {
  ses::Core& core = *impl_->core;
  std::lock_guard lock(core.mutex);
  auto error = ses::apply_config(config, core.options);
  if (!error && core.services != nullptr) {
    core.rate.configure(core.options.limits.max_send_rate, core.now());
  }
  return error;
}

void SesStub::attach(StubServices& services) {
  Stub::attach(services);
  ses::Core& core = *impl_->core;
  std::lock_guard lock(core.mutex);
  core.services = &services;
  core.rate.configure(core.options.limits.max_send_rate, core.now());
  // A stream of its own, so that the HTTP events' ids stay what they were.
  core.reply_to = services.rng().fork("celery").uuid4();
}

SesOptions SesStub::options() const {
  std::lock_guard lock(impl_->core->mutex);
  return impl_->core->options;
}

SesCounters SesStub::counters() const {
  SesCounters c;
  {
    std::lock_guard lock(impl_->core->mutex);
    c = impl_->core->counters;
  }
  if (services_ != nullptr) {
    CallbackCounters events = services_->callback_counters(service());
    c.events_scheduled = events.scheduled;
    c.events_sent = events.sent;
    c.events_dropped += events.dropped;
    c.events_failed = events.failed;
    c.events_retried = events.retried;
  }
  return c;
}

std::size_t SesStub::pending_events() const {
  return services_ == nullptr ? 0 : services_->callback_counters(service()).pending;
}

}  // namespace notify::stubs
