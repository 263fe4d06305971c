// The Firetext stub: POST (or GET) /api/sendsms[/json|/xml] with apiKey, from, to, message,
// reference and receipt, answered in the format the path asks for, and Notify's own stub path
// /firetext answered as its Go stub does. Receipts are forms (status, reference, code, mobile,
// time) posted to the request's "receipt" URL.
#include "common.hpp"
#include "notify/stubs/text.hpp"

#include "notify/stubs/sms.hpp"

#include <nlohmann/json.hpp>

#include <map>

namespace notify::stubs::sms {

namespace {

using nlohmann::json;

enum class Format { none, json, xml, plain, stub };

Format format_of(std::string_view path) {
  if (path == "/api/sendsms/json") return Format::json;
  if (path == "/api/sendsms/xml") return Format::xml;
  if (path == "/api/sendsms") return Format::plain;
  if (path == "/firetext") return Format::stub;
  return Format::none;
}

// notify-sim's Firetext codes. Only 0 is Firetext's published value; the others are the stub's
// own (docs/stubs/firetext.md), with Notify's test mock for 1.
constexpr int kOk = 0;
constexpr int kSomeError = 1;
constexpr int kAuthFailed = 2;
constexpr int kMissingParameter = 3;
constexpr int kInvalidNumber = 4;
constexpr int kMessageTooLong = 5;
constexpr int kInvalidSender = 6;
constexpr int kInvalidParameter = 7;
constexpr int kUnknownMethod = 8;

transport::Response render(Format format, int code, const std::string& description, int queued,
                           int status = 200) {
  transport::Response r;
  r.status = status;
  switch (format) {
    case Format::xml:
      r.headers.set("Content-Type", "text/xml; charset=utf-8");
      r.body = "<?xml version=\"1.0\"?>\n<response><status><code>" + std::to_string(code) +
               "</code><description>" + xml_escape(description) +
               "</description></status><data responseData=\"" + std::to_string(queued) +
               "\"/></response>";
      break;
    case Format::plain:
      r.headers.set("Content-Type", "text/plain; charset=utf-8");
      r.body = std::to_string(code) + ":" + std::to_string(queued) + " " + description;
      break;
    case Format::stub:
      // Notify's notifications-sms-provider-stub: {"description": ..., "code": 0}.
      r.headers.set("Content-Type", "application/json");
      r.body = "{\"description\":" +
               json(description).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
               ",\"code\":" + std::to_string(code) + "}";
      break;
    case Format::json:
    case Format::none:
      r.headers.set("Content-Type", "application/json");
      r.body = "{\"code\": " + std::to_string(code) + ", \"description\": " +
               json(description).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
               ", \"responseData\": " + std::to_string(queued) + ", \"data\": []}";
      break;
  }
  return r;
}

StubAnswer error_answer(Format format, int code, const std::string& description) {
  StubAnswer a;
  a.response = render(format, code, description, 0);
  a.outcome = "error:" + std::to_string(code);
  return a;
}

// The request's parameters: the form body of a POST (the query string too), or the query of a
// GET. The first value of each name wins. nullopt for a malformed escape.
std::optional<std::map<std::string, std::string>> parameters(const transport::Request& request) {
  std::map<std::string, std::string> out;
  auto add = [&out](std::string_view text) {
    if (text.empty()) return true;
    auto form = transport::parse_form(text);
    if (!form) return false;
    for (auto& [k, v] : *form) out.emplace(k, v);
    return true;
  };
  if (request.method == "POST" && !add(request.body)) return std::nullopt;
  if (!add(request.query())) return std::nullopt;
  return out;
}

std::vector<std::string> split_numbers(const std::string& to) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= to.size()) {
    auto comma = to.find(',', start);
    std::string n =
        to.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!n.empty() && n.front() == ' ') n.erase(n.begin());
    while (!n.empty() && n.back() == ' ') n.pop_back();
    out.push_back(n);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool valid_sender(const std::string& from) {
  if (from.empty()) return false;
  bool digits = from.find_first_not_of("0123456789+") == std::string::npos;
  if (digits) return from.size() <= 15;
  if (from.size() < 3 || from.size() > 11) return false;
  return from.find_first_not_of(
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ") ==
         std::string::npos;
}

transport::Request firetext_receipt(const ReceiptContext& c, const ReceiptStep& step,
                                    runtime::TimePoint now) {
  transport::Request r;
  r.method = "POST";
  r.target = c.url;
  authorize(r, c);
  r.headers.set("Content-Type", "application/x-www-form-urlencoded");
  r.body =
      "mobile=" + transport::url_encode(c.number) + "&status=" + transport::url_encode(step.status);
  if (!step.code.empty()) r.body += "&code=" + transport::url_encode(step.code);
  r.body += "&time=" + transport::url_encode(uk_local_time(now)) +
            "&reference=" + transport::url_encode(c.reference);
  return r;
}

// A message from a handset, as Notify's receive_firetext_sms reads it: a form with source,
// destination, message and time. Firetext writes times as its receipts do, in UK local time.
transport::Request firetext_inbound(const InboundMessage& m, runtime::TimePoint now) {
  transport::Request r;
  r.method = "POST";
  r.target = m.target.url;
  if (!m.target.authorization.empty()) r.headers.set("Authorization", m.target.authorization);
  r.headers.set("Content-Type", "application/x-www-form-urlencoded");
  r.body = "source=" + transport::url_encode(m.from) +
           "&destination=" + transport::url_encode(m.to) +
           "&message=" + transport::url_encode(m.text) +
           "&time=" + transport::url_encode(m.time.empty() ? uk_local_time(now) : m.time);
  return r;
}

Provider firetext_provider() {
  Provider p;
  p.service = "firetext";
  p.prefix = "firetext.";
  p.delivered = {{"0", "000"}};
  p.permanent = {{"1", "101"}};  // Unknown Subscriber
  // Notify's research mode: a temporary failure is "pending" then "undelivered".
  p.temporary = {{"2", ""}, {"1", ""}};
  p.build = &firetext_receipt;
  p.inbound = &firetext_inbound;
  return p;
}

class FiretextStub final : public SmsStub {
 public:
  FiretextStub() : SmsStub(firetext_provider()) {}

  bool accepts(const transport::Request& request) const override {
    std::string_view path = request.path();
    return path == "/firetext" || path.rfind("/api/sendsms", 0) == 0;
  }

  RequestInfo describe(const transport::Request& request) const override {
    RequestInfo info{"firetext", "", "", "Unknown", ""};
    if (format_of(request.path()) == Format::none) return info;
    info.operation = "SendSms";
    if (auto p = parameters(request)) {
      if (auto it = p->find("to"); it != p->end()) info.recipient = split_numbers(it->second)[0];
    }
    return info;
  }

  StubAnswer handle(const Call& call) override {
    const transport::Request& request = call.request;
    Format format = format_of(request.path());
    if (format == Format::none) return not_found(request);
    std::lock_guard lock(mutex_);
    auto faults = receipt_faults(call.error);
    if (!faults) return fault_answer(format, call.error);
    if (request.method != "POST" && request.method != "GET")
      return error_answer(format, kInvalidParameter, "Method not allowed: use POST or GET");
    auto params = parameters(request);
    if (!params) return error_answer(format, kInvalidParameter, "Invalid request encoding");
    auto get = [&](const char* name) -> std::string {
      auto it = params->find(name);
      return it == params->end() ? std::string() : it->second;
    };
    const std::string key = get("apiKey");
    if (key.empty() && (get("username").empty() || get("password").empty()))
      return error_answer(format, kAuthFailed, "Authentication error: no apiKey given");
    if (!key.empty() ? !key_allowed(key) : !options_.api_keys.empty())
      return error_answer(format, kAuthFailed, "Authentication error: invalid apiKey");
    for (const char* field : {"from", "to", "message"}) {
      if (get(field).empty())
        return error_answer(format, kMissingParameter, std::string("Missing parameter: ") + field);
    }
    if (!valid_sender(get("from")))
      return error_answer(format, kInvalidSender,
                          "Invalid 'from': 3 to 11 letters and digits, or a number");
    auto numbers = split_numbers(get("to"));
    for (const auto& n : numbers) {
      if (!valid_number(n)) return error_answer(format, kInvalidNumber, "Invalid 'to' number");
    }
    if (utf8_length(get("message")) > 612)
      return error_answer(format, kMessageTooLong, "Message too long: at most 612 characters");
    const std::string receipt = get("receipt");
    ReceiptTarget target;
    if (!receipt.empty()) {
      auto parsed = receipt_target(receipt);
      if (!parsed)
        return error_answer(format, kInvalidParameter,
                            "Invalid 'receipt': an absolute URL is needed");
      target = std::move(*parsed);
    }
    for (const auto& n : numbers) {
      schedule_receipts(call.seq,
                        ReceiptContext{target.url, target.authorization, n, get("reference"), {}},
                        *faults);
    }
    StubAnswer a;
    a.response = render(format, kOk, "SMS successfully queued", static_cast<int>(numbers.size()));
    a.reference = get("reference");
    a.outcome = "ok";
    return a;
  }

  StubAnswer not_found(const transport::Request& request) const {
    StubAnswer a;
    a.response = render(Format::json, kUnknownMethod,
                        "Unknown API method: " + std::string(request.path()), 0, 404);
    a.outcome = "error:" + std::to_string(kUnknownMethod);
    return a;
  }

 private:
  StubAnswer fault_answer(Format format, const std::string& error) {
    if (error == kFiretextError) return error_answer(format, kSomeError, "Some kind of error");
    if (error == kFiretextAuth)
      return error_answer(format, kAuthFailed, "Authentication error: invalid apiKey");
    StubAnswer a;
    if (error == kFiretextHttp500 || error == kFiretextHttp503) {
      const int status = error == kFiretextHttp500 ? 500 : 503;
      a.response.status = status;
      a.response.headers.set("Content-Type", "text/html");
      a.response.body = "<html><body><h1>" + std::to_string(status) + " " +
                        std::string(transport::reason_phrase(status)) + "</h1></body></html>";
      a.outcome = "error:http_" + std::to_string(status);
      return a;
    }
    // firetext.bad_json (and any name the stub does not know): an answer that is not JSON.
    a.response = render(Format::plain, kOk, "SMS successfully queued", 1);
    a.outcome = "error:bad_json";
    return a;
  }
};

}  // namespace

}  // namespace notify::stubs::sms

namespace notify::stubs {

std::unique_ptr<Stub> make_firetext_stub() { return std::make_unique<sms::FiretextStub>(); }

}  // namespace notify::stubs
