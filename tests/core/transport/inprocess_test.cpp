#include "notify/outcome/errc.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/transport/clients.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace notify::transport {
namespace {

using namespace std::chrono_literals;
using runtime::VirtualClock;

Request make_request(std::string url, std::string body = "payload") {
  Request r;
  r.method = "POST";
  r.target = std::move(url);
  r.headers.set("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

SendOptions with_read_timeout(std::chrono::milliseconds t) {
  SendOptions o;
  o.read_timeout = t;
  return o;
}

// Sends one request and runs the clock until the completion arrives.
struct Fixture : ::testing::Test {
  VirtualClock clock;
  InProcessTransport transport{clock};
  std::optional<SendResult> result;
  runtime::TimePoint completed_at;

  void send(Request r, SendOptions o = {}) {
    transport.send(std::move(r), o, [this](SendResult res) {
      result = std::move(res);
      completed_at = clock.now();
    });
  }

  void reply_with(std::string authority, Reply reply) {
    transport.route(std::move(authority), [reply](Request, Responder respond) { respond(reply); });
  }
};

using InProcess = Fixture;

TEST_F(InProcess, DeliversRequestToHandlerAndResponseBack) {
  std::optional<Request> seen;
  transport.route("ses.test:8080", [&](Request req, Responder respond) {
    seen = req;
    Reply reply;
    reply.response.status = 201;
    reply.response.body = "created";
    reply.response.headers.set("X-Amzn-RequestId", "r-1");
    respond(std::move(reply));
  });
  send(make_request("http://ses.test:8080/v2/email/outbound-emails?x=1"));
  clock.run();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->method, "POST");
  EXPECT_EQ(seen->target, "/v2/email/outbound-emails?x=1");
  EXPECT_EQ(seen->path(), "/v2/email/outbound-emails");
  EXPECT_EQ(seen->headers.get("host"), "ses.test:8080");
  EXPECT_EQ(seen->headers.get("content-type"), "text/plain");
  EXPECT_EQ(seen->body, "payload");
  ASSERT_TRUE(result);
  ASSERT_TRUE(*result) << result->error().message();
  EXPECT_EQ((*result)->status, 201);
  EXPECT_EQ((*result)->body, "created");
  EXPECT_EQ((*result)->headers.get("x-amzn-requestid"), "r-1");
}

TEST_F(InProcess, CompletionIsNeverInline) {
  reply_with("h:1", Reply{});
  send(make_request("http://h:1/"));
  EXPECT_FALSE(result);
  transport.send(make_request("http://nowhere:1/"), {}, [this](SendResult r) { result = r; });
  EXPECT_FALSE(result);
  clock.run();
  EXPECT_TRUE(result);
}

TEST_F(InProcess, ResponseDelayIsHonouredOnTheVirtualClock) {
  Reply reply;
  reply.delay = 250ms;
  reply_with("h:1", reply);
  auto start = clock.now();
  send(make_request("http://h:1/"));
  clock.run_for(249ms);
  EXPECT_FALSE(result);
  clock.run_for(1ms);
  ASSERT_TRUE(result);
  ASSERT_TRUE(*result);
  EXPECT_EQ(completed_at - start, 250ms);
  EXPECT_EQ((*result)->transport_time, 250ms);
}

struct ActionCase {
  ConnectionAction action;
  errc expected;
};

class InProcessActions : public Fixture, public ::testing::WithParamInterface<ActionCase> {};

TEST_P(InProcessActions, ConnectionActionBecomesItsErrc) {
  Reply reply;
  reply.action = GetParam().action;
  reply.response.status = 200;
  reply_with("h:1", reply);
  send(make_request("http://h:1/"), with_read_timeout(2s));
  clock.run();
  ASSERT_TRUE(result);
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error(), GetParam().expected) << result->error().message();
  EXPECT_TRUE(is_no_response(result->error()));
}

INSTANTIATE_TEST_SUITE_P(
    AllActions, InProcessActions,
    ::testing::Values(ActionCase{ConnectionAction::refuse, errc::connection_refused},
                      ActionCase{ConnectionAction::reset, errc::connection_reset},
                      ActionCase{ConnectionAction::hang, errc::timed_out},
                      ActionCase{ConnectionAction::truncate, errc::truncated_response}));

TEST_F(InProcess, HangTimesOutAtTheReadTimeout) {
  Reply reply;
  reply.action = ConnectionAction::hang;
  reply_with("h:1", reply);
  auto start = clock.now();
  send(make_request("http://h:1/"), with_read_timeout(3s));
  clock.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->error(), errc::timed_out);
  EXPECT_EQ(completed_at - start, 3s);
}

TEST_F(InProcess, DelayLongerThanReadTimeoutTimesOut) {
  Reply reply;
  reply.delay = 10s;
  reply_with("h:1", reply);
  auto start = clock.now();
  send(make_request("http://h:1/"), with_read_timeout(1s));
  clock.run_for(1s);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->error(), errc::timed_out);
  EXPECT_EQ(completed_at - start, 1s);
  result.reset();
  clock.run();
  EXPECT_FALSE(result) << "the late response must not complete the request a second time";
}

TEST_F(InProcess, ResponderNeverCalledTimesOutAndLateCallIsIgnored) {
  Responder saved;
  transport.route("h:1", [&](Request, Responder respond) { saved = std::move(respond); });
  int completions = 0;
  transport.send(make_request("http://h:1/"), with_read_timeout(5s), [&](SendResult r) {
    ++completions;
    result = std::move(r);
  });
  clock.run();
  EXPECT_EQ(completions, 1);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->error(), errc::timed_out);
  ASSERT_TRUE(saved);
  saved(Reply{});
  clock.run();
  EXPECT_EQ(completions, 1);
}

TEST_F(InProcess, ResponderMayBeCalledLater) {
  Responder saved;
  transport.route("h:1", [&](Request, Responder respond) { saved = std::move(respond); });
  auto start = clock.now();
  send(make_request("http://h:1/"), with_read_timeout(10s));
  clock.run_for(2s);
  EXPECT_FALSE(result);
  ASSERT_TRUE(saved);
  Reply reply;
  reply.response.status = 202;
  saved(reply);
  EXPECT_FALSE(result) << "completion must go through the clock";
  clock.run();
  ASSERT_TRUE(result);
  ASSERT_TRUE(*result);
  EXPECT_EQ((*result)->status, 202);
  EXPECT_EQ(completed_at - start, 2s);
  EXPECT_EQ(clock.pending(), 0u) << "the read time-out timer must be cancelled";
}

TEST_F(InProcess, NoRouteIsConnectionRefused) {
  send(make_request("http://127.0.0.1:9/"));
  clock.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->error(), errc::connection_refused);
}

TEST_F(InProcess, RefusingAuthorityIsConnectionRefusedUntilReopened) {
  bool called = false;
  transport.route("h:1", [&](Request, Responder respond) {
    called = true;
    respond(Reply{});
  });
  transport.set_refusing("h:1", true);
  send(make_request("http://h:1/"));
  clock.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->error(), errc::connection_refused);
  EXPECT_FALSE(called);

  transport.set_refusing("h:1", false);
  result.reset();
  send(make_request("http://h:1/"));
  clock.run();
  ASSERT_TRUE(result);
  EXPECT_TRUE(*result);
  EXPECT_TRUE(called);
}

TEST_F(InProcess, UnrouteAndReplaceRoutes) {
  Reply a;
  a.response.status = 201;
  Reply b;
  b.response.status = 202;
  reply_with("h:1", a);
  reply_with("h:1", b);
  send(make_request("http://h:1/"));
  clock.run();
  ASSERT_TRUE(result && *result);
  EXPECT_EQ((*result)->status, 202);

  transport.unroute("h:1");
  result.reset();
  send(make_request("http://h:1/"));
  clock.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->error(), errc::connection_refused);
}

TEST_F(InProcess, RouteWithoutPortMatchesTheDefaultPort) {
  reply_with("lambda.test", Reply{});
  send(make_request("https://lambda.test/2015-03-31/functions/f/invocations"));
  clock.run();
  ASSERT_TRUE(result);
  EXPECT_TRUE(*result);
}

TEST_F(InProcess, InvalidUrlIsInvalidArgument) {
  send(make_request("not a url"));
  EXPECT_FALSE(result);
  clock.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->error(), errc::invalid_argument);
}

TEST_F(InProcess, ResponsesKeepTheirDelayOrder) {
  transport.route("h:1", [](Request req, Responder respond) {
    Reply reply;
    reply.delay = req.body == "slow" ? 200ms : 100ms;
    reply.response.body = req.body;
    respond(std::move(reply));
  });
  std::vector<std::string> order;
  for (const char* body : {"slow", "fast"}) {
    transport.send(make_request("http://h:1/", body), {},
                   [&](SendResult r) { order.push_back(r ? r->body : "error"); });
  }
  clock.run();
  EXPECT_EQ(order, (std::vector<std::string>{"fast", "slow"}));
}

}  // namespace
}  // namespace notify::transport
