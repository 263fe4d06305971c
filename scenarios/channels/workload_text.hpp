// Helpers every channel's workload shares: "{n}" patterns, recipient lists, creating the
// notification row, and socket time-outs scaled with wire mode's clock.
#pragma once

#include "notify/runtime/assert.hpp"
#include "notify/scenarios/channel.hpp"
#include "notify/scenarios/scenario.hpp"
#include "notify/stubs/fields.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace notify::scenarios::channels {

/// The pattern with every "{n}" replaced by `n`, and every "{n:0W}" by `n` zero-padded to W
/// digits (W from 1 to 9), e.g. "077009001{n:02}" -> "07700900107".
inline std::string expand(std::string pattern, std::size_t n) {
  const std::string key = "{n}";
  for (auto pos = pattern.find(key); pos != std::string::npos; pos = pattern.find(key, pos))
    pattern.replace(pos, key.size(), std::to_string(n));
  const std::string padded = "{n:0";
  for (auto pos = pattern.find(padded); pos != std::string::npos; pos = pattern.find(padded, pos)) {
    if (pos + 6 > pattern.size() || pattern[pos + 5] != '}' || pattern[pos + 4] < '1' ||
        pattern[pos + 4] > '9') {
      pos += padded.size();
      continue;
    }
    std::string digits = std::to_string(n);
    const auto width = static_cast<std::size_t>(pattern[pos + 4] - '0');
    if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
    pattern.replace(pos, 6, digits);
  }
  return pattern;
}

/// A pattern or a non-empty array of patterns at `key`; nullopt when absent.
inline std::optional<std::vector<std::string>> read_patterns(stubs::Fields& f,
                                                             const std::string& key,
                                                             const std::string& what) {
  const nlohmann::json* v = f.get(key);
  if (v == nullptr) return std::nullopt;
  std::vector<std::string> out;
  if (v->is_string()) {
    out.push_back(v->get<std::string>());
  } else if (v->is_array() && !v->empty()) {
    for (std::size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string())
        f.fail(f.at(key) + "[" + std::to_string(i) + "]", what, stubs::quote_json((*v)[i]));
      out.push_back((*v)[i].get<std::string>());
    }
  } else {
    f.fail_value(key, what + " or a non-empty array of them");
  }
  return out;
}

/// A chaos workload block: `count` notifications spread evenly over `spread_ms`, to the ordinary
/// pattern alone or (half the time, from `rng`) with the provider's special recipients mixed in.
inline std::pair<nlohmann::json, std::size_t> chaos_block(runtime::Rng& rng, std::size_t count,
                                                          std::int64_t spread_ms,
                                                          const std::string& ordinary,
                                                          const std::vector<std::string>& special) {
  nlohmann::json to = nlohmann::json::array({ordinary});
  if (rng.uniform01() >= 0.5) {
    for (const auto& s : special) to.push_back(s);
  }
  nlohmann::json block = {
      {"count", count},
      {"to", to},
      {"interval_ms", count > 1 ? spread_ms / static_cast<std::int64_t>(count) : 0}};
  return {block, count};
}

/// Inserts a notification in "created", as the API would before queueing its delivery task.
inline void create_notification(ChannelEnv& env, const std::string& id, const std::string& type,
                                const std::string& recipient) {
  store::Notification note;
  note.id = id;
  note.type = type;
  note.recipient = recipient;
  note.created_at = env.clock.now();
  note.updated_at = note.created_at;
  auto r = env.store.insert_notification(note);
  NOTIFY_ASSERT(r.has_value());
  if (env.backstops != nullptr) env.backstops->watch(note.created_at);
}

/// The attempts a notification's retry rules allow: max_retries + 1 for its first delivery task,
/// and as many again for each time replay-created-notifications put it back on the queue (a
/// task still retrying after an hour is "created" too, so Notify starts a second one beside it).
inline int attempts_max(const ChannelEnv& env, const std::string& id) {
  const std::size_t runs = 1 + (env.backstops != nullptr ? env.backstops->replays_of(id) : 0);
  return (env.scenario.max_retries + 1) * static_cast<int>(runs);
}

/// Channel::chaos_report() for a channel whose messages are the notifications of `type`: each
/// may be attempted max_retries + 1 times; a provider journals its accepted sends under the
/// stored reference, and under the notification's id too when `id_is_key` (the client sends it).
inline nlohmann::json notification_report(ChannelEnv& env, const std::string& type,
                                          std::size_t expected, bool id_is_key) {
  std::map<std::string, nlohmann::json> history;
  for (const auto& c : env.store.list_notification_status_history())
    history[c.id].push_back({{"status", c.status}, {"at", runtime::format_iso8601(c.at)}});
  nlohmann::json messages = nlohmann::json::array();
  for (const auto& n : env.store.list_notifications()) {
    if (n.type != type) continue;
    nlohmann::json keys = nlohmann::json::array();
    if (id_is_key) keys.push_back(n.id);
    if (!n.reference.empty() && n.reference != n.id) keys.push_back(n.reference);
    auto h = history.find(n.id);
    messages.push_back({{"id", n.id},
                        {"status", n.status},
                        {"history", h == history.end() ? nlohmann::json::array() : h->second},
                        {"attempts", n.attempts},
                        {"attempts_max", attempts_max(env, n.id)},
                        {"reference", n.reference},
                        {"keys", keys},
                        {"documented", ""}});
  }
  return {{"expected", expected}, {"stored", messages.size()}, {"messages", messages}};
}

/// A socket time-out shrunk with a clock running `time_scale` times faster than real time, but
/// never below a floor that a loaded machine (or a sanitizer build) always meets.
inline std::chrono::milliseconds scaled_timeout(std::chrono::milliseconds t, double time_scale) {
  auto ms = static_cast<std::int64_t>(static_cast<double>(t.count()) / time_scale);
  return std::chrono::milliseconds(std::max<std::int64_t>(ms, 2000));
}

}  // namespace notify::scenarios::channels
