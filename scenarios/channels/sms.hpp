// The SMS channel of a scenario run: Firetext and MMG clients, SmsProviderPriorities and
// SmsDelivery, both providers' receipts at the core's receipt endpoint, and the
// "workload.sms" block.
#pragma once

#include "notify/scenarios/channel.hpp"

namespace notify::scenarios::channels {

ChannelSpec sms_channel();

}  // namespace notify::scenarios::channels
