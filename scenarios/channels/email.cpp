#include "email.hpp"

#include "notify/delivery/email_delivery.hpp"

#include <algorithm>

namespace notify::scenarios::channels {

namespace {

// The stub service both email clients talk to.
constexpr const char* kSesService = "ses";

}  // namespace

const std::vector<std::string>& email_client_names() {
  // "ses": the SES v1 API signed with SigV4; "ses_stub": Notify's SES_STUB_URL contract.
  static const std::vector<std::string> names = {"ses", "ses_stub"};
  return names;
}

std::unique_ptr<email::EmailClient> make_email_client(const EmailWiring& wiring,
                                                      transport::HttpTransport& transport,
                                                      runtime::Clock& clock,
                                                      telemetry::Metrics& metrics,
                                                      telemetry::Logger& logger) {
  const std::string base = wiring.stub_url(kSesService);
  if (wiring.client == "ses_stub") {
    return email::make_ses_stub_client(transport, clock, metrics, logger, base + "/ses");
  }
  email::SesClientOptions o;
  o.endpoint_url = base + "/";
  o.region = "eu-west-2";
  // Socket time-outs are real time; in wire mode they shrink with the scenario clock, but never
  // below a floor that a loaded machine (or a sanitizer build) always meets.
  auto scaled = [&wiring](std::chrono::milliseconds t) {
    auto ms = static_cast<std::int64_t>(static_cast<double>(t.count()) / wiring.time_scale);
    return std::chrono::milliseconds(std::max<std::int64_t>(ms, 2000));
  };
  if (wiring.time_scale > 1) {
    o.send_options.connect_timeout = scaled(o.send_options.connect_timeout);
    o.send_options.read_timeout = scaled(o.send_options.read_timeout);
  }
  return email::make_ses_client(transport, clock, metrics, logger, o);
}

void add_email_receipts(delivery::ReceiptRouter& router, store::Store& store, runtime::Clock& clock,
                        telemetry::Logger& logger, telemetry::Metrics& metrics) {
  delivery::add_ses_receipts(router, store, clock, logger, metrics);
}

}  // namespace notify::scenarios::channels
