// Plain HTTP message types shared by the core's clients, the stubs and both transports. They
// carry no Beast types, so most of the code base compiles without Beast.
#pragma once

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notify::transport {

/// Ordered header list with case-insensitive lookup, as HTTP/1.1 has it.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  /// First value of `name`, if present.
  std::optional<std::string_view> get(std::string_view name) const;
  std::string_view get_or(std::string_view name, std::string_view fallback) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }
  /// Replaces every field called `name` with one field.
  void set(std::string_view name, std::string_view value);
  void add(std::string_view name, std::string_view value);
  void erase(std::string_view name);

  const std::vector<Field>& fields() const { return fields_; }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

bool iequals(std::string_view a, std::string_view b) noexcept;

struct Request {
  std::string method = "GET";
  /// Client side: the absolute URL (http://host:port/path?query).
  /// Server side: the request target as received (/path?query).
  std::string target;
  Headers headers;
  std::string body;
  /// Server side only: "ip:port" of the peer, for logs.
  std::string remote;

  /// The path part of `target` (without scheme, authority or query).
  std::string_view path() const;
  /// The query part of `target` after '?', or empty.
  std::string_view query() const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  /// Client side: time from the first byte written to the last byte read (raw-request-time).
  std::chrono::nanoseconds transport_time{0};
};

/// Limits a caller puts on one exchange.
struct SendOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  /// From the request's last byte written to the response's last byte read.
  std::chrono::milliseconds read_timeout{60'000};
};

using SendResult = boost::system::result<Response>;
using SendHandler = std::function<void(SendResult)>;

/// The core's one way to reach a peer. Implementations: the Beast client (real sockets) and the
/// in-process transport (stub handlers, no sockets). "No response" (refused, reset, timed out,
/// DNS, truncated) is an error value from notify::errc, never an HTTP status.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// Sends `request` (its target is an absolute URL) and calls `done` exactly once, on the
  /// transport's executor (never inline from send()).
  virtual void send(Request request, SendOptions options, SendHandler done) = 0;
};

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;
  std::uint16_t port = 80;
  std::string target;             // path and query, at least "/"
  std::string authority() const;  // host[:port] as the Host header wants it
};

/// Parses an absolute http(s) URL. Errors with errc::invalid_argument.
boost::system::result<Url> parse_url(std::string_view url);

/// application/x-www-form-urlencoded, both ways ('+' for space; UTF-8 passes through).
std::string url_encode(std::string_view s);
/// RFC 3986 percent-encoding: everything but unreserved characters (and '/' when keep_slash) as
/// %XX, space included. SigV4's UriEncode.
std::string percent_encode(std::string_view s, bool keep_slash = false);
/// Decodes %XX escapes only ('+' stays '+'); a malformed escape is kept as it is.
std::string percent_decode(std::string_view s);
/// Percent-decodes; returns nullopt on a malformed escape.
std::optional<std::string> url_decode(std::string_view s);
/// Parses a form body into ordered pairs; nullopt if any escape is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view body);

std::string_view reason_phrase(int status) noexcept;

}  // namespace notify::transport
