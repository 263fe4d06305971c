// The CBC proxy client against Notify's own tests (tests/app/clients/test_cbc_proxy.py): payloads,
// the failover rule, what is not caught, and the Lambda client's signing and SDK retries.
#include "notify/broadcast/cbc_proxy.hpp"

#include "notify/aws/sigv4.hpp"
#include "notify/transport/clients.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace notify::broadcast {
namespace {

using Kind = InvokeResult::Kind;

class FakeLambda final : public LambdaClient {
 public:
  explicit FakeLambda(runtime::Clock& clock) : clock_(clock) {}
  void invoke(const std::string& name, const nlohmann::json& payload,
              std::function<void(InvokeResult)> done) override {
    calls.emplace_back(name, payload);
    InvokeResult r;
    if (!results.empty()) {
      r = results.front();
      results.pop_front();
    }
    clock_.post([done = std::move(done), r] { done(r); });
  }
  std::deque<InvokeResult> results;
  std::vector<std::pair<std::string, nlohmann::json>> calls;

 private:
  runtime::Clock& clock_;
};

class CbcProxyTest : public ::testing::Test {
 protected:
  ProxyResult run(const std::string& provider, bool fix = false) {
    CbcProxyClient client(lambda_, metrics_, logger_, fix);
    std::optional<ProxyResult> out;
    BroadcastArgs a;
    a.identifier = "id-1";
    a.description = "description";
    client.get_proxy(provider).create_and_send_broadcast(a, [&](ProxyResult r) { out = r; });
    while (clock_.step()) {
    }
    EXPECT_TRUE(out);
    return out.value_or(ProxyResult{});
  }

  runtime::VirtualClock clock_;
  telemetry::Metrics metrics_;
  telemetry::Logger logger_{clock_};
  FakeLambda lambda_{clock_};
};

TEST_F(CbcProxyTest, GetProxyKnowsTheFourOperatorsAndNamesAnUnknownOne) {
  CbcProxyClient client(lambda_, metrics_, logger_);
  EXPECT_EQ(client.get_proxy("ee").lambda_name(), "ee-1-proxy");
  EXPECT_EQ(client.get_proxy("o2").failover_lambda_name(), "o2-2-proxy");
  EXPECT_EQ(client.get_proxy("three").message_format(), MessageFormat::cap);
  EXPECT_EQ(client.get_proxy("vodafone").message_format(), MessageFormat::ibag);
  EXPECT_EQ(client.get_proxy("vodafone").language_welsh(), "Welsh");
  EXPECT_THROW(client.get_proxy("bt"), UnknownProvider);
}

// A proxy whose traits lack failover_lambda_name: OperatorProxy<Incomplete> does not compile.
struct Incomplete {
  static constexpr std::string_view provider = "x";
  static constexpr std::string_view lambda_name = "x-1-proxy";
  static constexpr MessageFormat message_format = MessageFormat::cap;
  static constexpr std::string_view language_english = "en-GB";
  static constexpr std::string_view language_welsh = "cy-GB";
};
static_assert(!ProxyProperties<Incomplete>);

TEST_F(CbcProxyTest, PayloadsAreNotifys) {
  CbcProxyClient client(lambda_, metrics_, logger_);
  BroadcastArgs a;
  a.identifier = "id-1";
  a.message_number = 78;
  a.description = "mŷ-description";
  a.sent = "2021-02-15T10:00:00-00:00";
  a.expires = "2021-02-15T14:00:00-00:00";
  auto cap = client.get_proxy("ee").alert_payload(a);
  EXPECT_FALSE(cap.contains("message_number"));
  EXPECT_EQ(cap["language"], "cy-GB");
  EXPECT_EQ(cap["message_format"], "cap");
  auto ibag = client.get_proxy("vodafone").alert_payload(a);
  EXPECT_EQ(ibag["message_number"], "0000004e");
  EXPECT_EQ(ibag["language"], "Welsh");
  a.references = {{"ref-1", "2021-02-15T10:00:00.000001Z", 78}, {"ref-2", "x", 123}};
  auto cancel = client.get_proxy("vodafone").cancel_payload(a);
  EXPECT_EQ(cancel["references"][1]["message_number"], "0000007b");
  EXPECT_EQ(cancel["message_type"], "cancel");
  EXPECT_FALSE(client.get_proxy("o2").cancel_payload(a)["references"][0].contains("message_number"));
  EXPECT_EQ(format_sequential_number(78), "0000004e");
}

TEST_F(CbcProxyTest, ClientErrorOnBothLambdasIsRetryable) {
  lambda_.results = {{Kind::failed, 0, "ClientError", ""}, {Kind::failed, 0, "ClientError", ""}};
  auto r = run("three");
  EXPECT_EQ(r.kind, ProxyResult::Kind::retryable);
  EXPECT_EQ(r.message, "Lambda failed for both three-1-proxy and three-2-proxy");
}

TEST_F(CbcProxyTest, FunctionErrorOrStatusFailsOverAndSucceeds) {
  lambda_.results = {{Kind::failed, 200, "FunctionError", "CBCNewConnectionError"}, {}};
  EXPECT_EQ(run("ee").kind, ProxyResult::Kind::ok);
  ASSERT_EQ(lambda_.calls.size(), 2U);
  EXPECT_EQ(lambda_.calls[1].first, "ee-2-proxy");
  EXPECT_EQ(lambda_.calls[0].second, lambda_.calls[1].second);
  lambda_.results = {{Kind::failed, 400, "400", ""}, {}};
  EXPECT_EQ(run("vodafone").kind, ProxyResult::Kind::ok);
  EXPECT_EQ(metrics_.counter("cbc-proxy.failover.vodafone"), 1);
}

TEST_F(CbcProxyTest, AConnectionErrorIsNotCaughtUnlessTheFixIsOn) {
  lambda_.results = {{Kind::unhandled, 0, "EndpointConnectionError", "refused"}};
  auto r = run("o2");
  EXPECT_EQ(r.kind, ProxyResult::Kind::unhandled);
  EXPECT_EQ(lambda_.calls.size(), 1U);  // no failover
  lambda_.calls.clear();
  lambda_.results = {{Kind::unhandled, 0, "EndpointConnectionError", ""},
                     {Kind::unhandled, 0, "EndpointConnectionError", ""}};
  EXPECT_EQ(run("o2", true).kind, ProxyResult::Kind::retryable);
  EXPECT_EQ(lambda_.calls.size(), 2U);
}

TEST_F(CbcProxyTest, UpdateInvokesNothing) {
  CbcProxyClient client(lambda_, metrics_, logger_);
  bool ok = false;
  client.get_proxy("ee").update_and_send_broadcast({}, [&](ProxyResult r) {
    ok = r.kind == ProxyResult::Kind::ok;
  });
  EXPECT_TRUE(ok);
  EXPECT_TRUE(lambda_.calls.empty());
}

// Emergency Alerts' four routes (emergency-alerts-api tests/app/clients/test_cbc_proxy.py).
class FourRoutesTest : public CbcProxyTest {
 protected:
  ProxyResult send(const std::string& provider, ProxyOptions o = {}) {
    o.routing = Routing::four_routes;
    o.failover_on_connection_errors = true;
    if (o.error_payload == ErrorPayload::logged) o.error_payload = ErrorPayload::json_decode_error;
    CbcProxyClient client(lambda_, metrics_, logger_, o);
    std::optional<ProxyResult> out;
    BroadcastArgs a;
    a.identifier = "id-1";
    a.description = "description";
    client.get_proxy(provider).create_and_send_broadcast(a, [&](ProxyResult r) { out = r; });
    while (clock_.step()) {
    }
    EXPECT_TRUE(out);
    return out.value_or(ProxyResult{});
  }
  std::vector<std::string> invoked() const {
    std::vector<std::string> out;
    for (const auto& [name, payload] : lambda_.calls)
      out.push_back(name + "/" + payload.value("cbc_target", std::string("?")));
    return out;
  }
  static InvokeResult fail() { return {Kind::failed, 200, "FunctionError", "x"}; }
};

TEST_F(FourRoutesTest, AllFourFailingIsRetryableAfterExactlyFourInvokesInUpstreamOrder) {
  lambda_.results = {fail(), {Kind::failed, 403, "AccessDeniedException", "denied"},
                     {Kind::unhandled, 0, "ReadTimeoutError", "read timed out"}, fail()};
  auto r = send("ee");
  EXPECT_EQ(r.kind, ProxyResult::Kind::retryable);
  EXPECT_EQ(r.message, "ee-1-proxy and ee-2-proxy lambdas failed");
  EXPECT_EQ(invoked(), (std::vector<std::string>{"ee-1-proxy/cbc_a", "ee-1-proxy/cbc_b",
                                                 "ee-2-proxy/cbc_a", "ee-2-proxy/cbc_b"}));
  EXPECT_EQ(r.invoked, invoked());
  EXPECT_EQ(metrics_.counter("cbc-proxy.invoke.ee-2-proxy.cbc_b.failed"), 1);
}

TEST_F(FourRoutesTest, TheFirstRouteThatWorksEndsTheSend) {
  lambda_.results = {fail(), {Kind::ok, 200, "", ""}};
  auto r = send("vodafone");
  EXPECT_EQ(r.kind, ProxyResult::Kind::ok);
  EXPECT_EQ(r.message, "vodafone-1-proxy/cbc_b");
  EXPECT_EQ(invoked(),
            (std::vector<std::string>{"vodafone-1-proxy/cbc_a", "vodafone-1-proxy/cbc_b"}));
  EXPECT_EQ(lambda_.calls[1].second.value("message_number", std::string()), "00000000");
}

TEST_F(FourRoutesTest, TheAdvisedRouteGoesFirst) {
  ProxyOptions o;
  std::string asked;
  o.advised_route = [&asked](const std::string& mno) -> std::optional<Route> {
    asked = mno;
    return Route{"o2-2-proxy", "cbc_b"};
  };
  lambda_.results = {fail(), fail(), fail(), fail()};
  send("o2", o);
  EXPECT_EQ(asked, "o2");
  EXPECT_EQ(invoked(), (std::vector<std::string>{"o2-2-proxy/cbc_b", "o2-1-proxy/cbc_a",
                                                 "o2-1-proxy/cbc_b", "o2-2-proxy/cbc_a"}));
}

TEST_F(FourRoutesTest, ANonJsonFunctionErrorPayloadRaisesUnlessFixed) {
  InvokeResult text = fail();
  text.payload_undecodable = true;
  lambda_.results = {text, {Kind::ok, 200, "", ""}};
  auto r = send("three");
  EXPECT_EQ(r.kind, ProxyResult::Kind::unhandled);
  EXPECT_EQ(r.message, "JSONDecodeError: Expecting value: line 1 column 1 (char 0)");
  EXPECT_EQ(lambda_.calls.size(), 1U);
  lambda_.calls.clear();
  lambda_.results = {text, {Kind::ok, 200, "", ""}};
  ProxyOptions fixed;
  fixed.error_payload = ErrorPayload::fixed;
  EXPECT_EQ(send("three", fixed).kind, ProxyResult::Kind::ok);
  EXPECT_EQ(lambda_.calls.size(), 2U);
}

TEST_F(FourRoutesTest, LinkTestsTryAllFourRoutesWithoutFailover) {
  ProxyOptions o;
  o.routing = Routing::four_routes;
  o.failover_on_connection_errors = true;
  CbcProxyClient client(lambda_, metrics_, logger_, o);
  lambda_.results = {fail(), {Kind::ok, 200, "", ""}, fail(), {Kind::ok, 200, "", ""}};
  std::vector<std::pair<std::string, bool>> seen;
  bool finished = false;
  int n = 0;
  client.get_proxy("ee").send_link_test(
      [&n] { return "t" + std::to_string(++n); }, [] { return 0; },
      [&](std::string route, InvokeResult r) { seen.emplace_back(route, r.kind == Kind::ok); },
      [&] { finished = true; });
  while (clock_.step()) {
  }
  EXPECT_TRUE(finished);
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, bool>>{{"ee-1-proxy/cbc_a", false},
                                                             {"ee-1-proxy/cbc_b", true},
                                                             {"ee-2-proxy/cbc_a", false},
                                                             {"ee-2-proxy/cbc_b", true}}));
  ASSERT_EQ(lambda_.calls.size(), 4U);
  EXPECT_EQ(lambda_.calls[0].second,
            (nlohmann::json{{"message_type", "test"}, {"identifier", "t1"},
                            {"message_format", "cap"}, {"cbc_target", "cbc_a"}}));
  EXPECT_EQ(lambda_.calls[3].second.value("identifier", std::string()), "t4");
}

TEST_F(FourRoutesTest, ALinkTestThatRaisesEndsOnlyItsOwnRoutesTask) {
  ProxyOptions o;
  o.routing = Routing::four_routes;
  o.error_payload = ErrorPayload::json_decode_error;
  CbcProxyClient client(lambda_, metrics_, logger_, o);
  InvokeResult undecodable{Kind::failed, 200, "FunctionError", "RequestId: 1 Error: killed"};
  undecodable.payload_undecodable = true;
  lambda_.results = {undecodable, {Kind::unhandled, 0, "ReadTimeoutError", "read timed out"},
                     {Kind::ok, 200, "", ""}, {Kind::ok, 200, "", ""}};
  int results = 0;
  bool finished = false;
  client.get_proxy("o2").send_link_test([] { return std::string("t"); }, [] { return 0; },
                                        [&](std::string, InvokeResult) { ++results; },
                                        [&] { finished = true; });
  while (clock_.step()) {
  }
  EXPECT_TRUE(finished);
  EXPECT_EQ(results, 4);
  EXPECT_EQ(lambda_.calls.size(), 4U);
}

TEST_F(FourRoutesTest, EeWithoutASecondaryTriesTwoRoutesAndNamesNone) {
  ProxyOptions o;
  o.without_secondary = {"ee"};
  lambda_.results = {fail(), fail()};
  auto r = send("ee", o);
  EXPECT_EQ(r.kind, ProxyResult::Kind::retryable);
  EXPECT_EQ(r.message, "ee-1-proxy and None lambdas failed");
  EXPECT_EQ(invoked(), (std::vector<std::string>{"ee-1-proxy/cbc_a", "ee-1-proxy/cbc_b"}));
  // Only EE: O2 keeps its four routes.
  lambda_.calls.clear();
  lambda_.results = {fail(), fail(), fail(), fail()};
  EXPECT_EQ(send("o2", o).message, "o2-1-proxy and o2-2-proxy lambdas failed");
  EXPECT_EQ(lambda_.calls.size(), 4U);
}

TEST_F(FourRoutesTest, EeWithoutASecondaryStillRunsFourLinkTestsTheLastTwoToNone) {
  ProxyOptions o;
  o.routing = Routing::four_routes;
  o.without_secondary = {"ee"};
  CbcProxyClient client(lambda_, metrics_, logger_, o);
  std::vector<std::string> routes;
  client.get_proxy("ee").send_link_test([] { return std::string("t"); }, [] { return 0; },
                                        [&](std::string route, InvokeResult) {
                                          routes.push_back(route);
                                        });
  while (clock_.step()) {
  }
  EXPECT_EQ(routes, (std::vector<std::string>{"ee-1-proxy/cbc_a", "ee-1-proxy/cbc_b",
                                              "None/cbc_a", "None/cbc_b"}));
  EXPECT_EQ(lambda_.calls.at(2).first, "None");
}

TEST_F(FourRoutesTest, AnAccountNamesEveryFunctionByPartialArnButNotItsRoute) {
  ProxyOptions o;
  o.function_prefix = "123456789012:function:";
  lambda_.results = {fail(), {Kind::ok, 200, "", ""}};
  auto r = send("three", o);
  EXPECT_EQ(r.kind, ProxyResult::Kind::ok);
  EXPECT_EQ(r.invoked, (std::vector<std::string>{"three-1-proxy/cbc_a", "three-1-proxy/cbc_b"}));
  ASSERT_EQ(lambda_.calls.size(), 2U);
  EXPECT_EQ(lambda_.calls[0].first, "123456789012:function:three-1-proxy");
  EXPECT_EQ(metrics_.counter("cbc-proxy.invoke.three-1-proxy.cbc_b.ok"), 1);
}

TEST(LambdaPayload, DecodesAsUpstreamsConvertLambdaPayloadToJson) {
  EXPECT_TRUE(lambda_payload_decodes(R"({"errorType": "X", "errorMessage": "a \"b\"\n"})"));
  EXPECT_TRUE(lambda_payload_decodes(" \"quoted\" "));
  EXPECT_FALSE(lambda_payload_decodes("RequestId: 1 Error: Runtime exited with error"));
  EXPECT_FALSE(lambda_payload_decodes(""));
}

TEST(LambdaClient, SignsWithTheCbcProxyCredentialsAndRetriesConnectionErrorsAsBotocore) {
  runtime::VirtualClock clock;
  transport::InProcessTransport net(clock);
  telemetry::Metrics metrics;
  telemetry::Logger logger(clock);
  runtime::Rng rng(1);
  std::vector<transport::Request> seen;
  net.route("lambda.test:4566", [&](transport::Request q, transport::Responder done) {
    seen.push_back(q);
    transport::Reply reply;
    reply.response.status = 200;
    reply.response.headers.set("X-Amz-Function-Error", "Unhandled");
    reply.response.body = R"({"errorType": "CBCNewConnectionError", "errorMessage": "x"})";
    done(std::move(reply));
  });
  LambdaClientOptions o;
  o.endpoint_url = "http://lambda.test:4566";
  auto client = make_lambda_client(net, clock, rng, metrics, logger, o);
  std::optional<InvokeResult> out;
  client->invoke("ee-1-proxy", {{"a", 1}}, [&](InvokeResult r) { out = r; });
  while (clock.step()) {
  }
  ASSERT_TRUE(out);
  EXPECT_EQ(out->kind, Kind::failed);
  EXPECT_EQ(out->error, "FunctionError");
  ASSERT_EQ(seen.size(), 1U);  // a function error is an answer: botocore does not retry it
  auto auth = aws::parse_authorization(seen[0].headers.get_or("Authorization", ""));
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->access_key_id, "AKIDCBCPROXYEXAMPLE");
  EXPECT_EQ(auth->service, "lambda");
  EXPECT_EQ(seen[0].target, "/2015-03-31/functions/ee-1-proxy/invocations");

  // Nobody listening: five attempts with botocore's backoff, then EndpointConnectionError.
  LambdaClientOptions dead = o;
  dead.endpoint_url = "http://nowhere.test";
  auto unreachable = make_lambda_client(net, clock, rng, metrics, logger, dead);
  out.reset();
  auto start = clock.now();
  unreachable->invoke("ee-1-proxy", {}, [&](InvokeResult r) { out = r; });
  while (clock.step()) {
  }
  ASSERT_TRUE(out);
  EXPECT_EQ(out->kind, Kind::unhandled);
  EXPECT_EQ(out->error, "EndpointConnectionError");
  EXPECT_GT(clock.now(), start);
  EXPECT_EQ(metrics.counter("clients.cbc-proxy.error"), 6);
}

// Which error answers botocore's legacy mode sends again (its _retry.json rule), and how many
// requests each costs: 5 when retried, 1 when not.
struct LambdaAnswer {
  int status;
  const char* error_type;  // x-amzn-ErrorType, "" for none
  std::size_t requests;
  const char* code;  // what the caller sees
};

class LambdaClientRetries : public ::testing::TestWithParam<LambdaAnswer> {};

TEST_P(LambdaClientRetries, AsBotocoreLegacyMode) {
  const auto& row = GetParam();
  runtime::VirtualClock clock;
  transport::InProcessTransport net(clock);
  telemetry::Metrics metrics;
  telemetry::Logger logger(clock);
  runtime::Rng rng(1);
  std::size_t requests = 0;
  net.route("lambda.test:4566", [&](transport::Request, transport::Responder done) {
    ++requests;
    transport::Reply reply;
    reply.response.status = row.status;
    if (*row.error_type != '\0') reply.response.headers.set("x-amzn-ErrorType", row.error_type);
    reply.response.body = R"({"message": "no"})";
    done(std::move(reply));
  });
  LambdaClientOptions o;
  o.endpoint_url = "http://lambda.test:4566";
  auto client = make_lambda_client(net, clock, rng, metrics, logger, o);
  std::optional<InvokeResult> out;
  client->invoke("ee-1-proxy", {}, [&](InvokeResult r) { out = r; });
  while (clock.step()) {
  }
  ASSERT_TRUE(out);
  EXPECT_EQ(out->kind, Kind::failed);
  EXPECT_EQ(out->error, row.code);
  EXPECT_EQ(requests, row.requests);
}

INSTANTIATE_TEST_SUITE_P(
    Table, LambdaClientRetries,
    ::testing::Values(LambdaAnswer{429, "TooManyRequestsException", 5, "TooManyRequestsException"},
                      LambdaAnswer{500, "ServiceException", 5, "ServiceException"},
                      LambdaAnswer{502, "", 5, "502"}, LambdaAnswer{503, "", 5, "503"},
                      LambdaAnswer{504, "", 5, "504"}, LambdaAnswer{509, "", 5, "509"},
                      // botocore's rule names these statuses only.
                      LambdaAnswer{501, "", 1, "501"}, LambdaAnswer{507, "", 1, "507"},
                      // A 400 is retried for a throttling code, matched exactly.
                      LambdaAnswer{400, "ThrottlingException", 5, "ThrottlingException"},
                      LambdaAnswer{400, "ThrottlingException:http://internal.amazon.com/coral/", 5,
                                   "ThrottlingException"},
                      LambdaAnswer{400, "Throttling", 5, "Throttling"},
                      LambdaAnswer{400, "InvalidParameterValueException", 1,
                                   "InvalidParameterValueException"},
                      LambdaAnswer{404, "ResourceNotFoundException", 1,
                                   "ResourceNotFoundException"},
                      LambdaAnswer{403, "", 1, "403"}));

}  // namespace
}  // namespace notify::broadcast
