// What the corpus's row files share: content types, paths and the small builders of raw
// requests (corpus.cpp has raw() and signed_raw()), and one function per group of rows.
#pragma once

#include "corpus.hpp"

#include <string>
#include <vector>

namespace notify::stubs::malformed::rows {

inline constexpr const char* kForm = "application/x-www-form-urlencoded; charset=utf-8";
inline constexpr const char* kJson = "application/json";
inline constexpr const char* kXml = "application/xml";
inline const std::string kSend =
    "&Destination.ToAddresses.member.1=to%40example.com&Message.Subject.Data=s"
    "&Message.Body.Text.Data=b";
inline const std::string kV2 = "/v2/email/outbound-emails";
inline const std::string kSimple =
    R"("Content":{"Simple":{"Subject":{"Data":"s"},"Body":{"Text":{"Data":"b"}}}})";
inline const std::string kFiretext = "/api/sendsms/json";
inline const std::string kMmg = "/jsonv2a/api.php";
inline const std::string kCbcEe = "/cbc/ee/eu-west-2a";
inline const std::string kCbcVodafone = "/cbc/vodafone/eu-west-2a";
inline const std::string kCap = "urn:oasis:names:tc:emergency:cap:1.2";

inline std::string invoke(const std::string& function, const std::string& query = {}) {
  return "/2015-03-31/functions/" + function + "/invocations" + query;
}

inline std::string form(const std::string& path, const std::string& body,
                 const std::string& type = kForm) {
  return raw("POST", path, {{"Content-Type", type}}, body);
}

inline std::string v1(const std::string& body, HeaderList extra = {}) {
  extra.emplace_back("Content-Type", kForm);
  return raw("POST", "/", extra, body);
}

inline std::string json_post(const std::string& path, const std::string& body, HeaderList extra = {}) {
  extra.emplace_back("Content-Type", kJson);
  return raw("POST", path, extra, body);
}

inline std::string mmg(const std::string& body, const std::string& auth = "Basic abc") {
  return json_post(kMmg, body, {{"Authorization", auth}});
}

inline std::string mmg_send(const std::string& fields) {
  return mmg(R"({"reqType":"BULK","MSISDN":"447700900123","msg":"hi","sender":"GOVUK")" + fields +
             "}");
}

inline std::string ft(const std::string& body, const std::string& path = kFiretext) {
  return form(path, body);
}

inline std::string xml(const std::string& path, const std::string& body) {
  return raw("POST", path, {{"Content-Type", kXml}}, body);
}

inline std::string fault(const std::string& body) { return json_post("/faults", body); }

// A SigV4 header whose signature is right in form and wrong in value.
inline std::string wrong_signature(const std::string& body) {
  std::string signed_request = signed_raw("POST", "/", {{"Content-Type", kForm}}, body, "ses");
  auto at = signed_request.find("Signature=");
  signed_request.replace(at + 10, 4, "0000");
  return signed_request;
}

std::vector<Case> http_framing();
std::vector<Case> ses();
std::vector<Case> sms();
std::vector<Case> sqs();
std::vector<Case> lambda();
std::vector<Case> cbc();
std::vector<Case> control();
std::vector<Case> receipts();

}  // namespace notify::stubs::malformed::rows
