// Dispatch costs, layer by layer: the SES stub alone, the stub host (routing, fault verdict,
// journal), SigV4 signing, and one email through the whole core (client, in-process transport,
// stub, store update) in virtual time. Run: build/bench/micro/notify_bench_micro
#include "notify/aws/sigv4.hpp"
#include "notify/delivery/email_delivery.hpp"
#include "notify/email/email_client.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/store/store.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/ses.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/clients.hpp"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

namespace {

using namespace notify;

transport::Request send_email_request() {
  transport::Request q;
  q.method = "POST";
  q.target = "/";
  q.headers.set("Host", "127.0.0.1:4566");
  q.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  q.body =
      "Action=SendEmail&Version=2010-12-01&Source=sender%40example.com"
      "&Destination.ToAddresses.member.1=to%40example.com&Message.Subject.Data=Hello"
      "&Message.Subject.Charset=UTF-8&Message.Body.Text.Data=Hi+there";
  return q;
}

stubs::SesOptions unlimited() {
  stubs::SesOptions o;
  o.limits.max_send_rate = 0;
  o.limits.max_24_hour_send = -1;
  return o;
}

void BM_SesStubHandle(benchmark::State& state) {
  runtime::VirtualClock clock;
  stubs::StubHost host(clock, {});
  auto& ses = host.add(std::make_unique<stubs::SesStub>(unlimited()));
  auto q = send_email_request();
  auto info = ses.describe(q);
  const std::string no_fault;
  for (auto _ : state) {
    auto a = ses.handle(stubs::Call{q, info, no_fault, 1});
    benchmark::DoNotOptimize(a.response.body.data());
  }
}
BENCHMARK(BM_SesStubHandle);

void BM_StubHostDispatch(benchmark::State& state) {
  runtime::VirtualClock clock;
  stubs::HostOptions ho;
  ho.journal.capacity = 1024;
  stubs::StubHost host(clock, ho);
  host.add(std::make_unique<stubs::SesStub>(unlimited()));
  // Rules that do not match still cost an evaluation each.
  for (int i = 0; i < state.range(0); ++i) {
    stubs::FaultRule r;
    r.match.service = "ses";
    r.match.operation = "SendRawEmail";
    r.action.type = stubs::FaultAction::Type::reset;
    (void)host.faults().add(r);
  }
  auto q = send_email_request();
  for (auto _ : state) {
    int status = 0;
    host.handle(q, [&status](transport::Reply r) { status = r.response.status; });
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(BM_StubHostDispatch)->Arg(0)->Arg(10)->Arg(100);

void BM_SigV4Sign(benchmark::State& state) {
  aws::SigV4Scope scope{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "eu-west-2",
                        "ses"};
  auto base = send_email_request();
  base.target = "http://127.0.0.1:4566/";
  auto now = runtime::VirtualClock::default_start();
  for (auto _ : state) {
    auto q = base;
    aws::sign_request(q, scope, now);
    benchmark::DoNotOptimize(q.headers.fields().data());
  }
}
BENCHMARK(BM_SigV4Sign);

// One notification from "created" to "sending": store insert, SES client (form, SigV4),
// in-process transport, stub host, SES stub, response parsing and classification, store update,
// and the metrics of `format`.
void deliver_email_end_to_end(benchmark::State& state, telemetry::MetricsFormat format) {
  runtime::VirtualClock clock;
  transport::InProcessTransport net(clock);
  stubs::StubHost host(clock, {});
  host.add(std::make_unique<stubs::SesStub>(unlimited()));
  net.route("stubs.sim:4566", [&host](transport::Request q, transport::Responder done) {
    host.handle(std::move(q), std::move(done));
  });
  auto store = store::open_sqlite_store(":memory:");
  telemetry::Metrics metrics;
  metrics.set_format(format);
  telemetry::Logger logger(clock);
  logger.set_capacity(1024);
  email::SesClientOptions o;
  o.endpoint_url = "http://stubs.sim:4566/";
  runtime::Rng rng(1);
  auto client = email::make_ses_client(net, clock, rng, metrics, logger, o);
  delivery::EmailDelivery delivery(*store, clock, *client, metrics, logger);
  email::EmailMessage m{"sender@example.com", {"to@example.com"}, "Hello", "Hi", "", {}, {}};
  for (auto _ : state) {
    store::Notification n;
    n.id = rng.uuid4();
    n.type = "email";
    n.recipient = "to@example.com";
    n.created_at = n.updated_at = clock.now();
    (void)store->insert_notification(n);
    delivery.deliver(n.id, m);
    clock.run();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DeliverEmailEndToEnd(benchmark::State& state) {
  deliver_email_end_to_end(state, telemetry::MetricsFormat::statsd);
}
BENCHMARK(BM_DeliverEmailEndToEnd);

// The same under today's Notify's OpenTelemetry instruments (provider.request.duration and
// notification.send.duration instead of the StatsD timings and counters).
void BM_DeliverEmailEndToEndOtel(benchmark::State& state) {
  deliver_email_end_to_end(state, telemetry::MetricsFormat::otel);
}
BENCHMARK(BM_DeliverEmailEndToEndOtel);

// One SES delivery event as the SES stub sends it to the core's receipt endpoint (an SNS
// envelope whose Message is the SES JSON as a string), reduced to what the core needs.
void BM_ParseSesEvent(benchmark::State& state) {
  using nlohmann::json;
  const json ses = {
      {"notificationType", "Delivery"},
      {"mail",
       {{"timestamp", "2026-11-30T02:50:14.123Z"},
        {"messageId", "0102018f1a2b3c4d-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9-000000"},
        {"source", "\"Notify Sim\" <sender@notifications.example.gov.uk>"},
        {"sourceArn", "arn:aws:ses:eu-west-2:123456789012:identity/notifications.example.gov.uk"},
        {"sourceIp", "127.0.0.1"},
        {"sendingAccountId", "123456789012"},
        {"callerIdentity", "notify-sim"},
        {"destination", {"load123@example.com"}},
        {"tags", {{"ses:operation", {"SendEmail"}}}}}},
      {"delivery",
       {{"timestamp", "2026-11-30T02:50:15.123Z"},
        {"processingTimeMillis", 1000},
        {"recipients", {"load123@example.com"}},
        {"smtpResponse", "250 2.6.0 Message received"},
        {"reportingMTA", "a8-70.smtp-out.amazonses.com"},
        {"remoteMtaIp", "127.0.2.0"}}}};
  const std::string arn = "arn:aws:sns:eu-west-2:123456789012:notify-sim-ses-events";
  const std::string body =
      json{{"Type", "Notification"},
           {"MessageId", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"},
           {"TopicArn", arn},
           {"Message", ses.dump()},
           {"Timestamp", "2026-11-30T02:50:15.123Z"},
           {"SignatureVersion", "1"},
           {"Signature", "bm90aWZ5LXNpbQ=="},
           {"SigningCertURL", "https://sns.eu-west-2.amazonaws.com/SimpleNotificationService.pem"},
           {"UnsubscribeURL", "https://sns.eu-west-2.amazonaws.com/?Action=Unsubscribe"}}
          .dump();
  for (auto _ : state) {
    auto event = delivery::parse_ses_event(body);
    benchmark::DoNotOptimize(event);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_ParseSesEvent);

}  // namespace
