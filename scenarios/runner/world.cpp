#include "world.hpp"

#include "../channels/email.hpp"
#include "notify/runtime/assert.hpp"
#include "notify/stubs/registry.hpp"

#include <algorithm>
#include <set>

namespace notify::scenarios {
namespace {

std::string expand(std::string pattern, std::size_t n) {
  const std::string key = "{n}";
  for (auto pos = pattern.find(key); pos != std::string::npos; pos = pattern.find(key, pos))
    pattern.replace(pos, key.size(), std::to_string(n));
  return pattern;
}

stubs::HostOptions host_options(std::uint64_t seed) {
  stubs::HostOptions o;
  o.seed = seed;
  o.journal.capacity = 200'000;  // a scenario's whole history, so counts are exact
  return o;
}

bool is_final(const std::string& status) {
  return status == store::status::kDelivered || status == store::status::kPermanentFailure ||
         status == store::status::kTemporaryFailure || status == store::status::kTechnicalFailure;
}

}  // namespace

World::World(const Scenario& s, std::uint64_t seed, runtime::Clock& c)
    : scenario(s),
      clock(c),
      rng(runtime::Rng(seed).fork("workload")),
      store(store::open_sqlite_store(":memory:")),
      logger(c),
      host(c, host_options(seed)) {
  channels::add_email_receipts(receipts, *store, clock, logger, metrics);
  for (const auto& spec : stubs::registry().all()) host.add(spec.make());
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
    if (auto error = stub->configure(config))
      throw ScenarioError(error->under("stubs." + service).in_file(scenario.file).to_string());
  }

  channels::EmailWiring wiring;
  wiring.client = scenario.email_client;
  wiring.stub_url = [&edge](const std::string& service) {
    return edge.url(stubs::ListenerKey{service, "", ""});
  };
  wiring.time_scale = transport_time_scale;
  email_client = channels::make_email_client(wiring, core_transport, clock, metrics, logger);
  delivery::EmailDeliveryOptions d;
  d.max_retries = scenario.max_retries;
  d.retry_delay = scenario.retry_delay;
  email_delivery =
      std::make_unique<delivery::EmailDelivery>(*store, clock, *email_client, metrics, logger, d);
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
  NOTIFY_ASSERT(email_delivery != nullptr);
  for (const auto& tf : scenario.faults) {
    clock.schedule_after(tf.at, [this, rule = tf.rule] {
      if (auto r = host.faults().add(rule); !r)
        logger.error("scenario", "fault " + rule.id + " not added: " + r.error().to_string());
    });
    if (tf.until) {
      clock.schedule_after(*tf.until, [this, id = tf.rule.id] { host.faults().remove(id); });
    }
  }

  const auto& w = scenario.email;
  std::set<std::string> seen;
  for (std::size_t n = 1; n <= w.count; ++n) {
    std::string to = expand(w.to[(n - 1) % w.to.size()], n);
    if (seen.insert(to).second) recipients.push_back(to);
    email::EmailMessage m;
    m.source = w.from;
    m.to = {to};
    m.subject = expand(w.subject, n);
    m.body = expand(w.body, n);
    m.html_body = expand(w.html_body, n);
    std::string id = rng.uuid4();
    clock.schedule_after(w.start + w.interval * static_cast<long>(n - 1),
                         [this, id, m = std::move(m)] {
                           store::Notification note;
                           note.id = id;
                           note.type = "email";
                           note.recipient = m.to.front();
                           note.created_at = clock.now();
                           note.updated_at = note.created_at;
                           auto r = store->insert_notification(note);
                           NOTIFY_ASSERT(r.has_value());
                           ++submitted;
                           email_delivery->deliver(id, m);
                         });
  }
}

bool World::work_remaining() const {
  return submitted < scenario.email.count || (email_delivery && email_delivery->in_flight() > 0);
}

bool World::settled() const {
  if (submitted < scenario.email.count) return false;
  if (email_delivery && email_delivery->in_flight() > 0) return false;
  for (const auto& n : store->list_notifications())
    if (!is_final(n.status)) return false;
  return true;
}

}  // namespace notify::scenarios
