#include "world.hpp"

#include "notify/runtime/assert.hpp"

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
  delivery::add_ses_receipts(receipts, *store, clock, logger, metrics);
  auto stub = std::make_unique<stubs::SesStub>();
  ses = stub.get();
  host.add(std::move(stub));
}

void World::connect(const std::string& stub_base_url, const std::string& receipt_url,
                    transport::HttpTransport& core_transport,
                    transport::HttpTransport& callback_transport) {
  host.set_callback_transport(&callback_transport);

  // The scenario's SES settings, with the receipt endpoint filled in unless the scenario
  // sends events elsewhere.
  nlohmann::json config = scenario.stub_config.value("ses", nlohmann::json::object());
  if (!config.contains("events")) config["events"] = nlohmann::json::object();
  if (!config["events"].contains("callback_url")) config["events"]["callback_url"] = receipt_url;
  if (std::string err = ses->configure(config); !err.empty())
    throw ScenarioError(scenario.file + ": stubs.ses." + err);
  connect_event_faults(*ses, host);

  if (scenario.email_client == "ses_stub") {
    email_client =
        email::make_ses_stub_client(core_transport, clock, metrics, logger, stub_base_url + "/ses");
  } else {
    email::SesClientOptions o;
    o.endpoint_url = stub_base_url + "/";
    o.region = "eu-west-2";
    // Socket time-outs are real time; in wire mode they shrink with the scenario clock, but
    // never below a floor that a loaded machine (or a sanitizer build) always meets.
    auto scaled = [this](std::chrono::milliseconds t) {
      auto ms = static_cast<std::int64_t>(static_cast<double>(t.count()) / transport_time_scale);
      return std::chrono::milliseconds(std::max<std::int64_t>(ms, 2000));
    };
    if (transport_time_scale > 1) {
      o.send_options.connect_timeout = scaled(o.send_options.connect_timeout);
      o.send_options.read_timeout = scaled(o.send_options.read_timeout);
    }
    email_client = email::make_ses_client(core_transport, clock, metrics, logger, o);
  }
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
