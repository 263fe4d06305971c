// Text helpers the stubs' wire formats share.
#pragma once

#include <string>
#include <string_view>

namespace notify::stubs {

/// Escapes the five XML special characters for element text and attribute values.
std::string xml_escape(std::string_view text);

}  // namespace notify::stubs
