// A scripted SMS provider for the core's SMS tests: answers each request from a script of
// replies (the last one repeats) and keeps what it received.
#pragma once

#include "notify/transport/clients.hpp"
#include "notify/transport/server.hpp"

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace notify::sms::testing {

inline constexpr const char* kFiretextAuthority = "firetext.test:443";
inline constexpr const char* kMmgAuthority = "mmg.test:443";
inline constexpr const char* kFiretextUrl = "http://firetext.test:443/api/sendsms/json";
inline constexpr const char* kMmgUrl = "http://mmg.test:443/jsonv2a/api.php";

inline transport::Reply json_reply(int status, std::string body,
                                   std::chrono::nanoseconds delay = {}) {
  transport::Reply reply;
  reply.response.status = status;
  reply.response.headers.set("Content-Type", "application/json");
  reply.response.body = std::move(body);
  reply.delay = delay;
  return reply;
}

inline transport::Reply firetext_ok(std::chrono::nanoseconds delay = {}) {
  return json_reply(200,
                    R"({"code": 0, "description": "SMS successfully queued", )"
                    R"("responseData": 1, "data": []})",
                    delay);
}

inline transport::Reply mmg_ok(std::chrono::nanoseconds delay = {}) {
  return json_reply(200, R"({"Reference": 12345678})", delay);
}

inline transport::Reply action(transport::ConnectionAction what) {
  transport::Reply reply;
  reply.action = what;
  return reply;
}

struct FakeProvider {
  std::deque<transport::Reply> script;
  std::vector<transport::Request> received;

  // A handler that answers from `script`; `self` must outlive the route.
  static transport::ServerHandler handler(std::shared_ptr<FakeProvider> self) {
    return [self](transport::Request request, transport::Responder respond) {
      self->received.push_back(std::move(request));
      transport::Reply reply = self->script.empty() ? transport::Reply{} : self->script.front();
      if (self->script.size() > 1) self->script.pop_front();
      respond(std::move(reply));
    };
  }
};

}  // namespace notify::sms::testing
