#include "notify/scenarios/runner.hpp"

#include "checks.hpp"
#include "notify/client/metrics_page.hpp"
#include "notify/profiles/profiles.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/transport/clients.hpp"
#include "otlp.hpp"
#include "world.hpp"

#include <pugixml.hpp>

#include <chrono>
#include <sstream>

namespace notify::scenarios {

RunResult run_wire(const Scenario& scenario, const RunOptions& options);  // wire_run.cpp

namespace {

constexpr const char* kCoreAuthority = "core.sim:6011";

// Names the profile whenever the file alone would not choose it (it came from --profile or
// NOTIFY_SIM_PROFILE).
std::string reproduce_command(const Scenario& s, const RunOptions& o) {
  bool from_file = false;
  try {
    from_file = s.profile == profiles::find(s.profile_key.value_or(""), "profile").name;
  } catch (const profiles::ProfileError&) {
  }
  return "notify-sim run " + s.file + " --seed " + std::to_string(o.seed) + " --mode " +
         std::string(to_string(o.mode)) + (from_file ? "" : " --profile " + s.profile);
}

RunResult run_sim(const Scenario& scenario, const RunOptions& options) {
  RunResult r;
  runtime::VirtualClock clock;
  transport::InProcessTransport net(clock);
  World world(scenario, options.seed, clock);
  client::MetricsPage::Attached on_page(options.metrics_page, world.metrics);
  if (options.verbose) world.logger.add_sink(telemetry::Logger::stderr_sink(LogLevel::debug));
  if (!options.statsd.empty()) world.send_statsd_to(options.statsd);

  // The stubs and the core's receipt endpoint are reached by name, without sockets. A closed
  // listener is looked at again every second of scenario time while work remains.
  auto backend = stubs::make_inprocess_edge(net);
  stubs::Edge edge(world.host, clock, *backend, std::chrono::seconds(1),
                   [&world] { return world.work_remaining(); });
  edge.open(stubs::registry());
  net.route(kCoreAuthority, world.receipts.handler());
  world.connect(edge, std::string("http://") + kCoreAuthority, net, net);
  // The backstops' ticks do not outlive the horizon: a notification they would reach later is
  // left as the horizon finds it, and the run still ends.
  const auto deadline = clock.now() + scenario.horizon;
  world.backstops->set_until(deadline);
  world.schedule();

  while (clock.now() <= deadline && clock.step()) {
  }
  if (clock.now() > deadline)
    r.error = "the run did not settle within the horizon of " +
              std::to_string(scenario.horizon.count() / 1000) + " s of simulated time";
  r.elapsed_sim_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         clock.now() - runtime::VirtualClock::default_start())
                         .count();
  finish_run(r, world, options.journal_bodies);
  if (!options.otlp_endpoint.empty()) {
    auto problem = export_otlp_now(world.metrics, options, runtime::VirtualClock::default_start(),
                                   clock.now());
    r.report["otlp_export"] = problem.empty() ? "sent" : problem;
  }
  return r;
}

}  // namespace

std::string_view to_string(Mode mode) { return mode == Mode::sim ? "sim" : "wire"; }

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  auto started = std::chrono::steady_clock::now();
  RunResult r;
  try {
    r = options.mode == Mode::sim ? run_sim(scenario, options) : run_wire(scenario, options);
  } catch (const ScenarioError& e) {
    r.error = e.what();
  } catch (const std::exception& e) {
    r.error = std::string("the run failed: ") + e.what();
  }
  r.scenario = scenario.name;
  r.file = scenario.file;
  r.mode = options.mode;
  r.seed = options.seed;
  r.profile = scenario.profile;
  r.reproduce = reproduce_command(scenario, options);
  r.elapsed_real_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!r.error.empty()) r.passed = false;
  return r;
}

nlohmann::json results_to_json(const std::vector<RunResult>& results) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : results) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : r.checks)
      checks.push_back(
          {{"what", c.what}, {"passed", c.passed}, {"expected", c.expected}, {"actual", c.actual}});
    nlohmann::json j = {{"scenario", r.scenario},    {"file", r.file},
                        {"mode", to_string(r.mode)}, {"seed", r.seed},
                        {"profile", r.profile},      {"passed", r.passed},
                        {"checks", checks},          {"reproduce", r.reproduce},
                        {"report", r.report}};
    if (!r.error.empty()) j["error"] = r.error;
    out.push_back(std::move(j));
  }
  return {{"results", out}};
}

std::string results_to_junit(const std::vector<RunResult>& results) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto suite = doc.append_child("testsuite");
  suite.append_attribute("name") = "notify-sim";
  std::size_t failures = 0;
  double total_ms = 0;
  for (const auto& r : results) {
    auto tc = suite.append_child("testcase");
    tc.append_attribute("classname") = ("notify-sim." + std::string(to_string(r.mode))).c_str();
    tc.append_attribute("name") = (r.scenario + " [seed " + std::to_string(r.seed) + "]").c_str();
    tc.append_attribute("time") = r.elapsed_real_ms / 1000.0;
    auto property = tc.append_child("properties").append_child("property");
    property.append_attribute("name") = "profile";
    property.append_attribute("value") = r.profile.c_str();
    total_ms += r.elapsed_real_ms;
    if (!r.passed) {
      ++failures;
      std::ostringstream text;
      if (!r.error.empty()) text << r.error << "\n";
      for (const auto& c : r.checks)
        if (!c.passed)
          text << c.what << ": expected " << c.expected << ", got " << c.actual << "\n";
      text << "reproduce: " << r.reproduce << "\n";
      auto f = tc.append_child("failure");
      f.append_attribute("message") = r.error.empty() ? "expectations not met" : r.error.c_str();
      f.append_child(pugi::node_pcdata).set_value(text.str().c_str());
    }
  }
  suite.append_attribute("tests") = static_cast<unsigned long long>(results.size());
  suite.append_attribute("failures") = static_cast<unsigned long long>(failures);
  suite.append_attribute("time") = total_ms / 1000.0;
  std::ostringstream out;
  doc.save(out, "  ");
  return out.str();
}

}  // namespace notify::scenarios
