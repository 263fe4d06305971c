// Notify's 2021 (03d438b0c) classification table (notifications-api app/clients/email/aws_ses.py),
// one row per case.
#include "notify/email/email_client.hpp"

#include <gtest/gtest.h>

namespace notify::email {
namespace {

struct Row {
  int status;
  const char* code;
  const char* message;
  FailureKind kind;
  bool retry;
  LogLevel level;
  bool send_rate;
};

void PrintTo(const Row& row, std::ostream* os) { *os << row.status << " " << row.code; }

class Classify : public ::testing::TestWithParam<Row> {};

TEST_P(Classify, Row) {
  const auto& row = GetParam();
  auto error = classify_ses_error(row.status, row.code, row.message);
  EXPECT_EQ(error.kind, row.kind) << row.code;
  EXPECT_EQ(error.retryable(), row.retry) << row.code;
  EXPECT_EQ(error.retry == Retry::never, !row.retry) << row.code;
  EXPECT_EQ(error.level, row.level) << row.code;
  EXPECT_EQ(is_send_rate_throttling(error), row.send_rate) << row.code;
  EXPECT_EQ(error.code, row.code);
}

INSTANTIATE_TEST_SUITE_P(
    NotifyS2021, Classify,
    ::testing::Values(
        Row{400, "InvalidParameterValue", "Header too long: 'Subject'", FailureKind::rejected_4xx,
            false, LogLevel::error, false},
        Row{400, "InvalidParameterValue", "Missing final '@domain'", FailureKind::rejected_4xx,
            false, LogLevel::error, false},
        Row{400, "Throttling", "Maximum sending rate exceeded.", FailureKind::throttled, true,
            LogLevel::warning, true},
        Row{400, "Throttling", "Daily message quota exceeded", FailureKind::throttled, true,
            LogLevel::error, false},
        Row{400, "Throttling", "Maximum sending rate exceeded", FailureKind::throttled, true,
            LogLevel::error, false},
        Row{400, "\n  Throttling\n", "Maximum sending rate exceeded.", FailureKind::rejected_4xx,
            true, LogLevel::error, false},
        Row{400, "MessageRejected", "Email address is not verified.", FailureKind::rejected_4xx,
            true, LogLevel::error, false},
        Row{400, "ConfigurationSetDoesNotExist", "", FailureKind::rejected_4xx, true,
            LogLevel::error, false},
        Row{403, "InvalidClientTokenId", "", FailureKind::rejected_4xx, true, LogLevel::error,
            false},
        Row{429, "TooManyRequestsException", "", FailureKind::throttled, true, LogLevel::error,
            false},
        Row{500, "InternalFailure", "", FailureKind::provider_5xx, true, LogLevel::error, false},
        Row{503, "ServiceUnavailable", "", FailureKind::provider_5xx, true, LogLevel::error, false},
        Row{500, "500", "Internal Server Error", FailureKind::provider_5xx, true, LogLevel::error,
            false},
        Row{200, "bad_response", "no MessageId", FailureKind::provider_5xx, true, LogLevel::error,
            false}));

TEST(Classify, ProviderMessagesLoseAddresses) {
  auto error = classify_ses_error(400, "MessageRejected",
                                  "Email address is not verified. The following identities failed "
                                  "the check in region EU-WEST-1: from@example.com");
  EXPECT_EQ(error.message,
            "Email address is not verified. The following identities failed the check in region "
            "EU-WEST-1: <email>");
}

TEST(Classify, TransportErrors) {
  auto refused = client::classify_no_response(make_error_code(errc::connection_refused));
  EXPECT_EQ(refused.kind, FailureKind::transport);
  EXPECT_TRUE(refused.retryable());
  EXPECT_EQ(refused.level, LogLevel::error);
  EXPECT_EQ(refused.code, "connection_refused");
  EXPECT_EQ(refused.message, "connection refused");

  auto timeout = client::classify_no_response(make_error_code(errc::timed_out));
  EXPECT_EQ(timeout.kind, FailureKind::timeout);
  EXPECT_TRUE(timeout.retryable());

  auto reset = client::classify_no_response(make_error_code(errc::connection_reset));
  EXPECT_EQ(reset.kind, FailureKind::transport);
  EXPECT_EQ(reset.code, "connection_reset");
}

}  // namespace
}  // namespace notify::email
