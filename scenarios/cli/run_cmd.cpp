#include "commands.hpp"
#include "metrics_listen.hpp"
#include "notify/client/otlp_exporter.hpp"
#include "notify/profiles/profiles.hpp"
#include "notify/scenarios/runner.hpp"
#include "notify/transport/http.hpp"
#include "serve_config.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

namespace notify::cli {
namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error(path + ": cannot be written");
}

std::vector<scenarios::Scenario> load_all(const std::vector<std::string>& paths) {
  std::vector<scenarios::Scenario> out;
  for (const auto& p : scenarios::expand_scenario_paths(paths))
    out.push_back(scenarios::load_scenario(p));
  return out;
}

// The journal's bodies are a third of a report's bytes (the catalogue over 20 seeds: ~113 MB
// with them, ~75 MB without) and rarely read: they are kept only when asked for.
void drop_journal_bodies(nlohmann::json& report) {
  for (auto& result : report["results"]) {
    auto journal = result["report"].find("journal");
    if (journal == result["report"].end()) continue;
    for (auto& entry : *journal) {
      entry.erase("request_body");
      entry.erase("response_body");
    }
  }
}

// A run's final statuses: its notifications', and those of any channel's messages that are not
// notifications (a broadcast's provider messages), so that every scenario's row says how it
// ended.
void count_final_statuses(const nlohmann::json& report, std::map<std::string, int>& out) {
  std::set<std::string> notification_ids;
  if (auto it = report.find("notifications"); it != report.end()) {
    for (const auto& n : *it) notification_ids.insert(n.value("id", ""));
  }
  if (auto it = report.find("statuses"); it != report.end()) {
    for (auto s = it->begin(); s != it->end(); ++s) out[s.key()] += s->get<int>();
  }
  auto channels = report.find("channels");
  if (channels == report.end()) return;
  for (const auto& channel : *channels) {
    auto messages = channel.find("messages");
    if (messages == channel.end()) continue;
    for (const auto& m : *messages) {
      if (notification_ids.count(m.value("id", "")) == 0) ++out[m.value("status", "unknown")];
    }
  }
}

bool is_scenario_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return true;  // load_scenario reports the unreadable file
  auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return !j.is_object() || j.contains("name") || j.contains("workload") || j.contains("expect");
}

}  // namespace

std::string resolve_profile(const std::optional<std::string>& command_line,
                            const std::optional<std::string>& scenario_key) {
  std::optional<std::string> environment;
  if (const char* v = std::getenv(profiles::kProfileEnv)) environment = v;
  try {
    return profiles::resolve({{command_line, "--profile"},
                              {scenario_key, "profile"},
                              {environment, profiles::kProfileEnv}})
        .name;
  } catch (const profiles::ProfileError& e) {
    throw scenarios::ScenarioError(e.what());
  }
}

int run(const RunArgs& args) {
  std::vector<scenarios::Scenario> all;
  try {
    if (args.profile) resolve_profile(args.profile);  // a bad --profile before any file
    all = load_all(args.paths);
    for (auto& s : all) scenarios::use_profile(s, resolve_profile(args.profile, s.profile_key));
  } catch (const scenarios::ScenarioError& e) {
    std::fprintf(stderr, "notify-sim run: %s\n", e.what());
    return 2;
  }
  if (args.statsd) {
    auto colon = args.statsd->rfind(':');
    bool ok = colon != std::string::npos && colon > 0 && colon + 1 < args.statsd->size() &&
              args.statsd->find_first_not_of("0123456789", colon + 1) == std::string::npos;
    if (!ok) {
      std::fprintf(stderr, "notify-sim run: --statsd %s: expected HOST:PORT, e.g. 127.0.0.1:8125\n",
                   args.statsd->c_str());
      return 2;
    }
  }
  scenarios::RunOptions options;
  options.mode = args.mode == "wire" ? scenarios::Mode::wire : scenarios::Mode::sim;
  options.verbose = args.verbose;
  options.statsd = args.statsd.value_or("");
  // The endpoint, interval and service name as the OTel SDK reads them from the environment.
  if (auto endpoint = client::resolve_otlp_endpoint(args.otlp_endpoint.value_or(""), std::getenv)) {
    client::OtlpExporterOptions otlp;
    try {
      client::read_otlp_environment(otlp, std::getenv);
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "notify-sim run: %s\n", e.what());
      return 2;
    }
    if (!transport::parse_url(*endpoint)) {
      std::fprintf(stderr,
                   "notify-sim run: OTLP metrics endpoint '%s' is not an absolute http:// URL "
                   "such as http://127.0.0.1:4318/v1/metrics\n",
                   endpoint->c_str());
      return 2;
    }
    options.otlp_endpoint = *endpoint;
    options.otlp_interval = std::chrono::duration_cast<std::chrono::milliseconds>(otlp.interval);
    options.otlp_service_name = otlp.service_name;
  }

  // The page and its socket live as long as the runs; each run shows its metrics there.
  client::MetricsPage page;
  std::unique_ptr<MetricsListener> listener;
  if (args.metrics_listen) {
    if (options.mode != scenarios::Mode::wire) {
      std::fprintf(stderr,
                   "notify-sim run: --metrics-listen %s: only with --mode wire; a simulated run "
                   "ends before a scraper could read the page\n",
                   args.metrics_listen->c_str());
      return 2;
    }
    try {
      listener = std::make_unique<MetricsListener>(*args.metrics_listen, page);
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "notify-sim run: %s\n", e.what());
      return 2;
    }
    options.metrics_page = &page;
    std::printf("metrics: %s\n", listener->url().c_str());
    std::fflush(stdout);
  }

  std::vector<scenarios::RunResult> results;
  for (const auto& s : all) {
    std::uint64_t first = args.seed.value_or(s.seed);
    for (std::uint64_t k = 0; k < args.seeds; ++k) {
      options.seed = first + k;
      auto r = scenarios::run_scenario(s, options);
      if (!args.quiet || !r.passed) {
        std::printf("%-4s %-32s seed %-6llu %-4s %-14s %8.1f ms\n", r.passed ? "PASS" : "FAIL",
                    r.scenario.c_str(), static_cast<unsigned long long>(r.seed),
                    std::string(to_string(r.mode)).c_str(), r.profile.c_str(),
                    r.elapsed_real_ms);
      }
      if (auto it = r.report.find("otlp_export"); it != r.report.end() && *it != "sent") {
        std::fprintf(stderr, "notify-sim run: OTLP export to %s failed: %s\n",
                     options.otlp_endpoint.c_str(), it->get<std::string>().c_str());
      }
      if (!r.passed) {
        if (!r.error.empty()) std::printf("     error: %s\n", r.error.c_str());
        for (const auto& c : r.checks)
          if (!c.passed)
            std::printf("     %s: expected %s, got %s\n", c.what.c_str(), c.expected.c_str(),
                        c.actual.c_str());
        std::printf("     reproduce: %s\n", r.reproduce.c_str());
      }
      std::fflush(stdout);
      results.push_back(std::move(r));
    }
  }

  // The summary table: one row per scenario, seeds folded together.
  struct Row {
    int passed = 0, failed = 0;
    std::map<std::string, int> statuses;
  };
  std::map<std::string, Row> rows;
  std::vector<std::string> order;
  int name_w = 32;  // widened for long names, so the columns stay aligned
  for (const auto& r : results) {
    if (!rows.count(r.scenario)) order.push_back(r.scenario);
    name_w = std::max(name_w, static_cast<int>(r.scenario.size()));
    auto& row = rows[r.scenario];
    (r.passed ? row.passed : row.failed)++;
    count_final_statuses(r.report, row.statuses);
  }
  std::printf("\n%-*s %6s %6s  %s\n", name_w, "scenario", "passed", "failed", "final statuses");
  int passed = 0, failed = 0;
  for (const auto& name : order) {
    const auto& row = rows[name];
    std::string st;
    for (const auto& [k, v] : row.statuses)
      st += (st.empty() ? "" : ", ") + k + " " + std::to_string(v);
    // A scenario of link tests or canaries only sends no notification or provider message.
    if (st.empty()) st = "no messages";
    std::printf("%-*s %6d %6d  %s\n", name_w, name.c_str(), row.passed, row.failed, st.c_str());
    passed += row.passed;
    failed += row.failed;
  }
  std::printf("\n%d passed, %d failed\n", passed, failed);

  try {
    if (args.json) {
      auto report = scenarios::results_to_json(results);
      if (!args.json_bodies) drop_journal_bodies(report);
      const std::string text = report.dump(2) + "\n";
      write_file(*args.json, text);
      std::printf("JSON report: %s, %.1f MB%s\n", args.json->c_str(),
                  static_cast<double>(text.size()) / 1e6,
                  args.json_bodies ? "" : " (journal bodies left out; --json-bodies keeps them)");
    }
    if (args.junit) write_file(*args.junit, scenarios::results_to_junit(results));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "notify-sim run: %s\n", e.what());
    return 2;
  }
  return failed == 0 ? 0 : 1;
}

int validate(const std::vector<std::string>& paths) {
  int bad = 0;
  std::vector<std::string> files;
  try {
    files = scenarios::expand_scenario_paths(paths);
  } catch (const scenarios::ScenarioError& e) {
    std::fprintf(stderr, "notify-sim validate: %s\n", e.what());
    return 2;
  }
  for (const auto& f : files) {
    std::string what;
    if (check_json_file(f, what)) {
      std::printf("ok   %s (%s)\n", f.c_str(), what.c_str());
    } else {
      std::fprintf(stderr, "bad  %s\n", what.c_str());
      ++bad;
    }
  }
  return bad == 0 ? 0 : 2;
}

bool check_json_file(const std::string& f, std::string& what) {
  try {
    // A file with a "name" is a scenario; one without is a `serve --config` file.
    if (is_scenario_file(f)) {
      auto s = scenarios::load_scenario(f);
      what = "scenario " + s.name;
    } else {
      auto c = load_serve_config(f);
      what = "serve configuration, " + std::to_string(c.faults.size()) + " fault rules";
    }
    return true;
  } catch (const scenarios::ScenarioError& e) {
    what = e.what();
    return false;
  }
}

}  // namespace notify::cli
