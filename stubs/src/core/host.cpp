// StubHost's edge side: routing, verdicts, journaling and the counters behind /metrics. The
// control API lives in control_api.cpp.
#include "notify/stubs/host.hpp"

#include "notify/outcome/errc.hpp"
#include "notify/runtime/assert.hpp"
#include "notify/transport/userinfo.hpp"
#include "replies.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
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

// What the host lends one stub: its clock, its own random stream, and the host's outbound
// services.
class StubHost::Services final : public StubServices {
 public:
  Services(StubHost& host, runtime::Rng rng) : host_(host), rng_(std::move(rng)) {}
  runtime::Clock& clock() override { return host_.clock_; }
  runtime::Rng& rng() override { return rng_; }
  void send(std::uint64_t parent, const RequestInfo& info, transport::Request request,
            transport::SendOptions options,
            std::function<void(transport::SendResult)> done) override {
    // A stub sends only to another stub's listener (a proxy Lambda to its CBC).
    host_.send_outbound(parent, info, std::move(request), options, std::move(done),
                        /*to_own_listener=*/true);
  }
  void schedule_callback(Callback callback) override {
    host_.schedule_callback(std::move(callback));
  }
  CallbackCounters callback_counters(std::string_view service) const override {
    return host_.callback_counters(service);
  }
  std::optional<std::string> listener_url(const std::string& service, const std::string& provider,
                                          const std::string& az) const override {
    if (!host_.directory_) return std::nullopt;
    return host_.directory_(service, provider, az);
  }

 private:
  StubHost& host_;
  runtime::Rng rng_;
};

struct StubHost::PendingCallback {
  std::shared_ptr<const Callback> callback;  // shared by the retries of its copies
  std::uint64_t seq = 0;                     // its journal number
  int copies = 1;
  runtime::TimerId timer = 0;
  // A retry: the request to send again as it is (nullopt: build it anew) and where its sender is.
  std::optional<transport::Request> request;
  CallbackAttempt attempt{0, 0};
};

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
  std::lock_guard lock(callbacks_mutex_);
  for (const auto& [id, p] : pending_) clock_.cancel(p->timer);
}

Stub& StubHost::add(std::unique_ptr<Stub> stub) {
  NOTIFY_ASSERT(stub != nullptr);
  NOTIFY_ASSERT(find(stub->service()) == nullptr);
  // Each stub draws from its own stream, named after its service, so adding a stub or a draw in
  // one stub does not shift the draws of another.
  services_.push_back(std::make_unique<Services>(*this, rng_.fork(stub->service())));
  stub->attach(*services_.back());
  stubs_.push_back(std::move(stub));
  register_error_names();
  return *stubs_.back();
}

void StubHost::register_error_names() {
  std::vector<const Stub*> stubs;
  for (const auto& s : stubs_) stubs.push_back(s.get());
  faults_.set_vocabulary(fault_vocabulary(stubs));
}

Stub* StubHost::find(std::string_view service) const {
  for (const auto& s : stubs_) {
    if (s->service() == service) return s.get();
  }
  return nullptr;
}

std::vector<Stub*> StubHost::stubs() const {
  std::vector<Stub*> out;
  for (const auto& s : stubs_) out.push_back(s.get());
  return out;
}

void StubHost::set_outbound_transport(transport::HttpTransport* transport) {
  outbound_.store(transport);
}

void StubHost::set_control_token(std::string token) { control_token_ = std::move(token); }

void StubHost::set_listener_directory(ListenerDirectory directory) {
  directory_ = std::move(directory);
}

void StubHost::set_health_details(std::function<nlohmann::json()> details) {
  health_details_ = std::move(details);
}

namespace {

// The service in "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...", or
// empty.
std::string_view signed_service(std::string_view authorization) {
  auto pos = authorization.find("Credential=");
  if (pos == std::string_view::npos) return {};
  std::string_view cred = authorization.substr(pos + 11);
  cred = cred.substr(0, cred.find_first_of(", "));
  for (int i = 0; i < 3; ++i) {
    auto slash = cred.find('/');
    if (slash == std::string_view::npos) return {};
    cred.remove_prefix(slash + 1);
  }
  return cred.substr(0, cred.find('/'));
}

}  // namespace

Stub* StubHost::route(const transport::Request& request) const {
  // Several AWS services take a Query form at "/" (SES v1 and SQS do): a request signed for one
  // of ours goes to it before any other stub that would also take it.
  if (auto service = signed_service(request.headers.get_or("Authorization", ""));
      !service.empty()) {
    for (const auto& s : stubs_)
      if (s->service() == service && s->accepts(request)) return s.get();
  }
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
  if (auto parent = request.headers.get(kParentHeader)) {
    entry.parent = std::strtoull(std::string(*parent).c_str(), nullptr, 10);
  }
  // Copy at most what the journal keeps: bodies may be tens of megabytes.
  entry.request_body = request.body.substr(0, options_.journal.body_bytes_max);

  Stub* stub = route(request);
  if (stub == nullptr) {
    entry.service = "edge";
    entry.operation = "Unknown";
    entry.outcome = "no_route";
    transport::Reply reply = detail::json_reply(
        404, {{"message", "no stub serves " + request.method + " " + std::string(request.path())}});
    entry.status = reply.response.status;
    entry.response_body = reply.response.body.substr(0, options_.journal.body_bytes_max);
    finish(std::move(entry), 0, std::move(reply), std::move(respond));
    return;
  }
  RequestInfo info = stub->describe(request);
  Verdict verdict = faults_.evaluate(info, entry.seq);
  entry.service = std::string(stub->service());
  entry.operation = info.operation;
  entry.provider = info.provider;
  entry.az = info.az;
  entry.recipient = info.recipient;
  entry.faults = verdict.rule_ids;
  answer(stub, request, info, verdict, std::move(entry), std::move(respond));
}

void StubHost::answer(Stub* stub, const transport::Request& request, const RequestInfo& info,
                      const Verdict& verdict, JournalEntry entry, transport::Responder respond) {
  const std::size_t fired = verdict.rule_ids.size();
  transport::Reply reply;
  reply.delay = verdict.delay;
  switch (verdict.connection) {
    case transport::ConnectionAction::refuse:
    case transport::ConnectionAction::reset:
    case transport::ConnectionAction::hang:
      reply.action = verdict.connection;
      entry.outcome = connection_outcome(verdict.connection);
      finish(std::move(entry), fired, std::move(reply), std::move(respond));
      return;
    case transport::ConnectionAction::truncate:
    case transport::ConnectionAction::respond:
      break;
  }
  const bool truncate = verdict.connection == transport::ConnectionAction::truncate;
  // A truncated answer is the start of the normal one, so the stub renders no error for it.
  static const std::string kNoError;
  const std::string& error = truncate ? kNoError : verdict.error;
  if (!stub->answers_later()) {
    // Most stubs answer at once: no completion to allocate on the hot path.
    fill(entry, reply, stub->handle(Call{request, info, error, entry.seq}), truncate, error);
    finish(std::move(entry), fired, std::move(reply), std::move(respond));
    return;
  }
  // The stub answers later; the completion owns everything it needs, and checks that the host
  // is still there.
  auto alive = alive_;
  auto state = std::make_shared<std::pair<JournalEntry, transport::Reply>>(std::move(entry),
                                                                           std::move(reply));
  stub->handle_async(Call{request, info, error, state->first.seq},
                     [this, alive, state, fired, truncate, error = std::string(error),
                      respond = std::move(respond)](StubAnswer answer) mutable {
                       auto& [e, r] = *state;
                       if (!alive->load()) {
                         r.response = std::move(answer.response);
                         respond(std::move(r));
                         return;
                       }
                       fill(e, r, std::move(answer), truncate, error);
                       finish(std::move(e), fired, std::move(r), std::move(respond));
                     });
}

void StubHost::fill(JournalEntry& e, transport::Reply& r, StubAnswer answer, bool truncate,
                    const std::string& error) const {
  r.response = std::move(answer.response);
  e.reference = std::move(answer.reference);
  if (truncate) {
    r.action = transport::ConnectionAction::truncate;
    e.outcome = "truncated";
  } else {
    e.status = r.response.status;
    e.outcome = !answer.outcome.empty() ? std::move(answer.outcome)
                : error.empty()         ? "ok"
                                        : "error:" + error;
  }
  e.response_body = r.response.body.substr(0, options_.journal.body_bytes_max);
}

void StubHost::count(const JournalEntry& entry, std::size_t fired) {
  std::lock_guard lock(metrics_mutex_);
  ++requests_by_service_[entry.service];
  faults_by_service_[entry.service] += fired;
  ++responses_by_outcome_[{entry.service, entry.outcome}];
}

void StubHost::finish(JournalEntry entry, std::size_t fired, transport::Reply reply,
                      transport::Responder respond) {
  count(entry, fired);
  journal_.record(std::move(entry));
  respond(std::move(reply));
  // A rule's window may have opened or closed since the last look; cheap while none refuses.
  if (on_refusal_change_) on_refusal_change_();
}

void StubHost::send_outbound(std::uint64_t parent, const RequestInfo& info,
                             transport::Request request, transport::SendOptions options,
                             std::function<void(transport::SendResult)> done,
                             bool to_own_listener,
                             std::function<std::string(const transport::SendResult&)> prefix) {
  JournalEntry entry;
  entry.seq = next_seq_.fetch_add(1);
  entry.parent = parent;
  entry.direction = "out";
  entry.at = clock_.now();
  entry.service = info.service;
  entry.operation = info.operation;
  entry.provider = info.provider;
  entry.az = info.az;
  entry.recipient = info.recipient;
  entry.method = request.method;
  // A callback sent with Basic credentials (a receipt URL's user:pass@) is journaled with its
  // user name and the password masked, so a run shows the credentials went without showing them.
  const std::string user = transport::basic_username(request.headers.get_or("Authorization", ""));
  entry.target =
      user.empty() ? request.target : transport::with_masked_password(request.target, user);
  entry.request_body = request.body.substr(0, options_.journal.body_bytes_max);
  request.headers.set(kParentHeader, std::to_string(parent));
  transport::HttpTransport* outbound = outbound_.load();
  auto alive = alive_;
  ++outbound_in_flight_;
  auto record = [this, alive, entry = std::move(entry), to_own_listener, done = std::move(done),
                 prefix = std::move(prefix)](transport::SendResult result) mutable {
    if (alive->load()) {
      if (result) {
        entry.status = result->status;
        entry.outcome =
            result->status / 100 == 2 ? "ok" : "status:" + std::to_string(result->status);
        entry.response_body = result->body.substr(0, options_.journal.body_bytes_max);
      } else {
        entry.outcome = result.error().category() == notify_category()
                            ? std::string(to_string(errc(result.error().value())))
                            : result.error().message();
        // A listener a refuse rule closed (an AZ outage) refuses in the kernel, where no rule
        // is evaluated: the refusal is counted as the rule's firing here, so the firings, the
        // journal entry's faults and /metrics show the outage.
        if (to_own_listener && result.error() == make_error_code(errc::connection_refused)) {
          RequestInfo target{entry.service, entry.provider, entry.az, entry.operation, ""};
          if (auto rule = faults_.record_listener_refusal(target, entry.seq)) {
            entry.faults.push_back(*rule);
            std::lock_guard lock(metrics_mutex_);
            faults_by_service_[entry.service] += 1;
          }
        }
      }
      if (prefix) entry.outcome = prefix(result) + entry.outcome;
      journal_.record(std::move(entry));
      --outbound_in_flight_;
    }
    done(std::move(result));
  };
  if (outbound == nullptr) {
    // Never inline: the caller may hold its own lock.
    clock_.post([record = std::move(record)]() mutable {
      record(transport::SendResult(make_error_code(errc::connection_refused)));
    });
    return;
  }
  outbound->send(std::move(request), options, std::move(record));
}

void StubHost::schedule_callback(Callback callback) {
  NOTIFY_ASSERT(callback.build != nullptr);
  auto pending = std::make_shared<PendingCallback>();
  pending->seq = next_seq_.fetch_add(1);
  // Only rules that name the callback's operation apply, so a rule written for sends never
  // swallows receipts.
  Verdict verdict;
  auto rules = faults_.rules();
  const std::string& operation = callback.info.operation;
  if (std::any_of(rules.begin(), rules.end(), [&](const FaultRule& r) {
        return r.enabled && !operation.empty() && r.match.operation == operation;
      })) {
    verdict = faults_.evaluate(callback.info, pending->seq);
  }
  const bool drop = callback.dropped ||
                    verdict.connection != transport::ConnectionAction::respond ||
                    (!callback.drop_error.empty() && verdict.error == callback.drop_error);
  pending->copies =
      !callback.duplicate_error.empty() && verdict.error == callback.duplicate_error ? 2 : 1;
  const std::string service = callback.info.service;
  std::lock_guard lock(callbacks_mutex_);
  auto& counters = callback_counters_[service];
  counters.scheduled += 1;
  if (drop || counters.pending >= kPendingCallbacksMax) {
    counters.dropped += 1;
    JournalEntry entry;
    entry.seq = pending->seq;
    entry.parent = callback.parent;
    entry.direction = "out";
    entry.at = clock_.now();
    entry.service = service;
    entry.operation = operation;
    entry.recipient = callback.info.recipient;
    entry.outcome = "dropped";
    entry.faults = verdict.rule_ids;
    journal_.record(std::move(entry));
    return;
  }
  counters.pending += 1;
  const runtime::Duration delay = callback.delay + verdict.delay;
  pending->callback = std::make_shared<const Callback>(std::move(callback));
  arm_callback_locked(std::move(pending), delay);
}

void StubHost::arm_callback_locked(std::shared_ptr<PendingCallback> pending,
                                   runtime::Duration delay) {
  const std::uint64_t id = next_callback_++;
  auto alive = alive_;
  pending->timer = clock_.schedule_after(delay, [this, alive, id] {
    if (alive->load()) fire_callback(id);
  });
  pending_[id] = std::move(pending);
}

void StubHost::fire_callback(std::uint64_t id) {
  std::shared_ptr<PendingCallback> p;
  {
    std::lock_guard lock(callbacks_mutex_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // reset() ran after the timer was already due
    p = std::move(it->second);
    pending_.erase(it);
    callback_counters_[p->callback->info.service].pending -= 1;
  }
  // Built and sent outside the lock: an in-process callback may come straight back in.
  CallbackAttempt attempt = p->attempt;
  std::optional<transport::Request> request = std::move(p->request);
  if (!request) {
    request = p->callback->build();
    if (!request) return;
    attempt = {0, attempt.builds + 1};
  }
  attempt.sends += 1;
  for (int copy = 0; copy < p->copies; ++copy) send_callback(p->callback, *request, attempt);
}

void StubHost::send_callback(const std::shared_ptr<const Callback>& callback,
                             const transport::Request& request, CallbackAttempt attempt) {
  const std::string service = callback->info.service;
  {
    std::lock_guard lock(callbacks_mutex_);
    callback_counters_[service].sent += 1;
  }
  // The sender's decision is taken as the answer is journaled, so that the entry of a send that
  // will be retried says so; the completion then acts on it.
  auto retry = std::make_shared<std::optional<CallbackRetry>>();
  std::function<std::string(const transport::SendResult&)> prefix;
  if (callback->retry) {
    prefix = [callback, attempt, retry](const transport::SendResult& result) -> std::string {
      if (result && result->status / 100 == 2) return {};
      *retry = callback->retry(result, attempt);
      return *retry ? "retry:" : "";
    };
  }
  auto alive = alive_;
  send_outbound(
      callback->parent, callback->info, request, transport::SendOptions{},
      [this, alive, callback, request, attempt, retry](transport::SendResult result) {
        if (!alive->load() || (result && result->status / 100 == 2)) return;
        std::lock_guard lock(callbacks_mutex_);
        auto& counters = callback_counters_[callback->info.service];
        if (!*retry) {
          counters.failed += 1;
          return;
        }
        if (counters.pending >= kPendingCallbacksMax) {
          counters.failed += 1;
          return;
        }
        counters.retried += 1;
        counters.pending += 1;
        auto again = std::make_shared<PendingCallback>();
        again->callback = callback;
        again->attempt = attempt;
        if (!(*retry)->rebuild) again->request = request;
        arm_callback_locked(std::move(again), (*retry)->delay);
      },
      /*to_own_listener=*/false, std::move(prefix));
}

CallbackCounters StubHost::callback_counters(std::string_view service) const {
  std::lock_guard lock(callbacks_mutex_);
  auto it = callback_counters_.find(service);
  return it == callback_counters_.end() ? CallbackCounters{} : it->second;
}

void StubHost::on_refusal_change(std::function<void()> callback) {
  on_refusal_change_ = std::move(callback);
}

void StubHost::reset() {
  {
    std::lock_guard lock(callbacks_mutex_);
    for (const auto& [id, p] : pending_) clock_.cancel(p->timer);
    pending_.clear();
    callback_counters_.clear();
  }
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
