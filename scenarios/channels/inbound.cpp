#include "inbound.hpp"

#include "notify/delivery/inbound_sms.hpp"
#include "notify/delivery/sms_provider_table.hpp"
#include "notify/stubs/fields.hpp"
#include "notify/stubs/registry.hpp"
#include "workload_text.hpp"

#include <atomic>

namespace notify::scenarios::channels {

namespace {

using nlohmann::json;

// The SMS providers that post inbound messages, in the provider table's order.
const std::vector<std::string>& inbound_providers() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& p : delivery::sms_providers())
      if (p.read_inbound != nullptr) out.push_back(p.name);
    return out;
  }();
  return names;
}

// The providers' names quoted and joined, for the errors that list them: with `last` before
// the last name ("\"firetext\" or \"mmg\""), or with commas only ("\"firetext\", \"mmg\"").
std::string quoted_names(const char* last = nullptr) {
  const auto& names = inbound_providers();
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += last != nullptr && i + 1 == names.size() ? std::string(" ") + last + " " : ", ";
    out += "\"" + names[i] + "\"";
  }
  return out;
}

struct InboundWorkload {
  std::size_t count = 0;
  /// Providers taking turns, one message each.
  std::vector<std::string> providers = inbound_providers();
  std::vector<std::string> from{"447700900{n:03}"};
  std::string to = "07700900000";
  std::vector<std::string> text{"Reply {n}"};
  /// The services' inbound numbers the core knows; by default just `to`.
  std::vector<std::string> numbers;
  std::chrono::milliseconds start{0};
  std::chrono::milliseconds interval{0};
};

InboundWorkload parse_inbound(const json& j, const std::string& path, const std::string& file) {
  InboundWorkload w;
  stubs::Fields f(j, path, file);
  w.count = static_cast<std::size_t>(f.integer("count", 0).value_or(0));
  if (w.count > 100'000) f.fail_value("count", "at most 100000 inbound messages a scenario");
  if (auto p = read_patterns(f, "providers", quoted_names("or"))) {
    const auto& known = inbound_providers();
    for (const auto& name : *p)
      if (std::find(known.begin(), known.end(), name) == known.end())
        f.fail_value("providers", quoted_names() + " or an array of them");
    w.providers = *p;
  }
  if (auto v = read_patterns(f, "from", "a sender's number pattern")) w.from = *v;
  if (auto v = f.string("to")) {
    if (v->empty() || v->find_first_not_of("0123456789") != std::string::npos)
      f.fail_value("to", "the service's number in digits, e.g. \"07700900000\"");
    w.to = *v;
  }
  if (auto v = read_patterns(f, "text", "a message pattern")) w.text = *v;
  if (auto v = read_patterns(f, "numbers", "a service's inbound number")) w.numbers = *v;
  w.start = std::chrono::milliseconds(f.integer("start_ms").value_or(0));
  w.interval = std::chrono::milliseconds(f.integer("interval_ms").value_or(0));
  f.no_others();
  if (w.numbers.empty()) w.numbers.push_back(w.to);
  return w;
}

// "user:pass" -> {user, pass}.
std::pair<std::string, std::string> split_userinfo(const std::string& userinfo) {
  const auto colon = userinfo.find(':');
  return {userinfo.substr(0, colon),
          colon == std::string::npos ? std::string() : userinfo.substr(colon + 1)};
}

class InboundChannel final : public Channel {
 public:
  InboundChannel(ChannelEnv& env, InboundWorkload workload)
      : env_(env), w_(std::move(workload)), rng_(env.rng.fork("inbound")) {
    delivery::InboundSmsOptions o;
    for (const auto& n : w_.numbers) o.numbers.insert(delivery::strip_leading_forty_four(n));
    // The credentials each provider's stub sends (its registration), as Notify's config would
    // list them.
    for (const auto& provider : inbound_providers()) {
      if (const auto* spec = stubs::registry().find(provider)) {
        auto [user, pass] = split_userinfo(spec->inbound_userinfo);
        o.auth[provider] = {{user}, {pass}};
      }
    }
    // The routes answer on an inner router, so the channel sees each answer: a wire run ends
    // once every message it sent has been answered.
    delivery::add_inbound_sms(inner_, env.store, env.clock, rng_, env.logger, env.metrics, o);
    auto handler = inner_.handler();
    for (const auto& path : inner_.paths()) {
      env.receipts.add(path, [this, handler](transport::Request request,
                                             transport::Responder respond) {
        handler(std::move(request), [this, respond = std::move(respond)](transport::Reply r) {
          ++answered_;
          respond(std::move(r));
        });
      });
    }
  }

  void connect(const ChannelLinks& links) override { send_ = links.send_inbound; }

  void schedule(std::vector<std::string>& recipients) override {
    for (std::size_t n = 1; n <= w_.count; ++n) {
      json message = {{"provider", w_.providers[(n - 1) % w_.providers.size()]},
                      {"from", expand(w_.from[(n - 1) % w_.from.size()], n)},
                      {"to", w_.to},
                      {"text", expand(w_.text[(n - 1) % w_.text.size()], n)}};
      recipients.push_back(message["from"].get<std::string>());
      env_.clock.schedule_after(w_.start + w_.interval * static_cast<long>(n - 1),
                                [this, message = std::move(message)] {
                                  ++submitted_;
                                  if (!send_) return;
                                  if (auto error = send_(message)) {
                                    ++answered_;  // nothing will come
                                    env_.logger.error("scenario", "inbound SMS not sent: " + *error);
                                  }
                                });
    }
  }

  bool work_remaining() const override { return submitted_ < w_.count || answered_ < submitted_; }

 private:
  ChannelEnv& env_;
  InboundWorkload w_;
  runtime::Rng rng_;
  delivery::ReceiptRouter inner_;
  std::function<std::optional<std::string>(const json&)> send_;
  // Counted on the clock's thread and the receipt server's.
  std::atomic<std::size_t> submitted_{0};
  std::atomic<std::size_t> answered_{0};
};

}  // namespace

ChannelSpec inbound_channel() {
  ChannelSpec spec;
  spec.name = "inbound";
  spec.validate = [](const json& block, const std::string& path, const std::string& file) {
    (void)parse_inbound(block, path, file);
  };
  spec.make = [](ChannelEnv& env, const json& block) -> std::unique_ptr<Channel> {
    return std::make_unique<InboundChannel>(env,
                                            parse_inbound(block, "workload.inbound", env.scenario.file));
  };
  return spec;
}

}  // namespace notify::scenarios::channels
