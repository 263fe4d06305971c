// The run's OTLP metrics export: the periodic exporter's options from RunOptions, and the final
// export a run makes when it ends (the SDK's shutdown flush).
#pragma once

#include "notify/client/otlp_exporter.hpp"
#include "notify/scenarios/runner.hpp"
#include "notify/telemetry/metrics.hpp"

#include <string>

namespace notify::scenarios {

client::OtlpExporterOptions otlp_options(const RunOptions& options);

/// Posts the cumulative values of `metrics` since `start` to options.otlp_endpoint on a socket
/// of its own and waits for the answer (bounded by the exporter's 10 s time-outs). Returns ""
/// when the collector took it, else what went wrong; a failed export never fails the run.
std::string export_otlp_now(const telemetry::Metrics& metrics, const RunOptions& options,
                            runtime::TimePoint start, runtime::TimePoint now);

}  // namespace notify::scenarios
