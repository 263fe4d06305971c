// Helpers for the Beast transport tests: bounded waits on the io_context (never a sleep) and a
// synchronous send for tests that need one answer.
#pragma once

#include "notify/outcome/errc.hpp"
#include "notify/transport/clients.hpp"
#include "notify/transport/server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace notify::transport::testing {

using namespace std::chrono_literals;

/// Runs `io` one handler at a time until `done()` holds or `bound` passes. Returns done().
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred done,
               std::chrono::milliseconds bound = std::chrono::milliseconds(10'000)) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(deadline - now);
  }
  return true;
}

inline Request get(const std::string& url) {
  Request request;
  request.method = "GET";
  request.target = url;
  return request;
}

inline std::string url(const HttpServer& server, const std::string& path = "/") {
  return "http://" + server.address() + path;
}

/// Sends one request and runs `io` until it completes (at most 10 s).
inline SendResult send_and_wait(boost::asio::io_context& io, HttpTransport& client, Request request,
                                SendOptions options = {}) {
  std::optional<SendResult> result;
  client.send(std::move(request), options, [&](SendResult r) { result = std::move(r); });
  const bool finished = run_until(io, [&] { return result.has_value(); });
  EXPECT_TRUE(finished) << "the request did not complete within 10 s";
  if (!finished) return SendResult(make_error_code(errc::timed_out));
  return std::move(*result);
}

inline Reply ok(std::string body = "ok") {
  Reply reply;
  reply.response.status = 200;
  reply.response.headers.set("Content-Type", "text/plain");
  reply.response.body = std::move(body);
  return reply;
}

inline Reply action(ConnectionAction a) {
  Reply reply = ok();
  reply.action = a;
  return reply;
}

}  // namespace notify::transport::testing
