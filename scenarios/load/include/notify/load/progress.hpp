// What a load run prints: one progress line rewritten in place (only on a terminal; nothing of it
// reaches a pipe or a file), and the summary table printed at the end whatever the output is.
#pragma once

#include "notify/load/core_load.hpp"
#include "notify/report/load_report.hpp"

#include <cstdio>
#include <string>

namespace notify::load {

class ProgressLine {
 public:
  /// `tty`: whether `out` is a terminal (isatty). When false, nothing is ever written.
  ProgressLine(std::FILE* out, bool tty) : out_(out), tty_(tty) {}
  /// Rewrites the line with "\r".
  void update(const Progress& p);
  /// Ends the line, when one was written, so the summary starts on a line of its own.
  void finish();

 private:
  std::FILE* out_;
  bool tty_;
  bool written_ = false;
};

/// The progress line's text, without "\r".
std::string progress_text(const Progress& p);

/// The summary: asked and achieved rate, then one row per channel and provider with counts and
/// p50/p99/p99.9/max dispatch latency (ms), and the end-to-end p50/p99 where receipts arrived.
std::string summary_text(const report::LoadReport& report);

}  // namespace notify::load
