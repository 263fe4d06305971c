#include "stub_recorder.hpp"

#include "run_info.hpp"

namespace notify::load {

std::string stub_error_kind(const transport::SendResult& result) {
  if (!result) return result.error().message();
  if (result->status >= 200 && result->status < 300) return "";
  return "http " + std::to_string(result->status);
}

StubRecorder::StubRecorder(std::string channel, std::string provider, Time start, double interval_s)
    : start_(start), interval_s_(interval_s) {
  series_.channel = std::move(channel);
  series_.provider = std::move(provider);
}

report::Interval& StubRecorder::interval_at(Time t) {
  return load::interval_at(timeline_, start_, interval_s_, t);
}

void StubRecorder::arrived(Time due) {
  ++series_.arrivals;
  ++interval_at(due).arrivals;
}

void StubRecorder::answered(Time due, Time now, const transport::SendResult& result) {
  auto& interval = interval_at(now);
  std::string kind = stub_error_kind(result);
  if (!kind.empty()) return failed(now, kind);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - due).count();
  series_.dispatch.record(us);
  ++series_.accepted;
  interval.dispatch.record(us);
  ++interval.accepted;
}

void StubRecorder::failed(Time now, const std::string& kind) {
  // A failed operation has no dispatch latency: like a notification the core could not send, it
  // is counted, by kind, and kept out of the percentiles.
  ++series_.failed;
  ++series_.errors[kind];
  ++interval_at(now).errors;
}

Progress StubRecorder::progress(Time now, std::int64_t total) const {
  Progress p;
  p.elapsed_s = std::chrono::duration<double>(now - start_).count();
  p.arrivals = series_.arrivals;
  p.total = total;
  p.rate = p.elapsed_s > 0 ? static_cast<double>(series_.arrivals) / p.elapsed_s : 0;
  p.accepted = series_.accepted;
  p.p99_us = series_.dispatch.percentile(99);
  p.errors = series_.failed;
  return p;
}

void StubRecorder::fill(report::LoadReport& report) {
  series_.unfinished = open();
  report.series.push_back(std::move(series_));
  report.interval_s = interval_s_;
  report.timeline = std::move(timeline_);
}

}  // namespace notify::load
