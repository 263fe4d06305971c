#include "replies.hpp"

namespace notify::stubs::detail {

transport::Reply json_reply(int status, const nlohmann::json& body) {
  transport::Reply reply;
  reply.response.status = status;
  reply.response.headers.set("Content-Type", "application/json");
  reply.response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return reply;
}

transport::Reply error_reply(int status, const std::string& message, const std::string& field) {
  nlohmann::json body = {{"error", message}};
  if (!field.empty()) body["field"] = field;
  return json_reply(status, body);
}

}  // namespace notify::stubs::detail
