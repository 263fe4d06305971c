// notify-sim report: merge the JSON reports of several load drivers, re-render a saved report as
// HTML, and compare a run against a baseline. Every problem with an input is one line naming the
// file and exit code 2; a regression found by compare is exit code 1.
#include "commands.hpp"
#include "notify/report/load_report.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace notify::cli {
namespace {

// A bad input, already phrased for a person: "a.json: not valid JSON: ...".
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

report::LoadReport read_report(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read it: " + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw InputError(path + ": not valid JSON");
  try {
    return report::from_json(j);
  } catch (const std::invalid_argument& e) {
    throw InputError(path + ": " + e.what());
  }
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw InputError(path + ": cannot write it: " + std::strerror(errno));
}

std::string summary(const report::LoadReport& r) {
  std::int64_t arrivals = 0;
  for (const auto& s : r.series) arrivals += s.arrivals;
  char rates[96];
  std::snprintf(rates, sizeof rates, "achieved %.1f/s of %.1f/s asked", r.run.achieved_rate,
                r.run.asked_rate);
  return std::to_string(arrivals) + " arrivals, " + rates + ", p99 dispatch " +
         report::format_latency_us(static_cast<double>(r.total_dispatch().percentile(99)));
}

// Runs `body`, turning a bad input into its one line and exit code 2.
template <typename F>
int guarded(const char* command, F&& body) {
  try {
    return body();
  } catch (const InputError& e) {
    std::fprintf(stderr, "notify-sim report %s: %s\n", command, e.what());
    return 2;
  }
}

}  // namespace

int report_merge(const ReportArgs& args) {
  return guarded("merge", [&] {
    if (args.inputs.empty()) throw InputError("no report to merge: give one or more JSON files");
    std::vector<report::LoadReport> reports;
    for (const auto& path : args.inputs) reports.push_back(read_report(path));
    report::LoadReport merged;
    try {
      merged = report::merge(reports);
    } catch (const std::invalid_argument& e) {
      // merge names its inputs "report 2 of 3"; a person knows them by their file names.
      std::string what = e.what();
      std::size_t index = 0;
      if (std::sscanf(what.c_str(), "report %zu of", &index) == 1 && index >= 1 &&
          index <= args.inputs.size())
        what = args.inputs[index - 1] + what.substr(what.find(':'));
      throw InputError(what);
    }
    if (args.json) write_file(*args.json, report::to_json(merged).dump() + "\n");
    if (args.html) write_file(*args.html, report::render_html(merged));
    if (!args.json && !args.html) {
      std::printf("%s\n", report::to_json(merged).dump().c_str());
    } else {
      std::printf("merged %zu reports: %s\n", reports.size(), summary(merged).c_str());
    }
    return 0;
  });
}

int report_html(const ReportArgs& args) {
  return guarded("html", [&] {
    if (args.inputs.size() != 1) throw InputError("expected one JSON report");
    if (!args.html) throw InputError("--html OUT is needed: where to write the page");
    const auto r = read_report(args.inputs.front());
    write_file(*args.html, report::render_html(r));
    std::printf("%s: %s\n", args.html->c_str(), summary(r).c_str());
    return 0;
  });
}

int report_compare(const ReportCompareArgs& args) {
  return guarded("compare", [&] {
    const auto baseline = read_report(args.baseline);
    const auto current = read_report(args.current);
    bool regressed = false;
    for (const auto& r : report::compare(baseline, current, args.max_regression_pct)) {
      std::printf("%s\n", report::describe(r).c_str());
      regressed = regressed || r.regressed;
    }
    return regressed ? 1 : 0;
  });
}

}  // namespace notify::cli
