#include "recorder.hpp"

#include "notify/delivery/broadcast_tasks.hpp"
#include "notify/delivery/sms_provider_table.hpp"
#include "notify/runtime/assert.hpp"
#include "run_info.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <limits>

namespace notify::load {
namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// The series, in report order: email's provider, each SMS provider of the provider table, then
// the broadcast operators (one bit each in a Note's acks).
constexpr std::array<const char*, 4> kOperators{"ee", "o2", "three", "vodafone"};
constexpr std::uint8_t kAllOperators = 0xF;
const int kSmsProviders = static_cast<int>(delivery::sms_providers().size());
const int kFirstOperator = 1 + kSmsProviders;

std::int64_t micros(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

// "Throttling" -> "throttling", "MessageRejected" -> "message-rejected", "connection_refused" ->
// "connection-refused": error kinds spelt like the stubs' error names in fault rules.
std::string kebab(std::string_view code) {
  std::string out;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    const bool upper = c >= 'A' && c <= 'Z';
    if (upper && i > 0 &&
        ((code[i - 1] >= 'a' && code[i - 1] <= 'z') || (code[i - 1] >= '0' && code[i - 1] <= '9')))
      out += '-';
    out += c == '_' || c == ' ' ? '-' : upper ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

bool is_final_failure(const std::string& status) {
  return status == store::status::kPermanentFailure || status == store::status::kTemporaryFailure ||
         status == store::status::kTechnicalFailure;
}

}  // namespace

std::string arrival_id(std::size_t index, std::uint32_t kind) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08" PRIx32 "-0000-4000-8000-%012" PRIx64, kind,
                static_cast<std::uint64_t>(index));
  return buf;
}

std::size_t arrival_index(const std::string& id) {
  if (id.size() != 36) return kNone;
  std::size_t n = 0;
  for (std::size_t i = 24; i < 36; ++i) {
    const char c = id[i];
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) return kNone;
    n = n * 16 + static_cast<std::size_t>(v);
  }
  return n;
}

std::string email_recipient(std::size_t index) {
  return "load" + std::to_string(index) + "@example.com";
}

std::size_t email_index(const std::string& address) {
  if (address.rfind("load", 0) != 0) return kNone;
  std::size_t n = 0, i = 4;
  for (; i < address.size() && address[i] >= '0' && address[i] <= '9'; ++i)
    n = n * 10 + static_cast<std::size_t>(address[i] - '0');
  return i > 4 && i < address.size() && address[i] == '@' ? n : kNone;
}

std::string_view fault_class(const Failure& failure) noexcept {
  switch (failure.kind) {
    case FailureKind::none:
      return "none";
    case FailureKind::transport:
      return "connection";
    case FailureKind::timeout:
      return "timeout";
    case FailureKind::throttled:
      return "throttling";
    case FailureKind::provider_5xx:
      return "provider-error";
    case FailureKind::rejected_4xx:
      return "rejected";
    case FailureKind::invalid_request:
      return "invalid-request";
  }
  return "other";
}

Recorder::Recorder(std::size_t total, SteadyTime start, double interval_s)
    : start_(start), interval_s_(interval_s), notes_(total), by_fault_(1) {
  auto add = [this](const char* channel, const std::string& provider) {
    series_.emplace_back();
    series_.back().channel = channel;
    series_.back().provider = provider;
  };
  add("email", "ses");
  for (const auto& p : delivery::sms_providers()) add("sms", p.name);
  for (const char* op : kOperators) add("broadcast", op);
}

int Recorder::series_of(Channel channel, std::string_view provider) const {
  int first = 0, end = 1;
  if (channel == kSms) first = 1, end = kFirstOperator;
  if (channel == kBroadcast) first = kFirstOperator, end = static_cast<int>(series_.size());
  for (int i = first; i < end; ++i)
    if (series_[static_cast<std::size_t>(i)].provider == provider) return i;
  return -1;
}

report::Interval& Recorder::interval_at(SteadyTime t) {
  return load::interval_at(timeline_, start_, interval_s_, t);
}

std::uint8_t Recorder::fault_index(std::string_view name) {
  for (std::size_t i = 0; i < fault_classes_.size(); ++i)
    if (fault_classes_[i] == name) return static_cast<std::uint8_t>(i);
  fault_classes_.emplace_back(name);
  by_fault_.emplace_back();
  return static_cast<std::uint8_t>(fault_classes_.size() - 1);
}

void Recorder::arrived(std::size_t index, Channel channel, SteadyTime due) {
  NOTIFY_ASSERT(index < notes_.size());
  Note& n = notes_[index];
  n.arrived = true;
  n.channel = channel;
  n.due_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(due - start_).count();
  ++arrivals_;
  ++open_;
  ++interval_at(due).arrivals;
  if (channel == kEmail) ++series_[0].arrivals;
  if (channel == kBroadcast)
    for (int op = 0; op < 4; ++op) ++series_[kFirstOperator + op].arrivals;
  // An SMS counts in the series of the provider its first attempt chose.
}

void Recorder::attempt(std::size_t index, std::string_view provider, bool failover) {
  if (index >= notes_.size() || !notes_[index].arrived) return;
  Note& n = notes_[index];
  const int s = series_of(n.channel, provider);
  if (s < 0) return;
  (void)failover;
  if (n.channel == kBroadcast) return;  // counted per provider message: broadcast_attempt
  if (n.attempts == 0) {
    n.first_series = static_cast<std::int8_t>(s);
    if (n.channel == kSms) ++series_[s].arrivals;
  } else {
    ++series_[s].retries;
    if (n.last_series != s) ++series_[s].failovers;
  }
  n.last_series = static_cast<std::int8_t>(s);
  ++n.attempts;
}

void Recorder::record_dispatch(Note& n, int s, SteadyTime now) {
  const auto due = start_ + std::chrono::nanoseconds(n.due_ns);
  const auto us = micros(now - due);
  series_[s].dispatch.record(us);
  ++series_[s].accepted;
  by_fault_[n.fault].record(us);
  all_dispatch_.record(us);
  auto& iv = interval_at(now);
  iv.dispatch.record(us);
  ++iv.accepted;
  ++accepted_;
}

void Recorder::accepted(std::size_t index, std::string_view provider) {
  if (index >= notes_.size() || !notes_[index].arrived) return;
  Note& n = notes_[index];
  const int s = series_of(n.channel, provider);
  if (s < 0 || n.accepted || n.failed) return;
  n.accepted = true;
  record_dispatch(n, s, std::chrono::steady_clock::now());
  --open_;
  ++awaiting_receipt_;
}

void Recorder::attempt_failed(std::size_t index, std::string_view provider, std::string_view code,
                              std::string_view fault) {
  ++errors_;
  ++interval_at(std::chrono::steady_clock::now()).errors;
  if (index >= notes_.size() || !notes_[index].arrived) return;
  Note& n = notes_[index];
  const int s = series_of(n.channel, provider);
  if (s < 0) return;
  ++series_[s].errors[std::string(provider) + "." + kebab(code)];
  if (n.fault == 0) n.fault = fault_index(fault);
}

void Recorder::final_failure(std::size_t index) {
  if (index >= notes_.size() || !notes_[index].arrived) return;
  Note& n = notes_[index];
  if (n.accepted || n.failed) return;
  n.failed = true;
  --open_;
  const int s = n.last_series >= 0 ? n.last_series : n.channel == kSms ? 1 : 0;
  ++series_[s].failed;
}

void Recorder::receipt(std::size_t index, bool failure_status) {
  if (index >= notes_.size()) return;
  Note& n = notes_[index];
  if (!n.accepted || n.receipted || n.last_series < 0) return;
  n.receipted = true;
  --awaiting_receipt_;
  auto& series = series_[n.last_series];
  ++series.receipts;
  if (failure_status) ++series.failed;
  const auto due = start_ + std::chrono::nanoseconds(n.due_ns);
  series.end_to_end.record(micros(std::chrono::steady_clock::now() - due));
}

void Recorder::receipt_duration(std::string_view notification_type, std::string_view provider,
                                bool deliver, double seconds) {
  const Channel channel = notification_type == "sms" ? kSms : kEmail;
  const int s = series_of(channel, provider);
  if (s < 0) return;
  // A provider's time has whole seconds, so it can come before a created_at a fraction of a
  // second later: such a delivery counts as immediate.
  const auto us = static_cast<std::int64_t>(std::max(0.0, seconds) * 1e6);
  (deliver ? series_[s].deliver : series_[s].callback).record(us);
  // Over time: in the interval the core recorded it, which is when the receipt arrived.
  auto& iv = interval_at(std::chrono::steady_clock::now());
  (deliver ? iv.deliver : iv.callback).record(us);
}

void Recorder::broadcast_message(const std::string& id, std::size_t index,
                                 const std::string& provider) {
  const int s = series_of(kBroadcast, provider);
  if (index >= notes_.size() || s < 0) return;
  broadcast_messages_[id] = {index, static_cast<std::uint8_t>(s - kFirstOperator), 0};
}

void Recorder::broadcast_attempt(const std::string& id, bool failover) {
  auto it = broadcast_messages_.find(id);
  if (it == broadcast_messages_.end()) return;
  auto& series = series_[kFirstOperator + it->second.op];
  if (failover) {
    ++series.failovers;
  } else if (it->second.primary_attempts++ > 0) {
    ++series.retries;
  }
}

std::pair<std::size_t, std::string> Recorder::broadcast_lookup(const std::string& id) const {
  auto it = broadcast_messages_.find(id);
  if (it == broadcast_messages_.end()) return {kNone, ""};
  return {it->second.index, kOperators[it->second.op]};
}

void Recorder::broadcast_ack(const std::string& id) {
  auto it = broadcast_messages_.find(id);
  if (it == broadcast_messages_.end()) return;
  Note& n = notes_[it->second.index];
  const std::uint8_t bit = static_cast<std::uint8_t>(1u << it->second.op);
  if ((n.acks & bit) != 0) return;
  n.acks |= bit;
  record_dispatch(n, kFirstOperator + it->second.op, std::chrono::steady_clock::now());
  if (n.acks == kAllOperators) {
    n.accepted = true;
    n.receipted = true;  // broadcasts have no delivery receipt
    --open_;
  }
}

Progress Recorder::progress(SteadyTime now, std::int64_t total) const {
  Progress p;
  p.elapsed_s = std::chrono::duration<double>(now - start_).count();
  p.arrivals = arrivals_;
  p.total = total;
  p.rate = p.elapsed_s > 0 ? static_cast<double>(arrivals_) / p.elapsed_s : 0;
  p.accepted = accepted_;
  p.p99_us = all_dispatch_.percentile(99);
  p.errors = errors_;
  return p;
}

void Recorder::fill(report::LoadReport& report) {
  for (const Note& n : notes_) {
    if (!n.arrived) continue;
    if (n.channel == kBroadcast) {
      for (int op = 0; op < 4; ++op)
        if ((n.acks & (1u << op)) == 0 && !n.failed) ++series_[kFirstOperator + op].unfinished;
    } else if (!n.accepted && !n.failed) {
      const int s = n.last_series >= 0 ? n.last_series : n.channel == kSms ? 1 : 0;
      ++series_[s].unfinished;
      if (n.channel == kSms && n.first_series < 0) ++series_[s].arrivals;
    }
  }
  for (auto& s : series_)
    if (s.arrivals > 0 || s.accepted > 0) report.series.push_back(std::move(s));
  for (std::size_t i = 0; i < fault_classes_.size(); ++i)
    if (by_fault_[i].count() > 0) report.by_fault_class[fault_classes_[i]] = by_fault_[i];
  report.interval_s = interval_s_;
  report.timeline = std::move(timeline_);
}

boost::system::result<void> ObservedStore::update_status(
    const std::string& id, const std::string& new_status, runtime::TimePoint at,
    const std::string& provider, const std::string& reference, const std::string& failure_reason) {
  auto r = s_.update_status(id, new_status, at, provider, reference, failure_reason);
  if (r && new_status != store::status::kSending && new_status != store::status::kSent &&
      new_status != store::status::kCreated) {
    const std::size_t index = arrival_index(id);
    // A task's own final failure comes before any acceptance; a receipt after it.
    r_.final_failure(index);
    r_.receipt(index, is_final_failure(new_status));
  }
  return r;
}

boost::system::result<void> ObservedStore::insert_broadcast_provider_message(
    const store::BroadcastProviderMessage& m) {
  auto r = s_.insert_broadcast_provider_message(m);
  if (r) r_.broadcast_message(m.id, arrival_index(m.broadcast_event_id), m.provider);
  return r;
}

boost::system::result<void> ObservedStore::update_broadcast_provider_message_status(
    const std::string& id, const std::string& status, runtime::TimePoint at) {
  auto r = s_.update_broadcast_provider_message_status(id, status, at);
  if (r && status == delivery::broadcast_status::kReturnedAck) r_.broadcast_ack(id);
  return r;
}

void ObservedEmailClient::send_email(const email::EmailMessage& message, email::EmailHandler done) {
  const std::size_t index = message.to.empty() ? kNone : email_index(message.to.front());
  r_.attempt(index, "ses");
  c_.send_email(message, [this, index, done = std::move(done)](email::EmailResult r) {
    if (r)
      r_.accepted(index, "ses");
    else
      r_.attempt_failed(index, "ses", r.error().code, fault_class(r.error()));
    done(std::move(r));
  });
}

void ObservedSmsClient::send_sms(const sms::SmsMessage& message, sms::SmsHandler done) {
  const std::size_t index = arrival_index(message.reference);
  r_.attempt(index, name_);
  c_.send_sms(message, [this, index, done = std::move(done)](sms::SmsResult r) {
    if (r)
      r_.accepted(index, name_);
    else
      r_.attempt_failed(index, name_, r.error().code, fault_class(r.error()));
    done(std::move(r));
  });
}

void ObservedLambdaClient::invoke(const std::string& name, const nlohmann::json& payload,
                                  std::function<void(broadcast::InvokeResult)> done) {
  std::string id;
  if (payload.is_object()) {
    auto it = payload.find("identifier");
    if (it != payload.end() && it->is_string()) id = it->get<std::string>();
  }
  // Copied out of the structured binding: clang 14 (the fuzz build) cannot capture one.
  auto [found_index, found_provider] = r_.broadcast_lookup(id);
  auto index = found_index;
  auto provider = found_provider;
  // The proxies' Lambdas are "<operator>-1-proxy" and "<operator>-2-proxy"; the second is the
  // failover.
  r_.broadcast_attempt(id, name.find("-2-") != std::string::npos);
  c_.invoke(name, payload,
            [this, index, provider, done = std::move(done)](broadcast::InvokeResult r) {
              using Kind = broadcast::InvokeResult::Kind;
              if (r.kind != Kind::ok) {
                const bool throttled = r.status == 429 ||
                                       r.error.find("TooManyRequests") != std::string::npos ||
                                       r.error.find("Throttl") != std::string::npos;
                const char* fault = r.kind == Kind::unhandled ? "connection"
                                    : throttled               ? "throttling"
                                                              : "provider-error";
                r_.attempt_failed(index, provider,
                                  r.error.empty() ? "status-" + std::to_string(r.status) : r.error,
                                  fault);
              }
              done(std::move(r));
            });
}

}  // namespace notify::load
