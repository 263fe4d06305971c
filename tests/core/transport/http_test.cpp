#include "notify/transport/http.hpp"
#include "notify/outcome/errc.hpp"

#include <gtest/gtest.h>

namespace notify::transport {
namespace {

TEST(Headers, LookupIsCaseInsensitive) {
  Headers h;
  h.add("Content-Type", "text/xml");
  EXPECT_EQ(h.get("content-type"), "text/xml");
  EXPECT_EQ(h.get("CONTENT-TYPE"), "text/xml");
  EXPECT_TRUE(h.contains("Content-type"));
  EXPECT_FALSE(h.get("Content-Length").has_value());
  EXPECT_EQ(h.get_or("x-missing", "fallback"), "fallback");
}

TEST(Headers, SetReplacesEveryFieldOfThatName) {
  Headers h;
  h.add("X-A", "1");
  h.add("Accept", "a");
  h.add("x-a", "2");
  h.set("X-a", "3");
  ASSERT_EQ(h.fields().size(), 2u);
  EXPECT_EQ(h.fields()[0].second, "3");
  EXPECT_EQ(h.fields()[1].first, "Accept");
  h.set("New", "v");
  EXPECT_EQ(h.get("new"), "v");
}

TEST(Headers, AddKeepsOrderAndGetReturnsTheFirst) {
  Headers h;
  h.add("Set-Cookie", "a");
  h.add("set-cookie", "b");
  EXPECT_EQ(h.get("SET-COOKIE"), "a");
  EXPECT_EQ(h.fields().size(), 2u);
  h.erase("Set-Cookie");
  EXPECT_TRUE(h.empty());
}

TEST(Iequals, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(iequals("Host", "hOST"));
  EXPECT_FALSE(iequals("Host", "Hosts"));
  EXPECT_TRUE(iequals("", ""));
}

TEST(Request, PathAndQueryFromOriginForm) {
  Request r;
  r.target = "/v2/email/outbound-emails?x=1&y=2";
  EXPECT_EQ(r.path(), "/v2/email/outbound-emails");
  EXPECT_EQ(r.query(), "x=1&y=2");
  r.target = "/";
  EXPECT_EQ(r.path(), "/");
  EXPECT_EQ(r.query(), "");
}

TEST(Request, PathAndQueryFromAbsoluteUrl) {
  Request r;
  r.target = "http://127.0.0.1:8080/send?a=b";
  EXPECT_EQ(r.path(), "/send");
  EXPECT_EQ(r.query(), "a=b");
  r.target = "https://example.com";
  EXPECT_EQ(r.path(), "");
  EXPECT_EQ(r.query(), "");
}

TEST(ParseUrl, HttpWithPortAndQuery) {
  auto u = parse_url("http://127.0.0.1:9001/path/x?q=1");
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 9001);
  EXPECT_EQ(u->target, "/path/x?q=1");
  EXPECT_EQ(u->authority(), "127.0.0.1:9001");
}

TEST(ParseUrl, DefaultPorts) {
  auto h = parse_url("http://example.com");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->port, 80);
  EXPECT_EQ(h->target, "/");
  EXPECT_EQ(h->authority(), "example.com");
  auto s = parse_url("HTTPS://email.eu-west-2.amazonaws.com/");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->scheme, "https");
  EXPECT_EQ(s->port, 443);
  EXPECT_EQ(s->authority(), "email.eu-west-2.amazonaws.com");
  auto q = parse_url("http://example.com?a=1");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->target, "/?a=1");
}

TEST(ParseUrl, FragmentIsDropped) {
  auto u = parse_url("http://h:81/p?q=1#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->target, "/p?q=1");
}

TEST(ParseUrl, Ipv6Literal) {
  auto u = parse_url("http://[::1]:8080/x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->authority(), "[::1]:8080");
  auto d = parse_url("https://[2001:db8::1]/");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, 443);
  EXPECT_EQ(d->authority(), "[2001:db8::1]");
}

TEST(ParseUrl, RejectsBadInput) {
  for (const char* bad :
       {"", "example.com/path", "ftp://example.com/", "http://", "http:///path", "http://host:/",
        "http://host:0/", "http://host:65536/", "http://host:12ab/", "http://user@host/",
        "http://[::1/", "http://[::1]x/", "http://a:b:c/"}) {
    auto u = parse_url(bad);
    ASSERT_FALSE(u) << bad;
    EXPECT_EQ(u.error(), errc::invalid_argument) << bad;
  }
}

TEST(UrlEncode, FormEncoding) {
  EXPECT_EQ(url_encode("a b"), "a+b");
  EXPECT_EQ(url_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(url_encode("a+b=c&d/e"), "a%2Bb%3Dc%26d%2Fe");
  EXPECT_EQ(url_encode("\xC3\xA9"), "%C3%A9");  // é in UTF-8
  EXPECT_EQ(url_encode(""), "");
}

TEST(UrlDecode, PlusIsSpaceAndEscapesDecode) {
  EXPECT_EQ(url_decode("a+b"), "a b");
  EXPECT_EQ(url_decode("a%2Bb"), "a+b");
  EXPECT_EQ(url_decode("%c3%a9"), "\xC3\xA9");
  EXPECT_EQ(url_decode(""), "");
}

TEST(UrlDecode, MalformedEscapes) {
  EXPECT_FALSE(url_decode("%"));
  EXPECT_FALSE(url_decode("abc%4"));
  EXPECT_FALSE(url_decode("%zz"));
  EXPECT_FALSE(url_decode("%4g"));
  EXPECT_TRUE(url_decode("%41"));
}

TEST(Form, RoundTripsUtf8AndPlus) {
  const std::string values[] = {
      "Hello world",    "1+1=2", "Croeso i Gymru: ŵ ŷ â", "emoji 😀 & more", "",
      "percent % sign", "~._-"};
  for (const auto& v : values) {
    std::string body = "Action=SendEmail&Message=" + url_encode(v);
    auto form = parse_form(body);
    ASSERT_TRUE(form) << v;
    ASSERT_EQ(form->size(), 2u);
    EXPECT_EQ((*form)[0], (std::pair<std::string, std::string>{"Action", "SendEmail"}));
    EXPECT_EQ((*form)[1].second, v);
  }
}

TEST(Form, OrderDuplicatesAndEmptyValues) {
  auto form = parse_form("b=2&a=1&b=3&flag&empty=");
  ASSERT_TRUE(form);
  ASSERT_EQ(form->size(), 5u);
  EXPECT_EQ((*form)[0].first, "b");
  EXPECT_EQ((*form)[2].second, "3");
  EXPECT_EQ((*form)[3], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ((*form)[4], (std::pair<std::string, std::string>{"empty", ""}));
  EXPECT_TRUE(parse_form("")->empty());
}

TEST(Form, MalformedEscapeFailsTheWholeForm) {
  EXPECT_FALSE(parse_form("a=1&b=%zz"));
  EXPECT_FALSE(parse_form("%=1"));
}

TEST(ReasonPhrase, KnownAndUnknown) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(429), "Too Many Requests");
  EXPECT_EQ(reason_phrase(503), "Service Unavailable");
  EXPECT_FALSE(reason_phrase(799).empty());
}

}  // namespace
}  // namespace notify::transport
