#include "notify/email/email_client.hpp"

#include <gtest/gtest.h>

namespace notify::email {
namespace {

TEST(Punycode, Rfc3492Samples) {
  // RFC 3492 §7.1 (A) Arabic (Egyptian) and (B) Chinese (simplified).
  EXPECT_EQ(punycode_encode(U"\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645"
                            U"\u0648\u0634\u0639\u0631\u0628\u064A\u061F"),
            "egbpdaj6bu4bxfgehfvwxn");
  EXPECT_EQ(punycode_encode(U"\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587"),
            "ihqwcrb4cv8a8dqg056pqjye");
  // (L) 3<nen>B<gumi><kinpachi><sensei>, lower-cased as IDNA would.
  EXPECT_EQ(punycode_encode(U"3\u5E74b\u7D44\u91D1\u516B\u5148\u751F"), "3b-ww4c5e180e575a65lsy2b");
  EXPECT_EQ(punycode_encode(U"b\u00FCcher"), "bcher-kva");
}

TEST(Punycode, EncodesOnlyNonAsciiDomainLabels) {
  EXPECT_EQ(punycode_encode_email("user@b\xC3\xBC"
                                  "cher.example"),
            "user@xn--bcher-kva.example");
  EXPECT_EQ(punycode_encode_email("user@M\xC3\x9C"
                                  "nchen.de"),
            "user@xn--mnchen-3ya.de");
  EXPECT_EQ(punycode_encode_email("J\xC3\xBCrgen.Smith@Example.COM"),
            "J\xC3\xBCrgen.Smith@Example.COM");
  EXPECT_EQ(punycode_encode_email("plain@example.com"), "plain@example.com");
  EXPECT_EQ(punycode_encode_email("no-at-sign"), "no-at-sign");
  EXPECT_EQ(
      punycode_encode_email("a@\xE4\xBE\x8B\xE3\x81\x88.\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88"),
      "a@xn--r8jz45g.xn--zckzah");
}

TEST(Punycode, InvalidUtf8IsLeftAlone) {
  EXPECT_EQ(punycode_encode_email("a@b\xC3.com"), "a@b\xC3.com");
}

}  // namespace
}  // namespace notify::email
