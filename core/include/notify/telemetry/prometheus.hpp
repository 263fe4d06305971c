// The core's metrics as a Prometheus scrape sees them: the text exposition format 0.0.4 of
// whatever a Metrics holds, today's OpenTelemetry instruments under their OTel-to-Prometheus
// names and Notify's older StatsD names as Prometheus' statsd_exporter maps them by default.
#pragma once

#include "notify/telemetry/metrics.hpp"

#include <string>
#include <string_view>

namespace notify::telemetry {

/// The Content-Type of the text exposition format.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

/// Every metric `metrics` holds, one family each: the OTel instruments as encode_prometheus
/// writes them, then the StatsD counters (TYPE counter), timers (TYPE summary in seconds, `_sum`
/// and `_count`; the core keeps no quantiles) and gauges under statsd_prometheus_name. StatsD
/// names that map to one Prometheus name are added together (a gauge: the last in name order);
/// a name already taken by a family of another type is left out.
std::string prometheus_text(const Metrics& metrics);

/// statsd_exporter's default name for a StatsD metric: every character other than a letter, a
/// digit or '_' becomes '_', and a leading digit gets a '_' before it
/// ("clients.ses.request-time" -> "clients_ses_request_time").
std::string statsd_prometheus_name(std::string_view statsd_name);

}  // namespace notify::telemetry
