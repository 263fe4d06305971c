// The error model shared by the core and the stubs: one error code enum in its own
// boost::system category, the FailureKind every provider answer is classified into once, and
// the Failure every client returns and the delivery tasks read.
#pragma once

#include <boost/system/error_code.hpp>
#include <string>
#include <string_view>

namespace notify {

/// Why an operation produced no usable answer. "No response" kinds (the first group) are
/// distinct from any HTTP status by construction.
enum class errc {
  // No response from the peer.
  connection_refused = 1,
  connection_reset,
  timed_out,
  host_not_found,
  truncated_response,  // the connection closed before the whole response arrived
  protocol_error,      // bytes arrived but were not HTTP
  pool_exhausted,      // the client's connection bound was reached
  request_too_large,   // the request could not be written within the client's limits
  // The peer answered, and the answer was not a success.
  provider_rejected,  // a 4xx or an in-band rejection that retrying will not fix
  provider_throttled,
  provider_unavailable,  // a 5xx or an in-band temporary failure
  bad_response,          // a 2xx whose body did not parse as the provider's format
  // Local problems.
  invalid_argument,
  not_found,
  store_error,
  schema_too_new,
};

const boost::system::error_category& notify_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), notify_category()};
}

/// The enumerator's name ("connection_refused"), for error codes in logs and reports.
std::string_view to_string(errc e) noexcept;

/// True for the kinds that mean "no HTTP response arrived".
bool is_no_response(boost::system::error_code ec) noexcept;

/// How a failed attempt is classified, once, where the provider's answer is parsed.
enum class FailureKind {
  none,
  transport,        // refused, reset, DNS, truncated
  timeout,          // connect or read time-out
  throttled,        // the provider asked us to slow down
  provider_5xx,     // the provider failed
  rejected_4xx,     // the provider refused this request; retrying will not help
  invalid_request,  // we could not build a valid request
};

std::string_view to_string(FailureKind kind) noexcept;

enum class LogLevel { debug, info, warning, error };

/// What the delivery task does after a failed attempt: try the same provider again later, try
/// another route now (the second Lambda, the other SMS provider), or give up.
enum class Retry { never, same, failover };

std::string_view to_string(Retry retry) noexcept;

/// A failed attempt, classified once where the answer (or its absence) was read. Every channel's
/// client returns one; the delivery tasks read it without re-parsing. The message is free of
/// email addresses and phone numbers.
struct Failure {
  FailureKind kind = FailureKind::transport;
  Retry retry = Retry::same;
  LogLevel level = LogLevel::error;
  std::string code;     // the provider's error code ("Throttling") or the errc name
  std::string message;  // the provider's message or the transport error's text
  int status = 0;       // the HTTP status of the answer it came from; 0 when there was none
  bool retryable() const noexcept { return retry != Retry::never; }
};

}  // namespace notify

template <>
struct boost::system::is_error_code_enum<notify::errc> : std::true_type {};
