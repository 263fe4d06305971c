// The notify error category: one readable message per errc, and the "no response" grouping
// that keeps connection failures apart from HTTP answers.
#include "notify/outcome/errc.hpp"

#include <string>

namespace notify {

namespace {

class NotifyCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "notify"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::connection_refused:
        return "connection refused";
      case errc::connection_reset:
        return "connection reset by peer";
      case errc::timed_out:
        return "timed out waiting for the peer";
      case errc::host_not_found:
        return "host not found";
      case errc::truncated_response:
        return "connection closed before the whole response arrived";
      case errc::protocol_error:
        return "the peer's answer was not valid HTTP";
      case errc::pool_exhausted:
        return "too many requests queued for this host";
      case errc::request_too_large:
        return "request exceeds the client's limits";
      case errc::provider_rejected:
        return "the provider rejected the request";
      case errc::provider_throttled:
        return "the provider throttled the request";
      case errc::provider_unavailable:
        return "the provider is temporarily unavailable";
      case errc::bad_response:
        return "the provider's response could not be parsed";
      case errc::invalid_argument:
        return "invalid argument";
      case errc::not_found:
        return "not found";
      case errc::store_error:
        return "store error";
      case errc::schema_too_new:
        return "the store was written by a newer version of notify-sim";
    }
    return "unknown notify error " + std::to_string(value);
  }
};

}  // namespace

const boost::system::error_category& notify_category() noexcept {
  static const NotifyCategory category;
  return category;
}

bool is_no_response(boost::system::error_code ec) noexcept {
  if (ec.category() != notify_category()) return false;
  switch (static_cast<errc>(ec.value())) {
    case errc::connection_refused:
    case errc::connection_reset:
    case errc::timed_out:
    case errc::host_not_found:
    case errc::truncated_response:
    case errc::protocol_error:
    case errc::pool_exhausted:
      return true;
    default:
      return false;
  }
}

std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::connection_refused:
      return "connection_refused";
    case errc::connection_reset:
      return "connection_reset";
    case errc::timed_out:
      return "timed_out";
    case errc::host_not_found:
      return "host_not_found";
    case errc::truncated_response:
      return "truncated_response";
    case errc::protocol_error:
      return "protocol_error";
    case errc::pool_exhausted:
      return "pool_exhausted";
    case errc::request_too_large:
      return "request_too_large";
    case errc::provider_rejected:
      return "provider_rejected";
    case errc::provider_throttled:
      return "provider_throttled";
    case errc::provider_unavailable:
      return "provider_unavailable";
    case errc::bad_response:
      return "bad_response";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::not_found:
      return "not_found";
    case errc::store_error:
      return "store_error";
    case errc::schema_too_new:
      return "schema_too_new";
  }
  return "unknown";
}

std::string_view to_string(Retry retry) noexcept {
  switch (retry) {
    case Retry::never:
      return "never";
    case Retry::same:
      return "same";
    case Retry::failover:
      return "failover";
  }
  return "unknown";
}

std::string_view to_string(FailureKind kind) noexcept {
  switch (kind) {
    case FailureKind::none:
      return "none";
    case FailureKind::transport:
      return "transport";
    case FailureKind::timeout:
      return "timeout";
    case FailureKind::throttled:
      return "throttled";
    case FailureKind::provider_5xx:
      return "provider_5xx";
    case FailureKind::rejected_4xx:
      return "rejected_4xx";
    case FailureKind::invalid_request:
      return "invalid_request";
  }
  return "unknown";
}

}  // namespace notify
