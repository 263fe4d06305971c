#include "world.hpp"

#include "notify/runtime/assert.hpp"
#include "notify/stubs/registry.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace notify::scenarios {
namespace {

stubs::HostOptions host_options(std::uint64_t seed) {
  stubs::HostOptions o;
  o.seed = seed;
  o.journal.capacity = 200'000;  // a scenario's whole history, so counts are exact
  return o;
}

// A core option's value, or `fallback` when the scenario does not set it.
std::string option(const Scenario& s, const std::string& key, const std::string& fallback) {
  auto it = s.core_options.find(key);
  return it == s.core_options.end() ? fallback : it->second;
}

delivery::BackstopOptions backstop_options(const Scenario& s) {
  delivery::BackstopOptions o;
  const BackstopSettings& b = s.backstops;
  o.enabled = b.enabled;
  o.sending_timeout = b.sending_timeout;
  o.timeout_time_of_day = b.timeout_at;
  o.replay_grace = b.replay_after;
  o.replay_every = b.replay_every;
  o.replay_age_limit = b.replay_age_limit;
  if (option(s, "replay_created_rule", "age-limited") == "unbounded")
    o.replay_rule = delivery::ReplayRule::unbounded;
  o.timeout_metric = option(s, "timeout_metric", "off") == "statsd";
  if (option(s, "beat_timezone", "UTC") == "Europe/London")
    o.timezone = delivery::BeatTimezone::europe_london;
  return o;
}

bool is_final(const std::string& status) {
  return status == store::status::kDelivered || status == store::status::kPermanentFailure ||
         status == store::status::kTemporaryFailure || status == store::status::kTechnicalFailure;
}

}  // namespace

telemetry::MetricsFormat metrics_format(const Scenario& s) {
  auto format = telemetry::MetricsFormat::otel;
  if (auto it = s.core_options.find("metrics"); it != s.core_options.end())
    telemetry::parse_metrics_format(it->second, format);
  return format;
}

World::World(const Scenario& s, std::uint64_t seed, runtime::Clock& c)
    : scenario(s),
      clock(c),
      rng(runtime::Rng(seed).fork("workload")),
      store(store::open_sqlite_store(":memory:")),
      logger(c),
      host(c, host_options(seed)) {
  for (const auto& spec : stubs::registry().all()) host.add(spec.make());
  // Before any component is built: some record their first values as they start.
  metrics.set_format(metrics_format(scenario));
  try {
    backstops = std::make_unique<delivery::Backstops>(*store, clock, logger, metrics,
                                                      backstop_options(scenario));
  } catch (const std::invalid_argument& e) {
    throw ScenarioError(scenario.file + ": core.backstops." + e.what());
  }
  channel_env = std::make_unique<ChannelEnv>(
      ChannelEnv{scenario, clock, rng, *store, metrics, logger, receipts, backstops.get()});
  // Every channel's receipts are routed, so a stray callback gets a clear answer; a channel with
  // no workload still has its endpoint.
  for (const auto& spec : channel_registry()) {
    auto it = scenario.workload.find(spec.name);
    channels.push_back(spec.make(
        *channel_env, it == scenario.workload.end() ? nlohmann::json::object() : it->second));
  }
}

void World::connect(const stubs::Edge& edge, const std::string& receipt_base_url,
                    transport::HttpTransport& core_transport,
                    transport::HttpTransport& stub_transport) {
  host.set_outbound_transport(&stub_transport);
  for (stubs::Stub* stub : host.stubs()) {
    const std::string service(stub->service());
    const stubs::StubSpec* spec = stubs::registry().find(service);
    nlohmann::json config = scenario.stub_config.value(service, nlohmann::json::object());
    // The stub's callbacks go to the core unless the scenario sends them elsewhere.
    if (spec != nullptr && !spec->callback_config.empty()) {
      if (!stubs::has_dotted(config, spec->callback_config))
        stubs::set_dotted(config, spec->callback_config, receipt_base_url + spec->receipt_path);
    }
    // Its inbound messages go to the core's inbound route, with the credentials the core checks.
    if (spec != nullptr && !spec->inbound_config.empty() &&
        !stubs::has_dotted(config, spec->inbound_config)) {
      const std::string base = receipt_base_url + spec->inbound_path;
      const auto scheme_end = base.find("://");
      stubs::set_dotted(config, spec->inbound_config,
                        scheme_end == std::string::npos
                            ? base
                            : base.substr(0, scheme_end + 3) + spec->inbound_userinfo + "@" +
                                  base.substr(scheme_end + 3));
    }
    // core.ses_receipts "sqs": the core reads SES events from SQS, so the SES stub sends them
    // there as Celery tasks, unless the scenario chose its events' destination itself.
    if (service == "ses" && option(scenario, "ses_receipts", "http") == "sqs" &&
        !stubs::has_dotted(config, "events.destination"))
      stubs::set_dotted(config, "events.destination", "celery-sqs");
    if (auto error = stub->configure(config))
      throw ScenarioError(error->under("stubs." + service).in_file(scenario.file).to_string());
  }

  ChannelLinks links{
      core_transport,
      [&edge](const std::string& service, const std::string& provider, const std::string& az) {
        return edge.url(stubs::ListenerKey{service, provider, az});
      },
      receipt_base_url, transport_time_scale,
      [this](const nlohmann::json& message) -> std::optional<std::string> {
        if (auto error = host.send_inbound(message)) return error->to_string();
        return std::nullopt;
      }};
  for (auto& c : channels) c->connect(links);
}

void World::send_statsd_to(const std::string& address) {
  auto colon = address.rfind(':');
  int port = 0;
  if (colon != std::string::npos) {
    try {
      port = std::stoi(address.substr(colon + 1));
    } catch (const std::exception&) {
      port = 0;
    }
  }
  if (colon == std::string::npos || colon == 0 || port <= 0 || port > 65535)
    throw ScenarioError("--statsd " + address + ": expected host:port, e.g. 127.0.0.1:8125");
  try {
    metrics.send_statsd_to(address.substr(0, colon), static_cast<std::uint16_t>(port));
  } catch (const std::invalid_argument& e) {
    throw ScenarioError("--statsd " + address + ": " + e.what());
  }
}

void World::schedule() {
  for (const auto& tf : scenario.faults) {
    clock.schedule_after(tf.at, [this, rule = tf.rule] {
      if (auto r = host.faults().add(rule); !r)
        logger.error("scenario", "fault " + rule.id + " not added: " + r.error().to_string());
    });
    if (tf.until) {
      clock.schedule_after(*tf.until, [this, id = tf.rule.id] { host.faults().remove(id); });
    }
  }

  for (auto& c : channels) c->schedule(recipients);
}

bool World::work_remaining() const {
  return std::any_of(channels.begin(), channels.end(),
                     [](const auto& c) { return c->work_remaining(); });
}

bool World::settled() const {
  if (work_remaining()) return false;
  for (const auto& n : store->list_notifications())
    if (!is_final(n.status)) return false;
  return true;
}

}  // namespace notify::scenarios
