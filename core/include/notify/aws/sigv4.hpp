// AWS Signature Version 4: signing for the core's AWS clients (SES, Lambda), verification for
// the stubs' strict mode. OpenSSL does the hashing.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/transport/http.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace notify::aws {

/// Credentials as the AWS SDKs read them. The defaults are AWS's documented example pair, which
/// the stubs accept unless they run in strict mode.
struct Credentials {
  std::string access_key_id = "AKIDEXAMPLE";
  std::string secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  std::string session_token;
};

struct SigV4Scope {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // optional
  std::string region;
  std::string service;  // "ses", "lambda"
};

std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw bytes

/// kSigning = HMAC chain over "AWS4"+secret, yyyymmdd, region, service, "aws4_request" (raw).
std::string derive_signing_key(std::string_view secret, std::string_view date,
                               std::string_view region, std::string_view service);

/// The canonical request (AWS General Reference, "Create a canonical request") for `request`, whose
/// path and query are given in origin form (/path?query, as on the request line) and whose headers
/// named in `signed_headers` ("content-type;host;x-amz-date") are signed. Exposed for tests and for
/// stubs that explain a mismatch.
std::string canonical_request(const transport::Request& request, std::string_view origin_target,
                              std::string_view signed_headers);

/// Adds X-Amz-Date, X-Amz-Security-Token (if any), Host and Authorization to `request`, whose
/// target is an absolute URL. Signs host, x-amz-date and content-type (when present).
void sign_request(transport::Request& request, const SigV4Scope& scope, runtime::TimePoint now);

struct ParsedAuthorization {
  std::string access_key_id, date, region, service;
  std::string signed_headers;  // "content-type;host;x-amz-date"
  std::string signature;
};
/// Parses an "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." header.
std::optional<ParsedAuthorization> parse_authorization(std::string_view header);

/// Recomputes the signature of a server-side request (target is /path?query) with `secret`.
/// Returns an empty string when it matches, otherwise the reason.
std::string verify_request(const transport::Request& request, std::string_view secret);

}  // namespace notify::aws
