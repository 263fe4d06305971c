// The email channel's side of a run: which core client talks to which stub, and where SES events
// arrive at the core. The scenario runner asks this file, never a literal of its own.
#pragma once

#include "notify/delivery/receipts.hpp"
#include "notify/email/email_client.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/http.hpp"

#include <functional>
#include <memory>
#include <set>
#include <string>

namespace notify::scenarios::channels {

/// The values a scenario's "core.email_client" may take, the first being the default.
const std::vector<std::string>& email_client_names();

struct EmailWiring {
  std::string client;  // one of email_client_names()
  /// The base URL of a stub service's own listener, e.g. "http://ses.stubs.sim:4566".
  std::function<std::string(const std::string& service)> stub_url;
  /// Socket time-outs shrink by this factor in wire mode (never below 2 s).
  double time_scale = 1;
};

std::unique_ptr<email::EmailClient> make_email_client(const EmailWiring& wiring,
                                                      transport::HttpTransport& transport,
                                                      runtime::Clock& clock,
                                                      telemetry::Metrics& metrics,
                                                      telemetry::Logger& logger);

/// Routes SES events to the core.
void add_email_receipts(delivery::ReceiptRouter& router, store::Store& store, runtime::Clock& clock,
                        telemetry::Logger& logger, telemetry::Metrics& metrics);

}  // namespace notify::scenarios::channels
