#include "notify/load/stub_load.hpp"

#include "load_stubs.hpp"
#include "notify/stubs/faults.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/transport/clients.hpp"
#include "run_info.hpp"
#include "stub_recorder.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace notify::load {
namespace {

using std::chrono::steady_clock;

struct Operation {
  const stubs::StubSpec* spec = nullptr;
  const stubs::LoadOperation* operation = nullptr;
};

// The operation by name, with the stub it belongs to; the first registered for "".
Operation find_operation(const std::string& name) {
  for (const auto& spec : stubs::registry().all())
    for (const auto& op : spec.load_operations)
      if (name.empty() || op.name == name) return {&spec, &op};
  throw std::invalid_argument("--operation " + name + ": expected one of " +
                              stub_load_operations());
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void check(const StubLoadOptions& o) {
  if (o.count == 0) throw std::invalid_argument("the run has no arrivals (--count or --duration)");
  if (!std::isfinite(o.rate) || o.rate <= 0)
    throw std::invalid_argument("--rate " + number(o.rate) +
                                ": expected requests per second above 0");
  if (o.connections == 0) throw std::invalid_argument("--connections 0: expected at least 1");
  const double span_s = static_cast<double>(o.count) / o.rate;
  if (span_s > kMaxStubLoadDurationS)
    throw std::invalid_argument("--count " + std::to_string(o.count) + " at --rate " +
                                number(o.rate) + " lasts " + std::to_string(std::llround(span_s)) +
                                " s; at most " + number(kMaxStubLoadDurationS) +
                                " s (--duration's limit)");
}

}  // namespace

std::string stub_load_operations() {
  std::string names;
  for (const auto& spec : stubs::registry().all())
    for (const auto& op : spec.load_operations) names += (names.empty() ? "" : ", ") + op.name;
  return names;
}

report::LoadReport run_stub_load(const StubLoadOptions& o, ThreadTimes* times) {
  check(o);
  const Operation op = find_operation(o.operation);

  // External stubs: serve's edge, which routes every service, as AWS_ENDPOINT_URL names it.
  std::string edge, admin;
  if (o.getenv) {
    edge = trim_slash(o.getenv("AWS_ENDPOINT_URL").value_or(""));
    admin = trim_slash(o.getenv("NOTIFY_SIM_ADMIN_URL").value_or(""));
  }
  if (!edge.empty() && !transport::parse_url(edge))
    throw std::invalid_argument("AWS_ENDPOINT_URL " + edge + ": not an http URL");
  std::vector<stubs::FaultRule> rules;
  if (o.faults && edge.empty()) {
    auto parsed = stubs::parse_fault_rules(*o.faults, "faults", stubs::registry().vocabulary());
    if (!parsed)
      throw std::invalid_argument("--faults " + o.faults_file + ": " + parsed.error().to_string());
    rules = std::move(*parsed);
  }

  // Declared first, destroyed last: the client and the timers below hold work on it.
  boost::asio::io_context io(1);  // run by this thread alone
  transport::ClientOptions copt;
  copt.max_connections_per_host = o.connections;
  copt.one_thread = true;
  auto client = transport::make_beast_client(io, copt);

  std::unique_ptr<EmbeddedStubs> embedded;
  std::vector<std::string> posted_faults;
  std::string base = edge;
  if (!edge.empty()) {
    if (o.faults) posted_faults = post_faults(io, *client, admin, *o.faults, o.faults_file);
  } else {
    // No receipt endpoint: the stubs' callbacks stay off, so only the requests are measured.
    embedded = std::make_unique<EmbeddedStubs>(o.seed, "", rules);
    base = embedded->url(op.spec->service);
  }

  const double expected_s = static_cast<double>(o.count) / o.rate;
  const auto start = steady_clock::now() + std::chrono::milliseconds(100);
  StubRecorder rec(op.spec->service, op.operation->name, start, timeline_interval_s(expected_s));
  const transport::SendOptions sopt{o.connect_timeout, o.read_timeout};

  // The open loop: every request that is due is sent, however many are still unanswered, and
  // its latency counts from when it was due.
  ArrivalSchedule schedule(o.arrivals, o.rate, o.seed);
  std::size_t next = 0, answered = 0;
  auto next_due = start + schedule.next();
  steady_clock::time_point last_submit = start, last_due = start;
  bool finished = false;
  boost::asio::steady_timer arrivals_timer(io), progress_timer(io);

  auto finish = [&] {
    finished = true;
    arrivals_timer.cancel();
    progress_timer.cancel();
    io.stop();
  };
  // One request of operation n, and what its answer leads to: the next request of a chain, or
  // the operation's end.
  std::function<void(std::size_t, std::size_t, steady_clock::time_point, transport::Request)> step =
      [&](std::size_t n, std::size_t k, steady_clock::time_point due, transport::Request request) {
        client->send(std::move(request), sopt, [&, n, k, due](transport::SendResult r) {
          if (op.operation->next && stub_error_kind(r).empty()) {
            stubs::LoadNext then = op.operation->next(base, n, k, *r);
            if (then.request) return step(n, k + 1, due, std::move(*then.request));
            if (!then.error.empty()) {
              rec.failed(steady_clock::now(), then.error);
              if (++answered == o.count) finish();
              return;
            }
          }
          rec.answered(due, steady_clock::now(), r);
          if (++answered == o.count) finish();
        });
      };
  std::function<void()> pump = [&] {
    const auto now = steady_clock::now();
    while (next < o.count && next_due <= now) {
      const auto due = next_due;
      rec.arrived(due);
      step(next, 0, due, op.operation->request(base, next));
      last_due = due;
      ++next;
      if (next < o.count) next_due = start + schedule.next();
    }
    if (next == o.count) {
      last_submit = steady_clock::now();
      return;
    }
    arrivals_timer.expires_at(next_due);
    arrivals_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) pump();
    });
  };

  report::LoadReport report;
  report.run = describe_run(o, "stub");

  arrivals_timer.expires_at(next_due);
  arrivals_timer.async_wait([&](boost::system::error_code ec) {
    if (!ec) pump();
  });
  tick_every_second(progress_timer, start + std::chrono::seconds(1), [&] {
    if (finished) return false;
    if (o.on_progress)
      o.on_progress(rec.progress(steady_clock::now(), static_cast<std::int64_t>(o.count)));
    return true;
  });
  run_measured(io, start, embedded.get(), times);
  record_schedule(report.run, o.count, start, last_submit, last_due);
  rec.fill(report);
  delete_faults(io, *client, admin, posted_faults);
  return report;
}

}  // namespace notify::load
