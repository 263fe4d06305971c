#include "broadcast.hpp"

#include "notify/broadcast/cbc_proxy.hpp"
#include "notify/delivery/broadcast_tasks.hpp"
#include "notify/runtime/assert.hpp"
#include "notify/scenarios/scenario.hpp"
#include "notify/stubs/fields.hpp"
#include "workload_text.hpp"

#include <map>
#include <set>

namespace notify::scenarios::channels {

namespace {

using nlohmann::json;

// "propagate": Notify's behaviour, a connection error to the Lambda endpoint escapes the task;
// "failover": the obvious fix, treated like a ClientError.
const std::vector<std::string> kConnectionErrorChoices = {"propagate", "failover"};
// docs/profiles.md: broadcast.routing, broadcast.error_payload, broadcast.returned_error.
const std::vector<std::string> kRoutingChoices = {"two-lambdas", "four-routes"};
const std::vector<std::string> kErrorPayloadChoices = {"logged", "json-decode-error", "fixed"};
const std::vector<std::string> kReturnedErrorChoices = {"off", "on"};
const std::vector<std::string> kRouteAdvisorChoices = {"off", "on"};
const std::vector<std::string> kCanaryChoices = {"on", "off"};
const std::vector<std::string> kRetriesChoices = {"backoff", "queue"};
const std::vector<std::string> kEeSecondaryChoices = {"present", "absent"};
const std::vector<std::string> kAccountChoices = {"none", kAwsAccountId};
const std::vector<std::string> kRegionChoices = {"eu-west-2", kAwsRegion};

std::string option_or(const std::map<std::string, std::string>& options, const std::string& key,
                      const std::string& fallback) {
  auto it = options.find(key);
  return it == options.end() ? fallback : it->second;
}
const std::set<std::string> kProviders = {"ee", "o2", "three", "vodafone"};

struct EventSpec {
  std::chrono::milliseconds at{0};
  std::string type = "alert";  // alert, update, cancel
  std::string message = "m1";  // which broadcast message
  std::string content = "This is a test of the emergency alert system.";
  json areas;  // [{"polygon": [[lat, lon], ...]}]
  std::chrono::milliseconds duration{std::chrono::hours(4)};
};

struct Periodic {
  std::size_t count = 0;
  std::chrono::milliseconds start{0};
  std::chrono::milliseconds every{0};
  bool every_given = false;  // else the profile's period applies
};

struct BroadcastWorkload {
  delivery::BroadcastConfig config;
  std::vector<EventSpec> events;
  Periodic link_tests;  // Notify: every 15 minutes
  Periodic canary;      // Notify (2020-21): every 5 minutes
};

json default_areas() {
  return json::array(
      {{{"polygon", {{51.12, -1.2}, {51.12, 1.2}, {51.74, 1.2}, {51.74, -1.2}, {51.12, -1.2}}}}});
}

Periodic parse_periodic(stubs::Fields& parent, const std::string& key,
                        std::chrono::milliseconds default_every) {
  Periodic p;
  p.every = default_every;
  const json* j = parent.object(key);
  if (j == nullptr) return p;
  stubs::Fields f(*j, parent.at(key), parent.file());
  p.count = static_cast<std::size_t>(f.integer("count").value_or(1));
  if (p.count > 10'000) f.fail_value("count", "at most 10000");
  p.start = std::chrono::milliseconds(f.integer("start_ms").value_or(0));
  auto every = f.integer("every_ms", 1);
  p.every_given = every.has_value();
  p.every = std::chrono::milliseconds(every.value_or(default_every.count()));
  f.no_others();
  return p;
}

BroadcastWorkload parse_broadcast(const json& j, const std::string& path, const std::string& file) {
  BroadcastWorkload w;
  stubs::Fields f(j, path, file);
  if (auto v = f.boolean("enabled")) w.config.cbc_proxy_enabled = *v;
  if (const json* p = f.array("providers")) {
    w.config.enabled_cbcs.clear();
    for (std::size_t i = 0; i < p->size(); ++i) {
      const json& x = (*p)[i];
      if (!x.is_string() || !kProviders.contains(x.get<std::string>()))
        f.fail(f.at("providers") + "[" + std::to_string(i) + "]",
               "one of \"ee\", \"o2\", \"three\", \"vodafone\"", stubs::quote_json(x));
      w.config.enabled_cbcs.push_back(x.get<std::string>());
    }
  }
  if (auto v = f.string("allowed_provider")) {
    if (*v != "all" && !kProviders.contains(*v))
      f.fail_value("allowed_provider", "\"all\" or one of \"ee\", \"o2\", \"three\", \"vodafone\"");
    w.config.allowed_broadcast_provider = *v;
  }
  if (const json* s = f.object("service")) {
    stubs::Fields sf(*s, f.at("service"), file);
    if (auto v = sf.boolean("active")) w.config.service_active = *v;
    if (auto v = sf.boolean("restricted")) w.config.service_restricted = *v;
    if (auto v = sf.boolean("stubbed")) w.config.message_stubbed = *v;
    if (auto v = sf.string("channel")) {
      if (*v != "test" && *v != "operator" && *v != "severe" && *v != "government")
        sf.fail_value("channel", "one of \"test\", \"operator\", \"severe\", \"government\"");
      w.config.channel = *v;
    }
    sf.no_others();
  }
  if (const json* events = f.array("events")) {
    std::set<std::string> alerted;
    for (std::size_t i = 0; i < events->size(); ++i) {
      std::string at = f.at("events") + "[" + std::to_string(i) + "]";
      stubs::Fields ef((*events)[i], at, file);
      EventSpec e;
      e.at = std::chrono::milliseconds(ef.integer("at_ms").value_or(0));
      if (auto v = ef.string("type")) {
        if (*v != "alert" && *v != "update" && *v != "cancel")
          ef.fail_value("type", "one of \"alert\", \"update\", \"cancel\"");
        e.type = *v;
      }
      if (auto v = ef.string("message")) e.message = *v;
      if (auto v = ef.string("content")) e.content = *v;
      if (const json* a = ef.array("areas")) {
        if (a->empty()) ef.fail_value("areas", "at least one {\"polygon\": [[lat, lon], ...]}");
        e.areas = *a;
      } else {
        e.areas = default_areas();
      }
      if (auto v = ef.integer("duration_ms", 1)) e.duration = std::chrono::milliseconds(*v);
      ef.no_others();
      if (e.type == "alert") {
        if (!alerted.insert(e.message).second)
          ef.fail_value("message", "a message alerted once (use \"update\" to change it)");
      } else if (!alerted.contains(e.message)) {
        ef.fail_value("message", "the name of a message alerted by an earlier event");
      }
      w.events.push_back(std::move(e));
    }
  }
  w.link_tests = parse_periodic(f, "link_tests", std::chrono::minutes(15));
  w.canary = parse_periodic(f, "canary", std::chrono::minutes(5));
  f.no_others();
  return w;
}

// The core's Lambda client with a count of what the core invoked for each identifier (a provider
// message's id, a link test's or the canary's), and of the identifiers whose invocation raised an
// error Notify's tasks do not catch: the core's own record of its attempts, for chaos runs.
class CountingLambdaClient final : public broadcast::LambdaClient {
 public:
  explicit CountingLambdaClient(std::unique_ptr<broadcast::LambdaClient> inner)
      : inner_(std::move(inner)) {}

  void invoke(const std::string& name, const json& payload,
              std::function<void(broadcast::InvokeResult)> done) override {
    std::string id = payload.value("identifier", std::string());
    ++invocations_[id];
    inner_->invoke(name, payload, [this, id, done = std::move(done)](broadcast::InvokeResult r) {
      if (r.kind == broadcast::InvokeResult::Kind::unhandled) unhandled_.insert(id);
      done(std::move(r));
    });
  }

  int invocations(const std::string& id) const {
    auto it = invocations_.find(id);
    return it == invocations_.end() ? 0 : it->second;
  }
  bool raised_unhandled(const std::string& id) const { return unhandled_.contains(id); }

 private:
  std::unique_ptr<broadcast::LambdaClient> inner_;
  std::map<std::string, int> invocations_;
  std::set<std::string> unhandled_;
};

// How many times send_broadcast_provider_message can run for an event that stays valid for
// `window` after it is sent: retry n waits min(2^n, cap) seconds, and a run after the event
// expires stops before invoking anything.
int task_runs_max(runtime::Duration window, runtime::Duration cap) {
  int runs = 1;
  runtime::Duration waited{0};
  for (int retries = 0;; ++retries) {
    auto delay = std::min<runtime::Duration>(
        std::chrono::seconds(std::int64_t{1} << std::min(retries, 30)), cap);
    if (waited + delay > window) return runs;
    waited += delay;
    ++runs;
  }
}

class BroadcastChannel final : public Channel {
 public:
  BroadcastChannel(ChannelEnv& env, BroadcastWorkload workload)
      : env_(env), w_(std::move(workload)), rng_(env.rng.fork("broadcast")) {}

  void connect(const ChannelLinks& links) override {
    broadcast::LambdaClientOptions o;
    o.endpoint_url = links.stub_url("lambda", "", "");
    if (links.time_scale > 1) {
      o.send_options.connect_timeout =
          scaled_timeout(o.send_options.connect_timeout, links.time_scale);
      o.send_options.read_timeout = scaled_timeout(o.send_options.read_timeout, links.time_scale);
    }
    const auto& options = env_.scenario.core_options;
    // broadcast.region: Emergency Alerts reads AWS_REGION (4d0428a04), Notify had eu-west-2.
    o.region = option_or(options, "cbc_region", "eu-west-2");
    auto choice = options.find("cbc_connection_errors");
    o.failover_on_connection_errors = choice != options.end() && choice->second == "failover";
    failover_on_connection_errors_ = o.failover_on_connection_errors;
    lambda_ = std::make_unique<CountingLambdaClient>(broadcast::make_lambda_client(
        links.transport, env_.clock, rng_, env_.metrics, env_.logger, o));
    broadcast::ProxyOptions po;
    po.failover_on_connection_errors = o.failover_on_connection_errors;
    po.routing = option_or(options, "cbc_routing", "two-lambdas") == "four-routes"
                     ? broadcast::Routing::four_routes
                     : broadcast::Routing::two_lambdas;
    const std::string payload = option_or(options, "cbc_error_payload", "logged");
    po.error_payload = payload == "json-decode-error" ? broadcast::ErrorPayload::json_decode_error
                       : payload == "fixed"           ? broadcast::ErrorPayload::fixed
                                                      : broadcast::ErrorPayload::logged;
    // broadcast.account: FunctionName "{CBC_ACCOUNT_NUMBER}:function:{name}" when set.
    if (const std::string account = option_or(options, "cbc_account", "none"); account != "none")
      po.function_prefix = account + ":function:";
    if (option_or(options, "cbc_ee_secondary", "present") == "absent")
      po.without_secondary = {"ee"};
    routes_per_run_ = po.routing == broadcast::Routing::four_routes ? 4 : 2;
    // The advisor lives in the tasks, which are made below; sends start only after connect().
    po.advised_route = [this](const std::string& mno) -> std::optional<broadcast::Route> {
      return tasks_ ? tasks_->advised_route(mno) : std::nullopt;
    };
    cbc_ = std::make_unique<broadcast::CbcProxyClient>(*lambda_, env_.metrics, env_.logger,
                                                       std::move(po));
    w_.config.record_errors = option_or(options, "cbc_returned_error", "off") == "on";
    w_.config.route_advisor = option_or(options, "cbc_route_advisor", "off") == "on";
    // broadcast.link_test_every_s: Notify's 15 minutes, Emergency Alerts' 3.
    if (!w_.link_tests.every_given)
      w_.link_tests.every = std::chrono::seconds(
          std::stoll(option_or(options, "cbc_link_test_every_s", "900")));
    canary_ = option_or(options, "cbc_canary", "on") == "on";
    w_.config.queue_retries = option_or(options, "cbc_retries", "backoff") == "queue";
    w_.config.max_receive_count =
        static_cast<int>(std::stoll(option_or(options, "cbc_max_receive_count", "3")));
    if (w_.config.max_receive_count < 1) w_.config.max_receive_count = 1;
    tasks_ = std::make_unique<delivery::BroadcastTasks>(env_.store, env_.clock, rng_, *cbc_,
                                                        env_.metrics, env_.logger, w_.config);
  }

  void schedule(std::vector<std::string>&) override {
    NOTIFY_ASSERT(tasks_ != nullptr);
    for (std::size_t i = 0; i < w_.events.size(); ++i) {
      ++pending_;
      env_.clock.schedule_after(w_.events[i].at, [this, i] {
        --pending_;
        fire(w_.events[i]);
      });
    }
    schedule_periodic(w_.link_tests, [this] { tasks_->trigger_link_tests(); });
    if (canary_) {
      schedule_periodic(w_.canary, [this] { tasks_->send_canary(); });
    } else if (w_.canary.count > 0) {
      env_.logger.info("broadcast", "No canary: the profile has none (core.cbc_canary off)");
    }
  }

  bool work_remaining() const override {
    return pending_ > 0 || (tasks_ && tasks_->in_flight() > 0);
  }

  // The units are the workload's events; the messages judged are the provider messages.
  nlohmann::json chaos_report() const override {
    if (w_.events.empty()) return nullptr;
    std::size_t stored = 0;
    for (const auto& [name, id] : messages_) stored += env_.store.list_broadcast_events(id).size();
    std::map<std::string, json> history;
    for (const auto& c : env_.store.list_broadcast_provider_message_status_history()) {
      json step = {{"status", c.status}, {"at", runtime::format_iso8601(c.at)}};
      // error_detail as Emergency Alerts stores it: {"exception": "..."}.
      if (!c.error_detail.empty())
        step["error_detail"] = json::parse(c.error_detail, nullptr, false);
      history[c.id].push_back(std::move(step));
    }
    // A task that gave up on an expired event says so; one that went quiet while its event
    // expired does not, and stays unexcused.
    std::set<std::string> expired;  // "provider event-id"
    const std::string kExpired = " has expired";
    const std::string kPrefix = "BroadcastIntegrityError for provider ";
    for (const auto& r : env_.logger.records()) {
      if (r.message.rfind(kPrefix, 0) != 0 || !r.message.ends_with(kExpired)) continue;
      // "BroadcastIntegrityError for provider ee: event <id> has expired"
      auto colon = r.message.find(": event ", kPrefix.size());
      if (colon == std::string::npos) continue;
      const auto id_at = colon + 8;
      expired.insert(r.message.substr(kPrefix.size(), colon - kPrefix.size()) + " " +
                     r.message.substr(id_at, r.message.size() - kExpired.size() - id_at));
    }
    json list = json::array();
    for (const auto& pm : env_.store.list_broadcast_provider_messages()) {
      json keys = json::array({pm.id});
      if (pm.message_number)
        keys.push_back(broadcast::format_sequential_number(*pm.message_number));
      // Each run of the task invokes the provider's Lambda and, when that fails, its failover.
      int runs_max = 1;
      std::string documented;
      if (auto e = expiry_.find(pm.broadcast_event_id); e != expiry_.end()) {
        runs_max = w_.config.queue_retries
                       ? w_.config.max_receive_count
                       : task_runs_max(e->second.second - e->second.first,
                                       w_.config.retry_delay_cap);
        if (pm.status == delivery::broadcast_status::kSending &&
            expired.contains(pm.provider + " " + pm.broadcast_event_id))
          documented = "the event expired while its task retried";
      }
      if (pm.status == delivery::broadcast_status::kSending && lambda_ &&
          lambda_->raised_unhandled(pm.id) && !failover_on_connection_errors_)
        documented = "a Lambda invocation raised an error the task does not catch";
      auto h = history.find(pm.id);
      list.push_back({{"id", pm.id},
                      {"status", pm.status},
                      {"history", h == history.end() ? json::array() : h->second},
                      {"attempts", lambda_ ? lambda_->invocations(pm.id) : 0},
                      {"attempts_max", routes_per_run_ * runs_max},
                      {"reference", ""},
                      {"keys", keys},
                      {"documented", documented},
                      // Acknowledged means a CBC acknowledged it, except for an update, which
                      // no proxy sends.
                      {"acknowledged", pm.status == delivery::broadcast_status::kReturnedAck &&
                                           updates_.count(pm.broadcast_event_id) == 0}});
    }
    return {{"expected", w_.events.size()}, {"stored", stored}, {"messages", list}};
  }

 private:
  void schedule_periodic(const Periodic& p, std::function<void()> fn) {
    for (std::size_t n = 0; n < p.count; ++n) {
      ++pending_;
      env_.clock.schedule_after(p.start + p.every * static_cast<long>(n), [this, fn] {
        --pending_;
        fn();
      });
    }
  }

  void fire(const EventSpec& e) {
    const auto now = env_.clock.now();
    auto& message_id = messages_[e.message];
    if (message_id.empty()) {
      message_id = rng_.uuid4();
      env_.store.insert_broadcast_message({message_id, "broadcasting", e.content, now});
    }
    auto& content = contents_[e.message];
    if (e.type != "cancel") {
      content.description = e.content;
      content.areas = e.areas;
      content.finishes_at = now + e.duration;
    }
    store::BroadcastEvent event;
    event.id = rng_.uuid4();
    event.broadcast_message_id = message_id;
    event.message_type = e.type;
    event.payload_json = content.to_json().dump();
    event.sent_at = now;
    env_.store.insert_broadcast_event(event);
    expiry_[event.id] = {now, content.finishes_at};
    if (e.type == "update") updates_.insert(event.id);
    env_.logger.info("broadcast",
                     "Broadcast " + e.type + " event " + event.id + " for message " + e.message);
    tasks_->send_broadcast_event(event.id);
  }

  ChannelEnv& env_;
  BroadcastWorkload w_;
  runtime::Rng rng_;
  std::unique_ptr<CountingLambdaClient> lambda_;
  bool failover_on_connection_errors_ = false;
  int routes_per_run_ = 2;  // routes one run of the send task may invoke
  bool canary_ = true;
  // Event id -> when it was sent and when it expires.
  std::map<std::string, std::pair<runtime::TimePoint, runtime::TimePoint>> expiry_;
  std::set<std::string> updates_;  // ids of update events
  std::unique_ptr<broadcast::CbcProxyClient> cbc_;
  std::unique_ptr<delivery::BroadcastTasks> tasks_;
  std::map<std::string, std::string> messages_;  // workload name -> broadcast message id
  std::map<std::string, delivery::BroadcastEventContent> contents_;
  std::size_t pending_ = 0;
};

std::int64_t between(runtime::Rng& rng, std::int64_t lo, std::int64_t hi) {
  return static_cast<std::int64_t>(
      rng.uniform_int(static_cast<std::uint64_t>(lo), static_cast<std::uint64_t>(hi)));
}

// A chaos workload: about `count` events (at most kChaosEventsMax) over several broadcast
// messages, each an alert then perhaps updates and a cancel, valid for 10 to 60 minutes; every
// operator or a few of them; sometimes link tests and the canary.
constexpr std::size_t kChaosEventsMax = 12;

std::pair<json, std::size_t> chaos_broadcast(runtime::Rng& rng, std::size_t count,
                                             std::int64_t spread_ms) {
  static const std::vector<std::string> kContents = {
      "Flood warning: move to higher ground now.",
      "Severe weather: stay indoors until further notice.",
      // A Welsh non-GSM character: cy-GB for CAP, Welsh for IBAG.
      "Rhybudd llifogydd: mae'r d\xC5\xB5r yn codi. Ewch i dir uwch.",
  };
  const auto want = std::min(std::max<std::size_t>(count, 1), kChaosEventsMax);
  const std::int64_t spread = std::max<std::int64_t>(spread_ms, 1000);
  json events = json::array();
  for (std::size_t m = 1; events.size() < want; ++m) {
    const std::string name = "m" + std::to_string(m);
    std::int64_t at = between(rng, 0, spread);
    auto content = [&] {
      return kContents[static_cast<std::size_t>(
          between(rng, 0, static_cast<std::int64_t>(kContents.size()) - 1))];
    };
    events.push_back({{"at_ms", at},
                      {"type", "alert"},
                      {"message", name},
                      {"content", content()},
                      {"duration_ms", between(rng, 10, 60) * 60'000}});
    while (events.size() < want && rng.uniform01() < 0.3) {
      at += between(rng, 1000, spread / 4 + 1000);
      events.push_back({{"at_ms", at},
                        {"type", "update"},
                        {"message", name},
                        {"content", content()},
                        {"duration_ms", between(rng, 10, 60) * 60'000}});
    }
    if (events.size() < want && rng.uniform01() < 0.5) {
      at += between(rng, 1000, spread / 4 + 1000);
      events.push_back({{"at_ms", at}, {"type", "cancel"}, {"message", name}});
    }
  }
  json block = {{"events", events}};
  if (rng.uniform01() < 0.25) {
    json providers = json::array();
    for (const auto& p : kProviders)
      if (rng.uniform01() < 0.5) providers.push_back(p);
    if (!providers.empty()) block["providers"] = providers;
  }
  if (rng.uniform01() < 0.15) {
    std::vector<std::string> one(kProviders.begin(), kProviders.end());
    block["allowed_provider"] = one[static_cast<std::size_t>(between(rng, 0, 3))];
  }
  if (rng.uniform01() < 0.3)
    block["link_tests"] = {{"count", between(rng, 1, 3)}, {"start_ms", between(rng, 0, spread)}};
  if (rng.uniform01() < 0.2)
    block["canary"] = {{"count", between(rng, 1, 3)}, {"start_ms", between(rng, 0, spread)}};
  return {block, events.size()};
}

}  // namespace

ChannelSpec broadcast_channel() {
  ChannelSpec spec;
  spec.name = "broadcast";
  spec.validate = [](const json& block, const std::string& path, const std::string& file) {
    (void)parse_broadcast(block, path, file);
  };
  spec.make = [](ChannelEnv& env, const json& block) -> std::unique_ptr<Channel> {
    return std::make_unique<BroadcastChannel>(
        env, parse_broadcast(block, "workload.broadcast", env.scenario.file));
  };
  spec.core_options = {{"cbc_connection_errors", kConnectionErrorChoices},
                       {"cbc_routing", kRoutingChoices},
                       {"cbc_error_payload", kErrorPayloadChoices},
                       {"cbc_returned_error", kReturnedErrorChoices},
                       {"cbc_route_advisor", kRouteAdvisorChoices},
                       {"cbc_link_test_every_s", {"900", kWholeNumber}},
                       {"cbc_canary", kCanaryChoices},
                       {"cbc_retries", kRetriesChoices},
                       {"cbc_max_receive_count", {"3", kWholeNumber}},
                       {"cbc_ee_secondary", kEeSecondaryChoices},
                       {"cbc_account", kAccountChoices},
                       {"cbc_region", kRegionChoices}};
  spec.chaos_workload = &chaos_broadcast;
  // A provider message is created in sending and the task sets only returned-ack; Notify's model
  // also has returned-error and technical-failure, which nothing sets since bbae20920. A message
  // may stay in sending when its event expired while the task retried, or when a Lambda
  // invocation raised an error the task does not catch (the channel reports which).
  namespace bs = delivery::broadcast_status;
  ChaosRules& r = spec.chaos_rules;
  r.final_statuses = {bs::kReturnedAck, bs::kReturnedError, bs::kTechnicalFailure,
                      bs::kReturnedErrorRetryExhausted};
  // Under broadcast.returned_error "on" every failure adds a returned-error entry (another after
  // the first, each with its error detail) and a later run of the task may still be
  // acknowledged.
  r.transitions = {{"", {bs::kSending}},
                   {bs::kSending, {bs::kReturnedAck, bs::kReturnedError, bs::kTechnicalFailure}},
                   {bs::kReturnedError,
                    {bs::kReturnedAck, bs::kReturnedError, bs::kReturnedErrorRetryExhausted}}};
  // The CBCs journal an alert or a cancel under its identifier (CAP) or message number (IBAG);
  // link tests ("Test") carry identifiers of their own.
  r.services = {"cbc"};
  r.operations = {"Alert", "Cancel"};
  r.sends_carry_key = true;
  // One invocation the core counts may be sent again by the SDK, and each reaches a CBC once.
  r.sends_per_attempt_max = broadcast::LambdaClientOptions{}.sdk_max_attempts;
  return spec;
}

}  // namespace notify::scenarios::channels
