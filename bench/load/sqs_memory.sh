#!/usr/bin/env bash
# Memory of `notify-sim serve`'s SQS stub with a million messages sent and consumed, then with a
# backlog held at the queue's limit. notify-sim's own load driver runs against the served stub:
#   1. COUNT (default 1000000) sqs-cycle operations, each a SendMessage, a ReceiveMessage and a
#      DeleteMessage on the queue "load", at RATE operations per second (default 2000);
#   2. BACKLOG (default 150000) sqs-send with nobody consuming, into a queue whose
#      queue_messages_max is LIMIT (default 100000): the first LIMIT are kept, the rest are
#      refused with OverLimit, so the backlog, and memory with it, stops at the limit;
#   3. PurgeQueue.
# RSS is read from /proc/PID/status: at start, after each phase, at the end, and the peak
# (VmHWM). Prints one line per phase and a summary; exits 1 when a phase's operations did not all
# succeed as expected.
#   bash bench/load/sqs_memory.sh [path/to/notify-sim]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/scenarios/cli/notify-sim}
count=${COUNT:-1000000}
rate=${RATE:-2000}
backlog=${BACKLOG:-150000}
limit=${LIMIT:-100000}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

cat >"$tmp/config.json" <<JSON
{"stubs": {"sqs": {"queues": ["ses-callbacks", "load"], "queue_messages_max": $limit}}}
JSON
source "$root/bench/load/lib.sh"
start_notify_sim "$bin" "$tmp/config.json"
serve=$notify_sim_pid
edge=$notify_sim_url
admin=$notify_sim_admin_url

mb() { awk -v k="$1" '/^'"$1"':/ {printf "%.1f", $2 / 1024}' "/proc/$serve/status"; }
# The queue "load" as GET /state shows it.
queue() {
  curl -s "$admin/state" | python3 -c '
import json, sys
q = [q for q in json.load(sys.stdin)["sqs"]["queues"] if q["name"] == "load"][0]
print("held %d (visible %d, in flight %d), sent %d, deleted %d, %d bytes" % (
    q["visible"] + q["in_flight"] + q["delayed"], q["visible"], q["in_flight"], q["sent"],
    q["deleted"], q["bytes"]))'
}
# load OPERATION COUNT: the driver against the served stub; its JSON report in $tmp/OPERATION.json.
load() {
  AWS_ENDPOINT_URL=$edge NOTIFY_SIM_ADMIN_URL=$admin "$bin" load --target stub --operation "$1" \
    --count "$2" --rate "$rate" --connections 16 --json "$tmp/$1.json" >"$tmp/$1.out" 2>&1 || true
  python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["series"][0]
d = s["dispatch"]
print("%d accepted, %d failed %s, unfinished %d" % (s["accepted"], s["failed"],
      json.dumps(s.get("errors", {})), s.get("unfinished", 0)))' "$tmp/$1.json"
}

echo "RSS at start: $(mb VmRSS) MB"
t0=$(date +%s)
cycle=$(load sqs-cycle "$count")
t1=$(date +%s)
echo "1. $count sqs-cycle at $rate/s in $((t1 - t0)) s: $cycle"
echo "   queue load: $(queue)"
echo "   RSS $(mb VmRSS) MB, peak so far $(mb VmHWM) MB"
send=$(load sqs-send "$backlog")
echo "2. $backlog sqs-send, nobody consuming, queue_messages_max $limit: $send"
echo "   queue load: $(queue)"
echo "   RSS $(mb VmRSS) MB, peak so far $(mb VmHWM) MB"
curl -s -o /dev/null -X POST "$edge/" -H 'Content-Type: application/x-amz-json-1.0' \
  -H 'X-Amz-Target: AmazonSQS.PurgeQueue' -d "{\"QueueUrl\": \"$edge/123456789012/load\"}"
echo "3. PurgeQueue; queue load: $(queue)"
echo "RSS at end: $(mb VmRSS) MB; peak (VmHWM): $(mb VmHWM) MB"

status=0
case "$cycle" in "$count accepted, 0 failed"*) ;; *) echo "FAIL: not every cycle succeeded"; status=1 ;; esac
expected_refused=$((backlog > limit ? backlog - limit : 0))
case "$send" in
  "$((backlog - expected_refused)) accepted, $expected_refused failed"*) ;;
  *) echo "FAIL: expected $((backlog - expected_refused)) sends kept and $expected_refused refused"; status=1 ;;
esac
exit $status
