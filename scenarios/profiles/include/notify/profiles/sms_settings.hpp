// The SMS settings of a profile, as the core's option structs: read once when the SMS channel
// (or the load driver's core) is built, so nothing below knows which profile ran.
#pragma once

#include "notify/delivery/sms_providers.hpp"

#include <chrono>
#include <map>
#include <string>

namespace notify::profiles {

struct SmsSettings {
  delivery::SmsProviderOptions providers;
  std::chrono::milliseconds http_timeout{10'000};
};

/// `core_options` are a scenario's effective "core" options (profile values with the explicit
/// ones laid over them); options not among them keep `base`'s values. The values are assumed
/// checked (the scenario parser and the profile table's test do that).
SmsSettings sms_settings(const std::map<std::string, std::string>& core_options,
                         SmsSettings base = {});

}  // namespace notify::profiles
