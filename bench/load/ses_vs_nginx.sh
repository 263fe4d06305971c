#!/usr/bin/env bash
# SES v1 SendEmail throughput and latency of `notify-sim serve` beside nginx answering a fixed
# 200, on this machine, in one run: wrk, 64 keep-alive connections, 2 threads, DURATION seconds
# each (default 10). Both servers bind 127.0.0.1 on free ports and are stopped on exit.
#   bash bench/load/ses_vs_nginx.sh [path/to/notify-sim]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/scenarios/cli/notify-sim}
duration=${DURATION:-10}
command -v wrk >/dev/null && command -v nginx >/dev/null || {
  echo "needs wrk and nginx: apt-get install -y wrk nginx-light"; exit 2; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

"$bin" serve --config "$root/bench/load/unlimited.json" --port 0 --admin-port 0 \
  --ready-file "$tmp/ready.json" >"$tmp/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$tmp/ready.json" ] && break; sleep 0.05; done
edge=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["edge_url"])' "$tmp/ready.json")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/nginx.conf" <<NGINX
worker_processes 1;
error_log $tmp/nginx-error.log;
pid $tmp/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp;
  server {
    listen 127.0.0.1:$port;
    location / { return 200 '<SendEmailResponse><SendEmailResult><MessageId>x</MessageId></SendEmailResult></SendEmailResponse>'; }
  }
}
NGINX
nginx -c "$tmp/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done

echo "== notify-sim serve, SES v1 SendEmail ($edge)"
wrk -t2 -c64 -d"${duration}s" --latency -s "$root/bench/load/send_email.lua" "$edge/"
echo "== nginx, fixed 200 (http://127.0.0.1:$port)"
wrk -t2 -c64 -d"${duration}s" --latency -s "$root/bench/load/send_email.lua" "http://127.0.0.1:$port/"
