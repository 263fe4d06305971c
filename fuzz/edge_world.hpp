// What the edge fuzz target runs each input in: every registered stub in a host on a virtual
// clock, reached through the in-process edge, with callbacks that find a receiver and an SQS stub
// that has queues of each kind to work on; and the input format, a request line, header lines,
// a blank line and the body. The seed corpus's test reads its files the same way.
#pragma once

#include "notify/runtime/clock.hpp"
#include "notify/stubs/edge.hpp"
#include "notify/stubs/host.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/transport/clients.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace notify::fuzz {

inline notify::transport::Request to_request(std::string_view in) {
  notify::transport::Request r;
  auto line = [&in]() {
    auto end = in.find('\n');
    std::string_view l = in.substr(0, end);
    in = end == std::string_view::npos ? std::string_view{} : in.substr(end + 1);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
  };
  std::string_view first = line();
  auto space = first.find(' ');
  r.method = std::string(first.substr(0, space));
  r.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
  if (r.target.empty() || r.target.front() != '/') r.target = "/" + r.target;
  while (!in.empty()) {
    std::string_view h = line();
    if (h.empty()) break;
    auto colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.add(h.substr(0, colon), value);
  }
  r.body = std::string(in);
  return r;
}

struct EdgeWorld {
  runtime::VirtualClock clock;
  transport::InProcessTransport net{clock};
  stubs::StubHost host{clock, {}};
  std::unique_ptr<stubs::EdgeBackend> backend;
  std::unique_ptr<stubs::Edge> edge;

  EdgeWorld() {
    for (const auto& spec : stubs::registry().all()) host.add(spec.make());
    host.set_outbound_transport(&net);
    backend = stubs::make_inprocess_edge(net);
    edge = std::make_unique<stubs::Edge>(host, clock, *backend, std::chrono::seconds(1),
                                         [] { return false; });
    edge->open(stubs::registry());
    // Callbacks from the stubs go somewhere that answers.
    net.route("receiver.fuzz:1", [](transport::Request, transport::Responder done) {
      transport::Reply r;
      r.response.status = 200;
      done(std::move(r));
    });
    for (stubs::Stub* stub : host.stubs()) {
      if (const auto* spec = stubs::registry().find(stub->service());
          spec != nullptr && !spec->callback_config.empty()) {
        nlohmann::json config = nlohmann::json::object();
        stubs::set_dotted(config, spec->callback_config, "http://receiver.fuzz:1/r");
        (void)stub->configure(config);
      }
    }
    // The SQS stub also holds a FIFO queue, a dead-letter queue and a waiting message, so that
    // sends, receives (long polls too) and redrives all have something to work on.
    if (stubs::Stub* sqs = host.find("sqs")) {
      static const nlohmann::json kSqs = nlohmann::json::parse(R"({
        "queues": ["ses-callbacks", "events.fifo", "dlq"],
        "queue_attributes": {
          "ses-callbacks": {"RedrivePolicy":
            "{\"deadLetterTargetArn\": \"arn:aws:sqs:eu-west-2:123456789012:dlq\", \"maxReceiveCount\": 1}"},
          "events.fifo": {"ContentBasedDeduplication": "true"}},
        "messages": {"ses-callbacks": ["waiting"]}})");
      (void)sqs->configure(kSqs);
    }
  }

  /// Handles one request and runs out the clock (bounded); returns whether it was answered.
  bool handle(std::string_view input) {
    bool answered = false;
    host.handle(to_request(input), [&answered](transport::Reply) { answered = true; });
    for (int i = 0; i < 10'000 && clock.step(); ++i) {
    }
    return answered;
  }
};

}  // namespace notify::fuzz
