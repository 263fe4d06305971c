// What botocore does by itself before a boto3 caller sees an error: its legacy retry mode (the
// default of the botocore Notify runs). The rule is the `__default__` entry of
// botocore/data/_retry.json and the delay that of botocore/retryhandler.py. Clients that model
// a boto3 client use it to decide whether an attempt's answer is retried, and how long to wait.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/runtime/rng.hpp"

#include <string_view>

namespace notify::client {

/// Which of botocore's retry modes a client models. `off` makes one attempt (max_attempts 1),
/// so the caller sees every answer as it came.
enum class SdkRetryMode { legacy, off };

/// botocore's default for legacy mode: 5 attempts, the first and up to 4 retries.
inline constexpr int kBotocoreLegacyMaxAttempts = 5;

/// True when botocore's legacy mode retries an answer with this status and error code: 429, 500,
/// 502, 503, 504 and 509 whatever the code; 400 with the code Throttling, ThrottlingException,
/// ThrottledException or RequestThrottledException (code and status must both match). The code
/// is compared exactly, as botocore does: "\n  Throttling\n" is not retried.
bool botocore_legacy_retries(int status, std::string_view code);

/// botocore's legacy delay after `attempts` failed attempts (1 after the first):
/// rand() * 2^(attempts - 1) seconds, rand() uniform in [0, 1) from `rng`.
runtime::Duration botocore_legacy_delay(runtime::Rng& rng, int attempts);

}  // namespace notify::client
