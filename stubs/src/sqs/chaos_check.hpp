// The SQS stub's check of its own records after a chaos run (StubSpec::chaos_check).
#pragma once

#include "notify/stubs/registry.hpp"

namespace notify::stubs {

/// Every message that reached a queue was deleted, dead-lettered, expired or is still queued,
/// and every one stored is a send the journal shows accepted. Returns whether a queue still
/// holds messages (events the core never consumed).
bool check_queues(const nlohmann::json& scenario, const nlohmann::json& report,
                  const ChaosViolation& out);

}  // namespace notify::stubs
