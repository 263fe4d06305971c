// What a core load run records about each notification, from its arrival to its receipt, and
// the observers that feed it: a Store that reports status changes, and clients that report each
// attempt. They sit around the core's own objects and change nothing the core does.
#pragma once

#include "notify/broadcast/cbc_proxy.hpp"
#include "notify/email/email_client.hpp"
#include "notify/load/core_load.hpp"
#include "notify/report/load_report.hpp"
#include "notify/sms/sms_client.hpp"
#include "notify/store/store.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace notify::load {

using SteadyTime = std::chrono::steady_clock::time_point;

/// Notification and broadcast ids that carry the arrival's index, so that an observer can find
/// the arrival from an id, an SMS reference or a Lambda payload without a lookup table.
std::string arrival_id(std::size_t index, std::uint32_t kind = 0);
/// The index in an id made by arrival_id, or SIZE_MAX.
std::size_t arrival_index(const std::string& id);
/// The index in a recipient "load<n>@example.com", or SIZE_MAX.
std::string email_recipient(std::size_t index);
std::size_t email_index(const std::string& address);

/// The class of a failed attempt for by_fault_class: "connection", "timeout", "throttling",
/// "provider-error", "rejected", "invalid-request".
std::string_view fault_class(const Failure& failure) noexcept;

class Recorder {
 public:
  /// The channel of an arrival, as an index in core_channels().
  enum Channel : std::uint8_t { kEmail = 0, kSms = 1, kBroadcast = 2 };

  Recorder(std::size_t total, SteadyTime start, double interval_s);

  /// An arrival, submitted now; `due` is when it was scheduled.
  void arrived(std::size_t index, Channel channel, SteadyTime due);
  /// An attempt on `provider` starts ("ses", "firetext", "mmg", "ee", ...). `failover` marks
  /// a broadcast's second Lambda.
  void attempt(std::size_t index, std::string_view provider, bool failover = false);
  /// A provider accepted it, now.
  void accepted(std::size_t index, std::string_view provider);
  /// An attempt failed with the provider's error `code` (counted under errors as
  /// "<provider>.<code in kebab case>", e.g. "ses.throttling") and the class for by_fault_class.
  void attempt_failed(std::size_t index, std::string_view provider, std::string_view code,
                      std::string_view fault_class);
  /// The notification left its task in a final failure status, or a receipt arrived.
  void final_failure(std::size_t index);
  void receipt(std::size_t index, bool failure_status);
  /// One of the core's notification.deliver.duration (`deliver`) or .callback.duration
  /// recordings for `notification_type` ("email", "sms") through `provider`, in seconds, made
  /// now: into its series and into the timeline's interval.
  void receipt_duration(std::string_view notification_type, std::string_view provider, bool deliver,
                        double seconds);
  /// A broadcast provider message was stored for the arrival; acks and Lambda calls find it by id.
  void broadcast_message(const std::string& provider_message_id, std::size_t index,
                         const std::string& provider);
  void broadcast_ack(const std::string& provider_message_id);
  /// (index, provider) of a provider message, or {SIZE_MAX, ""}.
  std::pair<std::size_t, std::string> broadcast_lookup(
      const std::string& provider_message_id) const;
  /// A Lambda invocation for a provider message: the first Lambda again is a retry of the task,
  /// the second Lambda a failover.
  void broadcast_attempt(const std::string& provider_message_id, bool failover);

  /// Arrivals not yet accepted or failed, and accepted ones still waiting for a receipt.
  std::int64_t open() const { return open_; }
  std::int64_t awaiting_receipt() const { return awaiting_receipt_; }
  Progress progress(SteadyTime now, std::int64_t total) const;

  /// Fills the report's series, fault classes and timeline; counts the unfinished.
  void fill(report::LoadReport& report);

 private:
  struct Note {
    std::int64_t due_ns = 0;  // from the start
    Channel channel = kEmail;
    std::int8_t first_series = -1;
    std::int8_t last_series = -1;
    std::uint8_t fault = 0;  // index in fault_classes_; 0 is "none"
    std::uint16_t attempts = 0;
    bool arrived = false;
    bool accepted = false;
    bool receipted = false;
    bool failed = false;
    std::uint8_t acks = 0;  // broadcast: one bit per operator
  };
  int series_of(Channel channel, std::string_view provider) const;
  void record_dispatch(Note& note, int series, SteadyTime now);
  report::Interval& interval_at(SteadyTime t);
  std::uint8_t fault_index(std::string_view name);

  SteadyTime start_;
  double interval_s_;
  std::vector<Note> notes_;
  std::vector<report::Series> series_;  // see the constructor for the order
  std::vector<std::string> fault_classes_{"none"};
  std::vector<telemetry::LatencyHistogram> by_fault_;
  std::vector<report::Interval> timeline_;
  telemetry::LatencyHistogram all_dispatch_;
  struct ProviderMessage {
    std::size_t index = 0;
    std::uint8_t op = 0;  // ee, o2, three, vodafone
    std::uint16_t primary_attempts = 0;
  };
  std::unordered_map<std::string, ProviderMessage> broadcast_messages_;
  std::int64_t arrivals_ = 0;
  std::int64_t accepted_ = 0;
  std::int64_t errors_ = 0;
  std::int64_t open_ = 0;
  std::int64_t awaiting_receipt_ = 0;
};

/// The core's Store, reporting status changes to the recorder.
class ObservedStore final : public store::Store {
 public:
  ObservedStore(store::Store& inner, Recorder& recorder) : s_(inner), r_(recorder) {}

  boost::system::result<void> insert_notification(const store::Notification& n) override {
    return s_.insert_notification(n);
  }
  boost::system::result<store::Notification> get_notification(const std::string& id) override {
    return s_.get_notification(id);
  }
  boost::system::result<store::Notification> find_by_reference(
      const std::string& provider, const std::string& reference) override {
    return s_.find_by_reference(provider, reference);
  }
  boost::system::result<void> update_status(const std::string& id, const std::string& new_status,
                                            runtime::TimePoint at, const std::string& provider,
                                            const std::string& reference,
                                            const std::string& failure_reason) override;
  boost::system::result<int> increment_attempts(const std::string& id) override {
    return s_.increment_attempts(id);
  }
  std::vector<store::Notification> list_notifications() override { return s_.list_notifications(); }
  std::size_t count_by_status(const std::string& status) override {
    return s_.count_by_status(status);
  }
  std::size_t count_by_type_status(const std::string& type, const std::string& status) override {
    return s_.count_by_type_status(type, status);
  }
  std::vector<store::Notification> list_sent_since(const std::string& type,
                                                   runtime::TimePoint since) override {
    return s_.list_sent_since(type, since);
  }
  boost::system::result<void> insert_broadcast_message(const store::BroadcastMessage& m) override {
    return s_.insert_broadcast_message(m);
  }
  boost::system::result<void> insert_broadcast_event(const store::BroadcastEvent& e) override {
    return s_.insert_broadcast_event(e);
  }
  boost::system::result<void> insert_broadcast_provider_message(
      const store::BroadcastProviderMessage& m) override;
  boost::system::result<void> update_broadcast_provider_message_status(
      const std::string& id, const std::string& status, runtime::TimePoint at) override;
  boost::system::result<void> add_broadcast_provider_message_error(
      const std::string& id, const std::string& status, runtime::TimePoint at,
      const std::string& error_detail) override {
    return s_.add_broadcast_provider_message_error(id, status, at, error_detail);
  }
  boost::system::result<store::BroadcastProviderMessage> get_broadcast_provider_message(
      const std::string& id) override {
    return s_.get_broadcast_provider_message(id);
  }
  boost::system::result<std::int64_t> next_message_number() override {
    return s_.next_message_number();
  }
  boost::system::result<store::BroadcastEvent> get_broadcast_event(const std::string& id) override {
    return s_.get_broadcast_event(id);
  }
  std::vector<store::BroadcastEvent> list_broadcast_events(const std::string& message_id) override {
    return s_.list_broadcast_events(message_id);
  }
  boost::system::result<store::BroadcastProviderMessage> find_broadcast_provider_message(
      const std::string& event_id, const std::string& provider) override {
    return s_.find_broadcast_provider_message(event_id, provider);
  }
  std::vector<store::BroadcastProviderMessage> list_broadcast_provider_messages() override {
    return s_.list_broadcast_provider_messages();
  }
  std::vector<store::StatusChange> list_notification_status_history() override {
    return s_.list_notification_status_history();
  }
  std::vector<store::StatusChange> list_broadcast_provider_message_status_history() override {
    return s_.list_broadcast_provider_message_status_history();
  }
  boost::system::result<void> insert_inbound_sms(const store::InboundSms& m) override {
    return s_.insert_inbound_sms(m);
  }
  std::vector<store::InboundSms> list_inbound_sms() override { return s_.list_inbound_sms(); }
  boost::system::result<store::RouteAdvice> get_route_advice(const std::string& mno) override {
    return s_.get_route_advice(mno);
  }
  boost::system::result<void> set_route_advice(const store::RouteAdvice& a) override {
    return s_.set_route_advice(a);
  }
  std::vector<store::RouteAdvice> list_route_advice_history() override {
    return s_.list_route_advice_history();
  }
  int schema_version() const override { return s_.schema_version(); }

 private:
  store::Store& s_;
  Recorder& r_;
};

/// An email client that reports each attempt and its outcome.
class ObservedEmailClient final : public email::EmailClient {
 public:
  ObservedEmailClient(email::EmailClient& inner, Recorder& recorder) : c_(inner), r_(recorder) {}
  std::string name() const override { return c_.name(); }
  std::string metrics_name() const override { return c_.metrics_name(); }
  void send_email(const email::EmailMessage& message, email::EmailHandler done) override;

 private:
  email::EmailClient& c_;
  Recorder& r_;
};

class ObservedSmsClient final : public sms::SmsClient {
 public:
  ObservedSmsClient(sms::SmsClient& inner, Recorder& recorder)
      : c_(inner), r_(recorder), name_(inner.name()) {}
  std::string name() const override { return name_; }
  std::string metrics_name() const override { return c_.metrics_name(); }
  void send_sms(const sms::SmsMessage& message, sms::SmsHandler done) override;

 private:
  sms::SmsClient& c_;
  Recorder& r_;
  std::string name_;
};

/// The CBC proxy's Lambda client, reporting each invocation of a broadcast's provider message.
class ObservedLambdaClient final : public broadcast::LambdaClient {
 public:
  ObservedLambdaClient(broadcast::LambdaClient& inner, Recorder& recorder)
      : c_(inner), r_(recorder) {}
  void invoke(const std::string& name, const nlohmann::json& payload,
              std::function<void(broadcast::InvokeResult)> done) override;

 private:
  broadcast::LambdaClient& c_;
  Recorder& r_;
};

}  // namespace notify::load
