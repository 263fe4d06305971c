// notify-sim load as the CLI runs it: the progress line reaches a terminal only, the summary
// always; the baseline gate's exit code; and --target stub's output, exit code and the options
// it refuses.
#include "commands.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace notify::cli {
namespace {

std::string run_to_string(LoadArgs args, bool tty, int* code = nullptr) {
  std::FILE* f = std::tmpfile();
  args.out = f;
  args.tty = tty;
  int rc = load(args);
  if (code) *code = rc;
  std::fflush(f);
  std::rewind(f);
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) text.append(buf, n);
  std::fclose(f);
  return text;
}

LoadArgs short_args() {
  LoadArgs a;
  a.rate = 200;
  a.count = 300;  // 1.5 s, so the progress line has a second to show
  a.mix = "email=100";
  a.retry_delay_ms = 20;
  a.getenv = [](const std::string&) { return std::optional<std::string>(); };
  return a;
}

TEST(CliLoad, NoProgressLineOffATerminalButAlwaysTheSummary) {
  const std::string piped = run_to_string(short_args(), false);
  EXPECT_EQ(piped.find('\r'), std::string::npos) << piped;
  EXPECT_EQ(piped.find("arrived"), std::string::npos) << piped;
  EXPECT_NE(piped.find("rate: asked 200.0/s, achieved"), std::string::npos) << piped;
  EXPECT_NE(piped.find("email      ses"), std::string::npos) << piped;

  const std::string terminal = run_to_string(short_args(), true);
  EXPECT_NE(terminal.find("\r"), std::string::npos) << terminal;
  EXPECT_NE(terminal.find("rate: asked 200.0/s"), std::string::npos) << terminal;
}

TEST(CliLoad, BaselineGateExitsOneOnRegressionAndZeroWithin) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("notify-load-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  LoadArgs first = short_args();
  first.json = (dir / "run.json").string();
  run_to_string(first, false);
  auto report = nlohmann::json::parse(std::ifstream(*first.json));

  // The same run as its own baseline, with a generous limit, passes.
  LoadArgs same = short_args();
  same.baseline = *first.json;
  same.max_regression_pct = 1'000'000;
  int code = -1;
  run_to_string(same, false, &code);
  EXPECT_EQ(code, 0);

  // A baseline claiming twice the throughput: the run regressed by about 50%.
  auto faster = report;
  faster["run"]["achieved_rate"] = report["run"]["achieved_rate"].get<double>() * 2;
  const auto faster_path = (dir / "faster.json").string();
  std::ofstream(faster_path) << faster.dump();
  LoadArgs gated = short_args();
  gated.baseline = faster_path;
  gated.max_regression_pct = 10;
  const std::string out = run_to_string(gated, false, &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("throughput"), std::string::npos) << out;
  EXPECT_NE(out.find("REGRESSED"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}
LoadArgs stub_args() {
  LoadArgs a;
  a.target = "stub";
  a.rate = 400;
  a.count = 40;
  a.connections = 4;
  a.getenv = [](const std::string&) { return std::optional<std::string>(); };
  return a;
}

TEST(CliLoad, StubTargetPrintsTheSummaryAndExitsOneWhenARequestFailed) {
  int code = -1;
  const std::string ok = run_to_string(stub_args(), false, &code);
  EXPECT_EQ(code, 0) << ok;
  EXPECT_NE(ok.find("target stub"), std::string::npos) << ok;
  EXPECT_NE(ok.find("ses        ses-v1"), std::string::npos) << ok;
  EXPECT_EQ(ok.find('\r'), std::string::npos) << ok;

  const auto dir =
      std::filesystem::temp_directory_path() /
      ("notify-stub-load-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  const auto faults = (dir / "refuse.json").string();
  std::ofstream(faults) << R"([{"id": "down", "match": {"service": "ses"},
                                "action": {"type": "refuse"}}])";
  LoadArgs refused = stub_args();
  refused.faults = faults;
  const std::string out = run_to_string(refused, false, &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("connection refused"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

TEST(CliLoad, StubTargetRefusesTheCoreOnlyOptionsByName) {
  auto expect_refused = [](LoadArgs a, const std::string& option) {
    try {
      run_to_string(a, false);
      ADD_FAILURE() << option << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).rfind(option + ": only for --target core", 0), 0u)
          << e.what();
    }
  };
  LoadArgs mix = stub_args();
  mix.mix = "email=100";
  expect_refused(mix, "--mix");
  LoadArgs retry = stub_args();
  retry.retry_delay_ms = 5;
  expect_refused(retry, "--retry-delay-ms");
  LoadArgs drain = stub_args();
  drain.drain_ms = 5;
  expect_refused(drain, "--drain-ms");
  LoadArgs receipts = stub_args();
  receipts.receipt_port = 0;
  expect_refused(receipts, "--receipt-port");
}

}  // namespace
}  // namespace notify::cli
