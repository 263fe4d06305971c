#!/usr/bin/env bash
# Dispatch latency through the core, the figures docs/benchmarks.md reports: `notify-sim load`
# for email alone and the mixed workload at each rate, one run each, with a JSON report per run.
# Usage: [RATES="2000 3000 5000"] [DURATION=20] [OUT=dir] bash bench/load/dispatch_latency.sh [BIN]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/scenarios/cli/notify-sim}
rates=${RATES:-2000 3000 5000}
duration=${DURATION:-20}
out=${OUT:-$(mktemp -d)}
[ -x "$bin" ] || { echo "dispatch_latency.sh: $bin is not built (bash scripts/test.sh builds it)"; exit 2; }
mkdir -p "$out"

for mix in email=100 email=70,sms=29,broadcast=1; do
  for rate in $rates; do
    name="${mix%%=*}"
    [ "$mix" = email=100 ] || name=mixed
    echo "== $mix at $rate/s for $duration s (load average $(cut -d' ' -f1 /proc/loadavg))"
    # A run whose notifications did not all finish exits 0 still; the report says so.
    "$bin" load --rate "$rate" --duration "$duration" --mix "$mix" \
      --json "$out/$name-$rate.json" | grep -E '^(all|cpu:|rate:)'
  done
done
echo "reports in $out"
