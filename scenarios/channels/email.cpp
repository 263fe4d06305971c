#include "email.hpp"

#include "notify/delivery/email_delivery.hpp"
#include "notify/delivery/ses_sqs_consumer.hpp"
#include "notify/email/email_client.hpp"
#include "notify/runtime/assert.hpp"
#include "notify/scenarios/scenario.hpp"
#include "notify/stubs/fields.hpp"
#include "workload_text.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace notify::scenarios::channels {

namespace {

using nlohmann::json;

// The stub service both email clients talk to.
constexpr const char* kSesService = "ses";
// "ses": the SES v1 API signed with SigV4; "ses_stub": Notify's SES_STUB_URL contract.
const std::vector<std::string> kEmailClients = {"ses", "ses_stub"};
// Which SES API the "ses" client speaks: "v1" (SendEmail, Query) or "v2" (sesv2 JSON).
const std::vector<std::string> kSesApis = {"v1", "v2"};
// botocore's own retries inside one send: "legacy" (Notify's botocore default) or "off".
const std::vector<std::string> kSesRetryModes = {"legacy", "off"};
// What the v2 client makes of BadRequestException: Notify's retried generic error, or the fix.
const std::vector<std::string> kSesV2BadRequest = {"as-notify", "fixed"};
// How SES events reach the core: the SNS POST endpoint, or Celery tasks on SQS ses-callbacks
// read by the consumer (Notify's way since 5855adf82 removed the HTTP route in 2017).
const std::vector<std::string> kSesReceipts = {"http", "sqs"};
// The share of chaos seeds whose SES events travel over SQS: one in ten, so a thousand seeds
// cover the path about a hundred times. A seed over SQS costs about twice one over HTTP (the
// consumer's long polls every 10 s of the run), so a larger share would slow chaos runs.
constexpr double kChaosSqsShare = 0.1;
// The consumer's SQS visibility time-out: kombu's default 1800 s (Notify since bf3e3c722,
// 2025-04-04) or the 310 s Notify's broker_transport_options set before.
const std::vector<std::string> kSesSqsVisibility = {"kombu-default", "notify-310"};

// The scenario's string setting at `path` in stubs.<service>, or `fallback`.
std::string stub_setting(const Scenario& s, const std::string& service,
                         const json::json_pointer& path, const std::string& fallback) {
  const json config = s.stub_config.value(service, json::object());
  return config.contains(path) && config.at(path).is_string() ? config.at(path).get<std::string>()
                                                              : fallback;
}

// A core option's value, or `fallback` when the scenario does not set it.
std::string core_option(const Scenario& s, const std::string& key, const std::string& fallback) {
  auto it = s.core_options.find(key);
  return it == s.core_options.end() ? fallback : it->second;
}

struct EmailWorkload {
  std::size_t count = 0;
  /// Recipient pattern; "{n}" becomes the 1-based index. Several patterns rotate.
  std::vector<std::string> to{"user{n}@example.com"};
  std::string from = "\"Notify Sim\" <sender@notifications.example.gov.uk>";
  std::string subject = "Your reference {n}";
  std::string body = "Hello, this is message {n}.";
  std::string html_body;
  std::chrono::milliseconds start{0};
  std::chrono::milliseconds interval{0};
  /// The first N notifications are stored but their delivery task is never queued (a worker
  /// that crashed, a queue message lost): only replay-created-notifications sends them.
  std::size_t lost_dispatches = 0;
};

EmailWorkload parse_email(const json& j, const std::string& path, const std::string& file) {
  EmailWorkload w;
  stubs::Fields f(j, path, file);
  w.count = static_cast<std::size_t>(f.integer("count", 0).value_or(0));
  if (w.count > 1'000'000) f.fail_value("count", "at most 1000000 notifications a scenario");
  if (auto to = read_patterns(f, "to", "an address pattern")) w.to = *to;
  if (auto v = f.string("from")) w.from = *v;
  if (auto v = f.string("subject")) w.subject = *v;
  if (auto v = f.string("body")) w.body = *v;
  if (auto v = f.string("html_body")) w.html_body = *v;
  if (auto v = f.integer("subject_repeat", 1)) {
    // A long subject without a long file: the pattern repeated N times.
    std::string s;
    for (std::int64_t i = 0; i < *v; ++i) s += w.subject;
    w.subject = s;
  }
  w.start = std::chrono::milliseconds(f.integer("start_ms").value_or(0));
  w.interval = std::chrono::milliseconds(f.integer("interval_ms").value_or(0));
  w.lost_dispatches = static_cast<std::size_t>(f.integer("lost_dispatches", 0).value_or(0));
  if (w.lost_dispatches > w.count) f.fail_value("lost_dispatches", "at most count");
  f.no_others();
  return w;
}

class EmailChannel final : public Channel {
 public:
  EmailChannel(ChannelEnv& env, EmailWorkload workload)
      : env_(env), w_(std::move(workload)), sdk_rng_(env.rng.fork("ses-sdk-retries")) {
    delivery::add_ses_receipts(env.receipts, env.store, env.clock, env.logger, env.metrics);
  }

  void connect(const ChannelLinks& links) override {
    const Scenario& s = env_.scenario;
    const std::string base = links.stub_url(kSesService, "", "");
    if (core_option(s, "email_client", "ses") == "ses_stub") {
      client_ = email::make_ses_stub_client(links.transport, env_.clock, env_.metrics, env_.logger,
                                            base + "/ses");
    } else {
      email::SesClientOptions o;
      o.endpoint_url = base + "/";
      o.region = "eu-west-2";
      o.api = core_option(s, "ses_api", "v1") == "v2" ? email::SesApi::v2 : email::SesApi::v1;
      if (core_option(s, "ses_retry_mode", "legacy") == "off")
        o.sdk_retry_mode = client::SdkRetryMode::off;
      if (core_option(s, "ses_v2_bad_request", "as-notify") == "fixed")
        o.v2_bad_request = email::SesV2BadRequest::fixed;
      // Socket time-outs are real time; in wire mode they shrink with the scenario clock, but
      // never below a floor that a loaded machine (or a sanitizer build) always meets.
      if (links.time_scale > 1) {
        o.send_options.connect_timeout =
            scaled_timeout(o.send_options.connect_timeout, links.time_scale);
        o.send_options.read_timeout = scaled_timeout(o.send_options.read_timeout, links.time_scale);
      }
      client_ = email::make_ses_client(links.transport, env_.clock, sdk_rng_, env_.metrics,
                                       env_.logger, o);
    }
    delivery::EmailDeliveryOptions d;
    d.max_retries = s.max_retries;
    d.retry_delay = s.retry_delay;
    delivery_ = std::make_unique<delivery::EmailDelivery>(env_.store, env_.clock, *client_,
                                                          env_.metrics, env_.logger, d);
    if (core_option(s, "ses_receipts", "http") == "sqs") connect_consumer(links);
    // Back on the queue: the same message, through deliver_email again.
    if (env_.backstops != nullptr)
      env_.backstops->set_replay("email", [this](const store::Notification& note) {
        auto it = index_.find(note.id);
        if (it != index_.end()) delivery_->deliver(note.id, message(it->second), sent());
      });
  }

  void schedule(std::vector<std::string>& recipients) override {
    NOTIFY_ASSERT(delivery_ != nullptr);
    // The runner's horizon starts now; the consumer does not poll past it.
    horizon_end_ = env_.clock.now() + env_.scenario.horizon;
    if (consumer_) consumer_->start();
    std::set<std::string> seen;
    for (std::size_t n = 1; n <= w_.count; ++n) {
      std::string to = expand(w_.to[(n - 1) % w_.to.size()], n);
      if (seen.insert(to).second) recipients.push_back(to);
      std::string id = env_.rng.uuid4();
      index_[id] = n;
      env_.clock.schedule_after(w_.start + w_.interval * static_cast<long>(n - 1), [this, id, n] {
        email::EmailMessage m = message(n);
        create_notification(env_, id, "email", m.to.front());
        ++submitted_;
        if (n > w_.lost_dispatches) delivery_->deliver(id, m, sent());
      });
    }
  }

  bool work_remaining() const override {
    // A task held for its eta or a DeleteMessage unanswered is work too: the run ends with the
    // queue as the consumer leaves it.
    return submitted_ < w_.count || (delivery_ && delivery_->in_flight() > 0) ||
           (consumer_ && consumer_->held() > 0);
  }

  // SES names an accepted send by a MessageId it makes up; only the stored one is known.
  nlohmann::json chaos_report() const override {
    return notification_report(env_, "email", w_.count, false);
  }

 private:
  // A Celery worker on the SQS stub's ses-callbacks (or the queue the scenario's SES stub sends
  // to). It polls while this channel has work or a notification waits for its receipt, so a
  // simulated run still ends.
  void connect_consumer(const ChannelLinks& links) {
    const Scenario& s = env_.scenario;
    delivery::SesSqsConsumerOptions o;
    const std::string account =
        stub_setting(s, "sqs", json::json_pointer("/account"), "123456789012");
    const std::string queue =
        stub_setting(s, "ses", json::json_pointer("/events/celery/queue_prefix"), "") +
        stub_setting(s, "ses", json::json_pointer("/events/celery/queue"), "ses-callbacks");
    o.queue_url = links.stub_url("sqs", "", "") + "/" + account + "/" + queue;
    if (core_option(s, "ses_sqs_visibility", "kombu-default") == "notify-310")
      o.visibility_timeout = std::chrono::seconds(310);
    consumer_ = std::make_unique<delivery::SesSqsConsumer>(
        links.transport, env_.clock, env_.store, env_.logger, env_.metrics, o,
        [this, reach = o.wait_time + o.send_options.connect_timeout + o.send_options.read_timeout] {
          // A long poll still waiting at the horizon would carry the run past it, and so would
          // one that hangs (a fault on the SQS stub) until its time-outs end it.
          if (env_.clock.now() + reach >= horizon_end_) return false;
          return work_remaining() ||
                 env_.store.count_by_type_status("email", store::status::kSending) > 0;
        });
  }

  // A send's end: a notification now in sending (a replayed one too) waits for its event, so
  // a consumer gone idle polls again.
  std::function<void(const std::string&)> sent() {
    return [this](const std::string&) {
      if (consumer_) consumer_->wake();
    };
  }

  // The workload's message number n (1-based).
  email::EmailMessage message(std::size_t n) const {
    email::EmailMessage m;
    m.source = w_.from;
    m.to = {expand(w_.to[(n - 1) % w_.to.size()], n)};
    m.subject = expand(w_.subject, n);
    m.body = expand(w_.body, n);
    m.html_body = expand(w_.html_body, n);
    return m;
  }

  ChannelEnv& env_;
  EmailWorkload w_;
  // botocore's backoff draws, apart from the workload's stream so they do not shift its ids.
  runtime::Rng sdk_rng_;
  std::unique_ptr<email::EmailClient> client_;
  std::unique_ptr<delivery::EmailDelivery> delivery_;
  std::unique_ptr<delivery::SesSqsConsumer> consumer_;  // core.ses_receipts "sqs"
  runtime::TimePoint horizon_end_{runtime::TimePoint::max()};
  std::size_t submitted_ = 0;
  std::unordered_map<std::string, std::size_t> index_;  // notification id -> message number
};

}  // namespace

ChannelSpec email_channel() {
  ChannelSpec spec;
  spec.name = "email";
  spec.validate = [](const json& block, const std::string& path, const std::string& file) {
    (void)parse_email(block, path, file);
  };
  spec.make = [](ChannelEnv& env, const json& block) -> std::unique_ptr<Channel> {
    return std::make_unique<EmailChannel>(env,
                                          parse_email(block, "workload.email", env.scenario.file));
  };
  spec.core_options = {
      {"email_client", kEmailClients},    {"ses_api", kSesApis},
      {"ses_retry_mode", kSesRetryModes}, {"ses_v2_bad_request", kSesV2BadRequest},
      {"ses_receipts", kSesReceipts},     {"ses_sqs_visibility", kSesSqsVisibility}};
  spec.chaos_workload = [](runtime::Rng& rng, std::size_t count, std::int64_t spread_ms) {
    // Notify's simulator addresses among ordinary ones, so bounces and complaints happen too.
    return chaos_block(
        rng, count, spread_ms, "user{n}@example.com",
        {"perm-fail@simulator.notify", "temp-fail@simulator.notify", "complaint@simulator.notify"});
  };
  // Some seeds take the SES receipt path as Notify does today, through SQS ses-callbacks (either
  // visibility time-out), with a fault rule on the SQS stub's sends, receives or deletes.
  spec.chaos_setting = [](runtime::Rng& rng) {
    ChaosSetting setting;
    if (rng.uniform01() >= kChaosSqsShare) return setting;
    setting.core = {{"ses_receipts", "sqs"},
                    {"ses_sqs_visibility", rng.uniform01() < 0.5 ? "kombu-default" : "notify-310"}};
    setting.fault_services["sqs"] = {"SendMessage", "ReceiveMessage", "DeleteMessage"};
    return setting;
  };
  // deliver_email sets sending or technical-failure; an SES event changes only a notification in
  // sending (or pending, which email never reaches): Delivery and Complaint to delivered, a
  // Bounce to permanent-failure or temporary-failure.
  ChaosRules& r = spec.chaos_rules;
  r.final_statuses = {store::status::kDelivered, store::status::kPermanentFailure,
                      store::status::kTemporaryFailure, store::status::kTechnicalFailure};
  r.open_if_callback_lost = {store::status::kSending};
  r.unstarted_status = store::status::kCreated;
  r.transitions = {
      {"", {store::status::kCreated}},
      {store::status::kCreated, {store::status::kSending, store::status::kTechnicalFailure}},
      {store::status::kSending,
       {store::status::kDelivered, store::status::kPermanentFailure,
        store::status::kTemporaryFailure}},
  };
  r.services = {kSesService};
  r.sends_carry_key = false;
  return spec;
}

}  // namespace notify::scenarios::channels
