// Private to the Beast client: how socket, resolver and parser errors become notify::errc, once.
#pragma once

#include "notify/outcome/errc.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

namespace notify::transport::beast_client {

inline bool is_http_error(const boost::system::error_code& ec) {
  return ec.category() ==
         boost::beast::http::make_error_code(boost::beast::http::error::bad_method).category();
}

/// True when the peer closed (or reset) the connection cleanly before sending any byte: on a
/// reused keep-alive connection this is the server's idle close racing our request.
inline bool is_stale_connection(const boost::system::error_code& ec) {
  namespace ae = boost::asio::error;
  return ec == boost::beast::http::error::end_of_stream || ec == ae::eof ||
         ec == ae::connection_reset || ec == ae::broken_pipe || ec == ae::connection_aborted;
}

/// Maps an error from resolve/connect (`connecting`) or from writing/reading an exchange.
inline errc classify(const boost::system::error_code& ec, bool connecting) {
  namespace ae = boost::asio::error;
  using he = boost::beast::http::error;
  if (ec == ae::timed_out) return errc::timed_out;
  if (ec == ae::connection_refused) return errc::connection_refused;
  if (ec == ae::connection_reset || ec == ae::broken_pipe || ec == ae::connection_aborted) {
    return errc::connection_reset;
  }
  if (ec == ae::host_not_found || ec == ae::host_not_found_try_again || ec == ae::no_data ||
      ec == ae::no_recovery || ec == ae::service_not_found) {
    return errc::host_not_found;
  }
  if (ec == he::end_of_stream || ec == he::partial_message || ec == ae::eof ||
      ec == he::short_read) {
    return errc::truncated_response;
  }
  if (is_http_error(ec)) return errc::protocol_error;
  // Unreachable networks and the like: no connection could be made.
  if (connecting) return errc::connection_refused;
  return errc::connection_reset;
}

}  // namespace notify::transport::beast_client
