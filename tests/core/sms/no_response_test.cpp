// The seed's bug: a time-out or a refused connection left requests' exception without a
// response, and `e.response.status_code` raised AttributeError ('NoneType' object has no
// attribute 'status_code'). Here every kind of "no response", for both clients, is a classified
// Failure reported as Notify's 504 "Gateway Time-out" and sent to the other provider.
#include "fake_provider.hpp"
#include "notify/sms/sms_client.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace notify::sms {
namespace {

using namespace std::chrono_literals;
using testing::FakeProvider;
using transport::ConnectionAction;

enum class NoResponse { refused, reset, timed_out, truncated };

std::string name_of(NoResponse kind) {
  switch (kind) {
    case NoResponse::refused:
      return "refused";
    case NoResponse::reset:
      return "reset";
    case NoResponse::timed_out:
      return "timed_out";
    case NoResponse::truncated:
      return "truncated";
  }
  return "?";
}

struct Param {
  NoResponse kind;
  bool mmg;
};

class NoResponseTest : public ::testing::TestWithParam<Param> {
 protected:
  runtime::VirtualClock clock;
  transport::InProcessTransport transport{clock};
  telemetry::Metrics metrics;
  telemetry::Logger logger{clock};
  std::shared_ptr<FakeProvider> provider = std::make_shared<FakeProvider>();
};

TEST_P(NoResponseTest, IsGatewayTimeOutNotACrash) {
  const auto [kind, mmg] = GetParam();
  const char* authority = mmg ? testing::kMmgAuthority : testing::kFiretextAuthority;
  transport.route(authority, FakeProvider::handler(provider));
  std::unique_ptr<SmsClient> client;
  if (mmg) {
    MmgClientOptions o;
    o.url = testing::kMmgUrl;
    o.send_options = {5s, 7s};
    client = make_mmg_client(transport, clock, metrics, logger, o);
  } else {
    FiretextClientOptions o;
    o.url = testing::kFiretextUrl;
    o.send_options = {5s, 7s};
    client = make_firetext_client(transport, clock, metrics, logger, o);
  }

  std::string expected_code;
  switch (kind) {
    case NoResponse::refused:
      transport.set_refusing(authority, true);
      expected_code = "connection_refused";
      break;
    case NoResponse::reset:
      provider->script = {testing::action(ConnectionAction::reset)};
      expected_code = "connection_reset";
      break;
    case NoResponse::timed_out:
      provider->script = {testing::action(ConnectionAction::hang)};
      expected_code = "timed_out";
      break;
    case NoResponse::truncated:
      provider->script = {testing::action(ConnectionAction::truncate)};
      expected_code = "truncated_response";
      break;
  }

  SmsMessage m;
  m.to = "447700900123";
  m.content = "hello";
  m.reference = "0b6b7d3c-9a51-4c8e-8a0b-5f0e2a1d3c4b";
  std::optional<SmsResult> result;
  client->send_sms(m, [&](SmsResult r) { result = std::move(r); });
  clock.run();

  ASSERT_TRUE(result.has_value()) << "the completion must run exactly once";
  ASSERT_FALSE(*result);
  const Failure& f = result->error();
  EXPECT_EQ(f.code, expected_code);
  EXPECT_EQ(f.kind, kind == NoResponse::timed_out ? FailureKind::timeout : FailureKind::transport);
  EXPECT_EQ(f.retry, Retry::failover);
  EXPECT_EQ(f.level, LogLevel::warning);
  EXPECT_EQ(f.message.rfind("Code 504 text Gateway Time-out exception " + expected_code, 0), 0u)
      << f.message;

  const std::string prefix = mmg ? "clients.mmg" : "clients.firetext";
  EXPECT_EQ(metrics.counter(prefix + ".error"), 1);
  EXPECT_EQ(metrics.counter(prefix + ".success"), 0);
  EXPECT_EQ(metrics.timing_stats(prefix + ".request-time").count, 1u);
  EXPECT_EQ(metrics.timing_stats(prefix + ".raw-request-time").count, 0u);
  if (kind == NoResponse::timed_out) {
    EXPECT_DOUBLE_EQ(metrics.timing_stats(prefix + ".request-time").sum_ms, 7000.0);
  }
  auto records = logger.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].level, LogLevel::warning);
  EXPECT_NE(records[0].message.find("response status_code none (no response: " + expected_code),
            std::string::npos)
      << records[0].message;
}

std::vector<Param> all_params() {
  std::vector<Param> out;
  for (auto kind :
       {NoResponse::refused, NoResponse::reset, NoResponse::timed_out, NoResponse::truncated}) {
    out.push_back({kind, false});
    out.push_back({kind, true});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(EveryKindBothClients, NoResponseTest, ::testing::ValuesIn(all_params()),
                         [](const ::testing::TestParamInfo<Param>& info) {
                           return std::string(info.param.mmg ? "Mmg_" : "Firetext_") +
                                  name_of(info.param.kind);
                         });

}  // namespace
}  // namespace notify::sms
