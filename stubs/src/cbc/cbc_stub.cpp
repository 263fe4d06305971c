// CbcStub: validation, sequence rules and the acknowledgement, per operator.
#include "notify/stubs/cbc.hpp"

#include "notify/broadcast/sign.hpp"
#include "notify/broadcast/validate.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/stubs/fields.hpp"

#include <pugixml.hpp>

#include <mutex>
#include <set>
#include <sstream>
#include <vector>

namespace notify::stubs {

namespace {

constexpr const char* kCapNs = "urn:oasis:names:tc:emergency:cap:1.2";
constexpr const char* kIbagNs = "ibag:1.0";
// documents() keeps the latest documents; a long-running serve does not grow without bound.
constexpr std::size_t kDocumentsKeptMax = 10'000;

struct Route {
  std::string op;
  std::string az;
};

std::optional<Route> route_of(const transport::Request& request) {
  std::string_view path = request.path();
  constexpr std::string_view kPrefix = "/cbc/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  auto slash = path.find('/');
  if (slash == std::string_view::npos) return Route{std::string(path), ""};
  return Route{std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

bool known_operator(std::string_view op) {
  for (auto o : kCbcOperators)
    if (o == op) return true;
  return false;
}

bool known_az(std::string_view az) {
  for (auto a : kCbcAzs)
    if (a == az) return true;
  return false;
}

// What the sequence rules need from a document.
struct Facts {
  std::string message_type;  // Alert, Cancel, Update (CAP msgType / IBAG_message_type)
  bool test = false;         // a link test (CAP status Test / IBAG Link Test)
  std::string status;        // CAP status / IBAG_status, as received
  std::string key;           // CAP identifier, or IBAG message number
  std::string identifier;    // CAP identifier (IBAG_cap_identifier for IBAG)
  std::string sent;
  std::vector<std::string> refs;  // CAP identifiers, or IBAG message numbers, referenced
};

Facts read_facts(const pugi::xml_document& doc, bool ibag) {
  Facts f;
  pugi::xml_node root = doc.document_element();
  if (!ibag) {
    f.message_type = root.child_value("msgType");
    f.status = root.child_value("status");
    f.test = f.status == "Test";
    f.key = f.identifier = root.child_value("identifier");
    f.sent = root.child_value("sent");
    std::istringstream refs(root.child_value("references"));
    for (std::string r; refs >> r;) {
      // sender,identifier,sent
      auto a = r.find(',');
      auto b = a == std::string::npos ? a : r.find(',', a + 1);
      if (b != std::string::npos) f.refs.push_back(r.substr(a + 1, b - a - 1));
    }
  } else {
    f.message_type = root.child_value("IBAG_message_type");
    // The proxy's IBAG link test is IBAG_status System with IBAG_message_type "Link Test".
    f.status = root.child_value("IBAG_status");
    f.test = f.message_type == "Link Test";
    f.key = root.child_value("IBAG_message_number");
    f.identifier = root.child_value("IBAG_cap_identifier");
    f.sent = root.child_value("IBAG_sent_date_time");
    for (auto n : root.children("IBAG_referenced_message_number")) f.refs.push_back(n.text().get());
  }
  return f;
}

struct OperatorState {
  std::map<std::string, std::string> received;  // key -> document, for messages acknowledged
  std::set<std::string> cancelled;              // keys of alerts a cancel acknowledged
  CbcCounters counters;
};

}  // namespace

std::string cbc_path(std::string_view op, std::string_view az) {
  return "/cbc/" + std::string(op) + "/" + std::string(az);
}

struct CbcStub::Impl {
  mutable std::mutex mutex;
  // "responses": the HTTP status an endpoint answers, by "operator/az" or "operator".
  std::map<std::string, int> responses;
  // "signature_certificate" or "signature_test_pair": when set, every document must carry a
  // signature made with that certificate's key. `trusted` names it in answers: the path, or
  // notify-sim's built-in test pair.
  std::shared_ptr<const broadcast::SignatureVerifier> verifier;
  std::string trusted;
  bool test_pair = false;
  std::map<std::string, OperatorState> ops;
  std::vector<std::pair<std::string, std::string>> documents;
  std::uint64_t next_ack = 1;
};

CbcStub::CbcStub() : impl_(std::make_unique<Impl>()) {}
CbcStub::~CbcStub() = default;

bool CbcStub::accepts(const transport::Request& request) const {
  return request.path().substr(0, 5) == "/cbc/" || request.path() == "/cbc";
}

RequestInfo CbcStub::describe(const transport::Request& request) const {
  RequestInfo info{"cbc", "", "", "Unknown", ""};
  auto route = route_of(request);
  if (!route) return info;
  info.provider = route->op;
  info.az = route->az;
  // The operation is the document's message type, read cheaply: selectors may name
  // "Alert", "Cancel" or "Test" (a link test) without the stub parsing the document twice.
  const std::string& b = request.body;
  if (b.find(">Test</") != std::string::npos || b.find(">Link Test</") != std::string::npos) {
    info.operation = "Test";
  } else if (b.find(">Cancel</") != std::string::npos) {
    info.operation = "Cancel";
  } else if (b.find(">Alert</") != std::string::npos) {
    info.operation = "Alert";
  } else {
    info.operation = "Submit";
  }
  return info;
}

namespace {

// CAP 1.2 forbids "Z" and fractions of a second: UTC is written "-00:00", as the proxy writes
// its own <sent>. IBAG_sent_date_time takes the same form.
std::string cap_time(runtime::TimePoint t) {
  return runtime::format_iso8601(t).substr(0, 19) + "-00:00";
}

// The answer's status: the document's own when the schema allows it, so a link test is answered
// as a test (CAP Test; IBAG System, the proxy's link-test status) and anything else as Actual.
std::string answer_status(const Facts& f, bool ibag) {
  static const std::set<std::string> kCap = {"Actual", "Exercise", "System", "Test", "Draft"};
  static const std::set<std::string> kIbag = {"Actual", "System", "Network Test"};
  const auto& allowed = ibag ? kIbag : kCap;
  return allowed.count(f.status) != 0 ? f.status : "Actual";
}

// The answer: a CAP 1.2 Ack/Error message for CAP operators (a shape CAP itself defines), an
// IBAG_Alert_Attributes with IBAG_message_type Ack/Error and IBAG_response_code/IBAG_note for
// Vodafone (elements the IBAG schema has). HTTP 200 for Ack, 400 for Error, 403 for an endpoint
// that refuses, 500 for a CBC fault.
StubAnswer reply(const std::string& op, bool ibag, bool ok, int status, const std::string& code,
                 const std::string& note, const Facts& f, std::uint64_t ack_number,
                 const std::string& now) {
  pugi::xml_document doc;
  std::string sender = "cbc." + op + ".notify-sim";
  if (!ibag) {
    auto root = doc.append_child("alert");
    root.append_attribute("xmlns") = kCapNs;
    root.append_child("identifier").text() = (op + "-ack-" + std::to_string(ack_number)).c_str();
    root.append_child("sender").text() = sender.c_str();
    root.append_child("sent").text() = now.c_str();
    root.append_child("status").text() = answer_status(f, false).c_str();
    root.append_child("msgType").text() = ok ? "Ack" : "Error";
    root.append_child("scope").text() = "Public";
    root.append_child("code").text() = code.c_str();
    root.append_child("note").text() = note.c_str();
    if (!f.identifier.empty())
      root.append_child("references").text() =
          ("broadcasts@notifications.service.gov.uk," + f.identifier + "," + f.sent).c_str();
  } else {
    auto root = doc.append_child("IBAG_Alert_Attributes");
    root.append_attribute("xmlns") = kIbagNs;
    root.append_child("IBAG_protocol_version").text() = "1.0";
    root.append_child("IBAG_sending_gateway_id").text() = sender.c_str();
    char number[16];
    std::snprintf(number, sizeof number, "%08llx", static_cast<unsigned long long>(ack_number));
    root.append_child("IBAG_message_number").text() = number;
    if (!f.key.empty()) root.append_child("IBAG_referenced_message_number").text() = f.key.c_str();
    root.append_child("IBAG_sender").text() = sender.c_str();
    root.append_child("IBAG_sent_date_time").text() = now.c_str();
    root.append_child("IBAG_status").text() = answer_status(f, true).c_str();
    root.append_child("IBAG_message_type").text() = ok ? "Ack" : "Error";
    root.append_child("IBAG_response_code").text() = code.c_str();
    root.append_child("IBAG_note").text() = note.c_str();
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
  StubAnswer a;
  a.response.status = status;
  a.response.headers.set("Content-Type", "application/xml");
  a.response.body = out.str();
  a.reference = f.key;
  a.outcome = ok ? "ok" : "error:" + code;
  return a;
}

std::string describe_problems(const broadcast::Report& report) {
  std::string s;
  std::size_t n = 0;
  for (const auto& p : report.problems) {
    if (p.severity != broadcast::Severity::error) continue;
    if (n++ == 3) break;
    if (!s.empty()) s += "; ";
    s += p.rule + " at " + p.path + ": " + p.message;
  }
  return s;
}

}  // namespace

StubAnswer CbcStub::handle(const Call& call) {
  auto route = route_of(call.request);
  if (!route || !known_operator(route->op) || !known_az(route->az) || call.request.method != "POST")
    return not_found(call.request);
  const std::string& op = route->op;
  const bool ibag = cbc_takes_ibag(op);
  const std::string now =
      cap_time(services_ != nullptr ? services_->clock().now() : runtime::TimePoint{});
  std::lock_guard lock(impl_->mutex);
  OperatorState& st = impl_->ops[op];
  st.counters.received += 1;
  if (impl_->documents.size() >= kDocumentsKeptMax)
    impl_->documents.erase(impl_->documents.begin(),
                           impl_->documents.begin() + kDocumentsKeptMax / 2);
  impl_->documents.emplace_back(op, call.request.body);
  const std::uint64_t ack = impl_->next_ack++;
  Facts none;
  auto error = [&](int status, const std::string& code, const std::string& note, const Facts& f) {
    st.counters.rejected += 1;
    return reply(op, ibag, false, status, code, note, f, ack, now);
  };

  // An endpoint set to answer 403 or 500 does so whatever it is sent, as Emergency Alerts'
  // loopback CBCs do (their LoopbackResponses table).
  int configured = 200;
  if (auto it = impl_->responses.find(op + "/" + route->az); it != impl_->responses.end())
    configured = it->second;
  else if (auto it = impl_->responses.find(op); it != impl_->responses.end())
    configured = it->second;
  if (call.error == kCbcForbidden || configured == 403)
    return error(403, "Forbidden", "the " + op + " CBC refused the request", none);
  if (call.error == kCbcInternalError || configured == 500)
    return error(500, "InternalError", "the CBC could not process the message", none);

  broadcast::ValidateOptions vo;
  vo.profile = broadcast::Profile::uk;
  auto report = broadcast::validate_document(call.request.body, vo);
  if (!report.valid()) {
    st.counters.invalid += 1;
    return error(400, "InvalidDocument", describe_problems(report), none);
  }
  const auto expected = ibag ? broadcast::DocumentKind::ibag : broadcast::DocumentKind::cap12;
  if (report.kind != expected)
    return error(400, "WrongFormat",
                 "this CBC takes " + std::string(ibag ? "IBAG" : "CAP 1.2") + ", not " +
                     report.kind_description,
                 none);
  // A CBC configured with the sender's certificate refuses what that key did not sign as it
  // stands: unsigned, changed after signing, or signed by another key.
  if (impl_->verifier) {
    auto check = impl_->verifier->verify(call.request.body);
    if (check.status == broadcast::SignatureStatus::missing)
      return error(400, "SignatureMissing",
                   "this CBC takes only documents signed " +
                       std::string(impl_->test_pair ? "with " : "for ") + impl_->trusted,
                   none);
    if (check.status != broadcast::SignatureStatus::valid)
      return error(400, "SignatureInvalid",
                   "the signature does not verify with " + impl_->trusted + ": " + check.detail,
                   none);
  }
  pugi::xml_document doc;
  doc.load_buffer(call.request.body.data(), call.request.body.size());
  Facts f = read_facts(doc, ibag);
  if (call.error == kCbcReject)
    return error(400, "Rejected", "the operator rejected the message", f);

  const std::string what = ibag ? "message number " : "identifier ";
  if (auto seen = st.received.find(f.key); seen != st.received.end()) {
    // The same document again (a retry after a lost answer) is acknowledged again; a different
    // document under a key already used is not.
    if (seen->second != call.request.body)
      return error(400, "DuplicateMessage", what + f.key + " was already used", f);
  } else if (f.message_type == "Cancel" || f.message_type == "Update") {
    if (f.refs.empty())
      return error(400, "UnknownReference", "a " + f.message_type + " must reference an alert", f);
    // At least one reference must name a message this CBC acknowledged. Others are tolerated:
    // Notify marks an update acknowledged without sending it, and a later cancel names it too.
    bool any_known = false;
    for (const auto& r : f.refs) any_known = any_known || st.received.contains(r);
    if (!any_known)
      return error(400, "UnknownReference",
                   "no referenced " + what + "is a message this CBC acknowledged", f);
    if (f.message_type == "Cancel") {
      bool any_live = false;
      for (const auto& r : f.refs) any_live = any_live || !st.cancelled.contains(r);
      if (!any_live)
        return error(400, "AlreadyCancelled", "every referenced alert is cancelled", f);
      for (const auto& r : f.refs) st.cancelled.insert(r);
    }
  }
  st.received.emplace(f.key, call.request.body);
  st.counters.acknowledged += 1;
  return reply(op, ibag, true, 200, "Accepted",
               f.test ? "link test acknowledged" : f.message_type + " acknowledged", f, ack, now);
}

std::optional<SelectorNames> CbcStub::selector_names() const {
  SelectorNames names{{"Alert", "Cancel", "Test", "Submit", "Unknown"}, {}, {}};
  for (auto op : kCbcOperators) names.providers.emplace(op);
  for (auto az : kCbcAzs) names.azs.emplace(az);
  return names;
}

std::vector<std::string> CbcStub::error_names() const {
  return {kCbcReject, kCbcForbidden, kCbcInternalError};
}


std::optional<FieldError> CbcStub::configure(const nlohmann::json& config) {
  std::map<std::string, int> responses;
  bool given = false;
  bool trust_given = false;
  std::string trusted;
  bool test_pair = false;
  std::shared_ptr<const broadcast::SignatureVerifier> verifier;
  try {
    Fields f(config, "");
    if (const auto* r = f.object("responses")) {
      given = true;
      for (const auto& [key, value] : r->items()) {
        const std::string field = f.at("responses") + "." + key;
        auto slash = key.find('/');
        const std::string op = key.substr(0, slash);
        if (!known_operator(op) ||
            (slash != std::string::npos && !known_az(std::string_view(key).substr(slash + 1))))
          f.fail(field,
                 "an operator (ee, o2, three, vodafone), or operator/az with az "
                 "eu-west-2a or eu-west-2b",
                 "\"" + key + "\"");
        if (!value.is_number_integer() ||
            (value.get<int>() != 200 && value.get<int>() != 403 && value.get<int>() != 500))
          f.fail(field, "an HTTP status: 200, 403 or 500", quote_json(value));
        responses[key] = value.get<int>();
      }
    }
    auto path = f.string("signature_certificate");
    auto use_test_pair = f.boolean("signature_test_pair");
    // Either names what the CBC trusts; the block that gives one of them replaces the trust
    // before, and "" or false alone turns the check off.
    trust_given = path.has_value() || use_test_pair.has_value();
    if (use_test_pair.value_or(false)) {
      if (path && !path->empty())
        f.fail(f.at("signature_test_pair"), "true alone, or a signature_certificate without it",
               "true beside signature_certificate " + quote_json(*path));
      try {
        verifier = std::make_shared<const broadcast::SignatureVerifier>(
            broadcast::SignatureVerifier::from_pem(broadcast::test_pair().certificate_pem,
                                                   std::string(broadcast::kTestPairLabel)));
        trusted = broadcast::kTestPairLabel;
        test_pair = true;
      } catch (const std::runtime_error& e) {
        f.fail(f.at("signature_test_pair"), "a test pair OpenSSL can make", e.what());
      }
    } else if (path && !path->empty()) {
      trusted = *path;
      try {
        verifier = std::make_shared<const broadcast::SignatureVerifier>(
            broadcast::SignatureVerifier::from_file(*path));
      } catch (const std::runtime_error& e) {
        f.fail(f.at("signature_certificate"), "a readable PEM certificate", e.what());
      }
    }
    f.no_others();
  } catch (const ConfigError& e) {
    return e.error();
  }
  std::lock_guard lock(impl_->mutex);
  if (given) impl_->responses = std::move(responses);
  if (trust_given) {
    impl_->verifier = std::move(verifier);
    impl_->trusted = std::move(trusted);
    impl_->test_pair = test_pair;
  }
  return std::nullopt;
}

StubAnswer CbcStub::not_found(const transport::Request& request) const {
  StubAnswer a;
  a.response.status = 404;
  a.response.headers.set("Content-Type", "text/plain");
  a.response.body = "no CBC route " + request.method + " " + std::string(request.path()) +
                    "; documents go to POST /cbc/{ee|o2|three|vodafone}/{eu-west-2a|eu-west-2b}\n";
  a.outcome = "error:NotFound";
  return a;
}

void CbcStub::reset() {
  std::lock_guard lock(impl_->mutex);
  impl_->ops.clear();
  impl_->documents.clear();
  impl_->next_ack = 1;
}

std::map<std::string, CbcCounters> CbcStub::counters() const {
  std::lock_guard lock(impl_->mutex);
  std::map<std::string, CbcCounters> out;
  for (const auto& [op, st] : impl_->ops) out[op] = st.counters;
  return out;
}

std::vector<std::pair<std::string, std::string>> CbcStub::documents() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->documents;
}

}  // namespace notify::stubs
