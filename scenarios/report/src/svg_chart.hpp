// Line charts as inline SVG, for the HTML load report: no script and no network, axes with tick
// values and labels, latencies in the unit their magnitude calls for.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notify::report::svg {

/// &, <, >, " and ' as entities: safe in HTML and SVG text and in quoted attributes.
std::string escape(std::string_view text);

struct Line {
  std::string name;                               // in the legend
  std::string colour;                             // "#1d70b8"
  std::vector<std::pair<double, double>> points;  // (x, y) in the chart's units
  bool dashed = false;
};

enum class XScale {
  kSeconds,  // x is seconds since the run's start
  kNines,    // x is a percentile in [0, 100], drawn on a log axis: 0, 90, 99, 99.9, ...
};

enum class YUnit {
  kLatencyUs,  // y is microseconds; the axis reads µs, ms or s
  kPerSecond,  // y is a rate
};

struct Chart {
  std::string title;  // for screen readers
  std::string x_label;
  std::string y_label;  // without the unit, which the chart adds
  XScale x_scale = XScale::kSeconds;
  YUnit y_unit = YUnit::kPerSecond;
  std::vector<Line> lines;
  /// For kNines: how many nines the axis reaches (2: up to 99%).
  int nines = 3;
  int width = 960;
  int height = 300;
};

/// One <svg> element.
std::string render(const Chart& chart);

}  // namespace notify::report::svg
