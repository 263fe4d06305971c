#!/usr/bin/env bash
# SES v1 SendEmail throughput and latency of `notify-sim serve` beside nginx answering a fixed
# 200 (one worker, keepalive_requests 1000000), on this machine, in one run: wrk, 64 keep-alive
# connections, 2 threads, DURATION seconds each (default 10), ROUNDS alternations (default 1).
# Both servers bind 127.0.0.1 on free ports and are stopped on exit. Columns: requests/s,
# p50, p99, server CPU time per request (µs; steadier than requests/s on a shared machine) and
# server RSS (MB).
#   bash bench/load/ses_vs_nginx.sh [path/to/notify-sim]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/scenarios/cli/notify-sim}
command -v wrk >/dev/null && command -v nginx >/dev/null || {
  echo "needs wrk and nginx: apt-get install -y wrk nginx-light"; exit 2; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
source "$root/bench/load/lib.sh"

start_notify_sim "$bin" "$root/bench/load/unlimited.json"
start_nginx
script="$root/bench/load/send_email.lua"
echo "server req/s p50 p99 cpu_us/req rss_mb"
for _ in $(seq 1 "${ROUNDS:-1}"); do
  run_wrk notify-sim "$notify_sim_pid" "$notify_sim_url" "$script"
  run_wrk nginx "$nginx_pid" "$nginx_url" "$script"
done
