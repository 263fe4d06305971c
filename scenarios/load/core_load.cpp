#include "notify/load/core_load.hpp"

#include "load_stubs.hpp"
#include "notify/broadcast/cbc_proxy.hpp"
#include "notify/client/botocore_retry.hpp"
#include "notify/client/metrics_page.hpp"
#include "notify/delivery/broadcast_tasks.hpp"
#include "notify/delivery/email_delivery.hpp"
#include "notify/delivery/sms_delivery.hpp"
#include "notify/delivery/sms_providers.hpp"
#include "notify/delivery/sms_receipts.hpp"
#include "notify/email/email_client.hpp"
#include "notify/profiles/sms_settings.hpp"
#include "notify/runtime/assert.hpp"
#include "notify/sms/sms_client.hpp"
#include "notify/stubs/faults.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/transport/clients.hpp"
#include "notify/transport/server.hpp"
#include "recorder.hpp"
#include "run_info.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cmath>
#include <stdexcept>

namespace notify::load {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;

// The keys the clients send; the stubs accept any key unless configured to be strict.
json default_areas() {
  return json::array(
      {{{"polygon", {{51.12, -1.2}, {51.12, 1.2}, {51.74, 1.2}, {51.74, -1.2}, {51.12, -1.2}}}}});
}

}  // namespace

const std::vector<std::string>& core_channels() {
  static const std::vector<std::string> channels = {"email", "sms", "broadcast"};
  return channels;
}

report::LoadReport run_core_load(const CoreLoadOptions& o, ThreadTimes* times) {
  if (o.count == 0) throw std::invalid_argument("the run has no arrivals (--count or --duration)");
  if (o.mix.empty()) throw std::invalid_argument("--mix: no channel has a share above 0");
  const ProviderUrls urls = external_urls(o);

  std::vector<stubs::FaultRule> rules;
  if (o.faults && !urls.external) {
    auto parsed = stubs::parse_fault_rules(*o.faults, "faults", stubs::registry().vocabulary());
    if (!parsed)
      throw std::invalid_argument("--faults " + o.faults_file + ": " + parsed.error().to_string());
    rules = std::move(*parsed);
  }

  // Declared first, destroyed last: every object below posts to it or holds a timer on it.
  // One thread runs it (io.run() below): the hint lets Asio skip the wake-ups it needs for several.
  boost::asio::io_context io(1);
  auto clock = runtime::make_system_clock(io);
  transport::ClientOptions copt;
  copt.max_connections_per_host = o.connections;
  copt.one_thread = true;  // io.run() below is the only thread
  auto client = transport::make_beast_client(io, copt);

  const double expected_s = static_cast<double>(o.count) / o.rate;
  const double interval_s = timeline_interval_s(expected_s);
  auto store_impl = store::open_sqlite_store(":memory:");
  // The recorder's clock starts when the first arrival is due.
  const auto start = steady_clock::now() + std::chrono::milliseconds(100);
  Recorder rec(o.count, start, interval_s);
  ObservedStore store(*store_impl, rec);
  telemetry::Metrics metrics;
  telemetry::Logger logger(*clock);
  // The profile's metrics: today's OTel instruments, or the StatsD names before them.
  telemetry::MetricsFormat format = telemetry::MetricsFormat::otel;
  if (auto it = o.core_options.find("metrics"); it != o.core_options.end())
    telemetry::parse_metrics_format(it->second, format);
  metrics.set_format(format);
  client::MetricsPage::Attached on_page(o.metrics_page, metrics);
  // Today's Notify's receipt durations, as the core records them, go into the report's series
  // (under a StatsD profile the core records none, and the series stay empty).
  metrics.observe_otel(
      [&rec](std::string_view instrument, double value, const telemetry::Attributes& attributes) {
        const bool deliver = instrument == "notification.deliver.duration";
        if (!deliver && instrument != "notification.callback.duration") return;
        std::string_view type, provider;
        for (const auto& [key, v] : attributes) {
          if (const auto* text = std::get_if<std::string>(&v)) {
            if (key == "notification.type") type = *text;
            if (key == "provider.name") provider = *text;
          }
        }
        rec.receipt_duration(type, provider, deliver, value);
      });

  delivery::ReceiptRouter router;
  delivery::add_ses_receipts(router, store, *clock, logger, metrics);
  delivery::add_sms_receipts(router, store, *clock, logger, metrics);
  transport::ServerOptions sopt;
  sopt.port = o.receipt_port;
  auto receipts = transport::HttpServer::start(io, sopt, router.handler());
  const std::string receipt_base = "http://" + receipts->address();

  std::unique_ptr<EmbeddedStubs> embedded;
  std::vector<std::string> posted_faults;
  ProviderUrls at = urls;
  if (urls.external) {
    if (o.faults) posted_faults = post_faults(io, *client, urls.admin, *o.faults, o.faults_file);
  } else {
    embedded = std::make_unique<EmbeddedStubs>(o.seed, receipt_base, rules);
    at.ses = embedded->url("ses") + "/";
    for (const auto& provider : delivery::sms_providers())
      at.sms[provider.name] = embedded->url(provider.name) + provider.api_path;
    at.lambda = embedded->url("lambda");
  }

  auto wants = [&](const char* channel) {
    for (const auto& s : o.mix)
      if (s.channel == channel) return true;
    return false;
  };

  runtime::Rng sdk_rng = runtime::Rng(o.seed).fork("sdk");
  // Email: the SES client (SigV4; the profile's API), or Notify's stub contract when only
  // SES_STUB_URL is set.
  std::unique_ptr<email::EmailClient> ses;
  std::unique_ptr<ObservedEmailClient> ses_observed;
  std::unique_ptr<delivery::EmailDelivery> email_delivery;
  if (wants("email")) {
    if (!at.ses.empty()) {
      email::SesClientOptions so;
      so.endpoint_url = at.ses;
      so.region = "eu-west-2";
      auto api = o.core_options.find("ses_api");
      so.api = api != o.core_options.end() && api->second == "v2" ? email::SesApi::v2
                                                                    : email::SesApi::v1;
      // botocore's retries wait rand() * 2^(n-1) s inside one send; off, so that every failed
      // attempt goes back to the task and is retried after the run's short delay.
      so.sdk_retry_mode = client::SdkRetryMode::off;
      ses = email::make_ses_client(*client, *clock, sdk_rng, metrics, logger, so);
    } else {
      ses = email::make_ses_stub_client(*client, *clock, metrics, logger, at.ses_stub);
    }
    ses_observed = std::make_unique<ObservedEmailClient>(*ses, rec);
    delivery::EmailDeliveryOptions d;
    d.max_retries = o.max_retries;
    d.retry_delay = o.retry_delay;
    email_delivery =
        std::make_unique<delivery::EmailDelivery>(store, *clock, *ses_observed, metrics, logger, d);
  }

  std::vector<std::unique_ptr<sms::SmsClient>> sms_clients;
  std::vector<std::unique_ptr<ObservedSmsClient>> sms_observed;
  std::unique_ptr<delivery::SmsProviderPriorities> priorities;
  std::unique_ptr<delivery::SmsDelivery> sms_delivery;
  if (wants("sms")) {
    const profiles::SmsSettings settings = profiles::sms_settings(o.core_options);
    const transport::SendOptions send{settings.http_timeout, settings.http_timeout};
    std::vector<sms::SmsClient*> clients;
    for (const auto& provider : delivery::sms_providers()) {
      delivery::SmsClientConfig c;
      c.url = at.sms.at(provider.name);
      c.send_options = send;
      c.api_key = provider.sim_api_key;
      c.international_api_key = provider.sim_international_api_key;
      c.receipt_url = receipt_base + provider.receipt_path;
      sms_clients.push_back(provider.make_client(*client, *clock, metrics, logger, c));
      sms_observed.push_back(std::make_unique<ObservedSmsClient>(*sms_clients.back(), rec));
      clients.push_back(sms_observed.back().get());
    }
    // The slow-delivery check and the rebalance are not started: they scan the store every
    // minute, which is Notify's housekeeping rather than the send path. Failures still move
    // priorities, so failover works as in Notify.
    priorities = std::make_unique<delivery::SmsProviderPriorities>(
        *clock, runtime::Rng(o.seed).fork("providers"), store, logger, metrics,
        settings.providers);
    delivery::SmsDeliveryOptions d;
    d.retry = delivery::RetryPolicy{o.max_retries, o.retry_delay, std::chrono::seconds(0)};
    sms_delivery = std::make_unique<delivery::SmsDelivery>(
        store, *clock, *priorities,
        clients, metrics, logger, d);
  }

  runtime::Rng broadcast_rng = runtime::Rng(o.seed).fork("broadcast");
  std::unique_ptr<broadcast::LambdaClient> lambda;
  std::unique_ptr<ObservedLambdaClient> lambda_observed;
  std::unique_ptr<broadcast::CbcProxyClient> cbc;
  std::unique_ptr<delivery::BroadcastTasks> broadcast_tasks;
  if (wants("broadcast")) {
    broadcast::LambdaClientOptions lo;
    lo.endpoint_url = trim_slash(at.lambda);
    lo.sdk_max_attempts = 1;  // as for SES: failures go back to the task, on the short delay
    lambda = broadcast::make_lambda_client(*client, *clock, broadcast_rng, metrics, logger, lo);
    lambda_observed = std::make_unique<ObservedLambdaClient>(*lambda, rec);
    cbc = std::make_unique<broadcast::CbcProxyClient>(*lambda_observed, metrics, logger);
    delivery::BroadcastConfig bc;
    bc.retry_delay_cap = o.retry_delay;
    broadcast_tasks = std::make_unique<delivery::BroadcastTasks>(store, *clock, broadcast_rng, *cbc,
                                                                 metrics, logger, bc);
  }

  std::vector<Recorder::Channel> channel_of;
  for (const auto& s : o.mix)
    channel_of.push_back(s.channel == "email" ? Recorder::kEmail
                         : s.channel == "sms" ? Recorder::kSms
                                              : Recorder::kBroadcast);

  auto submit = [&](std::size_t i, Recorder::Channel channel, steady_clock::time_point due) {
    rec.arrived(i, channel, due);
    const std::string id = arrival_id(i);
    const auto now = clock->now();
    if (channel == Recorder::kBroadcast) {
      store::BroadcastMessage bm{arrival_id(i, 1), "broadcasting", "Load test broadcast", now};
      store.insert_broadcast_message(bm);
      delivery::BroadcastEventContent content;
      content.description = "Load test broadcast " + std::to_string(i);
      content.areas = default_areas();
      content.finishes_at = now + std::chrono::hours(4);
      store::BroadcastEvent event{id, bm.id, "alert", content.to_json().dump(), now};
      store.insert_broadcast_event(event);
      broadcast_tasks->send_broadcast_event(id);
      return;
    }
    store::Notification n;
    n.id = id;
    n.created_at = now;
    n.updated_at = now;
    if (channel == Recorder::kEmail) {
      n.type = "email";
      n.recipient = email_recipient(i);
      NOTIFY_ASSERT(store.insert_notification(n).has_value());
      email::EmailMessage m;
      m.source = "\"Notify Sim\" <sender@notifications.example.gov.uk>";
      m.to = {n.recipient};
      m.subject = "Your reference " + std::to_string(i);
      m.body = "Hello, this is load test message " + std::to_string(i) + ".";
      email_delivery->deliver(id, m);
    } else {
      char number[16];
      std::snprintf(number, sizeof number, "4477%08zu", i % 100'000'000);
      n.type = "sms";
      n.recipient = number;
      NOTIFY_ASSERT(store.insert_notification(n).has_value());
      sms::SmsMessage m;
      m.to = number;
      m.content = "Your code is " + std::to_string(i);
      m.reference = id;
      sms_delivery->deliver(id, m);
    }
  };

  // The open loop: every arrival that is due is submitted, however busy the core has been, and
  // its latencies count from when it was due.
  ArrivalSchedule schedule(o.arrivals, o.rate, o.seed);
  ChannelPicker picker(o.mix);
  std::size_t next = 0;
  auto next_due = start + schedule.next();
  steady_clock::time_point last_submit = start, last_due = start;
  bool finished = false;
  boost::asio::steady_timer arrivals_timer(io), drain_timer(io), progress_timer(io);

  auto finish = [&] {
    finished = true;
    arrivals_timer.cancel();
    drain_timer.cancel();
    progress_timer.cancel();
    receipts->stop();
    io.stop();
  };
  std::function<void()> drain = [&] {
    const auto now = steady_clock::now();
    if ((rec.open() == 0 && rec.awaiting_receipt() == 0) || now >= last_due + o.drain) {
      finish();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(2));
    drain_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) drain();
    });
  };
  std::function<void()> pump = [&] {
    const auto now = steady_clock::now();
    while (next < o.count && next_due <= now) {
      submit(next, channel_of[picker.next()], next_due);
      last_due = next_due;
      ++next;
      if (next < o.count) next_due = start + schedule.next();
    }
    if (next == o.count) {
      last_submit = steady_clock::now();
      drain();
      return;
    }
    arrivals_timer.expires_at(next_due);
    arrivals_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) pump();
    });
  };

  report::LoadReport report;
  report.run = describe_run(o, "core");
  for (const auto& s : o.mix) report.run.mix[s.channel] = s.percent;

  arrivals_timer.expires_at(next_due);
  arrivals_timer.async_wait([&](boost::system::error_code ec) {
    if (!ec) pump();
  });
  tick_every_second(progress_timer, start + std::chrono::seconds(1), [&] {
    if (finished) return false;
    if (o.on_progress)
      o.on_progress(rec.progress(steady_clock::now(), static_cast<std::int64_t>(o.count)));
    return true;
  });
  run_measured(io, start, embedded.get(), times);
  record_schedule(report.run, o.count, start, last_submit, last_due);
  rec.fill(report);
  delete_faults(io, *client, urls.admin, posted_faults);
  return report;
}

}  // namespace notify::load
