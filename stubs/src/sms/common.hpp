// What the Firetext and MMG stubs share: the config block (strict API keys, receipts), the
// receipt outcome for a number, the receipt delay distribution, UK local time for the receipts'
// timestamps, and the scheduling of receipts through the host's callback service. Each provider
// supplies its names, its default outcomes and how its receipt looks on the wire.
#pragma once

#include "notify/stubs/faults.hpp"
#include "notify/stubs/fields.hpp"
#include "notify/stubs/stub.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notify::stubs::sms {

/// One receipt as the provider states it: its status and detailed code (Firetext's code, MMG's
/// substatus; empty for none).
struct ReceiptStep {
  std::string status;
  std::string code;
};
/// The receipts one message gets, in the order they are sent (Firetext's pending-then-failed is
/// two).
using Outcome = std::vector<ReceiptStep>;

enum class Kind { delivered, permanent, temporary };

struct DelaySpec {
  DelayDistribution distribution = DelayDistribution::uniform;
  double ms = 0;         // fixed
  double min_ms = 100;   // uniform: Notify's own SMS stub waits 100-1000 ms
  double max_ms = 1000;
  double median_ms = 500;  // lognormal
  double sigma = 0.5;
};

/// Where a receipt goes: the URL without userinfo, and the Basic credentials the userinfo
/// stood for ("Basic ...", empty when it had none).
struct ReceiptTarget {
  std::string url;
  std::string authorization;
};

struct Options {
  /// Strict mode when not empty: only these keys (Firetext's apiKey, normal or international;
  /// MMG's Basic credential) are accepted.
  std::set<std::string> api_keys;
  /// The receipt URL for requests that name none (userinfo as Basic auth); empty: no receipt.
  ReceiptTarget callback;
  DelaySpec delay;
  /// How much later a reordered single receipt is sent, in milliseconds.
  double reorder_ms = 60'000;
  /// Outcomes for numbers ending in these digits, checked in order before the test numbers.
  std::vector<std::pair<std::string, Outcome>> numbers;
  std::size_t pending_max = 100'000;
  /// Notify's inbound route for this provider (userinfo as Basic auth); empty: no inbound SMS.
  ReceiptTarget inbound;
};

/// What a send request's named error does to its receipts.
struct ReceiptFaults {
  bool drop = false;
  bool duplicate = false;
  bool reorder = false;
  std::optional<Kind> kind;
};

/// Everything a receipt needs when it is built.
struct ReceiptContext {
  std::string url;
  std::string authorization;  // sent as the Authorization header when not empty
  std::string number;
  std::string reference;           // the client's reference (the notification id)
  std::string provider_reference;  // the provider's own id for the message
};

using ReceiptBuilder = transport::Request (*)(const ReceiptContext& context,
                                              const ReceiptStep& step, runtime::TimePoint now);

/// A message from a handset, sent on to Notify's inbound route.
struct InboundMessage {
  ReceiptTarget target;
  std::string from;          // the sender's number
  std::string to;            // the service's number
  std::string text;
  std::string time;          // "YYYY-MM-DD HH:MM:SS"; empty: when it is sent, in the provider's zone
  std::string provider_id;   // the provider's id for the message (MMG's ID)
};

using InboundBuilder = transport::Request (*)(const InboundMessage& message,
                                              runtime::TimePoint now);

/// A provider's names and receipt shape.
struct Provider {
  std::string service;  // "firetext"
  std::string prefix;   // "firetext." for error names
  Outcome delivered, permanent, temporary;
  ReceiptBuilder build;
  InboundBuilder inbound;
};

/// "YYYY-MM-DD HH:MM:SS" in UK local time (GMT, or BST from 01:00 UTC on the last Sunday of
/// March to 01:00 UTC on the last Sunday of October), as both providers write receipt times.
std::string uk_local_time(runtime::TimePoint t);

/// Digits only, 10 to 15 of them, after an optional '+'.
bool valid_number(std::string_view number);
/// Characters of UTF-8 text (continuation bytes not counted).
std::size_t utf8_length(std::string_view s);
/// A receipt URL as both providers take it: an absolute http(s) URL, with optional
/// "user:pass@" userinfo (today's Notify sends it, notifications-api 2336be8b8/b16f8afc9) that
/// the receipt carries as Basic auth. nullopt for a URL the provider refuses.
std::optional<ReceiptTarget> receipt_target(std::string_view url);
/// "YYYY-MM-DD HH:MM:SS" in UTC.
std::string utc_time(runtime::TimePoint t);

/// Sets the Authorization header of a receipt built for `context`.
void authorize(transport::Request& receipt, const ReceiptContext& context);

/// The shared part of both stubs.
class SmsStub : public Stub {
 public:
  explicit SmsStub(Provider provider);
  std::string_view service() const override { return provider_.service; }
  std::vector<std::string> error_names() const override;
  std::optional<SelectorNames> selector_names() const override;
  std::optional<FieldError> configure(const nlohmann::json& config) override;
  void reset() override;
  bool sends_inbound() const override { return true; }
  std::optional<FieldError> send_inbound(const nlohmann::json& message) override;

 protected:
  /// The receipt-level part of a named error; nullopt when `error` is a send-level error.
  std::optional<ReceiptFaults> receipt_faults(const std::string& error) const;
  /// The receipts for `number` (configured numbers, then the test numbers, then delivered).
  Outcome outcome_for(const std::string& number, const ReceiptFaults& faults) const;
  /// Schedules the receipts of one accepted message, linked to the request numbered `parent`.
  /// `url` empty: the configured default; none at all: no receipt. Call with the mutex held.
  void schedule_receipts(std::uint64_t parent, ReceiptContext context, ReceiptFaults faults);
  bool key_allowed(const std::string& key) const {
    return options_.api_keys.empty() || options_.api_keys.count(key) > 0;
  }
  runtime::Duration draw_delay();

  struct Liveness {
    std::atomic<std::uint64_t> generation{0};
  };
  Provider provider_;
  mutable std::mutex mutex_;
  Options options_;
  std::shared_ptr<Liveness> live_ = std::make_shared<Liveness>();
};

}  // namespace notify::stubs::sms
