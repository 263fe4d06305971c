#include "sample_report.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace notify::report::testing {
namespace {

class Draw {
 public:
  explicit Draw(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return std::uniform_real_distribution<double>(0, 1)(engine_); }
  // Service times: log-normal around a median, as measured latencies usually are.
  std::int64_t lognormal_us(double median_us, double sigma) {
    std::normal_distribution<double> normal(0, sigma);
    return static_cast<std::int64_t>(median_us * std::exp(normal(engine_)));
  }

 private:
  std::mt19937_64 engine_;
};

Event email(Draw& d, double t) {
  Event e;
  e.arrival_s = t;
  e.dispatch_us = d.lognormal_us(9'000, 0.35);
  if (t >= 80 && t < 90 && d.uniform() < 0.25) {
    e.fault_class = "latency";
    e.dispatch_us += d.lognormal_us(160'000, 0.3);
  } else if (d.uniform() < 0.0008) {
    e.fault_class = "provider-error";
    e.errors = {"ses.internal-failure"};
    e.retries = 1;
    e.dispatch_us += d.lognormal_us(110'000, 0.2);
  }
  if (d.uniform() < 0.003) e.dispatch_us *= 4;  // the odd slow request
  e.accepted = true;
  if (d.uniform() < 0.995) e.end_to_end_us = e.dispatch_us + d.lognormal_us(1'200'000, 0.5);
  return e;
}

Event sms(Draw& d, double t, bool firetext) {
  Event e;
  e.series = firetext ? 1 : 2;
  e.arrival_s = t;
  e.dispatch_us = d.lognormal_us(firetext ? 14'000 : 19'000, 0.4);
  if (firetext && t >= 40 && t < 55 && d.uniform() < 0.45) {
    // Throttled: a retry after a back-off, and if that is throttled too, MMG.
    e.fault_class = "throttling";
    e.errors = {"firetext.throttled"};
    e.retries = 1;
    e.dispatch_us += d.lognormal_us(300'000, 0.3);
    if (d.uniform() < 0.35) {
      e.errors.push_back("firetext.throttled");
      if (d.uniform() < 0.05) {
        e.errors.push_back("firetext.throttled");
        e.retries = 2;
        e.failed = true;
        return e;
      }
      e.failovers = 1;
      e.dispatch_us += d.lognormal_us(600'000, 0.3);
    }
  }
  if (d.uniform() < 0.004) e.dispatch_us *= 3;
  e.accepted = true;
  if (d.uniform() < 0.98) e.end_to_end_us = e.dispatch_us + d.lognormal_us(3'500'000, 0.5);
  return e;
}

}  // namespace

std::vector<Event> sample_events(const SampleOptions& options) {
  Draw d(options.seed);
  const auto total = static_cast<std::int64_t>(options.rate * options.duration_s);
  std::vector<Event> events;
  events.reserve(static_cast<std::size_t>(total));
  for (std::int64_t i = 0; i < total; ++i) {
    const double t = static_cast<double>(i) / options.rate;
    Event e = d.uniform() < 0.6 ? email(d, t) : sms(d, t, d.uniform() < 0.7);
    // The last arrivals are still on their way when the run stops.
    if (t > options.duration_s - 0.25 && d.uniform() < 0.3) {
      e.accepted = e.failed = false;
      e.end_to_end_us = 0;
    }
    events.push_back(std::move(e));
  }
  return events;
}

Recorder::Recorder(const SampleOptions& options, std::string host) : options_(options) {
  auto& run = report_.run;
  run.target = "core";
  run.arrivals = "constant";
  run.asked_rate = options.rate;
  run.duration_s = options.duration_s;
  run.mix = {{"email", 60}, {"sms", 40}};
  run.connections = 32;
  run.faults = "faults/release-storm.json";
  run.started_at = "2026-11-29T22:00:00Z";
  run.host = std::move(host);
  run.version = "0.9.0";
  run.seed = options.seed;
  report_.interval_s = options.interval_s;
  for (const auto& s : kSampleSeries) {
    Series series;
    series.channel = s.channel;
    series.provider = s.provider;
    report_.series.push_back(std::move(series));
  }
}

void Recorder::record(const Event& e) {
  Series& s = report_.series.at(e.series);
  ++s.arrivals;
  if (e.accepted) {
    ++s.accepted;
    s.dispatch.record(e.dispatch_us);
    report_.by_fault_class[e.fault_class].record(e.dispatch_us);
  } else if (e.failed) {
    ++s.failed;
  } else {
    ++s.unfinished;
  }
  s.retries += e.retries;
  s.failovers += e.failovers;
  if (e.end_to_end_us > 0) {
    ++s.receipts;
    s.end_to_end.record(e.end_to_end_us);
  }
  for (const auto& kind : e.errors) ++s.errors[kind];

  const auto index = static_cast<std::size_t>(std::floor(e.arrival_s / options_.interval_s));
  if (index >= report_.timeline.size()) report_.timeline.resize(index + 1);
  Interval& in = report_.timeline[index];
  ++in.arrivals;
  if (e.accepted) {
    ++in.accepted;
    in.dispatch.record(e.dispatch_us);
  }
  in.errors += static_cast<std::int64_t>(e.errors.size());
}

LoadReport Recorder::report() const {
  LoadReport r = report_;
  std::int64_t arrivals = 0;
  for (const auto& s : r.series) arrivals += s.arrivals;
  r.run.achieved_rate = static_cast<double>(arrivals) / options_.duration_s;
  for (std::size_t i = 0; i < r.timeline.size(); ++i)
    r.timeline[i].start_s = static_cast<double>(i) * r.interval_s;
  return r;
}

LoadReport sample_report(const SampleOptions& options) {
  Recorder recorder(options);
  for (const auto& e : sample_events(options)) recorder.record(e);
  return recorder.report();
}

}  // namespace notify::report::testing
