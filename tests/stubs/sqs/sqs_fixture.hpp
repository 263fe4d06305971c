// An SqsStub in a host on a virtual clock, with helpers for both of its wire protocols. Answers
// that come later (long polls) are collected by call_async and appear as the clock runs.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/sqs.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <memory>
#include <optional>
#include <string>

namespace notify::stubs::testing {

inline constexpr const char* kHost = "127.0.0.1:4566";
inline constexpr const char* kQueuePath = "/123456789012/";

class SqsTest : public ::testing::Test {
 protected:
  using json = nlohmann::json;

  // Without the default ses-callbacks queue, so that each test sees only its own.
  SqsTest() {
    EXPECT_FALSE(stub_.configure(json{{"queues", json::array()}}).has_value());
    host_.reset();
  }

  /// Answers now or later; *result is set when the stub answers.
  std::shared_ptr<std::optional<StubAnswer>> call_async(const transport::Request& request,
                                                        const std::string& fault = {}) {
    auto out = std::make_shared<std::optional<StubAnswer>>();
    RequestInfo info = stub_.describe(request);
    stub_.handle_async(Call{request, info, fault, ++seq_},
                       [out](StubAnswer a) { *out = std::move(a); });
    return out;
  }

  StubAnswer call(const transport::Request& request, const std::string& fault = {}) {
    auto out = call_async(request, fault);
    EXPECT_TRUE(out->has_value()) << request.body;
    return out->value_or(StubAnswer{});
  }

  static transport::Request form(std::string body, std::string path = "/") {
    transport::Request r;
    r.method = "POST";
    r.target = std::move(path);
    r.headers.set("Host", kHost);
    r.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    r.body = std::move(body);
    return r;
  }

  static transport::Request target(const std::string& action, const json& body) {
    transport::Request r;
    r.method = "POST";
    r.target = "/";
    r.headers.set("Host", kHost);
    r.headers.set("Content-Type", "application/x-amz-json-1.0");
    r.headers.set("X-Amz-Target", "AmazonSQS." + action);
    r.body = body.dump();
    return r;
  }

  static std::string url(const std::string& queue) {
    return std::string("http://") + kHost + kQueuePath + queue;
  }

  /// A JSON protocol call that must succeed; its parsed body.
  json ok(const std::string& action, const json& body) {
    auto a = call(target(action, body));
    EXPECT_EQ(a.response.status, 200) << action << ": " << a.response.body;
    return json::parse(a.response.body, nullptr, false);
  }

  std::string create(const std::string& name, const json& attributes = json::object()) {
    json body = {{"QueueName", name}};
    if (!attributes.empty()) body["Attributes"] = attributes;
    return ok("CreateQueue", body).value("QueueUrl", "");
  }

  json send(const std::string& queue, const std::string& body, json extra = json::object()) {
    extra["QueueUrl"] = url(queue);
    extra["MessageBody"] = body;
    return ok("SendMessage", extra);
  }

  json receive(const std::string& queue, json extra = json::object()) {
    extra["QueueUrl"] = url(queue);
    extra["AttributeNames"] = {"All"};
    extra["MessageAttributeNames"] = {"All"};
    return ok("ReceiveMessage", extra).value("Messages", json::array());
  }

  void expect_json_error(const StubAnswer& a, int status, const std::string& query_code,
                         const std::string& type) {
    EXPECT_EQ(a.response.status, status) << a.response.body;
    EXPECT_EQ(a.response.headers.get_or("x-amzn-query-error", ""),
              query_code + (status >= 500 ? ";Receiver" : ";Sender"));
    auto j = json::parse(a.response.body, nullptr, false);
    EXPECT_EQ(j.value("__type", ""), type) << a.response.body;
    EXPECT_FALSE(j.value("message", "").empty()) << a.response.body;
    EXPECT_EQ(a.outcome, "error:" + query_code);
  }

  void expect_xml_error(const StubAnswer& a, int status, const std::string& code) {
    EXPECT_EQ(a.response.status, status) << a.response.body;
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(a.response.body.c_str())) << a.response.body;
    auto root = doc.child("ErrorResponse");
    EXPECT_STREQ(root.attribute("xmlns").value(), "http://queue.amazonaws.com/doc/2012-11-05/");
    EXPECT_STREQ(root.child("Error").child_value("Code"), code.c_str()) << a.response.body;
    EXPECT_STREQ(root.child("Error").child_value("Type"), status >= 500 ? "Receiver" : "Sender");
    EXPECT_FALSE(std::string(root.child("Error").child_value("Message")).empty());
    EXPECT_EQ(std::string(root.child_value("RequestId")),
              std::string(a.response.headers.get_or("x-amzn-RequestId", "?")));
  }

  runtime::VirtualClock clock_;
  StubHost host_{clock_, HostOptions{{}, 7}};
  SqsStub& stub_ = static_cast<SqsStub&>(host_.add(std::make_unique<SqsStub>()));
  std::uint64_t seq_ = 0;
};

}  // namespace notify::stubs::testing
