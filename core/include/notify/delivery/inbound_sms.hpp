// Inbound SMS: the messages users send to a service's number, which Firetext and MMG post to
// Notify's /notifications/sms/receive/{firetext,mmg} (notifications-api
// app/notifications/receive_notifications.py). Each route checks Basic auth as Notify does,
// reads the provider's fields as Notify reads them, stores the message in the inbound table when
// the number is a service's, and answers as Notify answers.
#pragma once

#include "notify/delivery/receipts.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/store/store.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace notify::delivery {

inline constexpr std::string_view kFiretextInboundPath = "/notifications/sms/receive/firetext";
inline constexpr std::string_view kMmgInboundPath = "/notifications/sms/receive/mmg";

struct InboundSmsOptions {
  /// FIRETEXT_INBOUND_SMS_AUTH: the passwords Firetext may use; its user name is always "notify".
  std::vector<std::string> firetext_passwords;
  /// MMG_INBOUND_SMS_USERNAME and MMG_INBOUND_SMS_AUTH: any listed user with any listed password.
  std::vector<std::string> mmg_usernames;
  std::vector<std::string> mmg_passwords;
  /// The services' inbound numbers, as Notify stores them ("07700900000"). A message to any
  /// other number is acknowledged and not stored, as Notify does when no service has it.
  std::set<std::string> numbers;
};

/// MMG's Message as Notify reads it: '+' for space, percent-escapes, then backslash escapes.
std::string format_mmg_message(std::string_view message);
/// A provider's time as Notify reads it (format_mmg_datetime): percent- and '+'-decoded, ISO 8601
/// without a zone, taken as UTC; nullopt when it does not parse (Notify then uses now).
std::optional<runtime::TimePoint> parse_inbound_time(std::string_view text);
/// "447..." numbers as Notify's strip_leading_forty_four: a leading "44" becomes "0".
std::string strip_leading_forty_four(std::string_view number);

/// Adds POST kFiretextInboundPath and kMmgInboundPath to `router`.
void add_inbound_sms(ReceiptRouter& router, store::Store& store, runtime::Clock& clock,
                     runtime::Rng& rng, telemetry::Logger& logger, telemetry::Metrics& metrics,
                     InboundSmsOptions options);

}  // namespace notify::delivery
