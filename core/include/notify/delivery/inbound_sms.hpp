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
#include "notify/transport/server.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace notify::delivery {

inline constexpr std::string_view kFiretextInboundPath = "/notifications/sms/receive/firetext";
inline constexpr std::string_view kMmgInboundPath = "/notifications/sms/receive/mmg";

/// The Basic credentials a provider's inbound posts may carry.
struct InboundAuth {
  std::vector<std::string> usernames;
  std::vector<std::string> passwords;
};

struct InboundSmsOptions {
  /// By provider name. Firetext: FIRETEXT_INBOUND_SMS_AUTH, the passwords it may use (its user
  /// name is always "notify", so `usernames` is not read). MMG: MMG_INBOUND_SMS_USERNAME and
  /// MMG_INBOUND_SMS_AUTH, any listed user with any listed password. A provider not named
  /// accepts no credentials.
  std::map<std::string, InboundAuth> auth;
  /// The services' inbound numbers, as Notify stores them ("07700900000"). A message to any
  /// other number is acknowledged and not stored, as Notify does when no service has it.
  std::set<std::string> numbers;
};

/// What a provider's inbound route made of a request: its answer already (credentials refused,
/// a body it cannot read, a number no service has), or the message to store.
struct InboundRead {
  std::optional<transport::Reply> answer;
  std::string number;     // the service's number, as stored ("07700900000")
  std::string content;    // as Notify stores it
  std::string from;       // the sender's number, as the provider sent it
  std::string reference;  // the provider's id for the message; empty when it sends none
  std::string date;       // the provider's time, as sent; empty when it sends none
};
/// Reads a request as the provider's route does, up to storing (the provider table holds one
/// per provider that posts inbound messages).
using InboundReader = InboundRead (*)(const transport::Request& request, const InboundAuth& auth,
                                      const std::set<std::string>& numbers,
                                      telemetry::Logger& logger);
/// Firetext's form (destination, message, source, time) and MMG's JSON (Number, Message,
/// MSISDN, ID, DateRecieved), with Notify's checks and answers in Notify's order.
InboundRead read_firetext_inbound(const transport::Request& request, const InboundAuth& auth,
                                  const std::set<std::string>& numbers, telemetry::Logger& logger);
InboundRead read_mmg_inbound(const transport::Request& request, const InboundAuth& auth,
                             const std::set<std::string>& numbers, telemetry::Logger& logger);

/// MMG's Message as Notify reads it: '+' for space, percent-escapes, then backslash escapes.
std::string format_mmg_message(std::string_view message);
/// A provider's time as Notify reads it (format_mmg_datetime): percent- and '+'-decoded, ISO 8601
/// without a zone, taken as UTC; nullopt when it does not parse (Notify then uses now).
std::optional<runtime::TimePoint> parse_inbound_time(std::string_view text);
/// "447..." numbers as Notify's strip_leading_forty_four: a leading "44" becomes "0".
std::string strip_leading_forty_four(std::string_view number);

/// Adds the inbound route of every provider in the SMS provider table that has one
/// (kFiretextInboundPath, kMmgInboundPath) to `router`.
void add_inbound_sms(ReceiptRouter& router, store::Store& store, runtime::Clock& clock,
                     runtime::Rng& rng, telemetry::Logger& logger, telemetry::Metrics& metrics,
                     InboundSmsOptions options);

}  // namespace notify::delivery
