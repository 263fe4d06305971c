// Fuzz target: any bytes as a callback at the core's receipt endpoint (SES events, Firetext and
// MMG delivery receipts), each path in turn, with a notification for the receipts to find.
#include "notify/delivery/email_delivery.hpp"
#include "notify/delivery/receipts.hpp"
#include "notify/delivery/sms_receipts.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace notify;
  runtime::VirtualClock clock;
  auto store = store::open_sqlite_store(":memory:");
  telemetry::Metrics metrics;
  telemetry::Logger logger(clock);
  delivery::ReceiptRouter router;
  delivery::add_ses_receipts(router, *store, clock, logger, metrics);
  delivery::add_sms_receipts(router, *store, clock, logger, metrics);
  store::Notification n;
  n.id = "8cb4d946-9e12-49ae-bd84-da6493b85dca";
  n.type = "sms";
  n.recipient = "447700900123";
  n.status = store::status::kSending;
  n.reference = n.id;
  n.created_at = clock.now();
  n.updated_at = clock.now();
  (void)store->insert_notification(n);
  auto handler = router.handler();
  const std::string body(reinterpret_cast<const char*>(data), size);
  for (const auto& path : router.paths()) {
    transport::Request r;
    r.method = "POST";
    r.target = path;
    r.headers.set("Content-Type",
                  path.find("firetext") != std::string::npos ? "application/x-www-form-urlencoded"
                                                             : "application/json");
    r.body = body;
    handler(std::move(r), [](transport::Reply) {});
  }
  for (int i = 0; i < 100 && clock.step(); ++i) {
  }
  return 0;
}
