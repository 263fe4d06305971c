// SMS clients: Firetext (a form POST answered with JSON whose "code" must be 0) and MMG (a JSON
// POST with Basic auth), as Notify's FiretextClient and MMGClient send them. Each answer, or its
// absence, is classified once, here, into a Failure that the delivery task reads without
// re-parsing. Every failure of either client sends the task to the other provider.
#pragma once

#include "notify/client/client.hpp"
#include "notify/outcome/errc.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/http.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace notify::sms {

struct SmsMessage {
  /// The recipient as Notify normalises it: international format without '+' ("447700900123").
  /// Firetext gets it with any '+' removed; MMG gets it as it is.
  std::string to;
  std::string content;
  /// The notification id. Both providers echo it in their delivery receipts.
  std::string reference;
  /// Firetext sends international messages with its international API key.
  bool international = false;
  /// The sender id; empty means the client's from_number.
  std::string sender;
};

/// A send's result: the message's reference (the notification id), or the classified Failure.
using SmsResult = client::ProviderResult;
using SmsHandler = client::ProviderHandler;

class SmsClient {
 public:
  virtual ~SmsClient() = default;
  /// Notify's provider name: "firetext" or "mmg". It is what provider priorities, the stored
  /// provider and the callback metrics use.
  virtual std::string name() const = 0;
  /// The metrics prefix: "clients.firetext" or "clients.mmg".
  virtual std::string metrics_name() const = 0;
  virtual void send_sms(const SmsMessage& message, SmsHandler done) = 0;
};

/// Notify's requests time-out for both SMS clients: 60 s to connect and 60 s to read (10 s from
/// 2026 on; set send_options to follow that).
inline constexpr std::chrono::milliseconds kSmsTimeout{60'000};

struct FiretextClientOptions {
  std::string url = "https://www.firetext.co.uk/api/sendsms/json";  // FIRETEXT_URL
  std::string api_key;                                              // FIRETEXT_API_KEY
  std::string international_api_key;  // FIRETEXT_INTERNATIONAL_API_KEY
  /// FIRETEXT_RECEIPT_URL: sent as the "receipt" field when not empty, so that Firetext posts
  /// the delivery receipt there (the core's /notifications/sms/firetext).
  std::string receipt_url;
  std::string from_number = "GOVUK";  // FROM_NUMBER, for messages without a sender
  transport::SendOptions send_options{kSmsTimeout, kSmsTimeout};
};

struct MmgClientOptions {
  std::string url = "https://api.mmg.co.uk/jsonv2a/api.php";  // MMG_URL
  /// MMG_API_KEY, sent as "Authorization: Basic <api_key>" exactly as configured: Notify does
  /// not base64-encode it, so it is configured already encoded.
  std::string api_key;
  /// MMG_RECEIPT_URL: sent as "delurl" when not empty (the core's /notifications/sms/mmg).
  std::string receipt_url;
  std::string from_number = "GOVUK";
  transport::SendOptions send_options{kSmsTimeout, kSmsTimeout};
};

/// The Firetext form body, in Notify's field order: apiKey (the international key for
/// international messages), from, to (without '+'), message, reference, receipt (when
/// configured).
std::string build_firetext_body(const SmsMessage& message, const FiretextClientOptions& options);
/// The MMG JSON body as Python's json.dumps writes Notify's dict: reqType "BULK", MSISDN, msg,
/// sender, cid, multi true, delurl (when configured); ", " and ": " separators, non-ASCII as
/// \uXXXX.
std::string build_mmg_body(const SmsMessage& message, const MmgClientOptions& options);

/// Throw std::invalid_argument when the URL is not an absolute http(s) URL.
std::unique_ptr<SmsClient> make_firetext_client(transport::HttpTransport& transport,
                                                runtime::Clock& clock, telemetry::Metrics& metrics,
                                                telemetry::Logger& logger,
                                                FiretextClientOptions options);
std::unique_ptr<SmsClient> make_mmg_client(transport::HttpTransport& transport,
                                           runtime::Clock& clock, telemetry::Metrics& metrics,
                                           telemetry::Logger& logger, MmgClientOptions options);

}  // namespace notify::sms
