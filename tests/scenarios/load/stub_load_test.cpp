// Short runs of the stubs alone, to embedded stubs on port 0 (or a closed port standing in for
// serve's edge): the report counts every request in its one series with its latencies and
// timeline, and injected errors, resets and refused connections show in errors by kind. Each run
// ends by itself once every request is answered.
#include "notify/load/stub_load.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace notify::load {
namespace {

using nlohmann::json;

StubLoadOptions small_run(const std::string& operation = "") {
  StubLoadOptions o;
  o.operation = operation;
  o.rate = 400;
  o.count = 40;
  o.seed = 3;
  o.connections = 4;
  o.read_timeout = std::chrono::milliseconds(10'000);
  // Never the process environment: the run uses embedded stubs whatever the shell exports.
  o.getenv = [](const std::string&) { return std::optional<std::string>(); };
  return o;
}

std::int64_t sum_timeline(const report::LoadReport& r, std::int64_t report::Interval::*field) {
  std::int64_t total = 0;
  for (const auto& i : r.timeline) total += i.*field;
  return total;
}

TEST(StubLoad, EveryRequestIsCountedInOneSeriesWithLatencies) {
  auto o = small_run();
  o.count = 100;
  const auto r = run_stub_load(o);
  EXPECT_EQ(r.run.target, "stub");
  EXPECT_EQ(r.run.arrivals, "constant");
  EXPECT_EQ(r.run.asked_rate, 400);
  // Open loop: never faster than asked; how much slower depends on the machine.
  EXPECT_GT(r.run.achieved_rate, 0);
  EXPECT_LE(r.run.achieved_rate, r.run.asked_rate * 1.001);
  EXPECT_EQ(r.run.connections, 4);
  EXPECT_EQ(r.run.seed, 3u);
  EXPECT_TRUE(r.run.mix.empty());
  ASSERT_EQ(r.series.size(), 1u);
  const auto& s = r.series[0];
  // The default operation is the first registered: SES v1 SendEmail.
  EXPECT_EQ(s.channel, "ses");
  EXPECT_EQ(s.provider, "ses-v1");
  EXPECT_EQ(s.arrivals, 100);
  EXPECT_EQ(s.accepted, 100);
  EXPECT_EQ(s.failed, 0);
  EXPECT_EQ(s.unfinished, 0);
  EXPECT_TRUE(s.errors.empty());
  EXPECT_EQ(s.dispatch.count(), 100);
  EXPECT_GT(s.dispatch.min(), 0);
  EXPECT_EQ(s.end_to_end.count(), 0);
  EXPECT_EQ(r.interval_s, 1.0);
  EXPECT_EQ(sum_timeline(r, &report::Interval::arrivals), 100);
  EXPECT_EQ(sum_timeline(r, &report::Interval::accepted), 100);
  EXPECT_EQ(sum_timeline(r, &report::Interval::errors), 0);
  // The file form reads back to the same report.
  EXPECT_EQ(report::from_json(report::to_json(r)), r);
}

TEST(StubLoad, EachOperationIsItsStubsSeries) {
  for (const auto& [operation, service] :
       std::vector<std::pair<std::string, std::string>>{{"ses-v2", "ses"},
                                                        {"ses-stub", "ses"},
                                                        {"firetext", "firetext"},
                                                        {"mmg-stub", "mmg"},
                                                        {"lambda-invoke", "lambda"}}) {
    auto o = small_run(operation);
    o.arrivals = ArrivalKind::poisson;
    const auto r = run_stub_load(o);
    ASSERT_EQ(r.series.size(), 1u) << operation;
    EXPECT_EQ(r.series[0].channel, service) << operation;
    EXPECT_EQ(r.series[0].provider, operation);
    EXPECT_EQ(r.series[0].arrivals, 40) << operation;
    EXPECT_EQ(r.series[0].accepted, 40) << operation;
    EXPECT_EQ(r.run.arrivals, "poisson");
  }
}

TEST(StubLoad, AnSqsCycleIsOneOperationOfThreeRequests) {
  auto o = small_run("sqs-cycle");
  const auto clean = run_stub_load(o);
  ASSERT_EQ(clean.series.size(), 1u);
  EXPECT_EQ(clean.series[0].channel, "sqs");
  EXPECT_EQ(clean.series[0].provider, "sqs-cycle");
  EXPECT_EQ(clean.series[0].arrivals, 40);
  EXPECT_EQ(clean.series[0].accepted, 40);
  EXPECT_EQ(clean.series[0].dispatch.count(), 40);

  // A failure at any of its three steps fails the cycle, counted by what went wrong: a throttled
  // send, a receive that found nothing (answered 200, empty, after its 1 s wait), a delete that
  // failed.
  o.faults = json::parse(R"([
      {"id": "send", "match": {"service": "sqs", "operation": "SendMessage"},
       "action": {"type": "error", "name": "sqs.throttled"}, "trigger": {"first": 2}},
      {"id": "receive", "match": {"service": "sqs", "operation": "ReceiveMessage"},
       "action": {"type": "error", "name": "sqs.empty_receive"}, "trigger": {"first": 1}},
      {"id": "delete", "match": {"service": "sqs", "operation": "DeleteMessage"},
       "action": {"type": "error", "name": "sqs.internal_error"}, "trigger": {"first": 3}}])");
  const auto r = run_stub_load(o);
  ASSERT_EQ(r.series.size(), 1u);
  const auto& s = r.series[0];
  EXPECT_EQ(s.arrivals, 40);
  EXPECT_EQ(s.accepted, 34);
  EXPECT_EQ(s.failed, 6);
  EXPECT_EQ(s.errors,
            (std::map<std::string, std::int64_t>{
                {"http 400", 2}, {"http 500", 3}, {"ReceiveMessage returned no message", 1}}));
  EXPECT_EQ(sum_timeline(r, &report::Interval::errors), 6);
}

TEST(StubLoad, InjectedErrorsAndResetsAreCountedByKind) {
  auto o = small_run();
  o.faults = json::parse(R"({"faults": [
      {"id": "throttle", "match": {"service": "ses"},
       "action": {"type": "error", "name": "ses.throttling"}, "trigger": {"first": 3}},
      {"id": "reset", "match": {"service": "firetext"}, "action": {"type": "reset"}}]})");
  o.faults_file = "throttle.json";
  const auto r = run_stub_load(o);
  EXPECT_EQ(r.run.faults, "throttle.json");
  ASSERT_EQ(r.series.size(), 1u);
  const auto& s = r.series[0];
  EXPECT_EQ(s.arrivals, 40);
  EXPECT_EQ(s.accepted, 37);
  EXPECT_EQ(s.failed, 3);
  // SES v1 answers Throttling with a 400.
  EXPECT_EQ(s.errors, (std::map<std::string, std::int64_t>{{"http 400", 3}}));
  EXPECT_EQ(s.dispatch.count(), 37);
  EXPECT_EQ(sum_timeline(r, &report::Interval::errors), 3);

  // The reset rule is Firetext's: a Firetext run meets it on every request.
  auto f = small_run("firetext");
  f.faults = o.faults;
  const auto fr = run_stub_load(f);
  ASSERT_EQ(fr.series.size(), 1u);
  EXPECT_EQ(fr.series[0].accepted, 0);
  EXPECT_EQ(fr.series[0].failed, 40);
  EXPECT_EQ(fr.series[0].errors.size(), 1u);
  EXPECT_EQ(fr.series[0].errors.begin()->second, 40);
  EXPECT_NE(fr.series[0].errors.begin()->first.find("reset"), std::string::npos);
}

TEST(StubLoad, ARefusedServiceIsConnectionRefused) {
  auto o = small_run("mmg");
  o.faults = json::parse(R"([{"id": "down", "match": {"service": "mmg"},
                               "action": {"type": "refuse"}}])");
  const auto r = run_stub_load(o);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].accepted, 0);
  EXPECT_EQ(r.series[0].failed, 40);
  EXPECT_EQ(r.series[0].errors, (std::map<std::string, std::int64_t>{{"connection refused", 40}}));
  EXPECT_EQ(r.series[0].dispatch.count(), 0);
}

TEST(StubLoad, AnExternalEdgeThatIsNotListeningIsConnectionRefused) {
  // A port that was free a moment ago and is closed now stands in for a serve that is not up.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();
  auto o = small_run();
  o.count = 5;
  o.getenv = [port](const std::string& name) -> std::optional<std::string> {
    if (name == "AWS_ENDPOINT_URL") return "http://127.0.0.1:" + std::to_string(port) + "/";
    return std::nullopt;
  };
  const auto r = run_stub_load(o);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].errors, (std::map<std::string, std::int64_t>{{"connection refused", 5}}));
}

TEST(StubLoad, OptionsThatCannotWorkAreOneLineErrors) {
  auto expect_error = [](StubLoadOptions o, const std::string& text) {
    try {
      run_stub_load(o);
      ADD_FAILURE() << "no error; expected " << text;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expect_error(small_run("nope"), "--operation nope: expected one of ses-v1, ses-v2");
  auto none = small_run();
  none.count = 0;
  expect_error(none, "no arrivals");
  auto too_long = small_run();
  too_long.rate = 10;
  too_long.count = 36'010;
  expect_error(too_long, "--count 36010 at --rate 10 lasts 3601 s; at most 3600 s");
  auto bad_url = small_run();
  bad_url.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "AWS_ENDPOINT_URL") return "ftp://x";
    return std::nullopt;
  };
  expect_error(bad_url, "AWS_ENDPOINT_URL ftp://x: not an http URL");
  auto bad_faults = small_run();
  bad_faults.faults = json::parse(R"([{"action": {"type": "melt"}}])");
  bad_faults.faults_file = "melt.json";
  expect_error(bad_faults, "--faults melt.json: ");
}

}  // namespace
}  // namespace notify::load
