// What every provider client test starts from: a virtual clock, an in-process transport the
// fake providers are routed on, and the metrics and logger the client reports to.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/telemetry/logger.hpp"
#include "notify/telemetry/metrics.hpp"
#include "notify/transport/clients.hpp"

#include <gtest/gtest.h>

namespace notify::testing {

struct ClientFixture : ::testing::Test {
  runtime::VirtualClock clock;
  transport::InProcessTransport transport{clock};
  telemetry::Metrics metrics;
  telemetry::Logger logger{clock};
};

}  // namespace notify::testing
