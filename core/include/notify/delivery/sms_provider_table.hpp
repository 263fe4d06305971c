// The SMS providers the core knows, one entry each: Notify's name for it, how its client is
// made, where its delivery receipts arrive and how they are read, and where its priority rests.
// The receipt endpoint, the priorities, the scenario channel and the load driver read this
// table; a provider is added here and in its own folder (core/src/sms, stubs/src/<name>).
#pragma once

#include "notify/delivery/inbound_sms.hpp"
#include "notify/delivery/sms_receipts.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/sms/sms_client.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/http.hpp"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace notify::delivery {

/// What a client is made from, whatever the provider.
struct SmsClientConfig {
  std::string url;          // where sends go
  std::string receipt_url;  // where the provider posts receipts; empty: none is asked for
  std::string api_key;
  std::string international_api_key;  // for a provider with one (Firetext); else unused
  transport::SendOptions send_options{sms::kSmsTimeout, sms::kSmsTimeout};
};

struct SmsProvider {
  std::string name;         // Notify's identifier: priorities, the stored provider, metrics
  std::string client_name;  // as Notify's log lines name it: "Firetext"
  /// The send path on the provider's own API, and on Notify's SMS provider stub.
  std::string api_path;
  std::string notify_stub_path;
  /// Notify's variable for the send URL ("FIRETEXT_URL"); serve prints it for its stub.
  std::string url_variable;
  /// Where its receipts arrive on the core's receipt endpoint, and their parser.
  std::string receipt_path;
  SmsReceiptResult (*parse_receipt)(std::string_view body) = nullptr;
  /// A permanent failure is permanent or temporary by the receipt's code, and temporary after
  /// "pending" without a known code (Notify's _decide_permanent_temporary_failure, Firetext).
  bool failure_by_code = false;
  /// Where it posts the messages users send to a service's number, and their reader; empty and
  /// null for a provider that posts none.
  std::string inbound_path;
  InboundReader read_inbound = nullptr;
  /// Where its priority rests (Notify's provider_details defaults).
  int resting_point = 0;
  std::unique_ptr<sms::SmsClient> (*make_client)(transport::HttpTransport& transport,
                                                 runtime::Clock& clock,
                                                 telemetry::Metrics& metrics,
                                                 telemetry::Logger& logger,
                                                 const SmsClientConfig& config) = nullptr;
  /// The credentials a simulated core sends, and the password in its receipt URL.
  std::string sim_api_key;
  std::string sim_international_api_key;
  std::string sim_receipt_password;
};

/// Every provider, in a fixed order (the order clients are offered to the delivery task).
const std::vector<SmsProvider>& sms_providers();
/// The entry named `name`, or nullptr.
const SmsProvider* find_sms_provider(std::string_view name);
/// name -> resting point, for SmsProviderOptions.
std::map<std::string, int> sms_resting_points();

}  // namespace notify::delivery
