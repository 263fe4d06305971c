// The SES stub's internal helpers: addresses, address lists, base64, MIME headers, limits.
#include "limits.hpp"
#include "mail.hpp"
#include "query.hpp"

#include <gtest/gtest.h>

namespace notify::stubs::ses {
namespace {

TEST(SesMail, AcceptsOrdinaryAddresses) {
  for (const char* a :
       {"a@example.com", "first.last+tag@sub.example.co.uk", "\"Sender Name\" <a@example.com>",
        "Name <a@example.com>", "\"quoted local\"@example.com", "a@[127.0.0.1]",
        "a@xn--bcher-kva.example"}) {
    EXPECT_EQ(check_address(a), std::nullopt) << a;
  }
}

TEST(SesMail, AddrSpecAndLists) {
  EXPECT_EQ(addr_spec("\"X\" <a@b.com>"), "a@b.com");
  EXPECT_EQ(addr_spec(" a@b.com "), "a@b.com");
  auto list = split_address_list("a@b.com, \"Doe, J\" <j@d.com>, group: g1@x.com, g2@x.com;");
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[1], "\"Doe, J\" <j@d.com>");
  EXPECT_EQ(list[3], "g2@x.com");
}

TEST(SesMail, Base64) {
  EXPECT_EQ(base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(base64_decode("aGVs\r\nbG8"), "hello");
  EXPECT_EQ(base64_decode("a"), std::nullopt);
  EXPECT_EQ(base64_decode("a*"), std::nullopt);
  EXPECT_EQ(base64_decode(""), "");
}

TEST(SesMail, MimeHeadersUnfoldAndMeasureLines) {
  auto h = parse_mime_headers("From: a@b.com\r\nSubject: one\r\n two\r\nX: y\r\n\r\nBody: no\r\n");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[1].value, "one two");
  EXPECT_EQ(h[1].longest_line, 12u);
  EXPECT_EQ(find_header(h, "subject"), &h[1]);
  EXPECT_EQ(find_header(h, "Body"), nullptr);
}

TEST(SesQuery, ListsAreOrderedByIndexAndIgnoreStructures) {
  auto p = QueryParams::parse(
      "L.member.2=b&L.member.1=a&L.member.10=c&Tags.member.1.Name=n&L=&Tags.member.1.Value=v");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->list("L"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(p->list("Tags").empty());
  EXPECT_TRUE(p->has_member("Tags"));
  EXPECT_FALSE(p->has_member("Tag"));
  EXPECT_FALSE(QueryParams::parse("a=%zz"));
}

TEST(SesLimits, TokenBucketAndRollingQuota) {
  runtime::TimePoint t0{std::chrono::hours(1000)};
  SendRateLimiter r;
  r.configure(2, t0);
  EXPECT_TRUE(r.try_acquire(1, t0));
  EXPECT_TRUE(r.try_acquire(1, t0));
  EXPECT_FALSE(r.try_acquire(1, t0));
  EXPECT_TRUE(r.try_acquire(1, t0 + std::chrono::milliseconds(500)));
  // A big message overdraws the bucket; the next one waits for the refill.
  EXPECT_TRUE(r.try_acquire(50, t0 + std::chrono::seconds(2)));
  EXPECT_FALSE(r.try_acquire(1, t0 + std::chrono::seconds(20)));
  EXPECT_TRUE(r.try_acquire(1, t0 + std::chrono::seconds(27)));

  RollingQuota q;
  q.add(5, t0);
  q.add(2, t0 + std::chrono::hours(12));
  EXPECT_EQ(q.sent_last_24_hours(t0 + std::chrono::hours(12)), 7u);
  EXPECT_EQ(q.sent_last_24_hours(t0 + std::chrono::hours(24) + std::chrono::minutes(1)), 2u);
}

}  // namespace
}  // namespace notify::stubs::ses
