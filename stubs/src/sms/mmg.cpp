// The MMG stub: POST /jsonv2a/api.php with a JSON body (reqType, MSISDN, msg, sender, cid,
// multi, delurl) and "Authorization: Basic ...", answered {"reference": "..."} as MMG's guide
// shows, or HTTP 400 {"Error": code, "Description": ...}; Notify's own stub path /mmg answers
// {"Reference": n} as its Go stub does. Receipts are JSON (reference, CID, MSISDN, status,
// substatus, deliverytime) posted to the request's "delurl".
#include "common.hpp"

#include "notify/stubs/sms.hpp"

#include <nlohmann/json.hpp>

namespace notify::stubs::sms {

namespace {

using nlohmann::json;

enum class Route { none, api, stub };

Route route_of(std::string_view path) {
  if (path == "/jsonv2a/api.php") return Route::api;
  if (path == "/mmg") return Route::stub;
  return Route::none;
}

// MMG's error codes. Only 206 is MMG's published value; the others are the stub's own
// (docs/stubs/mmg.md).
constexpr int kInvalidJson = 201;
constexpr int kMissingParameter = 202;
constexpr int kInvalidNumber = 203;
constexpr int kMessageTooLong = 204;
constexpr int kInvalidParameter = 205;
constexpr int kAuthFailed = 206;
constexpr int kSystemError = 299;
constexpr int kUnknownMethod = 404;

StubAnswer error_answer(int code, const std::string& description, int status = 400) {
  StubAnswer a;
  a.response.status = status;
  a.response.headers.set("Content-Type", "application/json");
  a.response.body =
      "{\"Error\": " + std::to_string(code) + ", \"Description\": " +
      json(description).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "}";
  a.outcome = "error:" + std::to_string(code);
  return a;
}

// A JSON string or number as text ("447700900123" or 447700900123); empty otherwise.
// A field given with a type no client sends (a fraction, an object, a list, a boolean). Such a
// field is named as invalid, not reported missing and not read as empty.
bool wrong_type(const json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && !it->is_null() && !it->is_string() && !it->is_number_integer() &&
         !it->is_number_unsigned();
}

std::string text_of(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned() || it->is_number_integer()) return it->dump();
  return {};
}

transport::Request mmg_receipt(const ReceiptContext& c, const ReceiptStep& step,
                               runtime::TimePoint now) {
  transport::Request r;
  r.method = "POST";
  r.target = c.url;
  authorize(r, c);
  r.headers.set("Content-Type", "application/json");
  json body = {{"reference", c.provider_reference},
               {"CID", c.reference},
               {"MSISDN", c.number},
               {"status", step.status},
               {"substatus", step.code},
               {"deliverytime", uk_local_time(now)}};
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

// A message from a handset, as Notify's receive_mmg_sms reads it: JSON with MSISDN, Number,
// Message and DateRecieved (MMG's spelling) form-encoded inside the strings ("some+uri+encoded
// +message%3A", "2017-05-21+11%3A56%3A11", in UTC), and MMG's ID.
transport::Request mmg_inbound(const InboundMessage& m, runtime::TimePoint now) {
  transport::Request r;
  r.method = "POST";
  r.target = m.target.url;
  if (!m.target.authorization.empty()) r.headers.set("Authorization", m.target.authorization);
  r.headers.set("Content-Type", "application/json");
  json body = {{"MSISDN", m.from},
               {"Number", m.to},
               {"Message", transport::url_encode(m.text)},
               {"ID", m.provider_id},
               {"DateRecieved", transport::url_encode(m.time.empty() ? utc_time(now) : m.time)}};
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Provider mmg_provider() {
  Provider p;
  p.service = "mmg";
  p.prefix = "mmg.";
  p.delivered = {{"3", "5"}};   // Delivered to handset
  p.permanent = {{"2", "1"}};   // Number does not exist
  p.temporary = {{"4", "27"}};  // Absent Subscriber
  p.build = &mmg_receipt;
  p.inbound = &mmg_inbound;
  return p;
}

class MmgStub final : public SmsStub {
 public:
  MmgStub() : SmsStub(mmg_provider()) {}

  bool accepts(const transport::Request& request) const override {
    std::string_view path = request.path();
    return path == "/mmg" || path.rfind("/jsonv2a/", 0) == 0 || path == "/jsonv2a";
  }

  RequestInfo describe(const transport::Request& request) const override {
    RequestInfo info{"mmg", "", "", "Unknown", ""};
    if (route_of(request.path()) == Route::none) return info;
    info.operation = "SendSms";
    auto body = json::parse(request.body, nullptr, false);
    if (body.is_object()) info.recipient = text_of(body, "MSISDN");
    return info;
  }

  StubAnswer handle(const Call& call) override {
    const transport::Request& request = call.request;
    const Route route = route_of(request.path());
    if (route == Route::none) return not_found(request);
    std::lock_guard lock(mutex_);
    auto faults = receipt_faults(call.error);
    if (!faults) return fault_answer(call.error);
    if (request.method != "POST") return error_answer(kInvalidParameter, "Use POST");
    std::string_view auth = request.headers.get_or("Authorization", "");
    constexpr std::string_view kBasic = "Basic ";
    if (auth.size() <= kBasic.size() || auth.substr(0, kBasic.size()) != kBasic ||
        !key_allowed(std::string(auth.substr(kBasic.size()))))
      return error_answer(kAuthFailed, "Invalid username or password");
    auto body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return error_answer(kInvalidJson, "Invalid JSON request");
    for (const char* field : {"reqType", "MSISDN", "msg", "sender", "cid"}) {
      if (!wrong_type(body, field)) continue;
      if (std::string_view(field) == "MSISDN")
        return error_answer(kInvalidNumber, "Invalid MSISDN");
      return error_answer(kInvalidParameter,
                          std::string("Invalid ") + field + ": a string is needed");
    }
    for (const char* field : {"reqType", "MSISDN", "msg", "sender"}) {
      if (text_of(body, field).empty())
        return error_answer(kMissingParameter, std::string("Missing parameter: ") + field);
    }
    if (text_of(body, "reqType") != "BULK")
      return error_answer(kInvalidParameter, "Invalid reqType: expected BULK");
    const std::string number = text_of(body, "MSISDN");
    if (!valid_number(number)) return error_answer(kInvalidNumber, "Invalid MSISDN");
    bool multi = false;
    if (auto it = body.find("multi"); it != body.end()) {
      if (!it->is_boolean()) return error_answer(kInvalidParameter, "Invalid multi: true or false");
      multi = it->get<bool>();
    }
    const std::size_t length = utf8_length(text_of(body, "msg"));
    if (length > (multi ? 918u : 160u))
      return error_answer(kMessageTooLong,
                          multi ? "Message too long" : "Message too long: set multi for > 160");
    ReceiptTarget delurl;
    if (auto it = body.find("delurl"); it != body.end() && !it->is_null()) {
      auto target = it->is_string() ? receipt_target(it->get<std::string>()) : std::nullopt;
      if (!target)
        return error_answer(kInvalidParameter, "Invalid delurl: an absolute URL is needed");
      delurl = std::move(*target);
    }
    const std::uint64_t reference = services_->rng().uniform_int(10'000'000, 99'999'999);
    schedule_receipts(
        call.seq,
        ReceiptContext{delurl.url, delurl.authorization, number, text_of(body, "cid"),
                       std::to_string(reference)},
        *faults);
    StubAnswer a;
    a.response.headers.set("Content-Type", "application/json");
    // MMG's guide: {"reference": "42"}; Notify's Go stub and its mocks: {"Reference": 42}.
    a.response.body = route == Route::api
                          ? json{{"reference", std::to_string(reference)}}.dump(
                                -1, ' ', false, nlohmann::json::error_handler_t::replace)
                          : json{{"Reference", reference}}.dump(
                                -1, ' ', false, nlohmann::json::error_handler_t::replace);
    // Journaled under the client's own reference (cid), the key its receipts carry back, as
    // Firetext's entries are; MMG's number is in the answer body.
    a.reference = text_of(body, "cid");
    a.outcome = "ok";
    return a;
  }

  StubAnswer not_found(const transport::Request& request) const {
    return error_answer(kUnknownMethod, "Unknown API method: " + std::string(request.path()), 404);
  }

 private:
  StubAnswer fault_answer(const std::string& error) {
    if (error == kMmgError) return error_answer(kSystemError, "System error, please try again");
    if (error == kMmgAuth) return error_answer(kAuthFailed, "Invalid username or password");
    StubAnswer a;
    if (error == kMmgHttp500 || error == kMmgHttp503) {
      const int status = error == kMmgHttp500 ? 500 : 503;
      a.response.status = status;
      a.response.headers.set("Content-Type", "text/html");
      a.response.body = "<html><body><h1>" + std::to_string(status) + " " +
                        std::string(transport::reason_phrase(status)) + "</h1></body></html>";
      a.outcome = "error:http_" + std::to_string(status);
      return a;
    }
    // mmg.bad_json: MMG's older text answer, which is not JSON.
    a.response.headers.set("Content-Type", "text/plain");
    a.response.body = "Success 100, 42";
    a.outcome = "error:bad_json";
    return a;
  }
};

}  // namespace

}  // namespace notify::stubs::sms

namespace notify::stubs {

std::unique_ptr<Stub> make_mmg_stub() { return std::make_unique<sms::MmgStub>(); }

}  // namespace notify::stubs
