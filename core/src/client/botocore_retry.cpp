#include "notify/client/botocore_retry.hpp"

#include "notify/runtime/assert.hpp"

#include <array>
#include <chrono>
#include <cmath>

namespace notify::client {

namespace {

// The throttling policies of _retry.json's __default__, each with http_status_code 400.
constexpr std::array<std::string_view, 4> kThrottlingCodes = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException"};

}  // namespace

bool botocore_legacy_retries(int status, std::string_view code) {
  switch (status) {
    case 429:  // too_many_requests
    case 500:  // general_server_error
    case 502:  // bad_gateway
    case 503:  // service_unavailable
    case 504:  // gateway_timeout
    case 509:  // limit_exceeded
      return true;
    case 400:
      for (auto c : kThrottlingCodes) {
        if (code == c) return true;
      }
      return false;
    default:
      return false;
  }
}

runtime::Duration botocore_legacy_delay(runtime::Rng& rng, int attempts) {
  NOTIFY_ASSERT(attempts >= 1);
  double seconds = rng.uniform01() * std::pow(2.0, attempts - 1);
  return std::chrono::duration_cast<runtime::Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace notify::client
