#include "common.hpp"

#include "notify/runtime/assert.hpp"
#include "notify/transport/userinfo.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace notify::stubs::sms {

namespace {

using nlohmann::json;

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Seconds since the epoch of 01:00 UTC on the last Sunday of `month` in `year`.
std::int64_t last_sunday_1am(std::int64_t year, unsigned month) {
  std::int64_t last = days_from_civil(year, month, 31);
  std::int64_t weekday = (last + 4) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
  if (weekday < 0) weekday += 7;
  return (last - weekday) * 86400 + 3600;
}

Outcome parse_outcome(Fields& f, const std::string& key, const json& v) {
  Outcome out;
  const json arr = v.is_array() ? v : json::array({v});
  if (arr.empty())
    f.fail_value(key, "a receipt {\"status\", \"code\"} or a non-empty array of them");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    Fields r(arr[i], f.at(key) + (v.is_array() ? "[" + std::to_string(i) + "]" : ""), f.file());
    ReceiptStep step;
    step.status = r.required_string("status");
    step.code = r.string("code").value_or("");
    r.no_others();
    out.push_back(std::move(step));
  }
  return out;
}

void parse_delay(const json& j, const std::string& path, DelaySpec& d) {
  Fields f(j, path);
  if (auto v = f.string("distribution")) {
    if (*v == "fixed") {
      d.distribution = DelayDistribution::fixed;
    } else if (*v == "uniform") {
      d.distribution = DelayDistribution::uniform;
    } else if (*v == "lognormal") {
      d.distribution = DelayDistribution::lognormal;
    } else {
      f.fail_value("distribution", "\"fixed\", \"uniform\" or \"lognormal\"");
    }
  }
  if (auto v = f.number("ms", 0)) d.ms = *v;
  if (auto v = f.number("min_ms", 0)) d.min_ms = *v;
  if (auto v = f.number("max_ms", 0)) d.max_ms = *v;
  if (auto v = f.number("median_ms", 0)) d.median_ms = *v;
  if (auto v = f.number("sigma", 0)) d.sigma = *v;
  if (d.max_ms < d.min_ms) f.fail_value("max_ms", "a number >= min_ms");
  f.no_others();
}

void parse_options(const json& config, Options& o) {
  Fields f(config, "");
  if (const json* keys = f.array("api_keys")) {
    std::set<std::string> set;
    for (std::size_t i = 0; i < keys->size(); ++i) {
      const json& k = (*keys)[i];
      if (!k.is_string() || k.get<std::string>().empty())
        f.fail("api_keys[" + std::to_string(i) + "]", "a non-empty API key string", quote_json(k));
      set.insert(k.get<std::string>());
    }
    o.api_keys = std::move(set);
  }
  if (const json* r = f.object("receipts")) {
    Fields rf(*r, "receipts");
    if (auto url = rf.string("callback_url")) {
      auto target = url->empty() ? std::optional<ReceiptTarget>(ReceiptTarget{}) : receipt_target(*url);
      if (!target)
        rf.fail_value("callback_url", "an absolute http:// URL (user:pass@ allowed) or \"\"");
      o.callback = std::move(*target);
    }
    if (const json* d = rf.object("delay")) parse_delay(*d, rf.at("delay"), o.delay);
    if (auto v = rf.number("reorder_ms", 0)) o.reorder_ms = *v;
    if (auto v = rf.integer("pending_max", 1)) o.pending_max = static_cast<std::size_t>(*v);
    if (const json* n = rf.object("numbers")) {
      Fields nf(*n, rf.at("numbers"));
      std::vector<std::pair<std::string, Outcome>> numbers;
      for (auto it = n->begin(); it != n->end(); ++it) {
        std::string digits = it.key();
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
          nf.fail(nf.at(digits), "the digits a number ends with as the key", "\"" + digits + "\"");
        (void)nf.get(digits);
        numbers.emplace_back(digits, parse_outcome(nf, digits, it.value()));
      }
      o.numbers = std::move(numbers);
    }
    rf.no_others();
  }
  if (const json* in = f.object("inbound")) {
    Fields inf(*in, "inbound");
    if (auto url = inf.string("url")) {
      auto target =
          url->empty() ? std::optional<ReceiptTarget>(ReceiptTarget{}) : receipt_target(*url);
      if (!target)
        inf.fail_value("url",
                       "an absolute http:// URL (user:pass@ for the Basic auth Notify checks) or "
                       "\"\"");
      o.inbound = std::move(*target);
    }
    inf.no_others();
  }
  f.no_others();
}

// "YYYY-MM-DD HH:MM:SS" and nothing else.
bool valid_time(const std::string& t) {
  if (t.size() != 19) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char expected = i == 4 || i == 7 ? '-' : i == 10 ? ' ' : i == 13 || i == 16 ? ':' : '9';
    if (expected == '9' ? (t[i] < '0' || t[i] > '9') : t[i] != expected) return false;
  }
  return true;
}

InboundMessage parse_inbound(const json& message) {
  InboundMessage m;
  Fields f(message, "");
  m.from = f.required_string("from");
  if (!valid_number(m.from))
    f.fail_value("from", "the sender's number: 10 to 15 digits after an optional '+'");
  m.to = f.required_string("to");
  if (m.to.empty() || m.to.size() > 15 || m.to.find_first_not_of("0123456789") != std::string::npos)
    f.fail_value("to", "the service's number in digits, e.g. \"447700900000\" or \"07700900000\"");
  m.text = f.required_string("text");
  if (m.text.empty() || utf8_length(m.text) > 918)
    f.fail_value("text", "the message, 1 to 918 characters");
  if (auto t = f.string("time")) {
    if (!valid_time(*t))
      f.fail_value("time", "\"YYYY-MM-DD HH:MM:SS\" in the provider's time zone");
    m.time = *t;
  }
  f.no_others();
  return m;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string uk_local_time(runtime::TimePoint t) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  // civil_from_days for the year, to find that year's BST window.
  auto civil = [](std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
  };
  std::int64_t y;
  unsigned m, d;
  civil(days, y, m, d);
  if (secs >= last_sunday_1am(y, 3) && secs < last_sunday_1am(y, 10)) secs += 3600;
  days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  civil(days, y, m, d);
  std::int64_t rem = secs - days * 86400;
  char out[64];
  std::snprintf(out, sizeof out, "%04lld-%02u-%02u %02lld:%02lld:%02lld", static_cast<long long>(y),
                m, d, static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  return out;
}

bool valid_number(std::string_view number) {
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  if (number.size() < 10 || number.size() > 15) return false;
  return number.find_first_not_of("0123456789") == std::string_view::npos;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::optional<ReceiptTarget> receipt_target(std::string_view url) {
  auto split = transport::split_credentials(url);
  if (!split) return std::nullopt;
  ReceiptTarget out;
  out.url = std::move(split->url);
  if (split->present)
    out.authorization = transport::basic_authorization(split->username, split->password);
  return out;
}

std::string utc_time(runtime::TimePoint t) {
  std::string iso = runtime::format_iso8601(t);  // 2026-01-01T00:00:00.000Z
  iso = iso.substr(0, 19);
  if (iso.size() > 10) iso[10] = ' ';
  return iso;
}

void authorize(transport::Request& receipt, const ReceiptContext& context) {
  if (!context.authorization.empty()) receipt.headers.set("Authorization", context.authorization);
}

SmsStub::SmsStub(Provider provider) : provider_(std::move(provider)) {}

std::optional<SelectorNames> SmsStub::selector_names() const {
  return SelectorNames{{"SendSms", "Receipt", "Inbound", "Unknown"}, {}, {}};
}

std::vector<std::string> SmsStub::error_names() const {
  std::vector<std::string> out;
  for (const char* n :
       {"error", "auth", "http_500", "http_503", "bad_json", "receipt_drop", "receipt_duplicate",
        "receipt_reorder", "receipt_permanent", "receipt_temporary"})
    out.push_back(provider_.prefix + n);
  return out;
}

std::optional<FieldError> SmsStub::configure(const nlohmann::json& config) {
  std::lock_guard lock(mutex_);
  Options o = options_;
  try {
    parse_options(config, o);
  } catch (const ConfigError& e) {
    return e.error();
  }
  options_ = std::move(o);
  return std::nullopt;
}

void SmsStub::reset() { live_->generation.fetch_add(1); }

std::optional<FieldError> SmsStub::send_inbound(const nlohmann::json& message) {
  NOTIFY_ASSERT(services_ != nullptr);
  InboundMessage m;
  try {
    m = parse_inbound(message);
  } catch (const ConfigError& e) {
    return e.error();
  }
  std::lock_guard lock(mutex_);
  if (options_.inbound.url.empty()) {
    return FieldError{{}, "provider",
                      "a stub with an inbound URL (stubs." + provider_.service + ".inbound.url)",
                      "\"" + provider_.service + "\", which has none"};
  }
  m.target = options_.inbound;
  m.provider_id = std::to_string(services_->rng().uniform_int(10'000'000, 99'999'999));
  Callback c;
  c.info.service = provider_.service;
  c.info.operation = "Inbound";
  c.info.recipient = m.from;
  c.drop_error = provider_.prefix + "receipt_drop";
  c.duplicate_error = provider_.prefix + "receipt_duplicate";
  const std::weak_ptr<Liveness> weak = live_;
  const std::uint64_t generation = live_->generation.load();
  StubServices* services = services_;
  c.build = [weak, generation, services, m = std::move(m),
             build = provider_.inbound]() -> std::optional<transport::Request> {
    auto live = weak.lock();
    if (!live || live->generation.load() != generation) return std::nullopt;
    return build(m, services->clock().now());
  };
  services_->schedule_callback(std::move(c));
  return std::nullopt;
}

std::optional<ReceiptFaults> SmsStub::receipt_faults(const std::string& error) const {
  ReceiptFaults f;
  if (error.empty()) return f;
  if (error.rfind(provider_.prefix, 0) != 0) return std::nullopt;
  std::string_view name = std::string_view(error).substr(provider_.prefix.size());
  if (name == "receipt_drop") {
    f.drop = true;
  } else if (name == "receipt_duplicate") {
    f.duplicate = true;
  } else if (name == "receipt_reorder") {
    f.reorder = true;
  } else if (name == "receipt_permanent") {
    f.kind = Kind::permanent;
  } else if (name == "receipt_temporary") {
    f.kind = Kind::temporary;
  } else {
    return std::nullopt;
  }
  return f;
}

Outcome SmsStub::outcome_for(const std::string& number, const ReceiptFaults& faults) const {
  if (faults.kind) {
    return *faults.kind == Kind::permanent ? provider_.permanent : provider_.temporary;
  }
  for (const auto& [digits, outcome] : options_.numbers)
    if (ends_with(number, digits)) return outcome;
  // Notify's test numbers (research mode): ...7700900003 temporary, ...7700900002 permanent.
  if (ends_with(number, "7700900003")) return provider_.temporary;
  if (ends_with(number, "7700900002")) return provider_.permanent;
  return provider_.delivered;
}

runtime::Duration SmsStub::draw_delay() {
  NOTIFY_ASSERT(services_ != nullptr);
  const DelaySpec& d = options_.delay;
  double ms = d.ms;
  switch (d.distribution) {
    case DelayDistribution::fixed:
      break;
    case DelayDistribution::uniform:
      ms = d.min_ms + (d.max_ms - d.min_ms) * services_->rng().uniform01();
      break;
    case DelayDistribution::lognormal:
      ms = d.median_ms * std::exp(d.sigma * services_->rng().normal());
      break;
  }
  return std::chrono::duration_cast<runtime::Duration>(
      std::chrono::duration<double, std::milli>(std::max(0.0, ms)));
}

void SmsStub::schedule_receipts(std::uint64_t parent, ReceiptContext context,
                                ReceiptFaults faults) {
  NOTIFY_ASSERT(services_ != nullptr);
  if (context.url.empty()) {
    context.url = options_.callback.url;
    context.authorization = options_.callback.authorization;
  }
  if (context.url.empty()) return;
  // A receipt lost to the request's own fault or to the pending bound still goes through the
  // host, which journals it as dropped: a message left in sending always has a visible cause.
  const bool lost = faults.drop ||
                    services_->callback_counters(provider_.service).pending >= options_.pending_max;
  Outcome outcome = outcome_for(context.number, faults);
  // Each receipt comes a fresh delay after the one before it.
  std::vector<runtime::Duration> delays;
  runtime::Duration at{0};
  for (std::size_t i = 0; i < outcome.size(); ++i) delays.push_back(at += draw_delay());
  if (faults.reorder) {
    if (delays.size() > 1) {
      std::reverse(delays.begin(), delays.end());
    } else {
      delays.front() += std::chrono::duration_cast<runtime::Duration>(
          std::chrono::duration<double, std::milli>(options_.reorder_ms));
    }
  }
  const std::weak_ptr<Liveness> weak = live_;
  const std::uint64_t generation = live_->generation.load();
  for (std::size_t i = 0; i < outcome.size(); ++i) {
    Callback c;
    c.info.service = provider_.service;
    c.info.operation = "Receipt";
    c.info.recipient = context.number;
    c.parent = parent;
    c.delay = delays[i];
    c.drop_error = provider_.prefix + "receipt_drop";
    c.duplicate_error = provider_.prefix + "receipt_duplicate";
    c.dropped = lost;
    StubServices* services = services_;
    c.build = [weak, generation, services, context, step = outcome[i],
               build = provider_.build]() -> std::optional<transport::Request> {
      auto live = weak.lock();
      if (!live || live->generation.load() != generation) return std::nullopt;
      return build(context, step, services->clock().now());
    };
    const int copies = faults.duplicate ? 2 : 1;
    for (int k = 0; k < copies; ++k) services_->schedule_callback(c);
  }
}

}  // namespace notify::stubs::sms
