#include "notify/outcome/errc.hpp"

#include <gtest/gtest.h>
#include <boost/system/result.hpp>

#include <set>
#include <string>

namespace notify {
namespace {

constexpr int kFirst = static_cast<int>(errc::connection_refused);
constexpr int kLast = static_cast<int>(errc::schema_too_new);

TEST(Errc, CategoryNameIsNotify) {
  EXPECT_STREQ(notify_category().name(), "notify");
  boost::system::error_code ec = errc::timed_out;
  EXPECT_EQ(ec.category(), notify_category());
  EXPECT_EQ(ec, make_error_code(errc::timed_out));
}

TEST(Errc, EveryEnumeratorHasItsOwnReadableMessage) {
  std::set<std::string> messages;
  for (int v = kFirst; v <= kLast; ++v) {
    std::string m = make_error_code(static_cast<errc>(v)).message();
    EXPECT_FALSE(m.empty());
    EXPECT_EQ(m.find("unknown"), std::string::npos) << v;
    messages.insert(m);
  }
  EXPECT_EQ(messages.size(), static_cast<std::size_t>(kLast - kFirst + 1));
  EXPECT_EQ(make_error_code(errc::connection_refused).message(), "connection refused");
}

TEST(Errc, UnknownValueStillHasAMessage) {
  boost::system::error_code ec(999, notify_category());
  EXPECT_NE(ec.message().find("999"), std::string::npos);
}

TEST(Errc, NoResponseKinds) {
  for (errc e :
       {errc::connection_refused, errc::connection_reset, errc::timed_out, errc::host_not_found,
        errc::truncated_response, errc::protocol_error, errc::pool_exhausted}) {
    EXPECT_TRUE(is_no_response(e)) << make_error_code(e).message();
  }
  for (errc e : {errc::request_too_large, errc::provider_rejected, errc::provider_throttled,
                 errc::provider_unavailable, errc::bad_response, errc::invalid_argument,
                 errc::not_found, errc::store_error, errc::schema_too_new}) {
    EXPECT_FALSE(is_no_response(e)) << make_error_code(e).message();
  }
}

TEST(Errc, OtherCategoriesAreNotNoResponse) {
  // Same integer as connection_refused, different category.
  boost::system::error_code generic(1, boost::system::generic_category());
  EXPECT_FALSE(is_no_response(generic));
  EXPECT_FALSE(is_no_response({}));
}

TEST(Errc, WorksAsAResultError) {
  boost::system::result<int> r = make_error_code(errc::not_found);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::not_found);
}

TEST(FailureKind, ToString) {
  EXPECT_EQ(to_string(FailureKind::none), "none");
  EXPECT_EQ(to_string(FailureKind::transport), "transport");
  EXPECT_EQ(to_string(FailureKind::timeout), "timeout");
  EXPECT_EQ(to_string(FailureKind::throttled), "throttled");
  EXPECT_EQ(to_string(FailureKind::provider_5xx), "provider_5xx");
  EXPECT_EQ(to_string(FailureKind::rejected_4xx), "rejected_4xx");
  EXPECT_EQ(to_string(FailureKind::invalid_request), "invalid_request");
}

}  // namespace
}  // namespace notify
