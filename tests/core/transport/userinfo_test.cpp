#include "notify/transport/userinfo.hpp"

#include "notify/outcome/errc.hpp"
#include "notify/transport/http.hpp"

#include <gtest/gtest.h>

namespace notify::transport {
namespace {

TEST(SplitCredentials, TakesUserinfoOutOfNotifysReceiptUrl) {
  auto c = split_credentials("https://notify:s3cret@api.example.com/notifications/sms/firetext");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->present);
  EXPECT_EQ(c->url, "https://api.example.com/notifications/sms/firetext");
  EXPECT_EQ(c->username, "notify");
  EXPECT_EQ(c->password, "s3cret");
  auto u = parse_url(c->url);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->authority(), "api.example.com");
}

TEST(SplitCredentials, PercentDecodesAsAUrlParserDoes) {
  auto c = split_credentials("http://us%65r:p%40ss%3Aw+rd@127.0.0.1:8080/r?x=1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->url, "http://127.0.0.1:8080/r?x=1");
  EXPECT_EQ(c->username, "user");
  EXPECT_EQ(c->password, "p@ss:w+rd");  // '+' stays '+', as urllib's unquote leaves it
}

TEST(SplitCredentials, UserWithoutPasswordAndNoUserinfo) {
  auto u = split_credentials("http://user@[::1]:9/x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->url, "http://[::1]:9/x");
  EXPECT_EQ(u->username, "user");
  EXPECT_EQ(u->password, "");
  auto plain = split_credentials("https://h/p@q");  // '@' in the path is not userinfo
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->present);
  EXPECT_EQ(plain->url, "https://h/p@q");
}

TEST(SplitCredentials, RefusesMalformedUserinfo) {
  for (const char* bad :
       {"https://:pass@h/", "https://@h/", "https://u:p@ss@h/", "https://u:p%4@h/",
        "https://u:p%zz@h/", "https://u:p%@h/", "https://u p:x@h/", "https://u:x@/",
        "https://u:x@h:0/", "ftp://u:x@h/", "u:x@h/", "https://u:x\"@h/"}) {
    auto c = split_credentials(bad);
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error(), errc::invalid_argument) << bad;
  }
}

TEST(BasicAuthorization, Rfc7617AndBack) {
  EXPECT_EQ(basic_authorization("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(basic_authorization("notify", "s3cret"), "Basic bm90aWZ5OnMzY3JldA==");
  EXPECT_EQ(basic_authorization("ab", ""), "Basic YWI6");
  EXPECT_EQ(basic_username("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), "Aladdin");
  EXPECT_EQ(basic_username("Bearer x"), "");
  EXPECT_EQ(basic_username("Basic !!!"), "");
}

TEST(AddCredentials, AsAddAuthenticationToUrlAndMasked) {
  EXPECT_EQ(add_credentials("https://api.example.com:8443/notifications/sms/mmg", "notify", "pw"),
            "https://notify:pw@api.example.com:8443/notifications/sms/mmg");
  // Characters that would end the user name or the userinfo are escaped, and come back intact.
  auto round = split_credentials(add_credentials("http://h/", "a:b", "c@d"));
  ASSERT_TRUE(round);
  EXPECT_EQ(round->username, "a:b");
  EXPECT_EQ(round->password, "c@d");
  EXPECT_EQ(with_masked_password("https://h/r", "notify"), "https://notify:****@h/r");
}

TEST(MaskUrlPasswords, RawJsonAndFormEncoded) {
  std::string raw = "delurl https://notify:s3cret@h/x and http://u:p%40q@h2/";
  EXPECT_TRUE(mask_url_passwords(raw));
  EXPECT_EQ(raw, "delurl https://notify:****@h/x and http://u:****@h2/");

  std::string json = R"({"delurl": "https:\/\/notify:s3cret@h\/x", "to": "a@b.com"})";
  EXPECT_TRUE(mask_url_passwords(json));
  EXPECT_EQ(json, R"({"delurl": "https:\/\/notify:****@h\/x", "to": "a@b.com"})");

  std::string form =
      "apiKey=k&receipt=https%3A%2F%2Fnotify%3As3cret%40api.example.com%2Fr&reference=r1";
  EXPECT_TRUE(mask_url_passwords(form));
  EXPECT_EQ(form, "apiKey=k&receipt=https%3A%2F%2Fnotify%3A****%40api.example.com%2Fr&reference=r1");
}

TEST(MaskUrlPasswords, LeavesAddressesAndPlainUrlsAlone) {
  for (std::string text : {std::string("Source=a%40b.com&Url=https%3A%2F%2Fh%2F&To=c%40d.com"),
                           std::string("From: someone@example.com"),
                           std::string("https://user@h/ and mailto:x:y@z"), std::string("")}) {
    const std::string before = text;
    EXPECT_FALSE(mask_url_passwords(text)) << before;
    EXPECT_EQ(text, before);
  }
}

TEST(MaskUrlPasswords, AJournalBodyCutOffBeforeTheAt) {
  std::string form = "receipt=https%3A%2F%2Fnotify%3As3c";
  EXPECT_TRUE(mask_url_passwords(form, true));
  EXPECT_EQ(form, "receipt=https%3A%2F%2Fnotify%3A****");
  std::string json = R"({"delurl": "https://notify:s3)";
  EXPECT_TRUE(mask_url_passwords(json, true));
  EXPECT_EQ(json, R"({"delurl": "https://notify:****)");
  std::string whole = "x=https%3A%2F%2Fh%3A8080";
  EXPECT_FALSE(mask_url_passwords(whole));  // not cut off: a port, not a password
}

}  // namespace
}  // namespace notify::transport
