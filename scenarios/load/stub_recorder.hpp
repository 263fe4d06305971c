// What a stub load run records: one series for its operation, a timeline, and the progress
// line's figures. Each operation (one request, or a chain of them) is one attempt with no retry,
// so the recorder needs nothing per operation: its latency is counted when its last answer
// arrives, from the due time the operation carried.
#pragma once

#include "notify/load/core_load.hpp"
#include "notify/report/load_report.hpp"
#include "notify/transport/http.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace notify::load {

/// "" for a 2xx answer, "http 503" for any other status, the error's message for no answer
/// ("connection refused", "timed out waiting for the peer"): a failed request's kind in the
/// series' errors.
std::string stub_error_kind(const transport::SendResult& result);

class StubRecorder {
 public:
  using Time = std::chrono::steady_clock::time_point;

  StubRecorder(std::string channel, std::string provider, Time start, double interval_s);

  /// A request, sent now; `due` is when it was scheduled.
  void arrived(Time due);
  /// Its answer (or the lack of one) at `now`.
  void answered(Time due, Time now, const transport::SendResult& result);
  /// An operation that ended at `now` as a failure of `kind` on a 2xx answer.
  void failed(Time now, const std::string& kind);

  /// Requests sent and not yet answered.
  std::int64_t open() const { return series_.arrivals - series_.accepted - series_.failed; }
  Progress progress(Time now, std::int64_t total) const;

  /// Moves the series and timeline into the report; what is still open counts as unfinished.
  void fill(report::LoadReport& report);

 private:
  report::Interval& interval_at(Time t);

  Time start_;
  double interval_s_;
  report::Series series_;
  std::vector<report::Interval> timeline_;
};

}  // namespace notify::load
