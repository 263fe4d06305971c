#include "svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace notify::report::svg {
namespace {

constexpr double kLeft = 88, kRight = 40, kTop = 36, kBottom = 50;
// The legend: a swatch and its gap before each name, the gap between entries, a row's height,
// and the room kept free at the chart's left edge.
constexpr double kSwatch = 26, kLegendGap = 22, kLegendRow = 18, kLegendMargin = 8;
constexpr const char* kAxisColour = "#505a5f";
constexpr const char* kGridColour = "#e5e7e8";
constexpr const char* kFont =
    "font-family=\"system-ui, -apple-system, 'Segoe UI', Arial, sans-serif\"";

std::string num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

// A tick label with no more digits than the step between ticks needs.
std::string tick_text(double v, double step) {
  int decimals = 0;
  while (decimals < 6 &&
         std::abs(step * std::pow(10, decimals) - std::round(step * std::pow(10, decimals))) > 1e-6)
    ++decimals;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

// 1, 2 or 5 times a power of ten, so that about `target` steps cover `range`.
double nice_step(double range, int target) {
  if (range <= 0) return 1;
  const double rough = range / target;
  const double magnitude = std::pow(10, std::floor(std::log10(rough)));
  const double f = rough / magnitude;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
}

// A latency tick on the log axis in the unit its magnitude calls for: "2 ms", "100 µs", "1 s".
std::string latency_tick(double us) {
  char buffer[32];
  const char* unit = "µs";
  if (us >= 1'000'000) {
    us /= 1'000'000;
    unit = "s";
  } else if (us >= 1000) {
    us /= 1000;
    unit = "ms";
  }
  std::snprintf(buffer, sizeof buffer, "%g %s", us, unit);
  return buffer;
}

// 0%, 90%, 99%, 99.9%, 99.99%, ...
std::string nines_label(int n) {
  if (n == 0) return "0%";
  if (n == 1) return "90%";
  return "99" + (n > 2 ? "." + std::string(static_cast<std::size_t>(n - 2), '9') : "") + "%";
}

// Roughly how wide `text` is at 13 px in a sans-serif font, erring wide: enough to keep legend
// entries apart without measuring glyphs.
double text_width(std::string_view text) {
  double w = 0;
  for (char c : text) {
    if (std::string_view("mwMW@").find(c) != std::string_view::npos) {
      w += 11.5;
    } else if (std::string_view("iljtfr.,:;/|!' ").find(c) != std::string_view::npos) {
      w += 5;
    } else if (c >= 'A' && c <= 'Z') {
      w += 9.5;
    } else {
      w += 8;
    }
  }
  return w;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render(const Chart& chart) {
  const double w = chart.width, h = chart.height;
  const double plot_w = w - kLeft - kRight;

  // The legend goes above the plot, right-aligned, in as many rows as its names need: a
  // percentile chart with a curve per channel and provider is wider than the plot, and one row
  // of it would run off the left edge. Each row is filled in the lines' order; the plot moves
  // down by the extra rows.
  std::vector<std::vector<const Line*>> legend_rows(1);
  double row_width = 0;
  for (const auto& line : chart.lines) {
    const double item = kSwatch + text_width(line.name);
    if (!legend_rows.back().empty() && row_width + kLegendGap + item > w - kLegendMargin - kRight) {
      legend_rows.emplace_back();
      row_width = 0;
    }
    row_width += (legend_rows.back().empty() ? 0 : kLegendGap) + item;
    legend_rows.back().push_back(&line);
  }
  const double top = kTop + kLegendRow * static_cast<double>(legend_rows.size() - 1);
  const double plot_h = h - top - kBottom;

  // The data's extent; an empty chart still gets axes, from 0 to 1.
  double x_max = 0, y_max = 0;
  bool any = false;
  for (const auto& line : chart.lines)
    for (const auto& [x, y] : line.points) {
      x_max = std::max(x_max, x);
      y_max = std::max(y_max, y);
      any = true;
    }

  // y: a rate on a linear axis from 0, or latencies on a log axis from the decade below the
  // smallest to the decade above the largest, so a p50 of milliseconds and a max of seconds are
  // both readable.
  const bool y_log = chart.y_unit == YUnit::kLatencyUs;
  double y_step = 1, y_top = 1, log_low = 0, log_high = 1;
  if (y_log) {
    double y_min = 0;
    for (const auto& line : chart.lines)
      for (const auto& [x, y] : line.points)
        if (y >= 1 && (y_min == 0 || y < y_min)) y_min = y;
    log_low = y_min >= 1 ? std::floor(std::log10(y_min)) : 0;
    log_high = std::max(log_low + 1, std::ceil(std::log10(std::max(1.0, y_max)) - 1e-9));
  } else {
    y_step = nice_step(y_max > 0 ? y_max : 1, 5);
    y_top = std::max(y_step, std::ceil(y_max / y_step - 1e-9) * y_step);
  }
  const std::string y_unit = y_log ? "log scale" : "/s";

  // x: seconds on a linear axis, or percentiles placed by their nines, -log10(1 - p/100).
  const int nines = std::max(1, chart.nines);
  double x_top = 0, x_step = 1;
  if (chart.x_scale == XScale::kSeconds) {
    x_step = nice_step(x_max > 0 ? x_max : 1, 8);
    x_top = std::max(x_step, std::ceil(x_max / x_step - 1e-9) * x_step);
  } else {
    x_top = nines;
  }
  auto x_of = [&](double x) {
    if (chart.x_scale == XScale::kNines) {
      const double rest = std::max(1.0 - x / 100.0, std::pow(10.0, -nines));
      x = -std::log10(rest);
    }
    return kLeft + std::clamp(x / x_top, 0.0, 1.0) * plot_w;
  };
  auto y_fraction = [&](double y) {
    if (!y_log) return y / y_top;
    return (std::log10(std::max(y, 1.0)) - log_low) / (log_high - log_low);
  };
  auto y_of = [&](double y) { return top + plot_h - std::clamp(y_fraction(y), 0.0, 1.0) * plot_h; };

  std::string s;
  s += "<svg class=\"chart\" viewBox=\"0 0 " + num(w) + " " + num(h) +
       "\" role=\"img\" aria-label=\"" + escape(chart.title) + "\" " + kFont +
       " font-size=\"13\">\n";
  s += "<rect x=\"0\" y=\"0\" width=\"" + num(w) + "\" height=\"" + num(h) +
       "\" fill=\"#ffffff\"/>\n";

  // Horizontal grid lines and y tick values: on the log axis every decade, and 2 and 5 times
  // it as well while there are few decades.
  auto y_tick = [&](double value, const std::string& label) {
    const double y = y_of(value);
    s += "<line x1=\"" + num(kLeft) + "\" y1=\"" + num(y) + "\" x2=\"" + num(kLeft + plot_w) +
         "\" y2=\"" + num(y) + "\" stroke=\"" + kGridColour + "\"/>\n";
    s += "<text x=\"" + num(kLeft - 8) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\" fill=\"" +
         kAxisColour + "\">" + label + "</text>\n";
  };
  if (y_log) {
    const bool minor = log_high - log_low <= 3;
    for (double e = log_low; e <= log_high + 0.5; ++e) {
      const double decade = std::pow(10.0, e);
      y_tick(decade, escape(latency_tick(decade)));
      if (minor && e < log_high - 0.5)
        for (double m : {2.0, 5.0}) y_tick(m * decade, escape(latency_tick(m * decade)));
    }
  } else {
    for (double v = 0; v <= y_top + y_step / 2; v += y_step) y_tick(v, tick_text(v, y_step));
  }
  // Vertical grid lines and x tick values.
  if (chart.x_scale == XScale::kSeconds) {
    for (double v = 0; v <= x_top + x_step / 2; v += x_step) {
      const double x = kLeft + v / x_top * plot_w;
      s += "<line x1=\"" + num(x) + "\" y1=\"" + num(top) + "\" x2=\"" + num(x) + "\" y2=\"" +
           num(top + plot_h) + "\" stroke=\"" + kGridColour + "\"/>\n";
      s += "<text x=\"" + num(x) + "\" y=\"" + num(top + plot_h + 18) +
           "\" text-anchor=\"middle\" fill=\"" + kAxisColour + "\">" + tick_text(v, x_step) +
           "</text>\n";
    }
  } else {
    for (int n = 0; n <= nines; ++n) {
      const double x = kLeft + n / x_top * plot_w;
      s += "<line x1=\"" + num(x) + "\" y1=\"" + num(top) + "\" x2=\"" + num(x) + "\" y2=\"" +
           num(top + plot_h) + "\" stroke=\"" + kGridColour + "\"/>\n";
      s += "<text x=\"" + num(x) + "\" y=\"" + num(top + plot_h + 18) +
           "\" text-anchor=\"middle\" fill=\"" + kAxisColour + "\">" + nines_label(n) + "</text>\n";
    }
  }

  // Axes and their labels.
  s += "<line x1=\"" + num(kLeft) + "\" y1=\"" + num(top + plot_h) + "\" x2=\"" +
       num(kLeft + plot_w) + "\" y2=\"" + num(top + plot_h) + "\" stroke=\"" + kAxisColour +
       "\"/>\n";
  s += "<line x1=\"" + num(kLeft) + "\" y1=\"" + num(top) + "\" x2=\"" + num(kLeft) + "\" y2=\"" +
       num(top + plot_h) + "\" stroke=\"" + kAxisColour + "\"/>\n";
  s += "<text x=\"" + num(kLeft + plot_w / 2) + "\" y=\"" + num(h - 10) +
       "\" text-anchor=\"middle\" fill=\"#0b0c0c\">" + escape(chart.x_label) + "</text>\n";
  const double y_mid = top + plot_h / 2;
  s += "<text x=\"16\" y=\"" + num(y_mid) + "\" text-anchor=\"middle\" fill=\"#0b0c0c\" " +
       "transform=\"rotate(-90 16 " + num(y_mid) + ")\">" + escape(chart.y_label) + " (" +
       escape(y_unit) + ")</text>\n";

  if (!any) {
    s += "<text x=\"" + num(kLeft + plot_w / 2) + "\" y=\"" + num(y_mid) +
         "\" text-anchor=\"middle\" fill=\"" + kAxisColour + "\">no data</text>\n";
  }

  // The lines, then the legend above the plot, right-aligned.
  for (const auto& line : chart.lines) {
    if (line.points.empty()) continue;
    std::string points;
    for (const auto& [x, y] : line.points) points += num(x_of(x)) + "," + num(y_of(y)) + " ";
    s += "<polyline fill=\"none\" stroke=\"" + escape(line.colour) +
         "\" stroke-width=\"2\" stroke-linejoin=\"round\"" +
         (line.dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"" + points + "\"/>\n";
  }
  for (std::size_t row = 0; row < legend_rows.size(); ++row) {
    const double text_y = kTop - 14 + kLegendRow * static_cast<double>(row);
    double legend_x = kLeft + plot_w;
    const auto& items = legend_rows[row];
    for (auto it = items.rbegin(); it != items.rend(); ++it) {
      const Line& line = **it;
      const double text_x = legend_x - text_width(line.name);
      s += "<text x=\"" + num(legend_x) + "\" y=\"" + num(text_y) +
           "\" text-anchor=\"end\" fill=\"#0b0c0c\">" + escape(line.name) + "</text>\n";
      s += "<line x1=\"" + num(text_x - kSwatch) + "\" y1=\"" + num(text_y - 4) + "\" x2=\"" +
           num(text_x - 6) + "\" y2=\"" + num(text_y - 4) + "\" stroke=\"" + escape(line.colour) +
           "\" stroke-width=\"3\"" + (line.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n";
      legend_x = text_x - kSwatch - kLegendGap;
    }
  }
  s += "</svg>\n";
  return s;
}

}  // namespace notify::report::svg
