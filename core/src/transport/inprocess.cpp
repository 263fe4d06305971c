// InProcessTransport: delivers requests to stub handlers without sockets. Connection-level
// verdicts become the same errc values a socket client would produce, and every completion
// goes through the clock, so a scenario in virtual time sees the same sequence of events as
// one on real sockets.
#include "notify/outcome/errc.hpp"
#include "notify/runtime/assert.hpp"
#include "notify/transport/clients.hpp"

#include <map>
#include <set>

namespace notify::transport {

namespace {

// One request in flight. Shared by the responder, the read time-out timer and the delivery
// timer; whichever completes first wins and the others find `finished` set.
struct Exchange {
  runtime::Clock& clock;
  SendHandler done;
  runtime::TimePoint sent_at;
  runtime::TimerId timeout_timer = 0;
  bool responded = false;
  bool finished = false;

  Exchange(runtime::Clock& c, SendHandler d) : clock(c), done(std::move(d)) {}

  void finish(SendResult result) {
    if (finished) return;
    finished = true;
    if (timeout_timer != 0) clock.cancel(timeout_timer);
    // Moved out first: the handler may drop the last reference to this exchange.
    SendHandler handler = std::move(done);
    handler(std::move(result));
  }
};

boost::system::error_code error_for(ConnectionAction action) {
  switch (action) {
    case ConnectionAction::refuse:
      return make_error_code(errc::connection_refused);
    case ConnectionAction::reset:
      return make_error_code(errc::connection_reset);
    case ConnectionAction::truncate:
      return make_error_code(errc::truncated_response);
    case ConnectionAction::hang:
      return make_error_code(errc::timed_out);
    case ConnectionAction::respond:
      break;
  }
  NOTIFY_ASSERT(false);
  return {};
}

void on_reply(const std::shared_ptr<Exchange>& ex, Reply reply) {
  // A reply after the time-out (or a second reply) has no connection left to travel on.
  if (ex->responded || ex->finished) return;
  ex->responded = true;
  // A hung connection never answers; the read time-out already armed in send() ends it.
  if (reply.action == ConnectionAction::hang) return;
  auto delay = reply.delay < std::chrono::nanoseconds::zero() ? std::chrono::nanoseconds::zero()
                                                              : reply.delay;
  ex->clock.schedule_after(delay, [ex, reply = std::move(reply)]() mutable {
    if (reply.action != ConnectionAction::respond) {
      ex->finish(error_for(reply.action));
      return;
    }
    // From the request leaving the client to the answer arriving: the reply's delay when the
    // handler answers at once, more when it answers later.
    reply.response.transport_time = ex->clock.now() - ex->sent_at;
    ex->finish(std::move(reply.response));
  });
}

}  // namespace

struct InProcessTransport::Impl {
  explicit Impl(runtime::Clock& c) : clock(c) {}

  runtime::Clock& clock;
  std::map<std::string, ServerHandler, std::less<>> routes;
  std::set<std::string, std::less<>> refusing;

  // Routes are registered as "host:port"; a route registered without a port also matches the
  // scheme's default port, as the URL's own authority would be written.
  const ServerHandler* find_route(const Url& url) const {
    std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    for (const std::string& key : {host + ":" + std::to_string(url.port), url.authority()}) {
      if (refusing.contains(key)) return nullptr;
      auto it = routes.find(key);
      if (it != routes.end()) return &it->second;
    }
    return nullptr;
  }
};

InProcessTransport::InProcessTransport(runtime::Clock& clock)
    : impl_(std::make_unique<Impl>(clock)) {}

InProcessTransport::~InProcessTransport() = default;

void InProcessTransport::route(std::string authority, ServerHandler handler) {
  NOTIFY_ASSERT(handler != nullptr);
  impl_->routes.insert_or_assign(std::move(authority), std::move(handler));
}

void InProcessTransport::unroute(const std::string& authority) { impl_->routes.erase(authority); }

void InProcessTransport::set_refusing(const std::string& authority, bool refusing) {
  if (refusing) {
    impl_->refusing.insert(authority);
  } else {
    impl_->refusing.erase(authority);
  }
}

void InProcessTransport::send(Request request, SendOptions options, SendHandler done) {
  NOTIFY_ASSERT(done != nullptr);
  runtime::Clock& clock = impl_->clock;
  auto url = parse_url(request.target);
  if (!url) {
    clock.post([done = std::move(done), ec = url.error()] { done(ec); });
    return;
  }
  const ServerHandler* route = impl_->find_route(*url);
  if (route == nullptr) {
    clock.post([done = std::move(done)] { done(make_error_code(errc::connection_refused)); });
    return;
  }

  auto ex = std::make_shared<Exchange>(clock, std::move(done));
  ex->sent_at = clock.now();
  ex->timeout_timer = clock.schedule_after(options.read_timeout, [ex] {
    ex->timeout_timer = 0;
    ex->finish(make_error_code(errc::timed_out));
  });

  Request server_request;
  server_request.method = std::move(request.method);
  server_request.target = url->target;
  server_request.headers = std::move(request.headers);
  if (!server_request.headers.contains("Host")) {
    server_request.headers.set("Host", url->authority());
  }
  server_request.body = std::move(request.body);
  server_request.remote = "in-process";

  // The handler runs from the clock, not inside send(), as a server would see the request
  // only after the client had written it. The route is copied now: unrouting later does not
  // affect a request already on its way.
  clock.post([ex, handler = *route, server_request = std::move(server_request)]() mutable {
    if (ex->finished) return;
    handler(std::move(server_request), [ex](Reply reply) { on_reply(ex, std::move(reply)); });
  });
}

}  // namespace notify::transport
