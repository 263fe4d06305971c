// Fuzz target: any bytes as a callback at the core's receipt endpoint (SES events, Firetext and
// MMG delivery receipts), each path in turn, with a notification for the receipts to find.
//
// The store is opened once: opening one (the schema and its migrations, every statement
// prepared) costs far more than a receipt. Each input starts from the same state all the same:
// the notification is put back in `sending` before it, and the clock, logger, metrics and
// router are made anew.
#include "notify/delivery/email_delivery.hpp"
#include "notify/delivery/receipts.hpp"
#include "notify/delivery/sms_receipts.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

namespace {

constexpr const char* kId = "8cb4d946-9e12-49ae-bd84-da6493b85dca";

notify::store::Store& shared_store() {
  static const std::unique_ptr<notify::store::Store> store = [] {
    auto s = notify::store::open_sqlite_store(":memory:");
    notify::store::Notification n;
    n.id = kId;
    n.type = "sms";
    n.recipient = "447700900123";
    n.status = notify::store::status::kSending;
    n.reference = n.id;
    n.created_at = notify::runtime::VirtualClock().now();
    n.updated_at = n.created_at;
    if (!s->insert_notification(n)) std::abort();
    return s;
  }();
  return *store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace notify;
  store::Store& store = shared_store();
  runtime::VirtualClock clock;
  if (!store.update_status(kId, store::status::kSending, clock.now())) std::abort();
  telemetry::Metrics metrics;
  telemetry::Logger logger(clock);
  delivery::ReceiptRouter router;
  delivery::add_ses_receipts(router, store, clock, logger, metrics);
  delivery::add_sms_receipts(router, store, clock, logger, metrics);
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
