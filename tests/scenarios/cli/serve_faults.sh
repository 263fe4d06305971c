#!/usr/bin/env bash
# notify-sim serve end to end: a fault rule added through the control API changes what the
# next request gets (a refuse rule is a real refused TCP connection), and removing it restores
# service. Every wait is bounded; the server is stopped on exit.
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
"$bin" serve --port 0 --admin-port 0 --ready-file "$tmp/ready.json" >"$tmp/out.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out.log"; exit 1; }

for _ in $(seq 1 200); do [ -s "$tmp/ready.json" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.05; done
[ -s "$tmp/ready.json" ] || fail "serve did not become ready"
# SES's own listener: a refuse rule for the whole service closes it. The shared edge stays open
# while other services on it (Firetext, MMG) are not refused.
edge=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["listeners"]["ses"])' "$tmp/ready.json")
shared=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["edge_url"])' "$tmp/ready.json")
admin=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin_url"])' "$tmp/ready.json")
# SES's own listener: the shared edge also serves the other stubs, so a rule refusing SES alone
# closes this port and answers SES requests on the shared edge by closing the connection.
ses=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["listeners"]["ses"])' "$tmp/ready.json")

send() {
  curl -s -m 5 -o "$tmp/body" -w '%{http_code}' -X POST "${1:-$edge}/" \
    -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' \
    --data 'Action=SendEmail&Version=2010-12-01&Source=a%40example.com&Destination.ToAddresses.member.1=b%40example.com&Message.Subject.Data=Hi&Message.Body.Text.Data=Hello'
}

code=$(send); [ "$code" = 200 ] || fail "first send answered $code"
grep -q '<MessageId>' "$tmp/body" || fail "no MessageId: $(cat "$tmp/body")"

curl -s -m 5 -f -X POST "$admin/faults" -H 'Content-Type: application/json' \
  --data '{"id": "down", "match": {"service": "ses"}, "action": {"type": "refuse"}}' >/dev/null \
  || fail "adding the refuse rule failed"
send "$ses" >/dev/null; rc=$?
[ $rc -eq 7 ] || fail "with the refuse rule curl exited $rc, expected 7 (connection refused)"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$shared/api/sendsms/json" \
  --data 'apiKey=k&from=GOVUK&to=447700900123&message=Hi')
[ "$code" = 200 ] || fail "with SES refused, Firetext on the shared edge answered $code"

curl -s -m 5 -f -X DELETE "$admin/faults/down" >/dev/null || fail "deleting the rule failed"
code=$(send "$ses"); [ "$code" = 200 ] || fail "after removing the rule the send answered $code"

curl -s -m 5 -f -X POST "$admin/faults" -H 'Content-Type: application/json' \
  --data '{"id": "slow-down", "match": {"service": "ses"}, "action": {"type": "error", "name": "ses.throttling"}, "trigger": {"first": 1}}' >/dev/null \
  || fail "adding the throttling rule failed"
code=$(send); [ "$code" = 400 ] || fail "throttled send answered $code"
grep -q '<Code>Throttling</Code>' "$tmp/body" || fail "no Throttling code: $(cat "$tmp/body")"
code=$(send); [ "$code" = 200 ] || fail "the rule fires only for the first request; got $code"

curl -s -m 5 "$admin/journal?service=ses" | grep -q '"outcome"' || fail "journal query"
curl -s -m 5 "$admin/metrics" | grep -q 'notify_sim_requests_total' || fail "metrics"
# SIGTERM stops the server cleanly, with exit code 0, within a bounded wait.
kill -TERM $pid
for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
kill -0 $pid 2>/dev/null && fail "serve still running 5 s after SIGTERM"
wait $pid; rc=$?
[ $rc -eq 0 ] || fail "serve exited $rc after SIGTERM"
echo "serve: refuse, restore and provider error faults behave as documented; SIGTERM stops it"
