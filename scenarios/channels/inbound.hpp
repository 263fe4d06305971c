// The inbound SMS channel of a scenario run: Notify's /notifications/sms/receive/{firetext,mmg}
// routes at the core's receipt endpoint, and the "workload.inbound" block, which has the Firetext
// and MMG stubs send messages from handsets to them.
#pragma once

#include "notify/scenarios/channel.hpp"

namespace notify::scenarios::channels {

ChannelSpec inbound_channel();

}  // namespace notify::scenarios::channels
