// The Celery task message SES events travel in, compared with what Debian's python3-celery 5.2 /
// python3-kombu 5.2 produce (the expected strings were printed by them).
#include "celery.hpp"

#include "ses_fixture.hpp"

#include <gtest/gtest.h>

namespace notify::stubs::testing {
namespace {

std::string unbase64(const std::string& s) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    acc = (acc << 6) | static_cast<std::uint32_t>(kAlphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

TEST(SesCelery, PythonJsonMatchesJsonDumps) {
  nlohmann::ordered_json j = {{"k", "\xC3\xA9\xF0\x9F\x98\x80\n\"\x01/"},
                              {"n", {1, nullptr, true}}};
  EXPECT_EQ(ses::python_json(j), R"({"k": "\u00e9\ud83d\ude00\n\"\u0001/", "n": [1, null, true]})");
}

TEST(SesCelery, ArgsreprMatchesSaferepr) {
  EXPECT_EQ(ses::celery_argsrepr(R"({"a":"it's"})", std::nullopt),
            R"py(({'Message': '{"a":"it\'s"}'},))py");
  EXPECT_EQ(ses::celery_argsrepr(R"({"a":"it's"})", "2026-12-07T03:30:00.123456"),
            R"py(({'Message': '{"a":"it\'s"}'}, '2026-12-07T03:30:00.123456'))py");
  std::string words;
  for (int i = 0; i < 300; ++i) words += "word ";
  std::string expected = "({'Message': '";
  // saferepr cuts at 1011 characters, back to the last space, adds "...", then ", ...)".
  std::string head = words.substr(0, 1011);
  head = head.substr(0, head.rfind(' '));
  expected += head + "...', ...)";
  EXPECT_EQ(ses::celery_argsrepr(words, std::string("ts")), expected);
}

TEST(SesCelery, IsoformatDropsAZeroFraction) {
  runtime::TimePoint t{std::chrono::seconds(1796614200)};  // 2026-12-07T03:30:00Z
  EXPECT_EQ(ses::python_isoformat(t, "+00:00"), "2026-12-07T03:30:00+00:00");
  EXPECT_EQ(ses::python_isoformat(t + std::chrono::microseconds(123456)),
            "2026-12-07T03:30:00.123456");
}

TEST(SesCelery, MessageBodyIsKombusEnvelope) {
  ses::CeleryIds ids{"f39b4ba2-0626-47e0-9149-67ae28ef4f39", "3aa01854-4c2f-4dec-ac9f-f7eed747e32e",
                     "f2f0481f-8add-3324-9feb-c66dc2b995da", "gen28237@vm"};
  runtime::TimePoint now{std::chrono::microseconds(1796614230470996)};  // 03:30:30.470996
  const std::string message =
      R"({"mail": {"messageId": "m1", "timestamp": "2026-01-01T00:00:00"}, "notificationType": "Delivery"})";
  std::string body = ses::celery_message_body("process-ses-result", message, std::nullopt,
                                              "ses-callbacks", now, std::chrono::seconds(2), ids);
  // What kombu 5.2.4's SQS transport sent for the same task, ids and clock.
  EXPECT_EQ(
      unbase64(body),
      R"py({"body": "W1t7Ik1lc3NhZ2UiOiAie1wibWFpbFwiOiB7XCJtZXNzYWdlSWRcIjogXCJtMVwiLCBcInRpbWVzdGFtcFwiOiBcIjIwMjYtMDEtMDFUMDA6MDA6MDBcIn0sIFwibm90aWZpY2F0aW9uVHlwZVwiOiBcIkRlbGl2ZXJ5XCJ9In1dLCB7fSwgeyJjYWxsYmFja3MiOiBudWxsLCAiZXJyYmFja3MiOiBudWxsLCAiY2hhaW4iOiBudWxsLCAiY2hvcmQiOiBudWxsfV0=", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "process-ses-result", "id": "f39b4ba2-0626-47e0-9149-67ae28ef4f39", "shadow": null, "eta": "2026-12-07T03:30:32.470996+00:00", "expires": null, "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], "root_id": "f39b4ba2-0626-47e0-9149-67ae28ef4f39", "parent_id": null, "argsrepr": "({'Message': '{\"mail\": {\"messageId\": \"m1\", \"timestamp\": \"2026-01-01T00:00:00\"}, \"notificationType\": \"Delivery\"}'},)", "kwargsrepr": "{}", "origin": "gen28237@vm", "ignore_result": false}, "properties": {"correlation_id": "f39b4ba2-0626-47e0-9149-67ae28ef4f39", "reply_to": "f2f0481f-8add-3324-9feb-c66dc2b995da", "delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": "ses-callbacks"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "3aa01854-4c2f-4dec-ac9f-f7eed747e32e"}})py");
}

}  // namespace
}  // namespace notify::stubs::testing
