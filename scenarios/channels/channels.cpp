// The built-in channels. Adding one is a file in this folder and one line here (see
// docs/architecture.md, "Adding a provider").
#include "broadcast.hpp"
#include "email.hpp"
#include "inbound.hpp"
#include "notify/scenarios/channel.hpp"
#include "sms.hpp"

namespace notify::scenarios {

const std::vector<ChannelSpec>& channel_registry() {
  static const std::vector<ChannelSpec> channels = {
      channels::email_channel(), channels::sms_channel(), channels::broadcast_channel(),
      channels::inbound_channel()};
  return channels;
}

const ChannelSpec* find_channel(std::string_view name) {
  for (const auto& c : channel_registry()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace notify::scenarios
