// A Firetext or MMG stub on a virtual clock, attached to a host whose outbound transport
// records the receipts posted to http://127.0.0.1:9999/... .
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/sms.hpp"
#include "notify/transport/clients.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace notify::stubs::testing {

inline constexpr const char* kReceiptUrl = "http://127.0.0.1:9999/notifications/sms/x";
inline constexpr const char* kDefaultUrl = "http://127.0.0.1:9999/default";

class SmsTest : public ::testing::Test {
 protected:
  explicit SmsTest(std::unique_ptr<Stub> stub) : callbacks_(clock_), stub_(host_.add(std::move(stub))) {
    callbacks_.route("127.0.0.1:9999", [this](transport::Request r, transport::Responder done) {
      received_.push_back(std::move(r));
      transport::Reply reply;
      reply.response.status = 200;
      reply.response.body = R"({"result": "success"})";
      done(std::move(reply));
    });
    host_.set_outbound_transport(&callbacks_);
  }

  StubAnswer call(const transport::Request& request, const std::string& fault = {}) {
    RequestInfo info = stub_.describe(request);
    return stub_.handle(Call{request, info, fault, ++seq_});
  }

  void configure(const std::string& json_text) {
    auto e = stub_.configure(nlohmann::json::parse(json_text));
    ASSERT_FALSE(e.has_value()) << e->to_string();
  }

  /// Runs the clock until every receipt has been sent.
  void deliver_all() { clock_.run(); }

  static std::map<std::string, std::string> form(const std::string& body) {
    std::map<std::string, std::string> out;
    auto f = transport::parse_form(body);
    EXPECT_TRUE(f.has_value()) << body;
    if (f) for (auto& [k, v] : *f) out.emplace(k, v);
    return out;
  }

  runtime::VirtualClock clock_;
  transport::InProcessTransport callbacks_;
  std::vector<transport::Request> received_;
  StubHost host_{clock_, HostOptions{{}, 42}};
  Stub& stub_;
  std::uint64_t seq_ = 0;
};

}  // namespace notify::stubs::testing
