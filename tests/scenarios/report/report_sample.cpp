// Writes a synthetic load report as JSON, for the CLI and browser checks and the screenshot in
// docs/benchmarks.md:
//   report_sample OUT.json [--seed N] [--rate R] [--duration S] [--host NAME] [--provider NAME]
// --provider renames the SMS series' first provider (a hostile name for the escaping checks).
#include "notify/report/load_report.hpp"
#include "sample_report.hpp"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

int main(int argc, char** argv) {
  using notify::report::testing::Recorder;
  using notify::report::testing::SampleOptions;
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: report_sample OUT.json [--seed N] [--rate R] [--duration S] "
                 "[--host NAME] [--provider NAME]\n");
    return 2;
  }
  SampleOptions options;
  std::string host = "driver-1", provider;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--seed") {
      options.seed = std::stoull(value);
    } else if (flag == "--rate") {
      options.rate = std::stod(value);
    } else if (flag == "--duration") {
      options.duration_s = std::stod(value);
    } else if (flag == "--host") {
      host = value;
    } else if (flag == "--provider") {
      provider = value;
    } else {
      std::fprintf(stderr, "report_sample: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  Recorder recorder(options, host);
  for (const auto& e : notify::report::testing::sample_events(options)) recorder.record(e);
  auto report = recorder.report();
  if (!provider.empty()) report.series.at(1).provider = provider;
  std::ofstream out(argv[1]);
  out << notify::report::to_json(report).dump() << "\n";
  return out ? 0 : 1;
}
