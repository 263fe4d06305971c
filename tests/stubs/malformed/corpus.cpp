// The rows of the malformed-input corpus. Add a row by picking the listener, writing the bytes
// (raw() frames an ordinary request; a literal string frames a broken one) and stating what the
// provider answers: docs/stubs/*.md and shared/spec/wire-formats.md say which status and code.
#include "corpus.hpp"
#include "corpus_rows.hpp"

#include "notify/aws/sigv4.hpp"
#include "notify/broadcast/render.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>

namespace notify::stubs::malformed {
namespace rows {

std::vector<Case> http_framing() {
  const After closed = After::closed;
  return {
      {"http_request_line_garbage", Target::edge, "GARBAGE\r\n\r\n", 400, Shape::http, "", closed},
      {"http_version_unknown", Target::edge, "GET /ses HTTP/9.9\r\nHost: x\r\n\r\n", 400,
       Shape::http, "", closed},
      {"http_method_with_bad_characters", Target::edge, "G(T /ses HTTP/1.1\r\nHost: x\r\n\r\n", 400,
       Shape::http, "", closed},
      {"http_header_without_colon", Target::edge, "GET /ses HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
       400, Shape::http, "", closed},
      {"http_header_name_with_space", Target::edge,
       "GET /ses HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n", 400, Shape::http, "", closed},
      {"http_header_value_control_byte", Target::edge,
       std::string("GET /ses HTTP/1.1\r\nHost: x\r\nX-A: a\x01z\r\n\r\n"), 400, Shape::http, "",
       closed},
      {"http_bare_line_feeds", Target::edge, "GET /ses HTTP/1.1\nHost: x\n\n", 400, Shape::http, "",
       closed},
      {"http_nul_in_target", Target::edge,
       std::string("GET /s") + '\0' + "es HTTP/1.1\r\nHost: x\r\n\r\n", 400, Shape::http, "",
       closed},
      {"http_header_over_limit", Target::edge,
       "GET /ses HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20'000, 'a') + "\r\n\r\n", 431,
       Shape::http, "", closed},
      {"http_target_over_limit", Target::edge,
       "GET /" + std::string(20'000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 431, Shape::http, "",
       closed},
      {"http_content_length_not_a_number", Target::edge,
       "POST /ses HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, Shape::http, "",
       closed},
      {"http_content_length_negative", Target::edge,
       "POST /ses HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, Shape::http, "", closed},
      {"http_content_length_twice_differing", Target::edge,
       "POST /ses HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400,
       Shape::http, "", closed},
      {"http_content_length_overflows", Target::edge,
       "POST /ses HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400,
       Shape::http, "", closed},
      {"http_body_over_limit", Target::edge,
       "POST /ses HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n", 413, Shape::http, "",
       closed},
      {"http_chunk_size_not_hex", Target::edge,
       "POST /ses HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
       400, Shape::http, "", closed},
      {"http_chunk_size_overflows", Target::edge,
       "POST /ses HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
       400, Shape::http, "", closed},
      {"http_chunked_and_content_length", Target::edge,
       "POST /ses HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
       "3\r\nabc\r\n0\r\n\r\n",
       400, Shape::http, "", closed},
      // RFC 9112 6.1: a request whose final transfer coding is not chunked has no knowable
      // length; the server must answer 400 and close, or the body is read as the next request.
      {"http_transfer_encoding_not_chunked", Target::edge,
       "POST /ses HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc", 400, Shape::http, "",
       closed},
      // RFC 9112 3.2: an HTTP/1.1 request without exactly one Host is a 400.
      {"http_host_missing", Target::edge, "GET /ses HTTP/1.1\r\n\r\n", 400, Shape::http, "",
       closed},
      {"http_host_twice", Target::edge, "GET /ses HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
       Shape::http, "", closed},
      {"http_body_cut_short", Target::edge,
       "POST /ses HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-part", 0, Shape::none, "",
       closed, "", true},
      {"http_admin_request_line_garbage", Target::admin, "GARBAGE\r\n\r\n", 400, Shape::http, "",
       closed},
      {"edge_no_stub_for_path", Target::edge, raw("GET", "/nothing/here", {}), 404, Shape::edge,
       ""},
  };
}

std::vector<Case> control() {
  return {
      {"control_body_not_json", Target::admin, fault("{nope"), 400, Shape::control, "body"},
      {"control_body_not_utf8", Target::admin, fault("{\"id\":\"\xff\"}"), 400, Shape::control,
       "body"},
      {"control_rule_a_number", Target::admin, fault("5"), 400, Shape::control, "body"},
      {"control_unknown_action_type", Target::admin, fault(R"({"action":{"type":"explode"}})"), 400,
       Shape::control, "action.type"},
      {"control_action_missing", Target::admin, fault(R"({"match":{"service":"ses"}})"), 400,
       Shape::control, "action"},
      {"control_unknown_service", Target::admin,
       fault(R"({"match":{"service":"smtp"},"action":{"type":"refuse"}})"), 400, Shape::control,
       "match.service"},
      {"control_unknown_selector", Target::admin,
       fault(R"({"match":{"colour":"red"},"action":{"type":"refuse"}})"), 400, Shape::control,
       "match.colour"},
      {"control_selector_not_a_string", Target::admin,
       fault(R"({"match":{"service":5},"action":{"type":"refuse"}})"), 400, Shape::control,
       "match.service"},
      {"control_unknown_error_name", Target::admin,
       fault(R"({"action":{"type":"error","name":"ses.throtling"}})"), 400, Shape::control,
       "action.name"},
      {"control_probability_above_one", Target::admin,
       fault(R"({"action":{"type":"refuse"},"trigger":{"probability":2}})"), 400, Shape::control,
       "trigger.probability"},
      {"control_every_out_of_range", Target::admin,
       fault(R"({"action":{"type":"refuse"},"trigger":{"every":1e300}})"), 400, Shape::control,
       "trigger.every"},
      {"control_one_bad_rule_in_a_list", Target::admin,
       fault(R"({"faults":[{"action":{"type":"refuse"}},{"action":{"type":"nope"}}]})"), 400,
       Shape::control, "faults[1].action.type"},
      {"control_duplicate_ids_in_a_list", Target::admin,
       fault(R"([{"id":"a","action":{"type":"refuse"}},{"id":"a","action":{"type":"refuse"}}])"),
       400, Shape::control, "faults[1].id"},
      {"control_put_id_differs_from_path", Target::admin,
       raw("PUT", "/faults/zzz", {{"Content-Type", kJson}},
           R"({"id":"other","action":{"type":"refuse"}})"),
       400, Shape::control, "id"},
      {"control_unknown_rule", Target::admin, raw("GET", "/faults/zzz", {}), 404, Shape::control,
       "id"},
      {"control_journal_unknown_parameter", Target::admin, raw("GET", "/journal?colour=red", {}),
       400, Shape::control, "colour"},
      {"control_journal_limit_not_a_number", Target::admin, raw("GET", "/journal?limit=abc", {}),
       400, Shape::control, "limit"},
      {"control_journal_since_not_a_number", Target::admin, raw("GET", "/journal?since_ms=x", {}),
       400, Shape::control, "since_ms"},
      {"control_journal_bad_percent_escape", Target::admin, raw("GET", "/journal?service=%ZZ", {}),
       400, Shape::control, "query"},
      {"control_journal_parameter_twice", Target::admin, raw("GET", "/journal?limit=1&limit=2", {}),
       400, Shape::control, "limit"},
      {"control_stream_interval_too_long", Target::admin,
       raw("GET", "/journal/stream?interval_ms=60001", {}), 400, Shape::control, "interval_ms"},
      {"control_stream_latest_zero", Target::admin, raw("GET", "/journal/stream?latest=0", {}),
       400, Shape::control, "latest"},
      {"control_wait_count_zero", Target::admin, raw("GET", "/journal/wait?count=0", {}), 400,
       Shape::control, "count"},
      {"control_wait_timeout_too_long", Target::admin,
       raw("GET", "/journal/wait?timeout_ms=999999", {}), 400, Shape::control, "timeout_ms"},
      {"control_unknown_path", Target::admin, raw("GET", "/nothing", {}), 404, Shape::control, ""},
      {"control_wrong_method", Target::admin, raw("PATCH", "/faults", {}), 405, Shape::control, "",
       After::keep_alive, "Allow: GET, POST, DELETE"},
  };
}

std::vector<Case> receipts() {
  const std::string ses = "/notifications/email/ses";
  const std::string firetext = "/notifications/sms/firetext";
  const std::string mmg = "/notifications/sms/mmg";
  const std::string id = kNotificationId;
  return {
      {"receipt_ses_not_json", Target::receipts, json_post(ses, "{nope"), 400, Shape::receipt, ""},
      {"receipt_ses_not_an_sns_envelope", Target::receipts, json_post(ses, R"({"a":1})"), 400,
       Shape::receipt, ""},
      {"receipt_ses_message_not_json", Target::receipts,
       json_post(ses, R"({"Type":"Notification","MessageId":"m","Message":"{nope"})"), 400,
       Shape::receipt, ""},
      {"receipt_ses_wrong_method", Target::receipts, raw("GET", ses, {}), 405, Shape::receipt, "",
       After::keep_alive, "Allow: POST"},
      {"receipt_firetext_no_reference", Target::receipts,
       form(firetext, "mobile=447700900123&status=0&code=000"), 400, Shape::receipt, ""},
      {"receipt_firetext_no_status", Target::receipts,
       form(firetext, "mobile=447700900123&code=000&reference=" + id), 400, Shape::receipt, ""},
      {"receipt_firetext_bad_percent_escape", Target::receipts,
       form(firetext, "mobile=447700900123&status=0&reference=%ZZ"), 400, Shape::receipt, ""},
      {"receipt_mmg_not_json", Target::receipts, json_post(mmg, "{nope"), 400, Shape::receipt, ""},
      {"receipt_mmg_not_utf8", Target::receipts, json_post(mmg, "{\"status\":\"\xff\"}"), 400,
       Shape::receipt, ""},
      {"receipt_mmg_no_cid", Target::receipts,
       json_post(mmg, R"({"status":"3","MSISDN":"447700900123"})"), 400, Shape::receipt, ""},
      {"receipt_mmg_cid_not_a_notification_id", Target::receipts,
       json_post(mmg, R"({"status":"3","CID":"x","MSISDN":"447700900123"})"), 400, Shape::receipt,
       ""},
      {"receipt_unknown_path", Target::receipts, json_post("/notifications/sms/nobody", "{}"), 404,
       Shape::receipt, ""},
  };
}

}  // namespace rows

std::string raw(const std::string& method, const std::string& target, const HeaderList& headers,
                const std::string& body) {
  std::string out = method + " " + target + " HTTP/1.1\r\n";
  bool host = false;
  for (const auto& [name, value] : headers) {
    host = host || name == "Host";
    out += name + ": " + value + "\r\n";
  }
  if (!host) out += "Host: 127.0.0.1\r\n";
  if (!body.empty() || method == "POST" || method == "PUT")
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

std::string signed_raw(const std::string& method, const std::string& target, HeaderList headers,
                       const std::string& body, const std::string& service,
                       const std::string& access_key_id, int age_s) {
  transport::Request r;
  r.method = method;
  r.target = "http://127.0.0.1" + target;
  for (const auto& [name, value] : headers) r.headers.set(name, value);
  r.body = body;
  aws::SigV4Scope scope{access_key_id, kSecret, "", "eu-west-2", service};
  // Wire tests run on the system clock, as the server does.
  const auto now = std::chrono::system_clock::now() - std::chrono::seconds(age_s);
  aws::sign_request(r, scope, std::chrono::time_point_cast<runtime::Duration>(now));
  HeaderList out;
  for (const auto& [name, value] : r.headers) out.emplace_back(name, value);
  return raw(method, target, out, body);
}

std::string alert_document(const std::string& identifier, const std::string& format) {
  auto stamp = [](std::chrono::system_clock::time_point t) {
    std::time_t s = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&s, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S-00:00", &tm);
    return std::string(text);
  };
  const auto now = std::chrono::system_clock::now();
  nlohmann::json p = {
      {"message_type", "alert"},
      {"identifier", identifier},
      {"message_format", format},
      {"headline", "GOV.UK Notify Broadcast"},
      {"description", "Flood warning"},
      {"areas",
       {{{"polygon", {{51.12, -1.2}, {51.12, 1.2}, {51.74, 1.2}, {51.74, -1.2}, {51.12, -1.2}}}}}},
      {"sent", stamp(now)},
      {"expires", stamp(now + std::chrono::hours(4))},
      {"language", format == "cap" ? "en-GB" : "English"},
      {"channel", "severe"}};
  if (format == "ibag") {
    char number[16];
    std::snprintf(number, sizeof number, "%08zx", std::hash<std::string>{}(identifier)&0xffffff);
    p["message_number"] = number;
  }
  auto document = broadcast::render_json(p);
  return document ? *document : "render failed: " + document.error().message;
}

std::vector<Case> corpus() {
  std::vector<Case> all;
  using namespace rows;
  for (auto part : {http_framing(), ses(), sms(), lambda(), sqs(), cbc(), control(), receipts()})
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

}  // namespace notify::stubs::malformed
