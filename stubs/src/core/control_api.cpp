// The control API (docs/control-api.md): JSON over HTTP on the admin port. Paths are a contract
// with users' test suites. Every request is answered at once, except /journal/wait, which is
// answered from a journal waiter or a timer on the host's clock, never by blocking.
#include "notify/stubs/host.hpp"

#include "replies.hpp"
#include "vocabulary_check.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>
#include <string_view>

namespace notify::stubs {

namespace {

using nlohmann::json;
using transport::Reply;

Reply method_not_allowed(const transport::Request& request, const char* allowed) {
  Reply reply = detail::error_reply(405, "method " + request.method + " is not allowed on " +
                                             std::string(request.path()) + "; expected " + allowed);
  reply.response.headers.set("Allow", allowed);
  return reply;
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; users need only the rest.
std::string parse_problem(const json::exception& e) {
  std::string what = e.what();
  auto close = what.find("] ");
  return close == std::string::npos ? what : what.substr(close + 2);
}

// Parses a request body as JSON. An empty body is `empty_value`.
bool parse_body(const transport::Request& request, const json& empty_value, json& out,
                transport::Responder& respond) {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    out = empty_value;
    return true;
  }
  try {
    out = json::parse(request.body);
    return true;
  } catch (const json::exception& e) {
    respond(detail::error_reply(400, "malformed JSON in the request body: " + parse_problem(e),
                                "body"));
    return false;
  }
}

// URL query parameters as a JSON object of strings. A key given twice is an error naming it: a
// filter repeated in the hope of an "or" (service=ses&service=mmg) would otherwise quietly
// become its last value.
bool query_params(const transport::Request& request, json& out, transport::Responder& respond) {
  out = json::object();
  auto form = transport::parse_form(request.query());
  if (!form) {
    respond(detail::error_reply(
        400,
        "malformed percent-escape in the query string \"" + std::string(request.query()) + "\"",
        "query"));
    return false;
  }
  for (auto& [k, v] : *form) {
    if (out.contains(k)) {
      respond(detail::error_reply(
          400, k + ": given more than once in the query string; expected each parameter once", k));
      return false;
    }
    out[k] = v;
  }
  return true;
}

// A whole number in [min, max] from a JSON number or a numeric string (URL parameters).
std::optional<std::int64_t> bounded_int(const json& v, std::int64_t min, std::int64_t max) {
  double d = 0;
  if (v.is_number()) {
    d = v.get<double>();
  } else if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    d = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(min) ||
      d > static_cast<double>(max)) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(d);
}

// The whole milliseconds of a duration, rounded down.
std::int64_t whole_ms(runtime::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

json entries_json(const std::vector<JournalEntry>& entries) {
  json out = json::array();
  for (const auto& e : entries) out.push_back(to_json(e));
  return out;
}

}  // namespace

nlohmann::json Stub::state() const { return nullptr; }

void StubHost::handle_control(transport::Request request, transport::Responder respond) {
  const std::string path(request.path());
  const std::string& method = request.method;

  if (!control_token_.empty() &&
      request.headers.get_or("Authorization", "") != "Bearer " + control_token_) {
    Reply reply = detail::error_reply(
        401, "the control API needs \"Authorization: Bearer <token>\" with serve's --admin-token");
    reply.response.headers.set("WWW-Authenticate", "Bearer");
    return respond(std::move(reply));
  }

  if (path == "/health") {
    if (method != "GET") return respond(method_not_allowed(request, "GET"));
    json services = json::array();
    for (const auto& s : stubs_) services.push_back(std::string(s->service()));
    json health = {{"status", "ok"}, {"services", services}, {"clock", clock_json()}};
    if (health_details_) health.update(health_details_());
    return respond(detail::json_reply(200, health));
  }
  if (path == "/faults") return control_faults(request, respond);
  constexpr std::string_view kFaultPrefix = "/faults/";
  if (path.size() > kFaultPrefix.size() && path.starts_with(kFaultPrefix)) {
    auto id = transport::url_decode(std::string_view(path).substr(kFaultPrefix.size()));
    if (!id) return respond(detail::error_reply(400, "malformed percent-escape in " + path, "id"));
    return control_fault_id(request, *id, respond);
  }
  if (path == "/journal") return control_journal(request, respond);
  if (path == "/journal/wait") return control_journal_wait(request, respond);
  if (path == "/journal/stream") return control_journal_stream(request, respond);
  if (path == "/reset") {
    if (method != "POST") return respond(method_not_allowed(request, "POST"));
    reset();
    return respond(detail::json_reply(200, {{"status", "reset"}}));
  }
  if (path == "/state") {
    if (method != "GET") return respond(method_not_allowed(request, "GET"));
    json state = json::object();
    for (const auto& s : stubs_) {
      json one = s->state();
      if (!one.is_null()) state[std::string(s->service())] = std::move(one);
    }
    return respond(detail::json_reply(200, state));
  }
  if (path == "/inbound") {
    if (method != "POST") return respond(method_not_allowed(request, "POST"));
    json body;
    if (!parse_body(request, json(), body, respond)) return;
    if (auto error = send_inbound(body))
      return respond(detail::error_reply(400, error->to_string(), error->field));
    return respond(detail::json_reply(202, {{"status", "scheduled"}}));
  }
  if (path == "/metrics") {
    if (method != "GET") return respond(method_not_allowed(request, "GET"));
    Reply reply;
    reply.response.headers.set("Content-Type", "text/plain; version=0.0.4");
    reply.response.body = prometheus_metrics();
    return respond(std::move(reply));
  }
  respond(detail::error_reply(
      404, "unknown control path " + method + " " + path +
               "; expected /health, /faults, /faults/<id>, /journal, /journal/wait, "
               "/journal/stream, /inbound, "
               "/reset, /state or /metrics"));
}

std::optional<FieldError> StubHost::send_inbound(const nlohmann::json& message) {
  std::string known;
  for (const auto& s : stubs_)
    if (s->sends_inbound()) known += (known.empty() ? "\"" : " or \"") + std::string(s->service()) + "\"";
  if (!message.is_object()) return FieldError{{}, "body", "a JSON object", quote_json(message)};
  auto provider = message.find("provider");
  if (provider == message.end()) return FieldError{{}, "provider", known, "nothing"};
  for (const auto& s : stubs_) {
    if (!provider->is_string() || s->service() != provider->get<std::string>() ||
        !s->sends_inbound())
      continue;
    json rest = message;
    rest.erase("provider");
    return s->send_inbound(rest);
  }
  return FieldError{{}, "provider", known, quote_json(*provider)};
}

// The server's clock as trigger windows (from_ms, until_ms) and journal queries (since_ms) read
// it, so a client can place a window without guessing when the server started.
nlohmann::json StubHost::clock_json() const {
  return {{"now", runtime::format_iso8601(clock_.now())},
          {"since_start_ms", whole_ms(faults_.since_origin())}};
}

void StubHost::control_faults(transport::Request& request, transport::Responder& respond) {
  const std::string& method = request.method;
  if (method == "GET") {
    json rules = json::array();
    for (const auto& r : faults_.rules()) rules.push_back(to_json(r));
    json firings = json::array();
    for (const auto& f : faults_.recent_firings(kFiringsListedMax)) firings.push_back(to_json(f));
    return respond(detail::json_reply(
        200, {{"faults", rules}, {"firings", firings}, {"fired_count", faults_.fired_count()}}));
  }
  if (method == "DELETE") {
    auto n = faults_.rules().size();
    faults_.clear();
    return respond(detail::json_reply(200, {{"deleted", n}}));
  }
  if (method != "POST") return respond(method_not_allowed(request, "GET, POST, DELETE"));

  json body;
  if (!parse_body(request, json(), body, respond)) return;
  std::vector<FaultRule> rules;
  if (body.is_array() || (body.is_object() && body.contains("faults"))) {
    auto parsed = parse_fault_rules(body, "faults", faults_.vocabulary());
    if (!parsed) {
      return respond(detail::error_reply(400, parsed.error().to_string(), parsed.error().field));
    }
    rules = std::move(*parsed);
  } else if (body.is_object()) {
    auto parsed = parse_fault_rule(body, "", faults_.vocabulary());
    if (!parsed) {
      return respond(detail::error_reply(400, parsed.error().to_string(), parsed.error().field));
    }
    rules.push_back(std::move(*parsed));
  } else {
    return respond(detail::error_reply(
        400, "body: expected a rule, an array of rules or {\"faults\": [...]}", "body"));
  }

  // All or nothing: a list with a clashing id adds none of its rules.
  std::set<std::string> existing;
  for (const auto& r : faults_.rules()) existing.insert(r.id);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (existing.count(rules[i].id) != 0) {
      std::string field = rules.size() == 1 && !body.is_array() && !body.contains("faults")
                              ? "id"
                              : "faults[" + std::to_string(i) + "].id";
      return respond(detail::error_reply(
          400,
          field + ": a rule with id \"" + rules[i].id +
              "\" already exists; expected a new id (PUT /faults/<id> replaces a rule)",
          field));
    }
  }
  json ids = json::array();
  std::vector<std::string> added;
  for (auto& rule : rules) {
    auto id = faults_.add(std::move(rule));
    if (!id) {
      // Another caller added the same id in between; undo this request's additions.
      for (const auto& a : added) faults_.remove(a);
      return respond(detail::error_reply(400, id.error().to_string(), id.error().field));
    }
    added.push_back(*id);
    ids.push_back(*id);
  }
  respond(detail::json_reply(201, {{"ids", ids}}));
}

void StubHost::control_fault_id(transport::Request& request, const std::string& id,
                                transport::Responder& respond) {
  const std::string& method = request.method;
  auto not_found = [&] {
    respond(detail::error_reply(404, "no fault rule with id \"" + id + "\"", "id"));
  };
  if (method == "GET") {
    for (const auto& r : faults_.rules()) {
      if (r.id == id) return respond(detail::json_reply(200, to_json(r)));
    }
    return not_found();
  }
  if (method == "DELETE") {
    if (!faults_.remove(id)) return not_found();
    return respond(detail::json_reply(200, {{"deleted", id}}));
  }
  if (method != "PUT") return respond(method_not_allowed(request, "GET, PUT, DELETE"));

  json body;
  if (!parse_body(request, json(), body, respond)) return;
  auto parsed = parse_fault_rule(body, "", faults_.vocabulary());
  if (!parsed) {
    return respond(detail::error_reply(400, parsed.error().to_string(), parsed.error().field));
  }
  if (body.contains("id") && parsed->id != id) {
    return respond(detail::error_reply(
        400,
        "id: expected \"" + id + "\" (the id in the path) or no id, got \"" + parsed->id + "\"",
        "id"));
  }
  parsed->id = id;
  auto replaced = faults_.replace(std::move(*parsed));
  if (!replaced) {
    if (replaced.error().field == "id") return not_found();
    return respond(detail::error_reply(400, replaced.error().to_string(), replaced.error().field));
  }
  respond(detail::json_reply(200, {{"id", id}}));
}

// A filter on a service that is not loaded would match nothing, forever: a wait would time out
// and a query would look like silence, so it is refused.
std::optional<std::string> StubHost::unknown_service(const JournalQuery& query) const {
  if (!query.service || find(*query.service) != nullptr) return std::nullopt;
  std::set<std::string> services;
  for (const auto& s : stubs_) services.insert(std::string(s->service()));
  return "service: unknown service \"" + *query.service + "\"; " +
         detail::expected_names(*query.service, services);
}

void StubHost::control_journal(transport::Request& request, transport::Responder& respond) {
  if (request.method != "GET") return respond(method_not_allowed(request, "GET"));
  json params;
  if (!query_params(request, params, respond)) return;
  JournalQuery query;
  if (auto problem = parse_journal_query(params, origin(), query)) {
    return respond(detail::error_reply(400, *problem, problem->substr(0, problem->find(':'))));
  }
  if (auto problem = unknown_service(query)) {
    return respond(detail::error_reply(400, *problem, "service"));
  }
  const JournalCounters counters = journal_.counters();
  respond(detail::json_reply(200, {{"entries", entries_json(journal_.query(query))},
                                   {"recorded", counters.recorded},
                                   {"dropped", counters.dropped}}));
}

void StubHost::control_journal_wait(transport::Request& request, transport::Responder& respond) {
  if (request.method != "GET" && request.method != "POST") {
    return respond(method_not_allowed(request, "GET, POST"));
  }
  json params;
  if (!query_params(request, params, respond)) return;
  if (request.method == "POST") {
    json body;
    if (!parse_body(request, json::object(), body, respond)) return;
    if (!body.is_object()) {
      return respond(detail::error_reply(
          400, "body: expected an object of filters, count and timeout_ms", "body"));
    }
    // Body fields override URL parameters of the same name.
    for (auto& [k, v] : body.items()) params[k] = v;
  }
  JournalQuery query;
  if (auto problem = parse_journal_query(params, origin(), query)) {
    return respond(detail::error_reply(400, *problem, problem->substr(0, problem->find(':'))));
  }
  if (auto problem = unknown_service(query)) {
    return respond(detail::error_reply(400, *problem, "service"));
  }
  std::int64_t count = 1;
  if (params.contains("count")) {
    auto n = bounded_int(params["count"], 1, 1'000'000'000);
    if (!n) {
      return respond(detail::error_reply(
          400,
          "count: expected a whole number >= 1, got " +
              params["count"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          "count"));
    }
    count = *n;
  }
  std::int64_t timeout_ms = kWaitTimeoutMsDefault;
  if (params.contains("timeout_ms")) {
    auto n = bounded_int(params["timeout_ms"], 0, kWaitTimeoutMsMax);
    if (!n) {
      return respond(detail::error_reply(
          400,
          "timeout_ms: expected a whole number from 0 to " + std::to_string(kWaitTimeoutMsMax) +
              ", got " +
              params["timeout_ms"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          "timeout_ms"));
    }
    timeout_ms = *n;
  }
  auto alive = alive_;
  journal_.async_wait(
      query, static_cast<std::size_t>(count), clock_, std::chrono::milliseconds(timeout_ms),
      [this, alive, query, count, respond](bool matched) {
        if (!alive->load()) return;
        auto entries = journal_.query(query);
        respond(detail::json_reply(matched ? 200 : 408, {{"matched", matched},
                                                         {"count", count},
                                                         {"found", entries.size()},
                                                         {"entries", entries_json(entries)}}));
      });
}

}  // namespace notify::stubs
