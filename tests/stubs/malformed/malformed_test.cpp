// Every row of the malformed-input corpus (corpus.cpp) against the real edge on sockets, as
// `notify-sim serve` runs it: every registered stub, their own listeners and the control API. Each
// bad request must get its provider's status and error shape (or, for broken HTTP, the server
// shell's 4xx and a closed connection), and the same service must then answer a well-formed
// request, on the same connection when it was kept alive.
#include "corpus.hpp"
#include "wire.hpp"

#include "notify/delivery/email_delivery.hpp"
#include "notify/delivery/receipts.hpp"
#include "notify/delivery/sms_receipts.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/store/store.hpp"
#include "notify/stubs/edge.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <thread>

namespace notify::stubs::malformed {
namespace {

using nlohmann::json;
using testing::wire::Connection;
using testing::wire::RawResponse;

constexpr std::chrono::milliseconds kWait{5'000};

std::uint16_t port_of(const std::string& url) {
  return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

// Two hosts on one io_context thread, as serve runs them: the default configuration, and one in
// strict mode (SigV4 checked, SMS keys checked) on its own edge. Beside them, the core's receipt
// endpoints as a run's world serves them, with one notification in sending for receipts to find.
class Servers {
 public:
  Servers() : clock_(runtime::make_system_clock(io_)) {
    const StubRegistry& registry = stubs::registry();
    host_ = std::make_unique<StubHost>(*clock_, HostOptions{});
    strict_host_ = std::make_unique<StubHost>(*clock_, HostOptions{});
    const json strict = {{"ses", {{"strict_sigv4", {{"AKIDEXAMPLE", kSecret}}}}},
                         {"lambda", {{"strict_sigv4", {{"AKIDEXAMPLE", kSecret}}}}},
                         {"firetext", {{"api_keys", {kSmsKey}}}},
                         {"mmg", {{"api_keys", {kSmsKey}}}}};
    for (const auto& spec : registry.all()) {
      host_->add(spec.make());
      auto& stub = strict_host_->add(spec.make());
      if (auto error = stub.configure(strict.value(spec.service, json::object())))
        ADD_FAILURE() << spec.service << ": " << error->to_string();
    }
    backend_ = make_socket_edge(io_, {});
    strict_backend_ = make_socket_edge(io_, {});
    edge_ = std::make_unique<Edge>(*host_, *clock_, *backend_, std::chrono::milliseconds(100));
    strict_edge_ = std::make_unique<Edge>(*strict_host_, *clock_, *strict_backend_,
                                          std::chrono::milliseconds(100));
    edge_->open(registry);
    strict_edge_->open(registry);
    admin_ = transport::HttpServer::start(io_, {},
                                          [this](transport::Request q, transport::Responder done) {
                                            host_->handle_control(std::move(q), std::move(done));
                                          });
    ports_[Target::edge] = port_of(edge_->url());
    ports_[Target::ses] = port_of(edge_->url({"ses", "", ""}));
    ports_[Target::firetext] = port_of(edge_->url({"firetext", "", ""}));
    ports_[Target::mmg] = port_of(edge_->url({"mmg", "", ""}));
    ports_[Target::lambda] = port_of(edge_->url({"lambda", "", ""}));
    ports_[Target::cbc_ee] = port_of(edge_->url({"cbc", "ee", "eu-west-2a"}));
    ports_[Target::cbc_vodafone] = port_of(edge_->url({"cbc", "vodafone", "eu-west-2a"}));
    ports_[Target::admin] = admin_->port();
    ports_[Target::strict] = port_of(strict_edge_->url());
    delivery::add_ses_receipts(router_, *store_, *clock_, logger_, metrics_);
    delivery::add_sms_receipts(router_, *store_, *clock_, logger_, metrics_);
    store::Notification n;
    n.id = kNotificationId;
    n.type = "sms";
    n.recipient = "447700900123";
    n.status = store::status::kSending;
    n.reference = n.id;
    n.created_at = clock_->now();
    n.updated_at = clock_->now();
    if (!store_->insert_notification(n)) ADD_FAILURE() << "could not store the notification";
    receipts_ = transport::HttpServer::start(io_, {}, router_.handler());
    ports_[Target::receipts] = receipts_->port();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Servers() {
    std::promise<void> stopped;
    boost::asio::post(io_, [&] {
      edge_->stop();
      strict_edge_->stop();
      admin_->stop();
      receipts_->stop();
      work_.reset();
      io_.stop();
      stopped.set_value();
    });
    stopped.get_future().wait();
    thread_.join();
  }

  std::uint16_t port(Target target) const { return ports_.at(target); }
  /// The default host's fault rules, to check that no bad rule was added.
  std::size_t rule_count() { return host_->faults().rules().size(); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::unique_ptr<runtime::Clock> clock_;
  std::unique_ptr<StubHost> host_, strict_host_;
  std::unique_ptr<EdgeBackend> backend_, strict_backend_;
  std::unique_ptr<Edge> edge_, strict_edge_;
  std::unique_ptr<transport::HttpServer> admin_;
  std::unique_ptr<store::Store> store_ = store::open_sqlite_store(":memory:");
  telemetry::Metrics metrics_;
  telemetry::Logger logger_{*clock_};
  delivery::ReceiptRouter router_;
  std::unique_ptr<transport::HttpServer> receipts_;
  std::map<Target, std::uint16_t> ports_;
  std::thread thread_;
};

// The well-formed request that proves a service still answers after a bad one, and what its
// answer must contain.
struct Probe {
  std::string request;
  std::string expect;
};

Probe probe_for(const Case& c) {
  static std::atomic<int> documents{0};
  const bool strict = c.target == Target::strict;
  const std::string form = "application/x-www-form-urlencoded";
  switch (c.shape) {
    case Shape::firetext_json:
    case Shape::firetext_plain:
    case Shape::firetext_xml:
      return {raw("POST", "/api/sendsms/json", {{"Content-Type", form}},
                  std::string("apiKey=") + kSmsKey + "&from=GOVUK&to=447700900123&message=hi"),
              R"("code": 0)"};
    case Shape::mmg:
      return {raw("POST", "/jsonv2a/api.php",
                  {{"Content-Type", "application/json"},
                   {"Authorization", std::string("Basic ") + kSmsKey}},
                  R"({"reqType":"BULK","MSISDN":"447700900123","msg":"hi","sender":"GOVUK"})"),
              R"("reference")"};
    case Shape::lambda:
    case Shape::lambda_function: {
      const std::string path = "/2015-03-31/functions/canary/invocations";
      return {strict ? signed_raw("POST", path, {}, "{}", "lambda") : raw("POST", path, {}, "{}"),
              R"("success":true)"};
    }
    case Shape::cap:
    case Shape::ibag: {
      const bool ibag = c.target == Target::cbc_vodafone;
      const std::string id = "malformed-probe-" + std::to_string(++documents);
      return {raw("POST", ibag ? "/cbc/vodafone/eu-west-2a" : "/cbc/ee/eu-west-2a",
                  {{"Content-Type", "application/xml"}}, alert_document(id, ibag ? "ibag" : "cap")),
              ibag ? "<IBAG_message_type>Ack<" : "<msgType>Ack<"};
    }
    case Shape::sqs_query:
    case Shape::sqs_json:
      return {raw("POST", "/123456789012/ses-callbacks", {{"Content-Type", form}},
                  "Action=GetQueueAttributes&AttributeName.1=QueueArn"),
              "<GetQueueAttributesResult>"};
    case Shape::control:
      return {raw("GET", "/health", {}), R"("status":"ok")"};
    case Shape::receipt:
      return {raw("POST", "/notifications/sms/firetext", {{"Content-Type", form}},
                  std::string("mobile=447700900123&status=0&code=000&time=2026-01-01+00%3A00%3A00"
                              "&reference=") +
                      kNotificationId),
              R"("result":"success")"};
    default:
      break;
  }
  if (c.target == Target::admin) return {raw("GET", "/health", {}), R"("status":"ok")"};
  const std::string body = "Action=GetSendQuota&Version=2010-12-01";
  return {strict ? signed_raw("POST", "/", {{"Content-Type", form}}, body, "ses")
                 : raw("POST", "/", {{"Content-Type", form}}, body),
          "<GetSendQuotaResult>"};
}

std::string xml_text(const pugi::xml_node& node, const char* child) {
  return node.child(child).text().as_string();
}

// The body and headers the case's shape demands.
void expect_shape(const Case& c, const RawResponse& r) {
  const std::string type = r.header("Content-Type").value_or("");
  const json body = json::parse(r.body, nullptr, false);
  pugi::xml_document doc;
  const bool is_xml = doc.load_buffer(r.body.data(), r.body.size());
  switch (c.shape) {
    case Shape::none:
      FAIL() << "an answer where none was expected";
    case Shape::http:
      EXPECT_EQ(type, "text/plain");
      EXPECT_EQ(r.header("Connection").value_or(""), "close");
      break;
    case Shape::edge:
      ASSERT_TRUE(body.is_object()) << r.body;
      EXPECT_TRUE(body.value("message", "").size() > 0) << r.body;
      break;
    case Shape::ses_v1: {
      ASSERT_TRUE(is_xml) << r.body;
      EXPECT_EQ(type, "text/xml");
      EXPECT_TRUE(r.header("x-amzn-RequestId").has_value());
      pugi::xml_node root = doc.document_element();
      EXPECT_STREQ(root.name(), "ErrorResponse");
      EXPECT_STREQ(root.attribute("xmlns").value(), "http://ses.amazonaws.com/doc/2010-12-01/");
      pugi::xml_node error = root.child("Error");
      EXPECT_EQ(xml_text(error, "Code"), c.code) << r.body;
      EXPECT_TRUE(xml_text(error, "Type") == "Sender" || xml_text(error, "Type") == "Receiver");
      EXPECT_FALSE(xml_text(error, "Message").empty());
      EXPECT_FALSE(xml_text(root, "RequestId").empty());
      break;
    }
    case Shape::sqs_query: {
      ASSERT_TRUE(is_xml) << r.body;
      EXPECT_EQ(type, "text/xml");
      EXPECT_TRUE(r.header("x-amzn-RequestId").has_value());
      pugi::xml_node root = doc.document_element();
      EXPECT_STREQ(root.name(), "ErrorResponse");
      EXPECT_STREQ(root.attribute("xmlns").value(), "http://queue.amazonaws.com/doc/2012-11-05/");
      EXPECT_EQ(xml_text(root.child("Error"), "Code"), c.code) << r.body;
      EXPECT_EQ(xml_text(root.child("Error"), "Type"), "Sender");
      EXPECT_FALSE(xml_text(root.child("Error"), "Message").empty());
      EXPECT_FALSE(xml_text(root, "RequestId").empty());
      break;
    }
    case Shape::sqs_json:
      ASSERT_TRUE(body.is_object()) << r.body;
      EXPECT_EQ(type, "application/x-amz-json-1.0");
      EXPECT_EQ(r.header("x-amzn-query-error").value_or(""), c.code + ";Sender") << r.body;
      EXPECT_FALSE(body.value("__type", "").empty()) << r.body;
      EXPECT_FALSE(body.value("message", "").empty()) << r.body;
      break;
    case Shape::ses_v2:
    case Shape::lambda:
      EXPECT_EQ(r.header("x-amzn-ErrorType").value_or(""), c.code) << r.body;
      EXPECT_TRUE(r.header("x-amzn-RequestId").has_value());
      EXPECT_EQ(type, "application/json");
      ASSERT_TRUE(body.is_object()) << r.body;
      EXPECT_TRUE(body.value("message", body.value("Message", "")).size() > 0) << r.body;
      break;
    case Shape::ses_contract:
      ASSERT_TRUE(body.is_object()) << r.body;
      EXPECT_EQ(body.value("code", ""), c.code);
      EXPECT_TRUE(body.value("message", "").size() > 0) << r.body;
      break;
    case Shape::firetext_json:
      ASSERT_TRUE(body.is_object()) << r.body;
      EXPECT_EQ(body.value("code", -1), std::stoi(c.code)) << r.body;
      EXPECT_TRUE(body.value("description", "").size() > 0) << r.body;
      EXPECT_EQ(body.value("responseData", -1), 0);
      break;
    case Shape::firetext_plain:
      EXPECT_EQ(r.body.substr(0, c.code.size() + 3), c.code + ":0 ") << r.body;
      break;
    case Shape::firetext_xml: {
      ASSERT_TRUE(is_xml) << r.body;
      pugi::xml_node status = doc.child("response").child("status");
      EXPECT_EQ(xml_text(status, "code"), c.code) << r.body;
      EXPECT_FALSE(xml_text(status, "description").empty());
      break;
    }
    case Shape::mmg:
      ASSERT_TRUE(body.is_object()) << r.body;
      EXPECT_EQ(body.value("Error", -1), std::stoi(c.code)) << r.body;
      EXPECT_TRUE(body.value("Description", "").size() > 0) << r.body;
      break;
    case Shape::lambda_function:
      EXPECT_EQ(r.header("X-Amz-Function-Error").value_or(""), "Unhandled");
      ASSERT_TRUE(body.is_object()) << r.body;
      EXPECT_EQ(body.value("errorType", ""), c.code) << r.body;
      EXPECT_TRUE(body.value("errorMessage", "").size() > 0) << r.body;
      break;
    case Shape::cap: {
      ASSERT_TRUE(is_xml) << r.body;
      pugi::xml_node root = doc.document_element();
      EXPECT_STREQ(root.name(), "alert");
      EXPECT_STREQ(root.attribute("xmlns").value(), "urn:oasis:names:tc:emergency:cap:1.2");
      EXPECT_EQ(xml_text(root, "msgType"), "Error");
      EXPECT_EQ(xml_text(root, "code"), c.code) << r.body;
      EXPECT_FALSE(xml_text(root, "note").empty());
      break;
    }
    case Shape::ibag: {
      ASSERT_TRUE(is_xml) << r.body;
      pugi::xml_node root = doc.document_element();
      EXPECT_STREQ(root.name(), "IBAG_Alert_Attributes");
      EXPECT_EQ(xml_text(root, "IBAG_message_type"), "Error");
      EXPECT_EQ(xml_text(root, "IBAG_response_code"), c.code) << r.body;
      EXPECT_FALSE(xml_text(root, "IBAG_note").empty());
      break;
    }
    case Shape::receipt:
      EXPECT_EQ(type, "application/json");
      ASSERT_TRUE(body.is_object()) << r.body;
      EXPECT_EQ(body.value("result", ""), "error") << r.body;
      EXPECT_TRUE(body.value("message", "").size() > 0) << r.body;
      EXPECT_EQ(r.body.find("447700900123"), std::string::npos) << "a phone number in " << r.body;
      break;
    case Shape::control:
      EXPECT_EQ(type, "application/json");
      ASSERT_TRUE(body.is_object()) << r.body;
      EXPECT_TRUE(body.value("error", "").size() > 0) << r.body;
      if (c.code.empty()) {
        EXPECT_FALSE(body.contains("field")) << r.body;
      } else {
        EXPECT_EQ(body.value("field", ""), c.code) << r.body;
      }
      break;
  }
  if (!c.header.empty()) {
    const auto colon = c.header.find(": ");
    EXPECT_EQ(r.header(c.header.substr(0, colon)).value_or("(none)"), c.header.substr(colon + 2));
  }
}

class Malformed : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() { servers_ = new Servers(); }
  static void TearDownTestSuite() {
    delete servers_;
    servers_ = nullptr;
  }
  static Servers* servers_;
};

Servers* Malformed::servers_ = nullptr;

TEST_P(Malformed, AnsweredInShapeAndStillServing) {
  const Case& c = GetParam();
  const std::uint16_t port = servers_->port(c.target);
  const std::size_t rules_before = servers_->rule_count();
  Connection connection(port, kWait);
  ASSERT_TRUE(connection.connected());
  // The server may answer an oversized request before reading all of it and stop reading, so a
  // failed write is not a failure: the answer is what counts.
  connection.send(c.request);
  if (c.half_close) connection.finish_sending();

  std::string error;
  auto answer = connection.read_response(&error);
  if (c.status == 0) {
    EXPECT_FALSE(answer.has_value()) << "status " << answer->status << ": " << answer->body;
  } else {
    ASSERT_TRUE(answer.has_value()) << error;
    EXPECT_EQ(answer->status, c.status) << answer->body;
    expect_shape(c, *answer);
  }
  EXPECT_EQ(servers_->rule_count(), rules_before) << "a rejected rule was added";

  const Probe probe = probe_for(c);
  std::optional<Connection> fresh;
  Connection* next = &connection;
  if (c.after == After::closed) {
    EXPECT_TRUE(connection.closed_by_peer()) << "the connection was left open";
    fresh.emplace(port, kWait);
    next = &*fresh;
  }
  ASSERT_TRUE(next->send(probe.request)) << "could not send the well-formed request";
  auto again = next->read_response(&error);
  ASSERT_TRUE(again.has_value()) << "no answer to a well-formed request after the bad one: "
                                 << error;
  EXPECT_EQ(again->status, 200) << again->body;
  EXPECT_NE(again->body.find(probe.expect), std::string::npos) << again->body;
}

INSTANTIATE_TEST_SUITE_P(Corpus, Malformed, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

TEST(MalformedCorpus, CoversEveryStubAndTheControlApiWithAtLeastSixtyCases) {
  std::map<Shape, int> shapes;
  const auto all = corpus();
  for (const auto& c : all) shapes[c.shape] += 1;
  EXPECT_GE(all.size(), 60u);
  for (Shape s :
       {Shape::http, Shape::ses_v1, Shape::ses_v2, Shape::ses_contract, Shape::firetext_json,
        Shape::mmg, Shape::lambda, Shape::cap, Shape::ibag, Shape::control, Shape::receipt})
    EXPECT_GT(shapes[s], 0) << "no case for shape " << static_cast<int>(s);
}

}  // namespace
}  // namespace notify::stubs::malformed
