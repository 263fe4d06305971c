#include "wire.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <strings.h>
#include <cerrno>
#include <cstring>

namespace notify::testing::wire {

std::optional<std::string> RawResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return std::nullopt;
}

Connection::Connection(std::uint16_t port, std::chrono::milliseconds timeout) : timeout_(timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool Connection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout_.count())) <= 0) return false;
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    // The server may answer (413, 431, 400) and stop reading before the whole request is
    // written; what it answered is still there to read.
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void Connection::finish_sending() { ::shutdown(fd_, SHUT_WR); }

long Connection::fill() {
  pollfd p{fd_, POLLIN, 0};
  int ready = ::poll(&p, 1, static_cast<int>(timeout_.count()));
  if (ready == 0) {
    error_ = "timed out after " + std::to_string(timeout_.count()) + " ms";
    return -1;
  }
  char chunk[16384];
  ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n < 0) {
    error_ = std::strerror(errno);
    return -1;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return n;
}

std::optional<RawResponse> Connection::read_response(std::string* error) {
  auto fail = [&](std::string why) -> std::optional<RawResponse> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    long n = fill();
    if (n == 0) return fail(buffer_.empty() ? "closed without an answer" : "closed mid-header");
    if (n < 0) return fail(error_);
  }
  RawResponse r;
  std::string_view head(buffer_.data(), end);
  std::size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12)
    return fail("bad status line: " + std::string(status_line));
  r.status = std::stoi(std::string(status_line.substr(9, 3)));
  while (line_end != std::string_view::npos) {
    std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    std::string_view line = head.substr(
        start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  buffer_.erase(0, end + 4);
  const bool no_body = r.status / 100 == 1 || r.status == 204 || r.status == 304;
  if (auto length = r.header("Content-Length"); length && !no_body) {
    const std::size_t want = std::stoul(*length);
    while (buffer_.size() < want) {
      long n = fill();
      if (n <= 0)
        return fail("body cut short: " + std::to_string(buffer_.size()) + " of " +
                    std::to_string(want) + " bytes");
    }
    r.body = buffer_.substr(0, want);
    buffer_.erase(0, want);
  } else if (!no_body) {
    for (long n; (n = fill()) > 0;) {
    }
    r.body = std::move(buffer_);
    buffer_.clear();
  }
  return r;
}

bool Connection::closed_by_peer() {
  if (!buffer_.empty()) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout_.count())) <= 0) return false;
  char c;
  ssize_t n = ::recv(fd_, &c, 1, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

}  // namespace notify::testing::wire
