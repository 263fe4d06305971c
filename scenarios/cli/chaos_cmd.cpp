// notify-sim chaos: seeded random workloads and fault timelines, judged by invariants. Each
// failing seed prints the command that replays it and, with --shrink, a minimal scenario file.
#include "commands.hpp"
#include "notify/scenarios/channel.hpp"
#include "notify/scenarios/chaos.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace notify::cli {

namespace {

// Kills the process when one seed runs longer than `limit` of wall time: a hang is a failure
// to report, not a CI job to time out.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit) : limit_(limit), thread_([this] { watch(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  void start(std::uint64_t seed) {
    std::lock_guard lock(mutex_);
    seed_ = seed;
    deadline_ = std::chrono::steady_clock::now() + limit_;
    changed_.notify_all();
  }

 private:
  void watch() {
    std::unique_lock lock(mutex_);
    while (!done_) {
      if (deadline_ && std::chrono::steady_clock::now() >= *deadline_) {
        std::fprintf(stderr,
                     "notify-sim chaos: seed %llu ran for more than %lld s of wall time (a hang); "
                     "replay: notify-sim chaos --seed %llu\n",
                     static_cast<unsigned long long>(seed_), static_cast<long long>(limit_.count()),
                     static_cast<unsigned long long>(seed_));
        std::fflush(stderr);
        std::_Exit(3);
      }
      if (deadline_) {
        changed_.wait_until(lock, *deadline_);
      } else {
        changed_.wait(lock);
      }
    }
  }

  std::chrono::seconds limit_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool done_ = false;
  std::uint64_t seed_ = 0;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::thread thread_;
};

// The channels that can take part (those with a chaos workload), as "email or sms".
std::string chaos_channels() {
  std::vector<std::string> names;
  for (const auto& channel : scenarios::channel_registry())
    if (channel.chaos_workload) names.push_back(channel.name);
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

bool takes_part(const std::string& name) {
  for (const auto& channel : scenarios::channel_registry())
    if (channel.name == name) return static_cast<bool>(channel.chaos_workload);
  return false;
}

}  // namespace

int chaos(const ChaosArgs& args) {
  // A misspelt channel would otherwise be skipped, and every seed would pass with no work.
  for (const auto& name : args.channels) {
    if (!takes_part(name)) {
      std::fprintf(stderr, "notify-sim chaos: --channels %s: not a channel with a chaos workload; "
                   "expected %s\n", name.c_str(), chaos_channels().c_str());
      return 2;
    }
  }
  scenarios::ChaosOptions options;
  try {
    options.profile = resolve_profile(args.profile);
  } catch (const scenarios::ScenarioError& e) {
    std::fprintf(stderr, "notify-sim chaos: %s\n", e.what());
    return 2;
  }
  options.duration_ms = static_cast<std::int64_t>(args.duration_s * 1000);
  options.channels = args.channels;
  options.mode = args.mode == "wire" ? scenarios::Mode::wire : scenarios::Mode::sim;
  const std::uint64_t first = args.seed.value_or(args.first);
  const std::uint64_t count = args.seed ? 1 : args.seeds;

  nlohmann::json report = nlohmann::json::array();
  std::size_t failed = 0;
  const auto started = std::chrono::steady_clock::now();
  {
    Watchdog watchdog(std::chrono::seconds(args.watchdog_s));
    for (std::uint64_t seed = first; seed < first + count; ++seed) {
      watchdog.start(seed);
      auto outcome = scenarios::run_chaos_seed(seed, options);
      nlohmann::json entry = {
          {"seed", seed},
          {"passed", outcome.passed()},
          {"statuses", outcome.result.report.is_object()
                           ? outcome.result.report.value("statuses", nlohmann::json::object())
                           : nlohmann::json::object()}};
      // Each channel's messages by status (for broadcast, its provider messages).
      if (outcome.result.report.is_object()) {
        // And why those left open may be (beside a lost callback).
        nlohmann::json by_channel = nlohmann::json::object();
        nlohmann::json documented = nlohmann::json::object();
        const nlohmann::json channels =
            outcome.result.report.value("channels", nlohmann::json::object());
        for (auto it = channels.begin(); it != channels.end(); ++it) {
          std::map<std::string, int> counts;
          std::map<std::string, int> reasons;
          for (const auto& m : it.value().value("messages", nlohmann::json::array())) {
            ++counts[m.value("status", "")];
            if (!m.value("documented", "").empty()) ++reasons[m.value("documented", "")];
          }
          by_channel[it.key()] = counts;
          if (!reasons.empty()) documented[it.key()] = reasons;
        }
        entry["channels"] = by_channel;
        if (!documented.empty()) entry["documented"] = documented;
      }
      if (!outcome.passed()) {
        ++failed;
        nlohmann::json violations = nlohmann::json::array();
        std::printf("FAIL seed %llu\n", static_cast<unsigned long long>(seed));
        for (const auto& v : outcome.violations) {
          std::printf("  %s: %s\n", v.invariant.c_str(), v.detail.c_str());
          violations.push_back({{"invariant", v.invariant}, {"detail", v.detail}});
        }
        std::printf("  replay: notify-sim chaos --seed %llu --mode %s --profile %s\n",
                    static_cast<unsigned long long>(seed), args.mode.c_str(),
                    options.profile.c_str());
        entry["violations"] = violations;
        if (args.shrink) {
          auto minimal = scenarios::shrink_chaos_scenario(outcome.scenario, options);
          std::string file = args.out_dir + "/chaos-seed-" + std::to_string(seed) + ".json";
          std::ofstream(file) << minimal.dump(2) << "\n";
          std::printf("  minimal scenario: %s (notify-sim run %s --seed %llu)\n", file.c_str(),
                      file.c_str(), static_cast<unsigned long long>(seed));
          entry["minimal_scenario"] = file;
        }
      }
      report.push_back(std::move(entry));
    }
  }
  const double minutes =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / 60.0;
  std::printf("%llu seeds from %llu, %zu failed, %.0f seeds per minute (%s mode, profile %s)\n",
              static_cast<unsigned long long>(count), static_cast<unsigned long long>(first),
              failed, minutes > 0 ? static_cast<double>(count) / minutes : 0.0, args.mode.c_str(),
              options.profile.c_str());
  if (args.json) {
    std::ofstream out(*args.json);
    out << nlohmann::json{{"profile", options.profile}, {"seeds", report}, {"failed", failed}}
               .dump(2)
        << "\n";
    if (!out) {
      std::fprintf(stderr, "notify-sim chaos: %s: cannot be written\n", args.json->c_str());
      return 2;
    }
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace notify::cli
