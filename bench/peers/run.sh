#!/usr/bin/env bash
# notify-sim's SES stub beside its peers, measured in one run on this machine: notify-sim serve
# (SES limits off), aws-ses-v2-local (installed from npm into a temporary directory) and nginx
# answering a fixed 200 (one worker, keepalive_requests 1000000; installed with apt-get when
# missing and allowed). Each gets the same SES v1 SendEmail form POST at "/" from wrk (2 threads,
# 64 keep-alive connections, DURATION seconds, default 10, after a 2 s warm-up), ROUNDS times in
# turn (default 1). Prints requests/s, p50, p99, server CPU per request, RSS, and the ratios to
# nginx and to aws-ses-v2-local. Nothing is left behind: the peers live in a temporary
# directory removed on exit.
#   bash bench/peers/run.sh [path/to/notify-sim]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/scenarios/cli/notify-sim}
for tool in wrk npm node curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool"; exit 2; }
done
if ! command -v nginx >/dev/null; then
  apt-get install -y nginx-light >/dev/null || { echo "needs nginx: apt-get install -y nginx-light"; exit 2; }
fi
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
source "$root/bench/load/lib.sh"

# aws-ses-v2-local refuses a request without an Authorization header starting with "AWS" (it
# checks nothing else); notify-sim accepts a well-formed one without verifying it unless
# strict. Every server gets the same request, header included.
script="$tmp/send_email.lua"
cat "$root/bench/load/send_email.lua" >"$script"
cat >>"$script" <<'LUA'
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-2/ses/aws4_request, SignedHeaders=content-type;host, Signature=0000"
LUA

echo "installing aws-ses-v2-local into $tmp/peer ..." >&2
mkdir -p "$tmp/peer"
(cd "$tmp/peer" && npm install --no-audit --no-fund --silent aws-ses-v2-local >/dev/null)
peer_version=$(node -p "require('$tmp/peer/node_modules/aws-ses-v2-local/package.json').version")
peer_port=$(free_port)
"$tmp/peer/node_modules/.bin/aws-ses-v2-local" --host 127.0.0.1 --port "$peer_port" \
  >"$tmp/peer.log" 2>&1 &
peer_pid=$!
pids+=("$peer_pid")
peer_url="http://127.0.0.1:$peer_port"
for _ in $(seq 1 200); do curl -s -o /dev/null "$peer_url/health-check" && break; sleep 0.05; done

start_notify_sim "$bin" "$root/bench/load/unlimited.json"
start_nginx

# One request each first, so a peer that does not take the request fails loudly, not as a
# fast stream of errors.
body=$(python3 -c 'import re, sys; s = open(sys.argv[1]).read(); s = s[s.index("wrk.body"):]
print("".join(re.findall(r"\"([^\"]*)\"", s)))' "$root/bench/load/send_email.lua")
for url in "$notify_sim_url" "$peer_url" "$nginx_url"; do
  code=$(curl -s -o "$tmp/answer" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-2/ses/aws4_request, SignedHeaders=content-type;host, Signature=0000' \
    --data "$body" "$url/")
  if [ "$code" != 200 ]; then
    echo "$url answered $code to SES v1 SendEmail:"; cat "$tmp/answer"; exit 1
  fi
done

results="$tmp/results"
for _ in $(seq 1 "${ROUNDS:-1}"); do
  run_wrk notify-sim "$notify_sim_pid" "$notify_sim_url" "$script" | tee -a "$results" >/dev/null
  run_wrk aws-ses-v2-local "$peer_pid" "$peer_url" "$script" | tee -a "$results" >/dev/null
  run_wrk nginx "$nginx_pid" "$nginx_url" "$script" | tee -a "$results" >/dev/null
done

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c64" \
  "-d${DURATION:-10}s; aws-ses-v2-local $peer_version; $(nginx -v 2>&1)"
python3 - "$results" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
print(f"{'server':<18}{'req/s':>9}{'p50':>10}{'p99':>10}{'cpu us/req':>12}{'RSS MB':>8}"
      f"{'x nginx':>9}{'x peer':>9}")
by = {}
for name, rate, p50, p99, cpu, rss in rows:
    by.setdefault(name, []).append(float(rate))
for i, (name, rate, p50, p99, cpu, rss) in enumerate(rows):
    # Ratios against the same round's nginx and aws-ses-v2-local.
    r = i // 3
    nginx = float(rows[r * 3 + 2][1]); peer = float(rows[r * 3 + 1][1])
    print(f"{name:<18}{float(rate):>9.0f}{p50:>10}{p99:>10}{cpu:>12}{rss:>8}"
          f"{float(rate) / nginx:>9.2f}{float(rate) / peer:>9.1f}")
PY
