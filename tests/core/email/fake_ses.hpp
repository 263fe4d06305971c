// A tiny fake SES for the email tests: answers each request from a script of replies (the last
// one repeats) and keeps what it received.
#pragma once

#include "notify/transport/clients.hpp"
#include "notify/transport/server.hpp"

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace notify::email::testing {

inline transport::Reply xml_reply(int status, std::string body) {
  transport::Reply reply;
  reply.response.status = status;
  reply.response.headers.set("Content-Type", "text/xml");
  reply.response.body = std::move(body);
  return reply;
}

inline transport::Reply ses_success(const std::string& id) {
  return xml_reply(200,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<SendEmailResponse xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\">\n"
                   "  <SendEmailResult>\n    <MessageId>" +
                       id +
                       "</MessageId>\n  </SendEmailResult>\n"
                       "  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>\n"
                       "</SendEmailResponse>\n");
}

inline transport::Reply ses_error(int status, const std::string& code, const std::string& message) {
  return xml_reply(status,
                   "<ErrorResponse xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\">\n"
                   "  <Error>\n    <Type>Sender</Type>\n    <Code>" +
                       code + "</Code>\n    <Message>" + message +
                       "</Message>\n  </Error>\n  <RequestId>r-1</RequestId>\n"
                       "</ErrorResponse>\n");
}

// An SES v2 (REST-JSON) answer: application/json, x-amzn-RequestId.
inline transport::Reply json_reply(int status, std::string body) {
  transport::Reply reply;
  reply.response.status = status;
  reply.response.headers.set("Content-Type", "application/json");
  reply.response.headers.set("x-amzn-RequestId", "a1b2c3d4-0000-4000-8000-000000000001");
  reply.response.body = std::move(body);
  return reply;
}

inline transport::Reply ses_v2_success(const std::string& id) {
  return json_reply(200, "{\"MessageId\": \"" + id + "\"}");
}

// As SES v2 answers an error: the bare shape name in x-amzn-ErrorType, {"message": ...}.
inline transport::Reply ses_v2_error(int status, const std::string& code,
                                     const std::string& message) {
  auto reply = json_reply(status, "{\"message\": \"" + message + "\"}");
  reply.response.headers.set("x-amzn-ErrorType", code);
  return reply;
}

struct FakeSes {
  std::deque<transport::Reply> script;
  std::vector<transport::Request> received;

  // A handler that answers from `script`; `self` must outlive the route.
  static transport::ServerHandler handler(std::shared_ptr<FakeSes> self) {
    return [self](transport::Request request, transport::Responder respond) {
      self->received.push_back(std::move(request));
      transport::Reply reply = self->script.empty() ? transport::Reply{} : self->script.front();
      if (self->script.size() > 1) self->script.pop_front();
      respond(std::move(reply));
    };
  }
};

}  // namespace notify::email::testing
