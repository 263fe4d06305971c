// The email channel of a scenario run: SES through the SES v1 client or Notify's SES_STUB_URL
// client, EmailDelivery, SES events at the core's receipt endpoint, and the "workload.email"
// block.
#pragma once

#include "notify/scenarios/channel.hpp"

namespace notify::scenarios::channels {

ChannelSpec email_channel();

}  // namespace notify::scenarios::channels
