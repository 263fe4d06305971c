#include "notify/delivery/sms_provider_table.hpp"

namespace notify::delivery {

namespace {

std::unique_ptr<sms::SmsClient> make_firetext(transport::HttpTransport& transport,
                                              runtime::Clock& clock, telemetry::Metrics& metrics,
                                              telemetry::Logger& logger,
                                              const SmsClientConfig& config) {
  sms::FiretextClientOptions o;
  o.url = config.url;
  o.api_key = config.api_key;
  o.international_api_key = config.international_api_key;
  o.receipt_url = config.receipt_url;
  o.send_options = config.send_options;
  return sms::make_firetext_client(transport, clock, metrics, logger, o);
}

std::unique_ptr<sms::SmsClient> make_mmg(transport::HttpTransport& transport,
                                         runtime::Clock& clock, telemetry::Metrics& metrics,
                                         telemetry::Logger& logger,
                                         const SmsClientConfig& config) {
  sms::MmgClientOptions o;
  o.url = config.url;
  o.api_key = config.api_key;
  o.receipt_url = config.receipt_url;
  o.send_options = config.send_options;
  return sms::make_mmg_client(transport, clock, metrics, logger, o);
}

std::vector<SmsProvider> make_table() {
  std::vector<SmsProvider> table;
  SmsProvider firetext;
  firetext.name = "firetext";
  firetext.client_name = "Firetext";
  firetext.api_path = "/api/sendsms/json";
  firetext.notify_stub_path = "/firetext";
  firetext.url_variable = "FIRETEXT_URL";
  firetext.receipt_path = std::string(kFiretextReceiptPath);
  firetext.parse_receipt = &parse_firetext_receipt;
  firetext.failure_by_code = true;
  firetext.inbound_path = std::string(kFiretextInboundPath);
  firetext.read_inbound = &read_firetext_inbound;
  firetext.resting_point = 49;
  firetext.make_client = &make_firetext;
  firetext.sim_api_key = "notify-sim-firetext-key";
  firetext.sim_international_api_key = "notify-sim-firetext-intl-key";
  firetext.sim_receipt_password = "notify-sim-firetext-receipt";
  table.push_back(std::move(firetext));

  SmsProvider mmg;
  mmg.name = "mmg";
  mmg.client_name = "MMG";
  mmg.api_path = "/jsonv2a/api.php";
  mmg.notify_stub_path = "/mmg";
  mmg.url_variable = "MMG_URL";
  mmg.receipt_path = std::string(kMmgReceiptPath);
  mmg.parse_receipt = &parse_mmg_receipt;
  mmg.inbound_path = std::string(kMmgInboundPath);
  mmg.read_inbound = &read_mmg_inbound;
  mmg.resting_point = 51;
  mmg.make_client = &make_mmg;
  // MMG takes the Basic credentials as configured, already encoded ("notify-sim:mmg").
  mmg.sim_api_key = "bm90aWZ5LXNpbTptbWc=";
  mmg.sim_receipt_password = "notify-sim-mmg-receipt";
  table.push_back(std::move(mmg));
  return table;
}

}  // namespace

const std::vector<SmsProvider>& sms_providers() {
  static const std::vector<SmsProvider> table = make_table();
  return table;
}

const SmsProvider* find_sms_provider(std::string_view name) {
  for (const auto& p : sms_providers())
    if (p.name == name) return &p;
  return nullptr;
}

std::map<std::string, int> sms_resting_points() {
  std::map<std::string, int> out;
  for (const auto& p : sms_providers()) out[p.name] = p.resting_point;
  return out;
}

}  // namespace notify::delivery
