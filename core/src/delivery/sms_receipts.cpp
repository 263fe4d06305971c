// SMS delivery receipts: Notify's notifications_sms_callback endpoints, its
// process_sms_client_response task and notifications_dao._decide_permanent_temporary_failure.
// Both bodies carry the recipient's number (Firetext's mobile, MMG's MSISDN); neither is read.
#include "notify/delivery/sms_receipts.hpp"

#include "notify/delivery/receipt_time.hpp"
#include "notify/delivery/sms_provider_table.hpp"
#include "otel_records.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <utility>

namespace notify::delivery {

namespace {

constexpr std::string_view kLogger = "delivery.sms_receipts";

using nlohmann::json;

SmsReceiptResult fail(std::string why) {
  return SmsReceiptResult(boost::system::in_place_error, std::move(why));
}

// Python's uuid.UUID(s): optional "urn:uuid:" and braces, hyphens anywhere, 32 hex digits.
bool is_uuid(std::string_view s) {
  if (s.substr(0, 9) == "urn:uuid:") s.remove_prefix(9);
  if (!s.empty() && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
  int digits = 0;
  for (unsigned char c : s) {
    if (c == '-') continue;
    if (!std::isxdigit(c)) return false;
    ++digits;
  }
  return digits == 32;
}

struct MmgStatus {
  const char* status;
  std::vector<std::pair<const char*, const char*>> substatus;
};

const std::map<std::string, MmgStatus, std::less<>>& mmg_statuses() {
  static const std::map<std::string, MmgStatus, std::less<>> table = {
      {"2",
       {store::status::kPermanentFailure,
        {{"1", "Number does not exist"},
         {"4", "Rejected by operator"},
         {"5", "Unidentified Subscriber"},
         {"9", "Undelivered"},
         {"11", "Service for Subscriber suspended"},
         {"12", "Illegal equipment"},
         {"2049", "Subscriber IMSI blacklisted"},
         {"2050", "Number blacklisted in do-not-disturb blacklist"},
         {"2052", "Destination number blacklisted"},
         {"2053", "Source address blacklisted"}}}},
      {"3",
       {store::status::kDelivered,
        {{"2", "Delivered to operator"}, {"5", "Delivered to handset"}}}},
      {"4",
       {store::status::kTemporaryFailure,
        {{"6", "Absent Subscriber"},
         {"8", "Roaming not allowed"},
         {"13", "SMS Not Supported"},
         {"15", "Expired"},
         {"27", "Absent Subscriber"},
         {"29", "Invalid delivery report"},
         {"32", "Delivery Failure"}}}},
      {"5",
       {store::status::kPermanentFailure,
        {{"6", "Network out of coverage"},
         {"8", "Incorrect number prefix"},
         {"10", "Number on do-not-disturb service"},
         {"11", "Sender id not registered"},
         {"13", "Sender id blacklisted"},
         {"14", "Destination number blacklisted"},
         {"19", "Routing unavailable"},
         {"20", "Rejected by anti-flooding mechanism"},
         {"21", "System error"},
         {"23", "Duplicate message id"},
         {"24", "Message formatted incorrectly"},
         {"25", "Message too long"},
         {"51", "Missing recipient value"},
         {"52", "Invalid destination"}}}},
  };
  return table;
}

// Python's str() of a JSON value, as Notify's str(data.get("status")) makes it.
std::string python_str(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  if (value.is_null()) return "None";
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

transport::Reply reply(int status, const std::string& text) {
  transport::Reply r;
  r.response.status = status;
  r.response.headers.set("Content-Type", "application/json");
  json body = {{"result", status == 200 ? "success" : "error"}};
  // Anything quoted from a receipt is scrubbed: the body carries a phone number.
  if (!text.empty()) body["message"] = telemetry::scrub_pii(text);
  r.response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

bool updatable(const std::string& status) {
  return status == store::status::kCreated || status == store::status::kSending ||
         status == store::status::kPending || status == store::status::kSent;
}

}  // namespace

const FiretextCode* find_firetext_code(std::string_view code) {
  static constexpr std::array<std::pair<std::string_view, FiretextCode>, 10> kCodes = {{
      {"000", {store::status::kTemporaryFailure, "No error reported"}},
      {"101", {store::status::kPermanentFailure, "Unknown Subscriber"}},
      {"102", {store::status::kTemporaryFailure, "Absent Subscriber"}},
      {"103", {store::status::kTemporaryFailure, "Subscriber Busy"}},
      {"104", {store::status::kTemporaryFailure, "No Subscriber Memory"}},
      {"201", {store::status::kPermanentFailure, "Invalid Number"}},
      {"301", {store::status::kPermanentFailure, "SMS Not Supported"}},
      {"302", {store::status::kTemporaryFailure, "SMS Not Supported"}},
      {"401", {store::status::kPermanentFailure, "Message Rejected"}},
      {"900", {store::status::kTemporaryFailure, "Routing Error"}},
  }};
  for (const auto& [key, value] : kCodes) {
    if (key == code) return &value;
  }
  return nullptr;
}

SmsReceiptResult parse_firetext_receipt(std::string_view form_body) {
  auto form = transport::parse_form(form_body);
  if (!form) return fail("Firetext callback failed: the body is not a form (a bad % escape)");
  SmsReceipt receipt;
  receipt.provider = "firetext";
  receipt.client_name = "Firetext";
  bool has_status = false;
  bool has_reference = false;
  // The first value of each field, as Flask's request.form.get gives it. "mobile" is not read.
  bool has_time = false;
  for (const auto& [name, value] : *form) {
    if (name == "status" && !has_status) {
      receipt.raw_status = value;
      has_status = true;
    } else if (name == "reference" && !has_reference) {
      receipt.reference = value;
      has_reference = true;
    } else if (name == "code" && receipt.detailed_code.empty()) {
      receipt.detailed_code = value;
    } else if (name == "time" && !has_time) {
      receipt.delivered_at = parse_receipt_time(value, NaiveTime::london);
      has_time = true;
    }
  }
  std::string missing;
  if (receipt.raw_status.empty()) missing = "Firetext callback failed: status missing";
  if (receipt.reference.empty()) {
    missing +=
        (missing.empty() ? "" : "; ") + std::string("Firetext callback failed: reference missing");
  }
  if (!missing.empty()) return fail(missing);
  if (!is_uuid(receipt.reference)) {
    return fail("Firetext callback with invalid reference: a notification id (a UUID) is needed");
  }
  if (receipt.raw_status == "0") {
    receipt.status = store::status::kDelivered;
  } else if (receipt.raw_status == "1") {
    receipt.status = store::status::kPermanentFailure;
  } else if (receipt.raw_status == "2") {
    receipt.status = store::status::kPending;
  } else {
    receipt.status = store::status::kTechnicalFailure;
    receipt.status_known = false;
  }
  if (receipt.status_known) {
    if (const auto* code = find_firetext_code(receipt.detailed_code)) {
      receipt.detailed_status = code->reason;
    }
  }
  return receipt;
}

SmsReceiptResult parse_mmg_receipt(std::string_view json_body) {
  auto body = json::parse(json_body, nullptr, false);
  if (body.is_discarded()) return fail("MMG callback failed: the body is not JSON");
  if (!body.is_object()) return fail("MMG callback failed: the body is not a JSON object");
  SmsReceipt receipt;
  receipt.provider = "mmg";
  receipt.client_name = "MMG";
  auto field = [&](const char* name) -> std::string {
    auto it = body.find(name);
    return it == body.end() || it->is_null() ? std::string() : python_str(*it);
  };
  receipt.raw_status = field("status");
  receipt.reference = field("CID");
  receipt.detailed_code = field("substatus");
  if (auto it = body.find("deliverytime"); it != body.end() && it->is_string()) {
    receipt.delivered_at = parse_receipt_time(it->get<std::string>(), NaiveTime::london);
  }
  std::string missing;
  if (receipt.raw_status.empty()) missing = "MMG callback failed: status missing";
  if (receipt.reference.empty()) {
    missing += (missing.empty() ? "" : "; ") + std::string("MMG callback failed: CID missing");
  }
  if (!missing.empty()) return fail(missing);
  if (!is_uuid(receipt.reference)) {
    return fail("MMG callback with invalid CID: a notification id (a UUID) is needed");
  }
  const auto& table = mmg_statuses();
  auto it = table.find(receipt.raw_status);
  if (it == table.end()) {
    receipt.status = store::status::kTechnicalFailure;
    receipt.status_known = false;
    return receipt;
  }
  receipt.status = it->second.status;
  for (const auto& [code, reason] : it->second.substatus) {
    if (receipt.detailed_code == code) receipt.detailed_status = reason;
  }
  return receipt;
}

boost::system::result<std::string> apply_sms_receipt(store::Store& store, runtime::Clock& clock,
                                                     telemetry::Logger& logger,
                                                     telemetry::Metrics& metrics,
                                                     const SmsReceipt& receipt) {
  auto none_or = [](const std::string& s) { return s.empty() ? std::string("None") : s; };
  if (receipt.status_known) {
    logger.info(kLogger, receipt.client_name + " callback returned status of " + receipt.status +
                             "(" + receipt.raw_status + "): " + none_or(receipt.detailed_status) +
                             "(" + none_or(receipt.detailed_code) +
                             ") for reference: " + receipt.reference);
  } else {
    logger.error(kLogger, receipt.client_name + " callback failed: status " + receipt.raw_status +
                              " not found (reference: " + receipt.reference +
                              "); the notification becomes technical-failure");
  }

  auto notification = store.get_notification(receipt.reference);
  if (!notification) {
    logger.warning(kLogger, "Notification not found for id " + receipt.reference +
                                " (when attempting to update to status " + receipt.status + ")");
    return notification.error();
  }
  if (!updatable(notification->status)) {
    logger.warning(kLogger, "Duplicate callback received for notification " + notification->id +
                                ": it is already " + notification->status + ", not changed to " +
                                receipt.status + " by " + receipt.client_name);
    return notification->status;
  }

  std::string sent_by = notification->provider.empty() ? receipt.provider : notification->provider;
  std::string status = receipt.status;
  std::string reason = receipt.detailed_status;
  // A provider whose failures carry a code (Firetext): permanent or temporary by the code;
  // without a known code, a failure after "pending" is temporary.
  const SmsProvider* provider = find_sms_provider(sent_by);
  if (provider != nullptr && provider->failure_by_code &&
      status == store::status::kPermanentFailure) {
    bool decided = false;
    if (!receipt.detailed_code.empty()) {
      if (const auto* code = find_firetext_code(receipt.detailed_code)) {
        decided = true;
        status = code->status;
        reason = code->reason;
        logger.info(kLogger, "Updating notification id " + notification->id + " to status " +
                                 status + ", reason: " + reason);
      } else {
        logger.warning(kLogger, "Failure code " + receipt.detailed_code +
                                    " from Firetext not recognised when processing "
                                    "notification " +
                                    notification->id);
      }
    }
    if (!decided && notification->status == store::status::kPending) {
      status = store::status::kTemporaryFailure;
    }
  }
  if (!receipt.status_known)
    reason = receipt.client_name + " status " + receipt.raw_status + " not known";

  auto now = clock.now();
  std::string failure_reason =
      status == store::status::kDelivered || status == store::status::kPending ? "" : reason;
  auto updated = store.update_status(notification->id, status, now,
                                     notification->provider.empty() ? receipt.provider : "", "",
                                     failure_reason);
  if (!updated) {
    logger.error(kLogger, receipt.client_name + " callback for notification " + notification->id +
                              " could not be stored: " + updated.error().message());
    return updated.error();
  }
  if (metrics.otel()) {
    record_receipt_durations(metrics, *notification, status, receipt.provider, receipt.delivered_at,
                             now);
    // process_sms_client_response counts an international message again for each final
    // receipt, under the status the receipt reported (before the Firetext code and pending
    // rules above, which Notify applies in the DAO). The store keeps no international flag, so
    // it is read from the number, as for notification.sms.international.
    if (receipt.status != store::status::kPending &&
        is_international_number(notification->recipient)) {
      record_international_sms(metrics, receipt.status, notification->recipient);
    }
  } else {
    metrics.incr("callback." + receipt.provider + "." + status);
    if (notification->sent_at) {
      metrics.timing("callback." + receipt.provider + ".elapsed-time",
                     now - *notification->sent_at);
    }
  }
  return status;
}

void add_sms_receipts(ReceiptRouter& router, store::Store& store, runtime::Clock& clock,
                      telemetry::Logger& logger, telemetry::Metrics& metrics) {
  for (const SmsProvider& provider : sms_providers()) {
    auto parse = provider.parse_receipt;
    const std::string client_name = provider.client_name;
    router.add(provider.receipt_path, [&store, &clock, &logger, &metrics, parse, client_name](
                                          transport::Request request, transport::Responder respond) {
      if (request.method != "POST") {
        auto r = reply(405, client_name + " receipts must be POSTed, not sent with " +
                                request.method);
        r.response.headers.set("Allow", "POST");
        respond(std::move(r));
        return;
      }
      auto receipt = parse(request.body);
      if (!receipt) {
        logger.warning(kLogger, "Receipt rejected: " + receipt.error());
        respond(reply(400, receipt.error()));
        return;
      }
      auto applied = apply_sms_receipt(store, clock, logger, metrics, *receipt);
      if (!applied && applied.error() != make_error_code(errc::not_found)) {
        respond(reply(500, "the receipt could not be stored: " + applied.error().message()));
        return;
      }
      // Notify acknowledges every receipt that parses, known notification or not.
      respond(reply(200, {}));
    });
  }
}

}  // namespace notify::delivery
