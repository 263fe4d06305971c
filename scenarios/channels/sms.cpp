#include "sms.hpp"

#include "notify/delivery/retry.hpp"
#include "notify/delivery/sms_delivery.hpp"
#include "notify/delivery/sms_provider_table.hpp"
#include "notify/delivery/sms_providers.hpp"
#include "notify/delivery/sms_receipts.hpp"
#include "notify/profiles/sms_settings.hpp"
#include "notify/runtime/assert.hpp"
#include "notify/scenarios/scenario.hpp"
#include "notify/sms/sms_client.hpp"
#include "notify/stubs/fields.hpp"
#include "notify/transport/userinfo.hpp"
#include "workload_text.hpp"

#include <set>
#include <unordered_map>

namespace notify::scenarios::channels {

namespace {

using nlohmann::json;

// "api": the providers' own paths (/api/sendsms/json, /jsonv2a/api.php); "notify_stub": the
// paths of Notify's own SMS provider stub (/firetext, /mmg).
const std::vector<std::string> kSmsUrls = {"api", "notify_stub"};
// The SMS settings of docs/profiles.md (profiles::sms_settings reads them).
const std::vector<std::string> kOnOff = {"on", "off"};
const std::vector<std::string> kThreshold = {"none", kWholeNumber};
const std::vector<std::string> kNumber = {kWholeNumber};
// A time-out or an error window of 0 s cannot run: every request would time out at once, and a
// window of no time holds no error (SmsProviderPriorities refuses it).
const std::vector<std::string> kSeconds = {kPositiveWholeNumber};
const std::vector<std::string> kProviderChoice = {"cached-list", "cached-choice", "live"};

// "basic": the receipt URL carries user:pass@ as today's Notify sends it when
// {FIRETEXT,MMG}_DELIVERY_STATUS_CALLBACK_BASIC_AUTH_CREDENTIALS is set (notifications-api
// 2336be8b8, b16f8afc9); "off": a bare URL, as before 2026-07.
const std::vector<std::string> kReceiptCredentials = {"basic", "off"};
constexpr const char* kReceiptUser = "notify";

struct SmsWorkload {
  std::size_t count = 0;
  /// Number patterns; "{n}" becomes the 1-based index. Several patterns rotate. UK numbers
  /// ("07...") are normalised to "447...", and '+' dropped, as Notify stores them.
  std::vector<std::string> to{"447700{n:06}"};
  std::string content = "Your code is {n}";
  std::string sender;
  bool international = false;
  std::chrono::milliseconds start{0};
  std::chrono::milliseconds interval{0};
  /// The first N notifications are stored but their delivery task is never queued (a worker
  /// that crashed, a queue message lost): only replay-created-notifications sends them.
  std::size_t lost_dispatches = 0;
  delivery::SmsProviderOptions providers;
  /// Set by the workload's providers block; otherwise the profile's sms.rebalance_quiet_s.
  std::optional<std::chrono::seconds> rebalance_quiet;
  /// How long the provider checks keep running once no work remains while messages still wait
  /// for receipts (a lost receipt would otherwise keep a simulated run going for ever).
  std::chrono::milliseconds checks_after{std::chrono::minutes(20)};
};

std::chrono::seconds seconds_at(stubs::Fields& f, const std::string& key, std::chrono::seconds d) {
  if (auto v = f.integer(key, 0)) return std::chrono::seconds(*v);
  return d;
}

std::map<std::string, int> read_priorities(stubs::Fields& f, const std::string& key) {
  std::map<std::string, int> out;
  const json* o = f.object(key);
  if (o == nullptr) return out;
  stubs::Fields pf(*o, f.at(key), f.file());
  for (const auto& provider : delivery::sms_providers()) {
    const std::string& p = provider.name;
    if (auto v = pf.integer(p, 0)) {
      if (*v > 100) pf.fail_value(p, "a priority from 0 to 100");
      out[p] = static_cast<int>(*v);
    }
  }
  pf.no_others();
  return out;
}

SmsWorkload parse_sms(const json& j, const std::string& path, const std::string& file) {
  SmsWorkload w;
  stubs::Fields f(j, path, file);
  w.count = static_cast<std::size_t>(f.integer("count", 0).value_or(0));
  if (w.count > 1'000'000) f.fail_value("count", "at most 1000000 notifications a scenario");
  if (auto to = read_patterns(f, "to", "a phone number pattern")) w.to = *to;
  if (auto v = f.string("content")) w.content = *v;
  if (auto v = f.string("sender")) w.sender = *v;
  if (auto v = f.boolean("international")) w.international = *v;
  w.start = std::chrono::milliseconds(f.integer("start_ms").value_or(0));
  w.interval = std::chrono::milliseconds(f.integer("interval_ms").value_or(0));
  w.lost_dispatches = static_cast<std::size_t>(f.integer("lost_dispatches", 0).value_or(0));
  if (w.lost_dispatches > w.count) f.fail_value("lost_dispatches", "at most count");
  if (auto v = f.integer("checks_after_s", 0)) w.checks_after = std::chrono::seconds(*v);
  if (const json* p = f.object("providers")) {
    stubs::Fields pf(*p, f.at("providers"), file);
    auto& o = w.providers;
    if (auto r = read_priorities(pf, "resting_points"); !r.empty())
      for (auto& [k, v] : r) o.resting_points[k] = v;
    o.initial = read_priorities(pf, "initial");
    o.failure_quiet = seconds_at(pf, "failure_quiet_s", std::chrono::seconds(60));
    o.slow_check_interval = seconds_at(pf, "slow_check_interval_s", std::chrono::seconds(60));
    o.slow_window = seconds_at(pf, "slow_window_s", std::chrono::seconds(900));
    o.slow_delivery_time = seconds_at(pf, "slow_delivery_time_s", std::chrono::seconds(300));
    if (auto v = pf.number("slow_share")) {
      // A share of 0 would find every provider slow whatever it did.
      if (*v <= 0 || *v > 1) pf.fail_value("slow_share", "a share above 0 and at most 1");
      o.slow_share = *v;
    }
    o.slow_quiet = seconds_at(pf, "slow_quiet_s", std::chrono::seconds(300));
    o.rebalance_interval = seconds_at(pf, "rebalance_interval_s", std::chrono::seconds(300));
    if (auto v = pf.integer("rebalance_quiet_s", 0)) w.rebalance_quiet = std::chrono::seconds(*v);
    if (o.slow_check_interval.count() <= 0) pf.fail_value("slow_check_interval_s", "at least 1");
    if (o.rebalance_interval.count() <= 0) pf.fail_value("rebalance_interval_s", "at least 1");
    pf.no_others();
  }
  f.no_others();
  return w;
}

/// As Notify stores a UK number: "07700 900123" or "+447700900123" -> "447700900123".
std::string normalise(std::string number) {
  std::string out;
  for (char c : number)
    if (c != ' ' && c != '+' && c != '-') out += c;
  if (out.size() == 11 && out.rfind("07", 0) == 0) out = "44" + out.substr(1);
  return out;
}

// The receipt URL a client sends: with the provider's credentials in it when the scenario's
// `<provider>_receipt_credentials` core option is "basic" (the default, today's Notify).
std::string receipt_url(const Scenario& s, const delivery::SmsProvider& provider,
                        std::string url) {
  auto it = s.core_options.find(provider.name + "_receipt_credentials");
  if (it != s.core_options.end() && it->second == "off") return url;
  return transport::add_credentials(url, kReceiptUser, provider.sim_receipt_password);
}

bool is_final(const std::string& status) {
  return status != store::status::kCreated && status != store::status::kSending &&
         status != store::status::kPending;
}

class SmsChannel final : public Channel {
 public:
  SmsChannel(ChannelEnv& env, SmsWorkload workload)
      : env_(env), w_(std::move(workload)), rng_(env.rng.fork("sms")) {
    delivery::add_sms_receipts(env.receipts, env.store, env.clock, env.logger, env.metrics);
  }

  ~SmsChannel() override { stop(); }

  void connect(const ChannelLinks& links) override {
    const Scenario& s = env_.scenario;
    auto choice = s.core_options.find("sms_urls");
    const bool stub_paths = choice != s.core_options.end() && choice->second == "notify_stub";
    // The profile's settings beneath the workload's own provider options.
    profiles::SmsSettings settings;
    settings.providers = w_.providers;
    settings = profiles::sms_settings(s.core_options, settings);
    if (w_.rebalance_quiet) settings.providers.rebalance_quiet = *w_.rebalance_quiet;
    transport::SendOptions send;
    send.connect_timeout = settings.http_timeout;
    send.read_timeout = settings.http_timeout;
    if (links.time_scale > 1) {
      send.connect_timeout = scaled_timeout(send.connect_timeout, links.time_scale);
      send.read_timeout = scaled_timeout(send.read_timeout, links.time_scale);
    }
    std::vector<sms::SmsClient*> clients;
    for (const auto& provider : delivery::sms_providers()) {
      delivery::SmsClientConfig c;
      c.url = links.stub_url(provider.name, "", "") +
              (stub_paths ? provider.notify_stub_path : provider.api_path);
      c.api_key = provider.sim_api_key;
      c.international_api_key = provider.sim_international_api_key;
      c.receipt_url = receipt_url(s, provider, links.receipt_base_url + provider.receipt_path);
      c.send_options = send;
      clients_.push_back(
          provider.make_client(links.transport, env_.clock, env_.metrics, env_.logger, c));
      clients.push_back(clients_.back().get());
    }
    providers_ = std::make_unique<delivery::SmsProviderPriorities>(
        env_.clock, rng_.fork("providers"), env_.store, env_.logger, env_.metrics,
        settings.providers);
    delivery::SmsDeliveryOptions d;
    d.retry = delivery::RetryPolicy{s.max_retries, s.retry_delay, std::chrono::seconds(0)};
    delivery_ = std::make_unique<delivery::SmsDelivery>(
        env_.store, env_.clock, *providers_,
        clients, env_.metrics, env_.logger, d);
    // Back on the queue: the same message, through deliver_sms again.
    if (env_.backstops != nullptr)
      env_.backstops->set_replay("sms", [this](const store::Notification& note) {
        auto it = index_.find(note.id);
        if (it == index_.end()) return;
        delivery_->deliver(note.id, message(it->second));
        // The provider checks may have stopped while only this notification was open.
        if (!watch_timer_) {
          providers_->start();
          last_work_ = env_.clock.now();
          watch();
        }
      });
  }

  void schedule(std::vector<std::string>& recipients) override {
    NOTIFY_ASSERT(delivery_ != nullptr);
    if (w_.count == 0) return;
    std::set<std::string> seen;
    for (std::size_t n = 1; n <= w_.count; ++n) {
      const std::string raw = expand(w_.to[(n - 1) % w_.to.size()], n);
      const std::string to = normalise(raw);
      if (seen.insert(to).second) recipients.push_back(to);
      if (raw != to && seen.insert(raw).second) recipients.push_back(raw);
      std::string id = rng_.uuid4();
      index_[id] = n;
      env_.clock.schedule_after(w_.start + w_.interval * static_cast<long>(n - 1), [this, id, n] {
        sms::SmsMessage m = message(n);
        create_notification(env_, id, "sms", m.to);
        ++submitted_;
        if (n > w_.lost_dispatches) delivery_->deliver(id, m);
      });
    }
    // Notify's provider checks run for as long as there is SMS work (see watch()).
    providers_->start();
    last_work_ = env_.clock.now();
    watch();
  }

  bool work_remaining() const override {
    return submitted_ < w_.count || (delivery_ && delivery_->in_flight() > 0);
  }

  // Firetext and MMG are sent the notification's id as the reference and journal it.
  nlohmann::json chaos_report() const override {
    return notification_report(env_, "sms", w_.count, true);
  }

  void stop() override {
    if (providers_) providers_->stop();
    if (watch_timer_) env_.clock.cancel(*watch_timer_);
    watch_timer_.reset();
  }

 private:
  // The workload's message number n (1-based).
  sms::SmsMessage message(std::size_t n) const {
    sms::SmsMessage m;
    m.to = normalise(expand(w_.to[(n - 1) % w_.to.size()], n));
    m.content = expand(w_.content, n);
    m.sender = w_.sender;
    m.international = w_.international;
    return m;
  }

  // Stops the provider checks once no work remains and every SMS is final, or `checks_after`
  // after the last work when some never will be (a lost receipt), so a simulated run can end.
  void watch() {
    watch_timer_ = env_.clock.schedule_after(std::chrono::seconds(30), [this] {
      watch_timer_.reset();
      const auto now = env_.clock.now();
      if (work_remaining()) last_work_ = now;
      if (!work_remaining() && (all_final() || now - last_work_ >= w_.checks_after)) {
        stop();
        return;
      }
      watch();
    });
  }

  bool all_final() const {
    for (const auto& n : env_.store.list_notifications())
      if (n.type == "sms" && !is_final(n.status)) return false;
    return true;
  }

  ChannelEnv& env_;
  SmsWorkload w_;
  runtime::Rng rng_;
  std::vector<std::unique_ptr<sms::SmsClient>> clients_;  // one per provider, in table order
  std::unique_ptr<delivery::SmsProviderPriorities> providers_;
  std::unique_ptr<delivery::SmsDelivery> delivery_;
  std::size_t submitted_ = 0;
  runtime::TimePoint last_work_{};
  std::optional<runtime::TimerId> watch_timer_;
  std::unordered_map<std::string, std::size_t> index_;  // notification id -> message number
};

}  // namespace

ChannelSpec sms_channel() {
  ChannelSpec spec;
  spec.name = "sms";
  spec.validate = [](const json& block, const std::string& path, const std::string& file) {
    (void)parse_sms(block, path, file);
  };
  spec.make = [](ChannelEnv& env, const json& block) -> std::unique_ptr<Channel> {
    return std::make_unique<SmsChannel>(env, parse_sms(block, "workload.sms", env.scenario.file));
  };
  spec.core_options = {{"sms_urls", kSmsUrls},
                       {"sms_http_timeout_s", kSeconds},
                       {"sms_error_threshold", kThreshold},
                       {"sms_error_window_s", kSeconds},
                       {"sms_redis", kOnOff},
                       {"sms_provider_choice", kProviderChoice},
                       {"sms_provider_cache_s", kNumber},
                       {"sms_rebalance_quiet_s", kNumber},
                       {"sms_priority_reasons", kOnOff}};
  for (const auto& provider : delivery::sms_providers())
    spec.core_options.emplace_back(provider.name + "_receipt_credentials", kReceiptCredentials);
  spec.chaos_workload = [](runtime::Rng& rng, std::size_t count, std::int64_t spread_ms) {
    // Notify's temporary- and permanent-failure test numbers among ordinary ones.
    return chaos_block(rng, count, spread_ms, "447700{n:06}", {"07700900003", "07700900002"});
  };
  // deliver_sms sets sending (sent when international) or technical-failure. A receipt changes
  // a notification in created, sending, pending or sent (Notify's rule), so one that overtakes
  // the answer to its send may move it straight out of created; an unknown receipt status gives
  // technical-failure.
  namespace st = store::status;
  const std::set<std::string> receipt_outcomes = {st::kPending, st::kDelivered,
                                                  st::kPermanentFailure, st::kTemporaryFailure,
                                                  st::kTechnicalFailure};
  std::set<std::string> from_created = receipt_outcomes;
  from_created.insert({st::kSending, st::kSent});
  std::set<std::string> from_pending = receipt_outcomes;
  from_pending.erase(st::kPending);
  ChaosRules& r = spec.chaos_rules;
  r.final_statuses = {st::kDelivered, st::kPermanentFailure, st::kTemporaryFailure,
                      st::kTechnicalFailure, st::kSent};
  r.open_if_callback_lost = {st::kSending, st::kPending};
  r.unstarted_status = st::kCreated;
  r.transitions = {{"", {st::kCreated}},
                   {st::kCreated, from_created},
                   {st::kSending, receipt_outcomes},
                   {st::kSent, receipt_outcomes},
                   {st::kPending, from_pending}};
  r.services.clear();
  for (const auto& provider : delivery::sms_providers()) r.services.insert(provider.name);
  r.sends_carry_key = true;
  return spec;
}

}  // namespace notify::scenarios::channels
