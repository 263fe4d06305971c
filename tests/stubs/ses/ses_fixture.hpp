// A SesStub on a virtual clock, with an in-process transport that records the delivery events
// the stub posts to http://127.0.0.1:9999/ses-events.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/ses.hpp"
#include "notify/transport/clients.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <string>
#include <vector>

namespace notify::stubs::testing {

inline constexpr const char* kCallbackUrl = "http://127.0.0.1:9999/ses-events";

class SesTest : public ::testing::Test {
 protected:
  SesTest() : callbacks_(clock_) {
    callbacks_.route("127.0.0.1:9999", [this](transport::Request r, transport::Responder done) {
      received_.push_back(std::move(r));
      transport::Reply reply;
      reply.response.status = callback_status_;
      done(std::move(reply));
    });
    host_.set_outbound_transport(&callbacks_);
  }

  StubAnswer call(const transport::Request& request, const std::string& fault = {}) {
    RequestInfo info = stub_.describe(request);
    return stub_.handle(Call{request, info, fault, ++seq_});
  }

  static transport::Request form_post(std::string body, std::string target = "/") {
    transport::Request r;
    r.method = "POST";
    r.target = std::move(target);
    r.headers.set("Host", "127.0.0.1:18765");
    r.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    r.body = std::move(body);
    return r;
  }

  static transport::Request json_request(std::string method, std::string target, std::string body) {
    transport::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.headers.set("Host", "127.0.0.1:18765");
    if (!body.empty()) r.headers.set("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
  }

  /// boto3's SendEmail body with one To address.
  static std::string send_email_body(const std::string& to = "to%40example.com",
                                     const std::string& subject = "Hello") {
    return "Action=SendEmail&Version=2010-12-01&Source=sender%40example.com"
           "&Destination.ToAddresses.member.1=" +
           to +
           "&Destination.CcAddresses=&Destination.BccAddresses=&Message.Subject.Data=" + subject +
           "&Message.Body.Text.Data=Hi+there";
  }

  static std::string v2_send_body(const std::string& to = "to@example.com") {
    return R"({"FromEmailAddress": "sender@example.com", "Destination": {"ToAddresses": [")" + to +
           R"("]}, "Content": {"Simple": {"Subject": {"Data": "Hello"}, )"
           R"("Body": {"Text": {"Data": "Hi"}}}}})";
  }

  /// The <Error> of a v1 ErrorResponse: {Type, Code, Message}.
  struct XmlError {
    std::string type, code, message, request_id;
  };
  static XmlError xml_error(const transport::Response& r) {
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(r.body.c_str())) << r.body;
    auto root = doc.child("ErrorResponse");
    EXPECT_TRUE(root) << r.body;
    auto e = root.child("Error");
    return {e.child_value("Type"), e.child_value("Code"), e.child_value("Message"),
            root.child_value("RequestId")};
  }

  void expect_v1_error(const StubAnswer& a, int status, const std::string& code,
                       const std::string& message) {
    EXPECT_EQ(a.response.status, status) << a.response.body;
    auto e = xml_error(a.response);
    EXPECT_EQ(e.code, code) << a.response.body;
    EXPECT_EQ(e.message, message) << a.response.body;
    EXPECT_EQ(e.type, status >= 500 ? "Receiver" : "Sender");
    EXPECT_EQ(e.request_id, std::string(a.response.headers.get_or("x-amzn-RequestId", "?")));
    EXPECT_EQ(a.response.headers.get_or("Content-Type", ""), "text/xml");
    EXPECT_EQ(a.outcome, "error:" + code);
  }

  void expect_v2_error(const StubAnswer& a, int status, const std::string& type,
                       const std::string& message = {}) {
    EXPECT_EQ(a.response.status, status) << a.response.body;
    EXPECT_EQ(a.response.headers.get_or("x-amzn-ErrorType", ""), type) << a.response.body;
    EXPECT_TRUE(a.response.headers.contains("x-amzn-RequestId"));
    auto j = nlohmann::json::parse(a.response.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << a.response.body;
    ASSERT_TRUE(j.contains("message")) << a.response.body;
    if (!message.empty()) {
      EXPECT_EQ(j["message"], message);
    }
  }

  runtime::VirtualClock clock_;
  transport::InProcessTransport callbacks_;
  std::vector<transport::Request> received_;
  int callback_status_ = 200;
  StubHost host_{clock_, HostOptions{{}, 42}};
  SesStub& stub_ = static_cast<SesStub&>(host_.add(std::make_unique<SesStub>()));
  std::uint64_t seq_ = 0;
};

}  // namespace notify::stubs::testing
