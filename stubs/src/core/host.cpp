// StubHost's edge side: routing, verdicts, journaling and the counters behind /metrics. The
// control API lives in control_api.cpp.
#include "notify/stubs/host.hpp"

#include "notify/runtime/assert.hpp"
#include "replies.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

namespace notify::stubs {

namespace {

const char* connection_outcome(transport::ConnectionAction action) {
  switch (action) {
    case transport::ConnectionAction::refuse:
      return "refused";
    case transport::ConnectionAction::reset:
      return "reset";
    case transport::ConnectionAction::hang:
      return "hung";
    case transport::ConnectionAction::truncate:
      return "truncated";
    case transport::ConnectionAction::respond:
      return "ok";
  }
  return "ok";
}

// Prometheus text format 0.0.4: label values escape backslash, double quote and newline.
std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void metric_header(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << '\n' << "# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

StubHost::StubHost(runtime::Clock& clock, HostOptions options)
    : clock_(clock),
      options_(options),
      rng_(options.seed),
      faults_(clock, rng_.fork("faults")),
      journal_(options.journal),
      origin_(clock.now()),
      alive_(std::make_shared<std::atomic<bool>>(true)) {
  faults_.on_change([this] {
    if (on_refusal_change_) on_refusal_change_();
  });
}

StubHost::~StubHost() {
  alive_->store(false);
  faults_.on_change(nullptr);
}

Stub& StubHost::add(std::unique_ptr<Stub> stub) {
  NOTIFY_ASSERT(stub != nullptr);
  NOTIFY_ASSERT(find(stub->service()) == nullptr);
  // Each stub draws from its own stream, named after its service, so adding a stub or a draw
  // in one stub does not shift the draws of another.
  stub_rngs_.push_back(std::make_unique<runtime::Rng>(rng_.fork(stub->service())));
  stub->attach(StubEnv{&clock_, stub_rngs_.back().get(), callbacks_});
  stubs_.push_back(std::move(stub));
  register_error_names();
  return *stubs_.back();
}

void StubHost::register_error_names() {
  std::set<std::string> names;
  for (const auto& s : stubs_) {
    for (auto& n : s->error_names()) names.insert(std::move(n));
  }
  faults_.set_known_errors(std::move(names));
}

Stub* StubHost::find(std::string_view service) const {
  for (const auto& s : stubs_) {
    if (s->service() == service) return s.get();
  }
  return nullptr;
}

void StubHost::set_callback_transport(transport::HttpTransport* transport) {
  callbacks_ = transport;
  // Stubs added earlier get the transport too; attach() only stores the environment.
  for (std::size_t i = 0; i < stubs_.size(); ++i) {
    stubs_[i]->attach(StubEnv{&clock_, stub_rngs_[i].get(), callbacks_});
  }
}

Stub* StubHost::route(const transport::Request& request) const {
  for (const auto& s : stubs_) {
    if (s->accepts(request)) return s.get();
  }
  return nullptr;
}

void StubHost::handle(transport::Request request, transport::Responder respond) {
  JournalEntry entry;
  entry.seq = next_seq_.fetch_add(1);
  entry.at = clock_.now();
  entry.method = request.method;
  entry.target = request.target;
  // Copy at most what the journal keeps: bodies may be tens of megabytes.
  entry.request_body = request.body.substr(0, options_.journal.body_bytes_max);

  transport::Reply reply;
  std::size_t fired = 0;
  Stub* stub = route(request);
  if (stub == nullptr) {
    entry.service = "edge";
    entry.operation = "Unknown";
    entry.outcome = "no_route";
    reply = detail::json_reply(
        404, {{"message", "no stub serves " + request.method + " " + std::string(request.path())}});
    entry.status = reply.response.status;
  } else {
    RequestInfo info = stub->describe(request);
    Verdict verdict = faults_.evaluate(info, entry.seq);
    entry.service = std::string(stub->service());
    entry.operation = info.operation;
    entry.provider = info.provider;
    entry.az = info.az;
    entry.recipient = info.recipient;
    entry.faults = verdict.rule_ids;
    fired = verdict.rule_ids.size();
    switch (verdict.connection) {
      case transport::ConnectionAction::refuse:
      case transport::ConnectionAction::reset:
      case transport::ConnectionAction::hang:
        reply.action = verdict.connection;
        entry.outcome = connection_outcome(verdict.connection);
        break;
      case transport::ConnectionAction::truncate: {
        // The client sees the start of the normal answer, then the connection closes.
        StubAnswer answer = stub->handle(request, info, "");
        reply.response = std::move(answer.response);
        reply.action = transport::ConnectionAction::truncate;
        entry.reference = std::move(answer.reference);
        entry.outcome = "truncated";
        break;
      }
      case transport::ConnectionAction::respond: {
        StubAnswer answer = stub->handle(request, info, verdict.error);
        reply.response = std::move(answer.response);
        entry.reference = std::move(answer.reference);
        entry.outcome = !answer.outcome.empty() ? answer.outcome
                        : verdict.error.empty() ? "ok"
                                                : "error:" + verdict.error;
        entry.status = reply.response.status;
        break;
      }
    }
    reply.delay = verdict.delay;
    if (reply.action != transport::ConnectionAction::refuse &&
        reply.action != transport::ConnectionAction::reset &&
        reply.action != transport::ConnectionAction::hang) {
      entry.response_body = reply.response.body.substr(0, options_.journal.body_bytes_max);
    }
  }

  {
    std::lock_guard lock(metrics_mutex_);
    ++requests_by_service_[entry.service];
    faults_by_service_[entry.service] += fired;
    ++responses_by_outcome_[{entry.service, entry.outcome}];
  }
  journal_.record(std::move(entry));
  respond(std::move(reply));
  if (on_refusal_change_) on_refusal_change_();
}

void StubHost::on_refusal_change(std::function<void()> callback) {
  on_refusal_change_ = std::move(callback);
}

void StubHost::reset() {
  journal_.clear();
  faults_.reset();
  for (auto& s : stubs_) s->reset();
  next_seq_.store(1);
  std::lock_guard lock(metrics_mutex_);
  requests_by_service_.clear();
  faults_by_service_.clear();
  responses_by_outcome_.clear();
  origin_ = clock_.now();
}

runtime::TimePoint StubHost::origin() const {
  std::lock_guard lock(metrics_mutex_);
  return origin_;
}

std::string StubHost::prometheus_metrics() const {
  // Every stub's service appears even before its first request, so dashboards and assertions
  // see a zero rather than a missing series.
  std::map<std::string, std::uint64_t> requests, faults;
  for (const auto& s : stubs_) {
    requests[std::string(s->service())] = 0;
    faults[std::string(s->service())] = 0;
  }
  std::map<std::pair<std::string, std::string>, std::uint64_t> responses;
  {
    std::lock_guard lock(metrics_mutex_);
    for (const auto& [k, v] : requests_by_service_) requests[k] = v;
    for (const auto& [k, v] : faults_by_service_) faults[k] = v;
    responses = responses_by_outcome_;
  }
  const JournalCounters journal = journal_.counters();

  std::ostringstream out;
  metric_header(out, "notify_sim_requests_total", "counter",
                "Requests received at the edge, by the stub that served them.");
  for (const auto& [service, n] : requests) {
    out << "notify_sim_requests_total{service=\"" << label_value(service) << "\"} " << n << '\n';
  }
  metric_header(out, "notify_sim_faults_fired_total", "counter",
                "Fault rule firings, by the service of the request they fired on.");
  for (const auto& [service, n] : faults) {
    out << "notify_sim_faults_fired_total{service=\"" << label_value(service) << "\"} " << n
        << '\n';
  }
  metric_header(out, "notify_sim_responses_total", "counter",
                "Requests by service and outcome (ok, error:<name>, refused, reset, hung, "
                "truncated, no_route).");
  for (const auto& [key, n] : responses) {
    out << "notify_sim_responses_total{service=\"" << label_value(key.first) << "\",outcome=\""
        << label_value(key.second) << "\"} " << n << '\n';
  }
  metric_header(out, "notify_sim_journal_entries", "gauge", "Entries kept in the journal.");
  out << "notify_sim_journal_entries " << journal_.size() << '\n';
  metric_header(out, "notify_sim_journal_dropped_total", "counter",
                "Journal entries dropped because the journal was full.");
  out << "notify_sim_journal_dropped_total " << journal.dropped << '\n';
  return out.str();
}

}  // namespace notify::stubs
