// The Lambda and CBC stubs on a virtual clock behind an in-process edge: an Invoke reaches a
// proxy function, which reaches its CBC through its AZ's listener, as in a simulated run.
#pragma once

#include "notify/broadcast/validate.hpp"
#include "notify/runtime/clock.hpp"
#include "notify/stubs/cbc.hpp"
#include "notify/stubs/edge.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/lambda.hpp"
#include "notify/transport/clients.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace notify::stubs::testing {

class CbcTest : public ::testing::Test {
 protected:
  CbcTest() {
    host_.set_outbound_transport(&net_);
    edge_.open(stubs::registry());
  }

  transport::Response invoke(const std::string& function, const nlohmann::json& payload,
                             const std::string& query = {},
                             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return invoke_raw(function, payload.dump(), query, headers);
  }

  transport::Response invoke_raw(const std::string& function, std::string body,
                                 const std::string& query = {},
                                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    transport::Request q;
    q.method = "POST";
    q.target = edge_.url() + "/2015-03-31/functions/" + transport::percent_encode(function) +
               "/invocations" + query;
    for (const auto& [k, v] : headers) q.headers.set(k, v);
    q.body = std::move(body);
    std::optional<transport::SendResult> out;
    net_.send(std::move(q), {}, [&](transport::SendResult r) { out = std::move(r); });
    for (int i = 0; i < 100000 && !out && clock_.step(); ++i) {
    }
    EXPECT_TRUE(out.has_value());
    EXPECT_TRUE(out && *out) << "no response";
    return out && *out ? **out : transport::Response{};
  }

  static nlohmann::json body(const transport::Response& r) {
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  static nlohmann::json alert(const std::string& id, const std::string& format = "cap",
                              const std::string& description = "Flood warning") {
    nlohmann::json p = {
        {"message_type", "alert"},
        {"identifier", id},
        {"message_format", format},
        {"headline", "GOV.UK Notify Broadcast"},
        {"description", description},
        {"areas",
         {{{"polygon", {{51.12, -1.2}, {51.12, 1.2}, {51.74, 1.2}, {51.74, -1.2}, {51.12, -1.2}}}}}},
        {"sent", "2026-11-27T23:00:00-00:00"},
        {"expires", "2026-11-28T03:00:00-00:00"},
        {"language", format == "cap" ? "en-GB" : "English"},
        {"channel", "severe"}};
    if (format == "ibag") p["message_number"] = "0000004e";
    return p;
  }

  void add_fault(const std::string& rule) {
    auto r = parse_fault_rule(nlohmann::json::parse(rule), "rule", host_.faults().known_errors());
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_TRUE(host_.faults().add(*r));
  }

  runtime::VirtualClock clock_;
  transport::InProcessTransport net_{clock_};
  StubHost host_{clock_, [] {
                   HostOptions o;
                   o.seed = 7;
                   o.journal.body_bytes_max = 64 * 1024;
                   return o;
                 }()};
  LambdaStub& lambda_ = static_cast<LambdaStub&>(host_.add(std::make_unique<LambdaStub>()));
  CbcStub& cbc_ = static_cast<CbcStub&>(host_.add(std::make_unique<CbcStub>()));
  std::unique_ptr<EdgeBackend> backend_ = make_inprocess_edge(net_);
  Edge edge_{host_, clock_, *backend_, std::chrono::seconds(1)};
};

}  // namespace notify::stubs::testing
