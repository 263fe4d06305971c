#include "notify/profiles/sms_settings.hpp"

namespace notify::profiles {

namespace {

const std::string* option(const std::map<std::string, std::string>& o, const char* key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->second;
}

std::chrono::seconds seconds(const std::string& value) {
  return std::chrono::seconds(std::stol(value));
}

}  // namespace

SmsSettings sms_settings(const std::map<std::string, std::string>& o, SmsSettings base) {
  auto& p = base.providers;
  if (const auto* v = option(o, "sms_http_timeout_s")) base.http_timeout = seconds(*v);
  if (const auto* v = option(o, "sms_error_threshold")) {
    if (*v == "none") {
      p.error_threshold.reset();
    } else {
      p.error_threshold = std::stoi(*v);
    }
  }
  if (const auto* v = option(o, "sms_error_window_s")) p.error_window = seconds(*v);
  if (const auto* v = option(o, "sms_redis")) p.redis = *v == "on";
  if (const auto* v = option(o, "sms_provider_choice")) {
    p.choice = *v == "live"            ? delivery::SmsProviderChoice::live
               : *v == "cached-choice" ? delivery::SmsProviderChoice::cached_choice
                                       : delivery::SmsProviderChoice::cached_list;
  }
  if (const auto* v = option(o, "sms_provider_cache_s")) p.choice_cache = seconds(*v);
  if (const auto* v = option(o, "sms_rebalance_quiet_s")) p.rebalance_quiet = seconds(*v);
  if (const auto* v = option(o, "sms_priority_reasons")) p.priority_reasons = *v == "on";
  return base;
}

}  // namespace notify::profiles
