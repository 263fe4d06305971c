// The SMS stubs' registrations: what serve prints for them, the variables Notify reads to reach
// them (FIRETEXT_URL and MMG_URL are the full URLs it posts to), where their receipts go by
// default, and their load-test requests.
#include "notify/stubs/sms.hpp"

#include <nlohmann/json.hpp>

namespace notify::stubs {

namespace {

// Load-test numbers in Ofcom's drama range, so a stray send could never reach a phone.
std::string load_number(std::size_t n) {
  std::string digits = std::to_string(n % 1000);
  return "447700900" + std::string(3 - digits.size(), '0') + digits;
}

transport::Request load_firetext(const std::string& base, std::size_t n) {
  transport::Request q;
  q.method = "POST";
  q.target = base + "/api/sendsms/json";
  q.headers.set("Content-Type", "application/x-www-form-urlencoded");
  q.body = "apiKey=load-test-key&from=GOVUK&to=" + load_number(n) +
           "&message=Load+test&reference=load-" + std::to_string(n);
  return q;
}

transport::Request load_firetext_stub(const std::string& base, std::size_t n) {
  transport::Request q = load_firetext(base, n);
  q.target = base + "/firetext";
  return q;
}

transport::Request load_mmg(const std::string& base, std::size_t n) {
  transport::Request q;
  q.method = "POST";
  q.target = base + "/jsonv2a/api.php";
  q.headers.set("Content-Type", "application/json");
  q.headers.set("Authorization", "Basic bG9hZDp0ZXN0");
  q.body =
      nlohmann::json{
          {"reqType", "BULK"}, {"MSISDN", load_number(n)},           {"msg", "Load test"},
          {"sender", "GOVUK"}, {"cid", "load-" + std::to_string(n)}, {"multi", true}}
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return q;
}

transport::Request load_mmg_stub(const std::string& base, std::size_t n) {
  transport::Request q = load_mmg(base, n);
  q.target = base + "/mmg";
  return q;
}

}  // namespace

void register_firetext(StubRegistry& registry) {
  StubSpec spec;
  spec.service = "firetext";
  spec.title = "Firetext";
  spec.make = [] { return make_firetext_stub(); };
  spec.routes = {
      {"POST", "/api/sendsms/json", "Firetext send, JSON answer (Notify's FIRETEXT_URL)"},
      {"POST", "/api/sendsms[/xml]", "Firetext send, plain or XML answer"},
      {"POST", "/firetext", "Notify's SMS provider stub path"}};
  spec.env = [](const std::string& base) {
    return std::vector<EnvVar>{{"FIRETEXT_URL", base + "/api/sendsms/json"},
                               {"FIRETEXT_API_KEY", "notify-sim-firetext-key"},
                               {"FIRETEXT_INTERNATIONAL_API_KEY", "notify-sim-firetext-intl-key"}};
  };
  spec.callback_config = "receipts.callback_url";
  spec.receipt_path = "/notifications/sms/firetext";
  spec.callback_operation = "Receipt";
  spec.inbound_config = "inbound.url";
  spec.inbound_path = "/notifications/sms/receive/firetext";
  // Notify checks the user name "notify" and a password from FIRETEXT_INBOUND_SMS_AUTH.
  spec.inbound_userinfo = "notify:notify-sim-firetext-inbound";
  spec.load_operations = {{"firetext", "Firetext send (form, JSON answer)", load_firetext, nullptr},
                          {"firetext-stub", "Notify's /firetext stub path", load_firetext_stub, nullptr}};
  registry.add(std::move(spec));
}

void register_mmg(StubRegistry& registry) {
  StubSpec spec;
  spec.service = "mmg";
  spec.title = "MMG";
  spec.make = [] { return make_mmg_stub(); };
  spec.routes = {{"POST", "/jsonv2a/api.php", "MMG send, JSON (Notify's MMG_URL)"},
                 {"POST", "/mmg", "Notify's SMS provider stub path"}};
  spec.env = [](const std::string& base) {
    return std::vector<EnvVar>{{"MMG_URL", base + "/jsonv2a/api.php"},
                               {"MMG_API_KEY", "bm90aWZ5LXNpbTptbWc="}};
  };
  spec.callback_config = "receipts.callback_url";
  spec.receipt_path = "/notifications/sms/mmg";
  spec.callback_operation = "Receipt";
  spec.inbound_config = "inbound.url";
  spec.inbound_path = "/notifications/sms/receive/mmg";
  // MMG_INBOUND_SMS_USERNAME and MMG_INBOUND_SMS_AUTH.
  spec.inbound_userinfo = "notify-sim:notify-sim-mmg-inbound";
  spec.load_operations = {{"mmg", "MMG send (JSON, Basic auth)", load_mmg, nullptr},
                          {"mmg-stub", "Notify's /mmg stub path", load_mmg_stub, nullptr}};
  registry.add(std::move(spec));
}

}  // namespace notify::stubs
