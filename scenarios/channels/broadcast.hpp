// The broadcast channel of a scenario run: the CBC proxy client (Lambda client, four operator
// proxies), Notify's broadcast tasks, link tests and canary, and the "workload.broadcast" block.
#pragma once

#include "notify/scenarios/channel.hpp"

namespace notify::scenarios::channels {

ChannelSpec broadcast_channel();

}  // namespace notify::scenarios::channels
