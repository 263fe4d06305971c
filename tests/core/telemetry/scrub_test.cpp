// scrub_pii: what must go (addresses, phone numbers in their usual spellings) and what must stay
// (UUIDs, timestamps, elapsed times, provider message ids, HTTP statuses).
#include "notify/runtime/rng.hpp"
#include "notify/telemetry/logger.hpp"

#include <gtest/gtest.h>

#include <cctype>

namespace notify::telemetry {
namespace {

struct Case {
  const char* input;
  const char* expected;
};

class ScrubTest : public ::testing::TestWithParam<Case> {};

TEST_P(ScrubTest, Scrubs) {
  EXPECT_EQ(scrub_pii(GetParam().input), GetParam().expected) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Emails, ScrubTest,
    ::testing::Values(
        Case{"sent to jane@example.com today", "sent to <email> today"},
        Case{"sent to jane@example.com.", "sent to <email>."},
        Case{"jane.doe+tag@sub.example.co.uk", "<email>"},
        Case{"\"Service\" <from@notifications.service.gov.uk>", "\"Service\" <<email>>"},
        Case{"to=jane@example.com", "<email>"},
        Case{"Source=sender%40example.com&Message.Subject.Data=Hi",
             "<email>&Message.Subject.Data=Hi"},
        Case{"{\"emailAddress\":\"jane@example.com\"}", "{\"emailAddress\":\"<email>\"}"},
        Case{"user@bücher.example", "<email>"}, Case{"\"john doe\"@example.com", "<email>"},
        Case{"user@[127.0.0.1]", "<email>"}, Case{"07700900123@example.com", "<email>"},
        Case{"a@b.com, c@d.org", "<email>, <email>"},
        // Not addresses: nothing on one side of the '@'.
        Case{"Missing final '@domain'", "Missing final '@domain'"},
        Case{"@decorator and trailing@", "@decorator and trailing@"}));

INSTANTIATE_TEST_SUITE_P(
    Phones, ScrubTest,
    ::testing::Values(Case{"call 07700900123 now", "call <phone> now"},
                      Case{"+447700900123", "<phone>"}, Case{"+44 7700 900123", "<phone>"},
                      Case{"(020) 7946-0000 is the number", "<phone> is the number"},
                      Case{"+44 (0)20 7946 0000.", "<phone>."},
                      Case{"mobile: 07700-900-123, thanks", "mobile: <phone>, thanks"},
                      Case{"(call 07700900123)", "(call <phone>)"},
                      Case{"to=07700900123&x=1", "to=<phone>&x=1"}, Case{"1234567", "<phone>"},
                      Case{"00447700900123", "<phone>"},
                      // Seven digits in one run of phone characters, however spaced.
                      Case{"12 34 56 7", "<phone>"}, Case{"x(12)-34 5-67x", "x<phone>x"}));

INSTANTIATE_TEST_SUITE_P(
    Kept, ScrubTest,
    ::testing::Values(
        Case{"Email notification 123e4567-e89b-12d3-a456-426614174000 failed",
             "Email notification 123e4567-e89b-12d3-a456-426614174000 failed"},
        Case{"12345678-1234-1234-1234-123456789012", "12345678-1234-1234-1234-123456789012"},
        Case{"2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"},
        Case{"at 2026-01-01 12:34:56.123456+01:00 ok", "at 2026-01-01 12:34:56.123456+01:00 ok"},
        Case{"on 2026-01-01 1234 items", "on 2026-01-01 1234 items"},
        Case{"X-Amz-Date: 20261127T230159Z", "X-Amz-Date: 20261127T230159Z"},
        Case{"Credential=AKIDEXAMPLE/20261127/eu-west-2/ses/aws4_request",
             "Credential=AKIDEXAMPLE/20261127/eu-west-2/ses/aws4_request"},
        Case{"abc-1234567 and 1234567abc", "abc-1234567 and 1234567abc"},
        Case{"E3B0C44298FC1C149AFBF4C8996FB924", "E3B0C44298FC1C149AFBF4C8996FB924"},
        Case{"6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "6BA7B810-9DAD-11D1-80B4-00C04FD430C8"},
        Case{"AWS SES request finished in 0.123456789", "AWS SES request finished in 0.123456789"},
        Case{"AWS SES request finished in 12.3456789", "AWS SES request finished in 12.3456789"},
        Case{"id 0100018a1b2c3d4e-11111111-2222-3333-4444-555555555555-000000",
             "id 0100018a1b2c3d4e-11111111-2222-3333-4444-555555555555-000000"},
        Case{"000001271b15238a-fd3ae762-2563-11df-8cd4-6d4e828a9ae8-000000",
             "000001271b15238a-fd3ae762-2563-11df-8cd4-6d4e828a9ae8-000000"},
        Case{"sha e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
             "sha e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        Case{"Header too long: 'Subject'", "Header too long: 'Subject'"},
        Case{"HTTP 503 after 300 s, attempt 48 of 49", "HTTP 503 after 300 s, attempt 48 of 49"},
        Case{"127.0.0.1:18765", "127.0.0.1:18765"}, Case{"123456", "123456"}, Case{"", ""},
        // IBAG message numbers: zero-padded counters, too short to follow an international "00".
        Case{"<IBAG_message_number>00000001</IBAG_message_number>",
             "<IBAG_message_number>00000001</IBAG_message_number>"},
        Case{"message_number 00000042 sent", "message_number 00000042 sent"},
        // Seven digits or more, but no run of phone characters holds seven.
        Case{"12345.67890 and 12 34/56 78", "12345.67890 and 12 34/56 78"},
        // An AWS account id in a Lambda function's partial ARN.
        Case{"Calling lambda 123456789012:function:ee-1-proxy",
             "Calling lambda 123456789012:function:ee-1-proxy"}));

TEST(Scrub, OnlyAnAccountIdBeforeFunctionIsKept) {
  EXPECT_EQ(scrub_pii("07700900123:function:x"), "<phone>:function:x");
  EXPECT_EQ(scrub_pii("1123456789012:function:x"), "<phone>:function:x");
  EXPECT_EQ(scrub_pii("123456789012:functions"), "<phone>:functions");
}

TEST(Scrub, TimestampNextToAPhoneStillScrubsThePhone) {
  EXPECT_EQ(scrub_pii("07700900123 2026-01-01T00:00:00Z"), "<phone> 2026-01-01T00:00:00Z");
  EXPECT_EQ(scrub_pii("2026-01-01T00:00:00Z 07700900123"), "2026-01-01T00:00:00Z <phone>");
}

TEST(Scrub, IsIdempotent) {
  const char* text = "jane@example.com on +44 7700 900123 at 2026-01-01T00:00:00Z";
  auto once = scrub_pii(text);
  EXPECT_EQ(once, "<email> on <phone> at 2026-01-01T00:00:00Z");
  EXPECT_EQ(scrub_pii(once), once);
}

}  // namespace
}  // namespace notify::telemetry

namespace notify::telemetry {
namespace {

// Random mixes of the characters the scanners care about: every input must finish, and no
// output may still hold an '@' between two alphanumerics.
TEST(Scrub, TerminatesOnArbitraryInput) {
  constexpr std::string_view kAlphabet = "0123456789abfTZ@%4 -+().:_\"[]xy\xC3\xBC";
  runtime::Rng rng(42);
  for (int n = 0; n < 5000; ++n) {
    std::string text;
    auto length = rng.uniform_int(0, 60);
    for (std::uint64_t k = 0; k < length; ++k) {
      text += kAlphabet[rng.uniform_int(0, kAlphabet.size() - 1)];
    }
    auto scrubbed = scrub_pii(text);
    for (std::size_t at = scrubbed.find('@'); at != std::string::npos;
         at = scrubbed.find('@', at + 1)) {
      bool alnum_before = at > 0 && std::isalnum(static_cast<unsigned char>(scrubbed[at - 1]));
      bool alnum_after =
          at + 1 < scrubbed.size() && std::isalnum(static_cast<unsigned char>(scrubbed[at + 1]));
      EXPECT_FALSE(alnum_before && alnum_after) << text << " -> " << scrubbed;
    }
  }
}

}  // namespace
}  // namespace notify::telemetry
