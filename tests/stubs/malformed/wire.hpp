// Raw HTTP/1.1 over a blocking TCP socket with bounded waits, for tests that must send bytes no
// well-behaved client would (a broken request line, a truncated body) and see exactly what the
// server writes back, including whether it closes the connection afterwards.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notify::testing::wire {

struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// The first value of a header, compared case-insensitively.
  std::optional<std::string> header(std::string_view name) const;
};

/// One client connection to 127.0.0.1:port. Every wait is bounded by `timeout`.
class Connection {
 public:
  Connection(std::uint16_t port, std::chrono::milliseconds timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return fd_ >= 0; }
  /// Writes every byte; false if the peer closed or reset first.
  bool send(std::string_view bytes);
  /// Shuts the sending side down, as a client that gives up half way through a body does.
  void finish_sending();
  /// Reads one response (the body by Content-Length, or up to the close); nullopt and a reason
  /// in `error` when the connection closed, reset or timed out first.
  std::optional<RawResponse> read_response(std::string* error = nullptr);
  /// True when the peer closes (FIN or RST) within the timeout without sending another byte.
  bool closed_by_peer();

 private:
  // Reads more bytes into buffer_; 0 on close, -1 on error or time-out (reason in error_).
  long fill();

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
  std::string error_;
};

}  // namespace notify::testing::wire
