#!/usr/bin/env bash
# Memory of `notify-sim serve` under sustained SES v1 SendEmail load, with the default journal
# capacity (only SES's send limits are turned off). wrk drives it for DURATION seconds (default
# 600) with 64 keep-alive connections; RSS is read from /proc/PID/status every INTERVAL seconds
# (default 10) and printed as CSV with the request count so far. Exits 1 when RSS ever exceeds
# LIMIT_MB (default 64) or grows by more than GROWTH_MB (default 4) from the first sample after
# WARMUP seconds (default 30) to the last, i.e. when memory is not flat.
#   bash bench/load/rss_soak.sh [path/to/notify-sim]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/scenarios/cli/notify-sim}
duration=${DURATION:-600}
interval=${INTERVAL:-10}
limit_mb=${LIMIT_MB:-64}
growth_mb=${GROWTH_MB:-4}
warmup=${WARMUP:-30}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk"; exit 2; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

echo '{"stubs": {"ses": {"max_send_rate": 0, "max_24_hour_send": -1}}}' >"$tmp/config.json"
source "$root/bench/load/lib.sh"
start_notify_sim "$bin" "$tmp/config.json"
serve=$notify_sim_pid
edge=$notify_sim_url
admin=$notify_sim_admin_url

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$serve/status"; }
requests() {
  curl -s "$admin/metrics" | awk '/^notify_sim_requests_total\{service="ses"\}/ {print $2}'
}

wrk -t2 -c64 -d"${duration}s" --latency -s "$root/bench/load/send_email.lua" "$edge/" \
  >"$tmp/wrk.out" 2>&1 &
load=$!
pids+=("$load")

echo "seconds,rss_kb,requests"
start=$(date +%s)
max_kb=0
warm_kb=
last_kb=
while :; do
  now=$(($(date +%s) - start))
  kb=$(rss_kb)
  echo "$now,$kb,$(requests)"
  ((kb > max_kb)) && max_kb=$kb
  [ -z "$warm_kb" ] && ((now >= warmup)) && warm_kb=$kb
  last_kb=$kb
  kill -0 "$load" 2>/dev/null || break
  sleep "$interval"
done
wait "$load" || true
kb=$(rss_kb)
echo "$(($(date +%s) - start)),$kb,$(requests)"
((kb > max_kb)) && max_kb=$kb
last_kb=$kb

echo
grep -E "requests in|Requests/sec|Latency  |99%" "$tmp/wrk.out" || cat "$tmp/wrk.out"
total=$(requests)
warm_text=
[ -n "$warm_kb" ] && warm_text=", after warm-up $((warm_kb / 1024)) MB"
echo "requests journaled: $total; RSS max $((max_kb / 1024)) MB (limit $limit_mb MB)$warm_text," \
  "last $((last_kb / 1024)) MB"
status=0
if ((max_kb > limit_mb * 1024)); then
  echo "FAIL: RSS exceeded $limit_mb MB"
  status=1
fi
if [ -n "$warm_kb" ] && ((last_kb - warm_kb > growth_mb * 1024)); then
  echo "FAIL: RSS grew by $(((last_kb - warm_kb) / 1024)) MB after warm-up (allowed $growth_mb MB)"
  status=1
fi
exit $status
