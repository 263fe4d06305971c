#!/usr/bin/env bash
# Throughput and latency of the Firetext and MMG stubs beside the SES stub, in one run of
# `notify-sim serve` (SES limits off; no receipt or event URLs, so only the sends are measured):
# wrk, 2 threads, 64 keep-alive connections, DURATION seconds each (default 10), one after
# the other on the shared edge port.
#   bash bench/load/sms_vs_ses.sh [path/to/notify-sim]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/scenarios/cli/notify-sim}
duration=${DURATION:-10}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk"; exit 2; }
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

"$bin" serve --config "$root/bench/load/unlimited.json" --port 0 --admin-port 0 \
  --ready-file "$tmp/ready.json" >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do [ -s "$tmp/ready.json" ] && break; sleep 0.05; done
edge=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["edge_url"])' "$tmp/ready.json")

echo "== SES v1 SendEmail ($edge/)"
wrk -t2 -c64 -d"${duration}s" --latency -s "$root/bench/load/send_email.lua" "$edge/"
echo "== Firetext send ($edge/api/sendsms/json)"
wrk -t2 -c64 -d"${duration}s" --latency -s "$root/bench/load/send_firetext.lua" "$edge/api/sendsms/json"
echo "== MMG send ($edge/jsonv2a/api.php)"
wrk -t2 -c64 -d"${duration}s" --latency -s "$root/bench/load/send_mmg.lua" "$edge/jsonv2a/api.php"
