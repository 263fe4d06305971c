// SMS delivery receipts: Firetext's form and MMG's JSON, mapped to notification statuses with
// Notify's tables (app/clients/sms/firetext.py, mmg.py) and applied as its
// process_sms_client_response task does. The receipts carry the recipient's number; it is
// never kept, logged or echoed.
#pragma once

#include "notify/delivery/receipts.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"

#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace notify::delivery {

/// One receipt, reduced to what the core needs. No phone number.
struct SmsReceipt {
  std::string provider;       // "firetext" or "mmg"
  std::string client_name;    // "Firetext" or "MMG", as Notify's log lines name them
  std::string reference;      // the notification id (Firetext's reference, MMG's CID)
  std::string raw_status;     // the provider's status ("0", "3")
  std::string detailed_code;  // Firetext's code or MMG's substatus; empty when absent
  /// The notification status the raw status maps to; technical-failure when it is unknown.
  std::string status;
  std::string detailed_status;  // the reason for the detailed code; empty when unknown
  bool status_known = true;
  /// Firetext's `time` or MMG's `deliverytime` in UTC (a value without an offset is London
  /// time); nullopt when absent or unreadable, as Notify's None.
  std::optional<runtime::TimePoint> delivered_at;
};

using SmsReceiptResult = boost::system::result<SmsReceipt, std::string>;

/// Firetext: status 0 delivered, 1 permanent-failure, 2 pending. The error names what is wrong
/// with the body (not a form, status or reference missing, reference not a UUID), without
/// quoting it.
SmsReceiptResult parse_firetext_receipt(std::string_view form_body);
/// MMG: status 3 delivered, 2 and 5 permanent-failure, 4 temporary-failure, with the substatus
/// reasons. Requires status and CID, as Notify does.
SmsReceiptResult parse_mmg_receipt(std::string_view json_body);

/// Firetext's detailed code table: "101" -> {permanent-failure, "Unknown Subscriber"}, ...
struct FiretextCode {
  const char* status;
  const char* reason;
};
const FiretextCode* find_firetext_code(std::string_view code);

/// Applies a parsed receipt to the Store as Notify does: only notifications in created,
/// sending, pending or sent change; a Firetext permanent failure takes permanent or temporary
/// from its code, and one that follows "pending" without a known code becomes
/// temporary-failure. Counts callback.<provider>.<status> and callback.<provider>.elapsed-time.
/// Returns the status the notification has afterwards, or not_found.
boost::system::result<std::string> apply_sms_receipt(store::Store& store, runtime::Clock& clock,
                                                     telemetry::Logger& logger,
                                                     telemetry::Metrics& metrics,
                                                     const SmsReceipt& receipt);

/// Where the providers post their receipts on the core's receipt endpoint. These are the URLs
/// the clients send as Firetext's "receipt" and MMG's "delurl".
inline constexpr std::string_view kFiretextReceiptPath = "/notifications/sms/firetext";
inline constexpr std::string_view kMmgReceiptPath = "/notifications/sms/mmg";

/// Adds both SMS receipt paths to the core's receipt endpoint. A POST with a receipt that
/// parses gets 200 {"result": "success"} (also for an unknown reference or a repeated receipt,
/// which change nothing); one that does not parse gets 400 naming what is wrong and changes
/// nothing; another method gets 405.
void add_sms_receipts(ReceiptRouter& router, store::Store& store, runtime::Clock& clock,
                      telemetry::Logger& logger, telemetry::Metrics& metrics);

}  // namespace notify::delivery
