// notify-sim: provider stubs, scenarios and load tests for a Notify-style sending core.
#include "commands.hpp"
#include "notify/profiles/profiles.hpp"

#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <optional>
#include <random>
#include <string>

#ifndef NOTIFY_SIM_VERSION
#define NOTIFY_SIM_VERSION "0.0.0"
#endif

namespace {

// 64 bits from the operating system's entropy source; only the command line draws seeds, the
// core and the stubs take theirs from here or from --seed.
std::uint64_t fresh_seed() {
  std::random_device device;
  std::uint64_t seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  return seed == 0 ? 1 : seed;
}

// A bound as people write it: 65535, 0.1, 1000000 (CLI11's own range message prints
// "1.000000 to 1000000.000000").
std::string plain(double v) {
  char buffer[32];
  if (std::abs(v) < 1e15 && v == std::floor(v)) {
    std::snprintf(buffer, sizeof buffer, "%.0f", v);
  } else {
    std::snprintf(buffer, sizeof buffer, "%g", v);
  }
  return buffer;
}

// Number options are checked on their text, before CLI11 converts it: its conversion takes
// "-1" for an unsigned option as 2^64 - 1, saturates a number too large for the type, and
// refuses a port of 99999 without saying what a port may be. CLI11 puts the option's name in
// front of the message.
CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi) {
  const std::string expected =
      "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
  return CLI::Validator(
      [lo, hi, expected](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (text.empty() || ec != std::errc() || ptr != end || value < lo || value > hi)
          return expected + ", got \"" + text + "\"";
        return {};
      },
      "INT in [" + std::to_string(lo) + " - " + std::to_string(hi) + "]");
}

CLI::Validator number_in(double lo, double hi) {
  const std::string expected = "expected a number from " + plain(lo) + " to " + plain(hi);
  return CLI::Validator(
      [lo, hi, expected](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = text.empty() ? 0 : std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value) ||
            value < lo || value > hi)
          return expected + ", got \"" + text + "\"";
        return {};
      },
      "NUMBER in [" + plain(lo) + " - " + plain(hi) + "]");
}

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "notify-sim: provider stubs with fault injection, scenarios in simulated or real "
      "time, and load tests for a GOV.UK Notify-style sending core"};
  app.set_version_flag("--version", std::string("notify-sim ") + NOTIFY_SIM_VERSION);
  app.require_subcommand(1);

  // Every serve setting can also come from an environment variable, so a CI service
  // definition needs no command line. A flag given on the command line wins.
  const std::string profile_help =
      "Upstream profile (docs/profiles.md): " + notify::profiles::known() +
      "; else NOTIFY_SIM_PROFILE";
  notify::cli::ServeArgs serve;
  std::optional<std::uint64_t> serve_seed;
  auto* s = app.add_subcommand("serve", "Start the provider stubs and the control API");
  s->add_option("--config", serve.config, "JSON configuration file (stubs, faults, journal)")
      ->envname("NOTIFY_SIM_CONFIG");
  s->add_option("--bind", serve.bind, "Address to listen on")
      ->envname("NOTIFY_SIM_BIND")
      ->capture_default_str();
  s->add_option("--port", serve.port, "Edge port for every provider stub (0: any free port)")
      ->envname("NOTIFY_SIM_PORT")
      ->check(whole_number(0, 65535))
      ->capture_default_str();
  s->add_option("--admin-port", serve.admin_port, "Control API port (0: any free port)")
      ->envname("NOTIFY_SIM_ADMIN_PORT")
      ->check(whole_number(0, 65535))
      ->capture_default_str();
  s->add_option("--admin-bind", serve.admin_bind,
                "Address the control API listens on; beyond loopback it needs --admin-token")
      ->envname("NOTIFY_SIM_ADMIN_BIND")
      ->capture_default_str();
  s->add_option("--admin-token", serve.admin_token,
                "Token every control API call must carry (Authorization: Bearer TOKEN)")
      ->envname("NOTIFY_SIM_ADMIN_TOKEN");
  s->add_flag("--no-ui", serve.no_ui,
              "Serve no console page on the admin port (docs/console.md), only the control API")
      ->envname("NOTIFY_SIM_NO_UI");
  s->add_option("--max-connections", serve.max_connections,
                "Open connections per listener; a new client beyond takes the slot of the one "
                "that has waited longest for a request")
      ->envname("NOTIFY_SIM_MAX_CONNECTIONS")
      ->check(whole_number(1, 1'000'000))
      ->capture_default_str();
  s->add_option("--idle-timeout-ms", serve.idle_timeout_ms,
                "Close a connection that has not sent a whole request for this long")
      ->envname("NOTIFY_SIM_IDLE_TIMEOUT_MS")
      ->check(whole_number(100, 3'600'000))
      ->capture_default_str();
  s->add_option("--callback-url", serve.callback_url,
                "Where SES delivery events are POSTed as SNS HTTP notifications")
      ->envname("NOTIFY_SIM_CALLBACK_URL");
  s->add_option("--ses-events", serve.ses_events,
                "How SES events travel: http (SNS POSTs to --callback-url), celery-sqs (Celery "
                "process-ses-result tasks on the SQS queue ses-callbacks, as Notify reads them) "
                "or both")
      ->envname("NOTIFY_SIM_SES_EVENTS")
      ->check(CLI::IsMember({"http", "celery-sqs", "both"}));
  s->add_option("--ready-file", serve.ready_file,
                "Write {\"edge_url\", \"admin_url\", ...} as JSON here once listening")
      ->envname("NOTIFY_SIM_READY_FILE");
  s->add_option("--profile", serve.profile, profile_help)->envname(notify::profiles::kProfileEnv);
  s->add_option("--seed", serve_seed,
                "Seed for fault probabilities and ids (default: a fresh one each start)")
      ->envname("NOTIFY_SIM_SEED")
      ->check(whole_number(0, kU64Max));

  notify::cli::RunArgs run;
  auto* r = app.add_subcommand("run", "Run scenario files (or directories of them)");
  r->add_option("paths", run.paths, "Scenario files or directories")->required();
  r->add_option("--seed", run.seed, "Seed (default: the scenario's own)")
      ->check(whole_number(0, kU64Max));
  r->add_option("--seeds", run.seeds, "Run each scenario with this many consecutive seeds")
      ->check(whole_number(1, 100'000));
  r->add_option("--mode", run.mode, "sim (virtual time, in-process) or wire (real sockets)")
      ->check(CLI::IsMember({"sim", "wire"}))
      ->capture_default_str();
  r->add_option("--profile", run.profile, profile_help + " (overrides a scenario's own)");
  r->add_option("--junit", run.junit, "Write a JUnit XML report here");
  r->add_option("--json", run.json, "Write the JSON report (with journals) here");
  r->add_flag("--json-bodies", run.json_bodies,
              "Keep each journal entry's request and response bodies in --json (large)");
  r->add_option("--statsd", run.statsd, "Also send the core's metrics as StatsD to HOST:PORT");
  r->add_option("--otlp-endpoint", run.otlp_endpoint,
                "Export the core's OpenTelemetry metrics as OTLP/HTTP JSON to this URL "
                "(default: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT)");
  r->add_option("--metrics-listen", run.metrics_listen,
                "Serve the core's metrics in the Prometheus text format at "
                "http://HOST:PORT/metrics while the runs last (--mode wire; port 0: any free one)");
  r->add_flag("-v,--verbose", run.verbose, "Print the core's log lines");
  r->add_flag("-q,--quiet", run.quiet, "Print only failures and the summary line");

  notify::cli::ValidateArgs validate;
  auto* v = app.add_subcommand(
      "validate", "Check scenario and configuration files, and CAP 1.2 / IBAG documents");
  v->add_option("paths", validate.paths, "Files or directories ('-': standard input)")->required();
  v->add_option("--profile", validate.profile, "CAP rules to apply: oasis, google or uk")
      ->check(CLI::IsMember({"oasis", "google", "uk"}))
      ->capture_default_str();
  v->add_flag("--json", validate.json, "Print one JSON report instead of lines");
  v->add_option("--verify-signature", validate.verify_signature,
                "PEM certificate: each CAP/IBAG document must carry an XML-DSig signature made "
                "with its key");

  notify::cli::RenderArgs render;
  auto* rd = app.add_subcommand("render",
                                "Print the CAP or IBAG document the CBC proxy would "
                                "send for a Lambda payload");
  rd->add_option("payload", render.payload, "Payload JSON file ('-': standard input)")->required();
  rd->add_option("--format", render.format, "Override the payload's message_format")
      ->check(CLI::IsMember({"cap", "ibag"}));
  rd->add_option("--now", render.now, "Link-test clock in UTC, YYYY-MM-DDThh:mm:ss (default: now)");
  rd->add_option("--generator", render.generator,
                 "notify-2023 (the proxy as Notify used it) or emergency-alerts (today's "
                 "emergency-alerts-utils: web, sender, sender_name, area description, geocodes)")
      ->capture_default_str();
  auto* sign_key = rd->add_option("--sign-key", render.sign_key,
                                  "PEM private key: sign the document as emergency-alerts-utils does");
  auto* sign_cert = rd->add_option("--sign-cert", render.sign_cert,
                                   "PEM certificate of --sign-key, carried in the signature");
  sign_key->needs(sign_cert);
  sign_cert->needs(sign_key);

  notify::cli::LoadArgs load;
  auto* l = app.add_subcommand(
      "load",
      "Open-loop load test through the sending core (or of the stubs alone); reports latency");
  l->add_option("--target", load.target,
                "core: through the sending core to the stubs; stub: requests to the stubs alone")
      ->check(CLI::IsMember({"core", "stub"}))
      ->capture_default_str();
  l->add_option("--rate", load.rate, "Arrivals per second")
      ->check(number_in(1, 1'000'000))
      ->capture_default_str();
  auto* duration =
      l->add_option("--duration", load.duration_s, "Seconds of arrivals (default 10, at most 3600)")
          ->check(number_in(0.1, 3600));
  l->add_option("--count", load.count, "Number of arrivals, instead of --duration")
      ->check(whole_number(1, std::numeric_limits<std::size_t>::max()))
      ->excludes(duration);
  l->add_option("--arrivals", load.arrivals, "constant (evenly spaced) or poisson")
      ->check(CLI::IsMember({"constant", "poisson"}))
      ->capture_default_str();
  l->add_option("--mix", load.mix, "Share of each channel in percent (--target core)")
      ->default_str(notify::cli::LoadArgs::kDefaultMix);
  l->add_option("--faults", load.faults,
                "JSON file of fault rules applied to the stubs for the run");
  l->add_option("--connections", load.connections,
                "Keep-alive connections (per provider host with --target core)")
      ->check(whole_number(1, 4096))
      ->capture_default_str();
  l->add_option("--operation", load.operation,
                "--target stub: the request to send, a stub's load operation (see docs/cli.md)")
      ->capture_default_str();
  l->add_option("--json", load.json, "Write the load report as JSON here");
  l->add_option("--html", load.html, "Write the load report as a self-contained HTML page here");
  auto* baseline = l->add_option("--baseline", load.baseline,
                                 "A JSON report to compare with: exit 1 when p99 dispatch latency "
                                 "or throughput regressed by more than --max-regression");
  l->add_option("--max-regression", load.max_regression_pct, "Percent allowed by --baseline")
      ->needs(baseline)
      ->check(number_in(0, 1'000'000))
      ->capture_default_str();
  l->add_option("--seed", load.seed, "Seed for Poisson arrivals, stubs and providers")
      ->check(whole_number(0, kU64Max))
      ->capture_default_str();
  l->add_option("--retry-delay-ms", load.retry_delay_ms,
                "The core's retry delay for the run (Notify: 300 s; --target core)")
      ->check(whole_number(0, 600'000))
      ->default_str(std::to_string(notify::cli::LoadArgs::kDefaultRetryDelayMs));
  l->add_option("--drain-ms", load.drain_ms,
                "How long to wait after the last arrival for notifications still on their way "
                "(--target core)")
      ->check(whole_number(0, 600'000))
      ->default_str(std::to_string(notify::cli::LoadArgs::kDefaultDrainMs));
  l->add_option("--receipt-port", load.receipt_port,
                "Port of the core's receipt endpoint (0: any free port; --target core)")
      ->check(whole_number(0, 65535))
      ->default_str("0");
  l->add_option("--metrics-listen", load.metrics_listen,
                "Serve the core's metrics in the Prometheus text format at "
                "http://HOST:PORT/metrics during the run (--target core; port 0: any free one)");
  l->add_option("--profile", load.profile, profile_help);
  load.version = NOTIFY_SIM_VERSION;

  notify::cli::ChaosArgs chaos;
  auto* c = app.add_subcommand(
      "chaos", "Seeded random workloads and fault timelines, checked against invariants");
  // --seed replays one seed; with --seeds or --first as well, one of them would be ignored.
  auto* chaos_seed =
      c->add_option("--seed", chaos.seed, "Run this one seed (replays a failure byte for byte)")
          ->check(whole_number(0, kU64Max));
  c->add_option("--seeds", chaos.seeds, "How many consecutive seeds to run")
      ->check(whole_number(1, 10'000'000))
      ->excludes(chaos_seed)
      ->capture_default_str();
  c->add_option("--first", chaos.first, "The first seed of --seeds")
      ->check(whole_number(0, kU64Max - 10'000'000))
      ->excludes(chaos_seed)
      ->capture_default_str();
  c->add_option("--channels", chaos.channels, "Channels to load (default: all that take part)")
      ->delimiter(',');
  c->add_option("--duration", chaos.duration_s,
                "Simulated seconds over which the workload and the faults spread")
      ->check(number_in(1, 7 * 24 * 3600))
      ->capture_default_str();
  c->add_option("--mode", chaos.mode, "sim (virtual time) or wire (real sockets)")
      ->check(CLI::IsMember({"sim", "wire"}))
      ->capture_default_str();
  c->add_option("--profile", chaos.profile, profile_help);
  c->add_option("--json", chaos.json, "Write every seed's verdict here");
  c->add_flag("!--no-shrink", chaos.shrink, "Do not shrink failing seeds");
  c->add_option("--out", chaos.out_dir, "Where minimal failing scenarios are written")
      ->capture_default_str();
  c->add_option("--watchdog", chaos.watchdog_s, "Wall-clock seconds one seed may take")
      ->check(whole_number(1, 86'400))
      ->capture_default_str();

  // Load reports: merge several drivers' JSON, re-render one as HTML, gate against a baseline.
  notify::cli::ReportArgs report_merge, report_html;
  notify::cli::ReportCompareArgs report_compare;
  auto* rp = app.add_subcommand("report", "Merge, render and compare load reports");
  rp->require_subcommand(1);
  auto* rpm = rp->add_subcommand("merge", "Merge the JSON reports of several load drivers");
  rpm->add_option("reports", report_merge.inputs, "JSON reports written by load --json")
      ->required();
  rpm->add_option("--json", report_merge.json, "Write the merged report here (default: stdout)");
  rpm->add_option("--html", report_merge.html, "Write the merged report as an HTML page here");
  auto* rph = rp->add_subcommand("html", "Render a saved JSON report as an HTML page");
  rph->add_option("report", report_html.inputs, "JSON report written by load --json")
      ->required()
      ->expected(1);
  rph->add_option("--html", report_html.html, "Where to write the page")->required();
  auto* rpc = rp->add_subcommand("compare", "Gate a run on p99 dispatch latency and throughput");
  rpc->add_option("baseline", report_compare.baseline, "The last good run's JSON report")
      ->required();
  rpc->add_option("current", report_compare.current, "This run's JSON report")->required();
  rpc->add_option("--max-regression", report_compare.max_regression_pct,
                  "How much worse either metric may get, in percent")
      ->check(number_in(0, 1000))
      ->capture_default_str();

  // "notify-sim load", "notify-sim report compare": every error line names its subcommand.
  auto command_name = [&app] {
    std::string command = "notify-sim";
    for (const CLI::App* sub = &app;;) {
      auto parsed = sub->get_subcommands();
      if (parsed.empty()) return command;
      sub = parsed.front();
      command += " " + sub->get_name();
    }
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version print and succeed. Any other argument error is one line naming the
    // subcommand and the argument, exit 2, like every other bad input (CLI11's own report is
    // two lines).
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    const std::string command = command_name();
    std::string message = e.what();
    for (char& ch : message) {
      if (ch == '\n') ch = ' ';
    }
    std::fprintf(stderr, "%s: %s (see %s --help)\n", command.c_str(), message.c_str(),
                 command.c_str());
    return 2;
  }

  try {
    if (*s) {
      // A fixed seed replays; without one each start draws its own, so message ids from
      // before a restart are never handed out again (a receiver looks receipts up by them).
      serve.seed = serve_seed ? *serve_seed : fresh_seed();
      return notify::cli::serve(serve);
    }
    if (*r) return notify::cli::run(run);
    if (*v) return notify::cli::validate_any(validate);
    if (*rd) return notify::cli::render(render);
    if (*l) return notify::cli::load(load);
    if (*c) return notify::cli::chaos(chaos);
    if (*rpm) return notify::cli::report_merge(report_merge);
    if (*rph) return notify::cli::report_html(report_html);
    if (*rpc) return notify::cli::report_compare(report_compare);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", command_name().c_str(), e.what());
    return 2;
  }
  return 2;
}
