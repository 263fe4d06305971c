#include "notify/delivery/receipts.hpp"

#include "notify/runtime/assert.hpp"

#include <nlohmann/json.hpp>

namespace notify::delivery {

void ReceiptRouter::add(std::string path, transport::ServerHandler handler) {
  NOTIFY_ASSERT(!path.empty() && path.front() == '/');
  NOTIFY_ASSERT(handler != nullptr);
  bool inserted = routes_.emplace(std::move(path), std::move(handler)).second;
  NOTIFY_ASSERT(inserted);
}

std::vector<std::string> ReceiptRouter::paths() const {
  std::vector<std::string> out;
  for (const auto& [path, handler] : routes_) out.push_back(path);
  return out;
}

transport::ServerHandler ReceiptRouter::handler() const {
  return [this](transport::Request request, transport::Responder respond) {
    auto it = routes_.find(request.path());
    if (it != routes_.end()) {
      it->second(std::move(request), std::move(respond));
      return;
    }
    std::string known;
    for (const auto& [path, h] : routes_) known += (known.empty() ? "" : ", ") + path;
    transport::Reply r;
    r.response.status = 404;
    r.response.headers.set("Content-Type", "application/json");
    r.response.body = nlohmann::json{
        {"result", "error"},
        {"message",
         "no receipt endpoint at " + std::string(request.path()) + "; receipts go to POST " +
             known}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    respond(std::move(r));
  };
}

}  // namespace notify::delivery
