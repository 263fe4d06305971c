// Store: where notifications, broadcasts and their provider messages live, with the status
// transitions the delivery tasks make. SQLite is the embedded default (file or in-memory).
#pragma once

#include "notify/runtime/clock.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace notify::store {

/// Notify's notification statuses.
namespace status {
inline constexpr const char* kCreated = "created";
inline constexpr const char* kSending = "sending";
inline constexpr const char* kSent = "sent";
inline constexpr const char* kPending = "pending";
inline constexpr const char* kDelivered = "delivered";
inline constexpr const char* kPermanentFailure = "permanent-failure";
inline constexpr const char* kTemporaryFailure = "temporary-failure";
inline constexpr const char* kTechnicalFailure = "technical-failure";
}  // namespace status

struct Notification {
  std::string id;    // UUID
  std::string type;  // "email" | "sms"
  std::string recipient;
  std::string status = status::kCreated;
  std::string provider;   // "ses", "firetext", "mmg"; empty until sent
  std::string reference;  // the provider's id for the message
  int attempts = 0;
  std::string failure_reason;  // free of PII
  runtime::TimePoint created_at;
  runtime::TimePoint updated_at;
  std::optional<runtime::TimePoint> sent_at;
};

struct BroadcastMessage {
  std::string id;
  std::string status;  // draft, broadcasting, cancelled, completed, ...
  std::string content;
  runtime::TimePoint created_at;
};

struct BroadcastEvent {
  std::string id;
  std::string broadcast_message_id;
  std::string message_type;  // alert, update, cancel
  std::string payload_json;
  runtime::TimePoint sent_at;
};

struct BroadcastProviderMessage {
  std::string id;
  std::string broadcast_event_id;
  std::string provider;                        // ee, o2, three, vodafone
  std::string status;                          // sending, ack, err, technical-failure
  std::optional<std::int64_t> message_number;  // vodafone only
  runtime::TimePoint created_at;
  runtime::TimePoint updated_at;
};

/// The route advisor's row for one operator (Emergency Alerts' route_advisor table): the route
/// last known to work.
struct RouteAdvice {
  std::string mno;     // ee, o2, three, vodafone
  std::string proxy;   // the Lambda: "ee-1-proxy"
  std::string target;  // the CBC endpoint: "cbc_a", "cbc_b"
  runtime::TimePoint updated_at;
};

/// One row of a status history: the status a notification or broadcast provider message was
/// created in or changed to, and when (its updated_at then).
struct StatusChange {
  std::string id;  // the notification's or the provider message's id
  std::string status;
  runtime::TimePoint at;
  /// A broadcast entry's error detail, as Emergency Alerts' error_detail column holds it
  /// ({"exception": "..."}, JSON); empty for every other entry.
  std::string error_detail;
};

/// A text message a user sent to a service's number, as Notify's inbound_sms keeps it.
struct InboundSms {
  std::string id;                  // UUID
  std::string notify_number;       // the service's number, "44" made "0" as Notify strips it
  std::string user_number;         // the sender, as Notify formats it ("447700900123")
  std::string provider;            // "firetext" | "mmg"
  std::string provider_reference;  // MMG's ID; empty for Firetext, which sends none
  std::optional<runtime::TimePoint> provider_date;  // naive time read as UTC, as Notify does
  std::string content;
  runtime::TimePoint created_at;
};

/// Thrown by open_*() when the store cannot be used at all (unreadable file, schema from a
/// later version). The message names the file and what to do.
class StoreOpenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Operations return errc::not_found for a missing id and errc::store_error otherwise.
class Store {
 public:
  virtual ~Store() = default;

  virtual boost::system::result<void> insert_notification(const Notification& n) = 0;
  virtual boost::system::result<Notification> get_notification(const std::string& id) = 0;
  virtual boost::system::result<Notification> find_by_reference(const std::string& provider,
                                                                const std::string& reference) = 0;
  /// Sets status (and provider, reference when non-empty), updated_at; sent_at on "sending" or
  /// "sent" (an international SMS goes straight to "sent").
  virtual boost::system::result<void> update_status(const std::string& id,
                                                    const std::string& new_status,
                                                    runtime::TimePoint at,
                                                    const std::string& provider = {},
                                                    const std::string& reference = {},
                                                    const std::string& failure_reason = {}) = 0;
  virtual boost::system::result<int> increment_attempts(const std::string& id) = 0;
  virtual std::vector<Notification> list_notifications() = 0;  // ordered by created_at, id
  virtual std::size_t count_by_status(const std::string& status) = 0;
  /// Notifications of `type` ("email", "sms") in `status`.
  virtual std::size_t count_by_type_status(const std::string& type, const std::string& status) = 0;
  /// Notifications of `type` created at or after `since` that have been sent (sent_at set),
  /// ordered by created_at, id: what the slow-delivery check looks at.
  virtual std::vector<Notification> list_sent_since(const std::string& type,
                                                    runtime::TimePoint since) = 0;

  virtual boost::system::result<void> insert_broadcast_message(const BroadcastMessage& m) = 0;
  virtual boost::system::result<void> insert_broadcast_event(const BroadcastEvent& e) = 0;
  /// Fails with errc::invalid_argument when (event, provider) already has a message.
  virtual boost::system::result<void> insert_broadcast_provider_message(
      const BroadcastProviderMessage& m) = 0;
  virtual boost::system::result<void> update_broadcast_provider_message_status(
      const std::string& id, const std::string& status, runtime::TimePoint at) = 0;
  /// Adds a status entry with its error detail (JSON) and sets the status, as Emergency Alerts'
  /// add_broadcast_provider_message_status(..., error_detail=...) does: an entry for every call,
  /// even when the status stays the same (a second returned-error).
  virtual boost::system::result<void> add_broadcast_provider_message_error(
      const std::string& id, const std::string& status, runtime::TimePoint at,
      const std::string& error_detail) = 0;
  virtual boost::system::result<BroadcastProviderMessage> get_broadcast_provider_message(
      const std::string& id) = 0;

  /// Next value of the message-number sequence (1, 2, ...), persistent across re-opens.
  virtual boost::system::result<std::int64_t> next_message_number() = 0;
  virtual boost::system::result<BroadcastEvent> get_broadcast_event(const std::string& id) = 0;
  /// The events of one broadcast message, ordered by sent_at, id.
  virtual std::vector<BroadcastEvent> list_broadcast_events(const std::string& message_id) = 0;
  /// The provider message of (event, provider); errc::not_found when there is none.
  virtual boost::system::result<BroadcastProviderMessage> find_broadcast_provider_message(
      const std::string& event_id, const std::string& provider) = 0;
  /// Every provider message, ordered by created_at, id.
  virtual std::vector<BroadcastProviderMessage> list_broadcast_provider_messages() = 0;

  /// Every status each notification was created in or changed to, in the order written. A write
  /// that leaves the status as it was adds nothing.
  virtual std::vector<StatusChange> list_notification_status_history() = 0;
  /// The same for broadcast provider messages.
  virtual std::vector<StatusChange> list_broadcast_provider_message_status_history() = 0;

  virtual boost::system::result<void> insert_inbound_sms(const InboundSms& m) = 0;
  /// Every inbound message, ordered by created_at, id.
  virtual std::vector<InboundSms> list_inbound_sms() = 0;

  /// The operator's advice; not_found when it has none.
  virtual boost::system::result<RouteAdvice> get_route_advice(const std::string& mno) = 0;
  /// Inserts or replaces the operator's advice (dao_set_route_for_mno); every write adds a row to
  /// the advice history.
  virtual boost::system::result<void> set_route_advice(const RouteAdvice& advice) = 0;
  /// Every advice written, in the order written.
  virtual std::vector<RouteAdvice> list_route_advice_history() = 0;

  virtual int schema_version() const = 0;
};

inline constexpr int kSchemaVersion = 10;

/// Opens (creating and migrating as needed) a SQLite store. ":memory:" is in-memory.
std::unique_ptr<Store> open_sqlite_store(const std::string& path);

}  // namespace notify::store
