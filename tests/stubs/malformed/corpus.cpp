// The rows of the malformed-input corpus. Add a row by picking the listener, writing the bytes
// (raw() frames an ordinary request; a literal string frames a broken one) and stating what the
// provider answers: docs/stubs/*.md and shared/spec/wire-formats.md say which status and code.
#include "corpus.hpp"

#include "notify/aws/sigv4.hpp"
#include "notify/broadcast/render.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>

namespace notify::stubs::malformed {
namespace {

constexpr const char* kForm = "application/x-www-form-urlencoded; charset=utf-8";
constexpr const char* kJson = "application/json";
constexpr const char* kXml = "application/xml";
const std::string kSend =
    "&Destination.ToAddresses.member.1=to%40example.com&Message.Subject.Data=s"
    "&Message.Body.Text.Data=b";
const std::string kV2 = "/v2/email/outbound-emails";
const std::string kSimple =
    R"("Content":{"Simple":{"Subject":{"Data":"s"},"Body":{"Text":{"Data":"b"}}}})";
const std::string kFiretext = "/api/sendsms/json";
const std::string kMmg = "/jsonv2a/api.php";
const std::string kCbcEe = "/cbc/ee/eu-west-2a";
const std::string kCbcVodafone = "/cbc/vodafone/eu-west-2a";
const std::string kCap = "urn:oasis:names:tc:emergency:cap:1.2";

std::string invoke(const std::string& function, const std::string& query = {}) {
  return "/2015-03-31/functions/" + function + "/invocations" + query;
}

std::string form(const std::string& path, const std::string& body,
                 const std::string& type = kForm) {
  return raw("POST", path, {{"Content-Type", type}}, body);
}

std::string v1(const std::string& body, HeaderList extra = {}) {
  extra.emplace_back("Content-Type", kForm);
  return raw("POST", "/", extra, body);
}

std::string json_post(const std::string& path, const std::string& body, HeaderList extra = {}) {
  extra.emplace_back("Content-Type", kJson);
  return raw("POST", path, extra, body);
}

std::string mmg(const std::string& body, const std::string& auth = "Basic abc") {
  return json_post(kMmg, body, {{"Authorization", auth}});
}

std::string mmg_send(const std::string& fields) {
  return mmg(R"({"reqType":"BULK","MSISDN":"447700900123","msg":"hi","sender":"GOVUK")" + fields +
             "}");
}

std::string ft(const std::string& body, const std::string& path = kFiretext) {
  return form(path, body);
}

std::string xml(const std::string& path, const std::string& body) {
  return raw("POST", path, {{"Content-Type", kXml}}, body);
}

std::string fault(const std::string& body) { return json_post("/faults", body); }

// A SigV4 header whose signature is right in form and wrong in value.
std::string wrong_signature(const std::string& body) {
  std::string signed_request = signed_raw("POST", "/", {{"Content-Type", kForm}}, body, "ses");
  auto at = signed_request.find("Signature=");
  signed_request.replace(at + 10, 4, "0000");
  return signed_request;
}

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

std::vector<Case> ses() {
  return {
      {"ses_v1_missing_action", Target::edge, v1("Version=2010-12-01"), 400, Shape::ses_v1,
       "MissingAction"},
      {"ses_v1_unknown_action", Target::edge, v1("Action=VerifyEmailIdentity&Version=2010-12-01"),
       400, Shape::ses_v1, "InvalidAction"},
      {"ses_v1_unknown_version", Target::ses, v1("Action=GetSendQuota&Version=2099-01-01"), 400,
       Shape::ses_v1, "NoSuchVersion"},
      {"ses_v1_form_bad_percent_escape", Target::edge, v1("Action=SendEmail&Source=%ZZ"), 400,
       Shape::ses_v1, "InvalidQueryParameter"},
      {"ses_v1_query_bad_percent_escape", Target::ses, raw("GET", "/?Action=Get%ZZ", {}), 404,
       Shape::ses_v1, "MalformedQueryString"},
      {"ses_v1_form_with_wrong_content_type", Target::edge,
       form("/", "Action=SendEmail&Source=a%40b.com", "text/plain"), 400, Shape::ses_v1,
       "InvalidQueryParameter"},
      {"ses_v1_missing_source", Target::edge, v1("Action=SendEmail&Version=2010-12-01" + kSend),
       400, Shape::ses_v1, "MissingParameter"},
      {"ses_v1_missing_destination", Target::edge,
       v1("Action=SendEmail&Version=2010-12-01&Source=a%40b.com&Message.Subject.Data=s"
          "&Message.Body.Text.Data=b"),
       400, Shape::ses_v1, "MissingParameter"},
      {"ses_v1_source_not_an_address", Target::edge,
       v1("Action=SendEmail&Version=2010-12-01&Source=nobody" + kSend), 400, Shape::ses_v1,
       "InvalidParameterValue"},
      {"ses_v1_source_not_utf8", Target::edge,
       v1("Action=SendEmail&Version=2010-12-01&Source=a\xff%40b.com" + kSend), 400, Shape::ses_v1,
       "InvalidParameterValue"},
      {"ses_v1_raw_message_not_base64", Target::edge,
       v1("Action=SendRawEmail&Version=2010-12-01&RawMessage.Data=!!!!"), 400, Shape::ses_v1,
       "InvalidParameterValue"},
      {"ses_v1_subject_over_header_limit", Target::ses,
       v1("Action=SendEmail&Version=2010-12-01&Source=a%40b.com"
          "&Destination.ToAddresses.member.1=to%40example.com&Message.Subject.Data=" +
          std::string(2'000, 'x') + "&Message.Body.Text.Data=b"),
       400, Shape::ses_v1, "InvalidParameterValue"},
      {"ses_v1_member_index_zero", Target::edge,
       v1("Action=SendEmail&Version=2010-12-01&Source=a%40b.com"
          "&Destination.ToAddresses.member.0=to%40example.com&Message.Subject.Data=s"
          "&Message.Body.Text.Data=b"),
       400, Shape::ses_v1, "MessageRejected"},
      {"ses_v1_authorization_malformed", Target::edge,
       v1("Action=GetSendQuota&Version=2010-12-01", {{"Authorization", "AWS4-HMAC-SHA256 x"}}), 400,
       Shape::ses_v1, "IncompleteSignature"},
      {"ses_v1_strict_no_authorization", Target::strict,
       v1("Action=GetSendQuota&Version=2010-12-01"), 403, Shape::ses_v1,
       "MissingAuthenticationToken"},
      {"ses_v1_strict_unknown_access_key", Target::strict,
       signed_raw("POST", "/", {{"Content-Type", kForm}}, "Action=GetSendQuota&Version=2010-12-01",
                  "ses", "AKIDUNKNOWN"),
       403, Shape::ses_v1, "InvalidClientTokenId"},
      {"ses_v1_strict_wrong_signature", Target::strict,
       wrong_signature("Action=GetSendQuota&Version=2010-12-01"), 403, Shape::ses_v1,
       "SignatureDoesNotMatch"},
      {"ses_v1_strict_signed_an_hour_ago", Target::strict,
       signed_raw("POST", "/", {{"Content-Type", kForm}}, "Action=GetSendQuota&Version=2010-12-01",
                  "ses", "AKIDEXAMPLE", 3600),
       400, Shape::ses_v1, "RequestExpired"},
      {"ses_v2_body_not_json", Target::edge, json_post(kV2, "{nope"), 400, Shape::ses_v2,
       "BadRequestException"},
      {"ses_v2_body_an_array", Target::edge, json_post(kV2, "[1,2]"), 400, Shape::ses_v2,
       "BadRequestException"},
      {"ses_v2_content_a_string", Target::edge, json_post(kV2, R"({"Content":"x"})"), 400,
       Shape::ses_v2, "BadRequestException"},
      {"ses_v2_content_missing", Target::edge, json_post(kV2, R"({"FromEmailAddress":"a@b.com"})"),
       400, Shape::ses_v2, "BadRequestException"},
      {"ses_v2_to_addresses_not_a_list", Target::edge,
       json_post(kV2, R"({"FromEmailAddress":"a@b.com","Destination":{"ToAddresses":"x@y.com"},)" +
                          kSimple + "}"),
       400, Shape::ses_v2, "BadRequestException"},
      {"ses_v2_number_out_of_range", Target::edge,
       json_post(kV2, R"({"FromEmailAddress":1e999999,)" + kSimple + "}"), 400, Shape::ses_v2,
       "BadRequestException"},
      {"ses_v2_body_not_utf8", Target::edge,
       json_post(kV2, "{\"FromEmailAddress\":\"a\xff@b.com\"," + kSimple + "}"), 400, Shape::ses_v2,
       "BadRequestException"},
      {"ses_v2_raw_message_not_base64", Target::edge,
       json_post(kV2, R"({"Content":{"Raw":{"Data":"!!!"}}})"), 400, Shape::ses_v2,
       "BadRequestException"},
      {"ses_v2_unknown_operation", Target::edge, raw("GET", kV2, {}), 404, Shape::ses_v2,
       "NotFoundException"},
      {"ses_contract_wrong_method", Target::edge, raw("PUT", "/ses", {}, "x"), 405,
       Shape::ses_contract, "MethodNotAllowed"},
  };
}

std::vector<Case> sms() {
  const std::string ok = "from=GOVUK&to=447700900123&message=hi";
  return {
      {"firetext_no_api_key", Target::edge, ft(ok), 200, Shape::firetext_json, "2"},
      {"firetext_missing_to", Target::edge, ft("apiKey=k&from=GOVUK&message=hi"), 200,
       Shape::firetext_json, "3"},
      {"firetext_missing_message", Target::firetext, ft("apiKey=k&from=GOVUK&to=447700900123"), 200,
       Shape::firetext_json, "3"},
      {"firetext_number_not_digits", Target::edge, ft("apiKey=k&from=GOVUK&to=12ab&message=hi"),
       200, Shape::firetext_json, "4"},
      {"firetext_sender_too_short", Target::edge, ft("apiKey=k&from=A&to=447700900123&message=hi"),
       200, Shape::firetext_json, "6"},
      {"firetext_message_too_long", Target::edge,
       ft("apiKey=k&from=GOVUK&to=447700900123&message=" + std::string(700, 'x')), 200,
       Shape::firetext_json, "5"},
      {"firetext_bad_percent_escape", Target::edge, ft("apiKey=k&" + ok + "%G1"), 200,
       Shape::firetext_json, "7"},
      {"firetext_receipt_not_a_url", Target::edge, ft("apiKey=k&" + ok + "&receipt=nope"), 200,
       Shape::firetext_json, "7"},
      // Receipt URLs with credentials (Notify's user:pass@) that no URL parser would take.
      {"firetext_receipt_empty_user", Target::edge,
       ft("apiKey=k&" + ok + "&receipt=https%3A%2F%2F%3Apass%40h%2Fr"), 200, Shape::firetext_json,
       "7"},
      {"firetext_receipt_password_bad_escape", Target::edge,
       ft("apiKey=k&" + ok + "&receipt=https%3A%2F%2Fu%3Ap%25zz%40h%2Fr"), 200,
       Shape::firetext_json, "7"},
      {"firetext_receipt_password_unescaped_at", Target::firetext,
       ft("apiKey=k&" + ok + "&receipt=https%3A%2F%2Fu%3Ap%40ss%40h%2Fr"), 200,
       Shape::firetext_json, "7"},
      {"firetext_receipt_userinfo_space", Target::edge,
       ft("apiKey=k&" + ok + "&receipt=https%3A%2F%2Fu+p%3Ax%40h%2Fr"), 200, Shape::firetext_json,
       "7"},
      {"firetext_receipt_userinfo_no_host", Target::edge,
       ft("apiKey=k&" + ok + "&receipt=https%3A%2F%2Fu%3Ax%40%2Fr"), 200, Shape::firetext_json,
       "7"},
      {"firetext_plain_format_no_api_key", Target::edge, ft(ok, "/api/sendsms"), 200,
       Shape::firetext_plain, "2"},
      {"firetext_xml_format_no_api_key", Target::edge, ft(ok, "/api/sendsms/xml"), 200,
       Shape::firetext_xml, "2"},
      {"firetext_unknown_api_method", Target::edge, ft("apiKey=k", "/api/sendsms/yaml"), 404,
       Shape::firetext_json, "8"},
      {"firetext_strict_unknown_api_key", Target::strict, ft("apiKey=other&" + ok), 200,
       Shape::firetext_json, "2"},
      {"mmg_body_not_json", Target::edge, mmg("{nope"), 400, Shape::mmg, "201"},
      {"mmg_body_an_array", Target::edge, mmg("[]"), 400, Shape::mmg, "201"},
      {"mmg_body_not_utf8", Target::edge,
       mmg("{\"reqType\":\"BULK\",\"MSISDN\":\"447700900123\",\"msg\":\"h\xffi\",\"sender\":"
           "\"X\"}"),
       400, Shape::mmg, "201"},
      {"mmg_no_authorization", Target::edge,
       json_post(kMmg, R"({"reqType":"BULK","MSISDN":"447700900123","msg":"hi","sender":"GOVUK"})"),
       400, Shape::mmg, "206"},
      {"mmg_authorization_not_basic", Target::mmg,
       mmg(R"({"reqType":"BULK","MSISDN":"447700900123","msg":"hi","sender":"GOVUK"})", "Bearer x"),
       400, Shape::mmg, "206"},
      {"mmg_wrong_req_type", Target::edge,
       mmg(R"({"reqType":"SINGLE","MSISDN":"447700900123","msg":"hi","sender":"GOVUK"})"), 400,
       Shape::mmg, "205"},
      {"mmg_missing_msisdn", Target::edge, mmg(R"({"reqType":"BULK","msg":"hi","sender":"GOVUK"})"),
       400, Shape::mmg, "202"},
      {"mmg_msisdn_too_short", Target::edge,
       mmg(R"({"reqType":"BULK","MSISDN":"12","msg":"hi","sender":"GOVUK"})"), 400, Shape::mmg,
       "203"},
      {"mmg_msisdn_a_fraction", Target::edge,
       mmg(R"({"reqType":"BULK","MSISDN":447700900123.5,"msg":"hi","sender":"GOVUK"})"), 400,
       Shape::mmg, "203"},
      {"mmg_msg_an_object", Target::edge,
       mmg(R"({"reqType":"BULK","MSISDN":"447700900123","msg":{"text":"hi"},"sender":"GOVUK"})"),
       400, Shape::mmg, "205"},
      {"mmg_multi_a_string", Target::edge, mmg_send(R"(,"multi":"yes")"), 400, Shape::mmg, "205"},
      {"mmg_delurl_not_a_url", Target::edge, mmg_send(R"(,"delurl":"nope")"), 400, Shape::mmg,
       "205"},
      {"mmg_delurl_empty_user", Target::edge, mmg_send(R"(,"delurl":"https://:pass@h/r")"), 400,
       Shape::mmg, "205"},
      {"mmg_delurl_password_bad_escape", Target::mmg,
       mmg_send(R"(,"delurl":"https://u:p%4@h/r")"), 400, Shape::mmg, "205"},
      {"mmg_delurl_password_unescaped_at", Target::edge,
       mmg_send(R"(,"delurl":"https://u:p@ss@h/r")"), 400, Shape::mmg, "205"},
      {"mmg_delurl_userinfo_bad_port", Target::edge,
       mmg_send(R"(,"delurl":"https://u:x@h:0/r")"), 400, Shape::mmg, "205"},
      {"mmg_message_too_long", Target::edge,
       mmg(R"({"reqType":"BULK","MSISDN":"447700900123","msg":")" + std::string(200, 'x') +
           R"(","sender":"GOVUK"})"),
       400, Shape::mmg, "204"},
      {"mmg_wrong_method", Target::edge, raw("GET", kMmg, {{"Authorization", "Basic abc"}}), 400,
       Shape::mmg, "205"},
      {"mmg_unknown_api_method", Target::edge,
       json_post("/jsonv2a/x.php", "{}", {{"Authorization", "Basic abc"}}), 404, Shape::mmg, "404"},
      {"mmg_strict_unknown_key", Target::strict, mmg_send(""), 400, Shape::mmg, "206"},
  };
}

std::string sqs_json(const std::string& action, const std::string& body,
                     const std::string& type = "application/x-amz-json-1.0") {
  return raw("POST", "/", {{"Content-Type", type}, {"X-Amz-Target", "AmazonSQS." + action}},
             body);
}

// The SQS stub's queue ses-callbacks exists from the start.
std::vector<Case> sqs() {
  const std::string queue = "/123456789012/ses-callbacks";
  const std::string url = R"("QueueUrl": "http://127.0.0.1/123456789012/ses-callbacks")";
  return {
      {"sqs_non_existent_queue", Target::edge,
       form("/123456789012/nope", "Action=SendMessage&MessageBody=x"), 400, Shape::sqs_query,
       "AWS.SimpleQueueService.NonExistentQueue"},
      {"sqs_oversize_message", Target::edge,
       form(queue, "Action=SendMessage&MessageBody=" + std::string(262'145, 'x')), 400,
       Shape::sqs_query, "InvalidParameterValue"},
      {"sqs_bad_receipt_handle", Target::edge,
       form(queue, "Action=DeleteMessage&ReceiptHandle=%3Cnot+a+handle%3E"), 404,
       Shape::sqs_query, "ReceiptHandleIsInvalid"},
      {"sqs_unknown_action", Target::edge, form(queue, "Action=Frobnicate"), 400,
       Shape::sqs_query, "InvalidAction"},
      {"sqs_broken_escape", Target::edge, form(queue, "Action=SendMessage&MessageBody=%zz"), 400,
       Shape::sqs_query, "MalformedQueryString"},
      {"sqs_batch_ids_repeated", Target::edge,
       sqs_json("SendMessageBatch", "{" + url + R"(, "Entries": [{"Id": "a", "MessageBody": "1"},
                {"Id": "a", "MessageBody": "2"}]})"),
       400, Shape::sqs_json, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"},
      {"sqs_batch_empty", Target::edge, sqs_json("DeleteMessageBatch", "{" + url + R"(, "Entries": []})"),
       400, Shape::sqs_json, "AWS.SimpleQueueService.EmptyBatchRequest"},
      {"sqs_json_not_an_object", Target::edge, sqs_json("ListQueues", "[1, 2"), 400,
       Shape::sqs_json, "SerializationException"},
      {"sqs_wrong_content_type", Target::edge, sqs_json("ListQueues", "{}", "application/json"),
       400, Shape::sqs_json, "InvalidParameterValue"},
      {"sqs_unknown_target", Target::edge, sqs_json("Frobnicate", "{}"), 400, Shape::sqs_json,
       "InvalidAction"},
  };
}

std::vector<Case> lambda() {
  return {
      {"lambda_unknown_function", Target::edge, json_post(invoke("nope"), "{}"), 404, Shape::lambda,
       "ResourceNotFoundException"},
      {"lambda_function_name_outside_pattern", Target::edge, json_post(invoke("bad%20name!"), "{}"),
       400, Shape::lambda, "ValidationException"},
      {"lambda_function_name_too_long", Target::lambda,
       json_post(invoke(std::string(200, 'x')), "{}"), 400, Shape::lambda, "ValidationException"},
      {"lambda_unknown_qualifier", Target::edge,
       json_post(invoke("canary", "?Qualifier=prod"), "{}"), 404, Shape::lambda,
       "ResourceNotFoundException"},
      {"lambda_qualifier_outside_pattern", Target::edge,
       json_post(invoke("canary", "?Qualifier=a%20b"), "{}"), 400, Shape::lambda,
       "ValidationException"},
      {"lambda_qualifiers_disagree", Target::edge,
       json_post(invoke("canary:live", "?Qualifier=$LATEST"), "{}"), 400, Shape::lambda,
       "InvalidParameterValueException"},
      {"lambda_arn_of_another_account", Target::edge,
       json_post(invoke("arn:aws:lambda:eu-west-2:999999999999:function:canary"), "{}"), 404,
       Shape::lambda, "ResourceNotFoundException"},
      {"lambda_payload_not_json", Target::edge, raw("POST", invoke("canary"), {}, "{nope"), 400,
       Shape::lambda, "InvalidRequestContentException"},
      {"lambda_payload_not_utf8", Target::edge, raw("POST", invoke("canary"), {}, "\"\xff\""), 400,
       Shape::lambda, "InvalidRequestContentException"},
      {"lambda_unknown_invocation_type", Target::edge,
       raw("POST", invoke("canary"), {{"X-Amz-Invocation-Type", "Sometimes"}}, "{}"), 400,
       Shape::lambda, "InvalidParameterValueException"},
      {"lambda_unknown_log_type", Target::edge,
       raw("POST", invoke("canary"), {{"X-Amz-Log-Type", "Everything"}}, "{}"), 400, Shape::lambda,
       "InvalidParameterValueException"},
      {"lambda_unknown_operation", Target::edge, raw("GET", "/2015-03-31/functions/canary", {}),
       404, Shape::lambda, "UnknownOperationException"},
      {"lambda_authorization_malformed", Target::edge,
       raw("POST", invoke("canary"), {{"Authorization", "AWS4-HMAC-SHA256 x"}}, "{}"), 400,
       Shape::lambda, "IncompleteSignatureException"},
      {"lambda_strict_no_authorization", Target::strict, raw("POST", invoke("canary"), {}, "{}"),
       403, Shape::lambda, "MissingAuthenticationTokenException"},
      {"lambda_strict_signed_for_another_service", Target::strict,
       signed_raw("POST", invoke("canary"), {}, "{}", "ses"), 403, Shape::lambda,
       "InvalidSignatureException"},
      {"lambda_proxy_payload_missing_fields", Target::edge,
       raw("POST", invoke("ee-1-proxy"), {}, R"({"a":1})"), 200, Shape::lambda_function,
       "KeyError"},
      {"lambda_proxy_payload_an_array", Target::edge, raw("POST", invoke("ee-1-proxy"), {}, "[1]"),
       200, Shape::lambda_function, "ValueError"},
  };
}

std::vector<Case> cbc() {
  return {
      {"cbc_not_xml", Target::cbc_ee, xml(kCbcEe, "not xml"), 400, Shape::cap, "InvalidDocument"},
      {"cbc_xml_cut_short", Target::cbc_ee,
       xml(kCbcEe, "<alert xmlns=\"" + kCap + "\"><identifier>"), 400, Shape::cap,
       "InvalidDocument"},
      {"cbc_doctype", Target::cbc_ee,
       xml(kCbcEe, "<?xml version=\"1.0\"?><!DOCTYPE alert [<!ENTITY x \"y\">]><alert xmlns=\"" +
                       kCap + "\">&x;</alert>"),
       400, Shape::cap, "InvalidDocument"},
      {"cbc_entity_expansion", Target::cbc_ee,
       xml(kCbcEe,
           "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
           "\"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><alert xmlns=\"" +
               kCap + "\"><identifier>&b;</identifier></alert>"),
       400, Shape::cap, "InvalidDocument"},
      {"cbc_wrong_namespace", Target::cbc_ee,
       xml(kCbcEe, "<alert xmlns=\"urn:example:wrong\"><identifier>1</identifier></alert>"), 400,
       Shape::cap, "InvalidDocument"},
      {"cbc_empty_body", Target::cbc_ee, xml(kCbcEe, ""), 400, Shape::cap, "InvalidDocument"},
      {"cbc_not_utf8", Target::cbc_ee,
       xml(kCbcEe, "<alert xmlns=\"" + kCap + "\"><identifier>\xff\xfe</identifier></alert>"), 400,
       Shape::cap, "InvalidDocument"},
      {"cbc_ibag_not_xml", Target::cbc_vodafone, xml(kCbcVodafone, "<<<"), 400, Shape::ibag,
       "InvalidDocument"},
      {"cbc_cap_sent_to_an_ibag_operator", Target::cbc_vodafone,
       xml(kCbcVodafone, alert_document("malformed-cap-to-vodafone", "cap")), 400, Shape::ibag,
       "WrongFormat"},
      {"cbc_ibag_sent_to_a_cap_operator", Target::cbc_ee,
       xml(kCbcEe, alert_document("malformed-ibag-to-ee", "ibag")), 400, Shape::cap, "WrongFormat"},
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

}  // namespace

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
  for (auto part : {http_framing(), ses(), sms(), lambda(), sqs(), cbc(), control(), receipts()})
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

}  // namespace notify::stubs::malformed
