// A tiny stub for the host's tests: it serves paths under /fake (or another prefix), reads the
// operation from "?op=" and the recipient from the body, and renders the fault "fake.boom" as
// a 503.
#pragma once

#include "notify/stubs/host.hpp"
#include "notify/stubs/stub.hpp"
#include "notify/transport/server.hpp"

#include <optional>
#include <string>

namespace notify::stubs::test {

class FakeStub final : public Stub {
 public:
  explicit FakeStub(std::string service = "ses", std::string prefix = "/fake")
      : service_(std::move(service)), prefix_(std::move(prefix)) {}

  std::string_view service() const override { return service_; }
  bool accepts(const transport::Request& request) const override {
    return request.path().starts_with(prefix_);
  }
  RequestInfo describe(const transport::Request& request) const override {
    RequestInfo info;
    info.service = service_;
    auto q = request.query();
    info.operation = q.starts_with("op=") ? std::string(q.substr(3)) : "Send";
    info.recipient = request.body;
    return info;
  }
  StubAnswer handle(const Call& call) override {
    const std::string& error = call.error;
    StubAnswer answer;
    if (error == "fake.boom") {
      answer.response.status = 503;
      answer.response.body = R"({"error":"boom"})";
      answer.outcome = "error:fake.boom";
      return answer;
    }
    ++handled_;
    answer.reference = "ref-" + std::to_string(handled_);
    answer.response.status = 200;
    answer.response.body = R"({"id":")" + answer.reference + R"("})";
    answer.outcome = "ok";
    return answer;
  }
  std::vector<std::string> error_names() const override { return {"fake.boom"}; }
  void reset() override {
    handled_ = 0;
    ++resets_;
  }
  void attach(StubServices& services) override {
    Stub::attach(services);
    ++attached_;
  }

  int handled_ = 0;
  int resets_ = 0;
  int attached_ = 0;
  StubServices& services() const { return *services_; }

 private:
  std::string service_;
  std::string prefix_;
};

inline transport::Request make_request(std::string method, std::string target,
                                       std::string body = {}) {
  transport::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  return r;
}

/// Calls a handler and returns the reply it gave synchronously, if any.
template <typename Handler>
std::optional<transport::Reply> call(Handler&& handler, transport::Request request) {
  std::optional<transport::Reply> out;
  handler(std::move(request), [&out](transport::Reply r) { out = std::move(r); });
  return out;
}

inline std::optional<transport::Reply> edge(StubHost& host, transport::Request request) {
  return call([&](auto req, auto resp) { host.handle(std::move(req), std::move(resp)); },
              std::move(request));
}

inline std::optional<transport::Reply> control(StubHost& host, transport::Request request) {
  return call([&](auto req, auto resp) { host.handle_control(std::move(req), std::move(resp)); },
              std::move(request));
}

}  // namespace notify::stubs::test
