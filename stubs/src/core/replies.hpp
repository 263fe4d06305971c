// JSON answers shared by the edge (its "no stub serves" 404) and the control API.
#pragma once

#include "notify/transport/server.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace notify::stubs::detail {

transport::Reply json_reply(int status, const nlohmann::json& body);
/// {"error": message} plus {"field": field} when a field is named.
transport::Reply error_reply(int status, const std::string& message, const std::string& field = {});

}  // namespace notify::stubs::detail
