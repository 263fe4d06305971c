#!/usr/bin/env bash
# What each command says and returns when something is wrong that is not a bad argument: an
# invalid document is exit 1, a load run that measured nothing is exit 1 with no figures made
# up, serve names the option of a port in use, prints addresses a client can reach, gives its
# seed exactly, and stops at once on SIGTERM, leaving no ready file. Every wait is bounded.
set -uo pipefail
bin=$(realpath "$1")
root=$(realpath "$2")
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Waits (at most 20 s) for serve's ready file.
wait_ready() {
  for _ in $(seq 200); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

cd "$tmp" || exit 1
samples=$root/tests/data/broadcast-xml/samples

# validate: a readable document that is not CAP 1.2 or IBAG is invalid (1), like any other.
"$bin" validate "$samples/google-no_optional_fields.cap.xml" >out 2>err
rc=$?
[ $rc -eq 1 ] || fail "validate of a CAP 1.1 document: exit $rc, want 1"
grep -q "^bad " out || fail "validate of a CAP 1.1 document printed no bad line: $(cat out)"
echo 'plain text, not XML' >not-xml.xml
"$bin" validate not-xml.xml >out 2>err
rc=$?
[ $rc -eq 1 ] || fail "validate of a text file named .xml: exit $rc, want 1"
"$bin" validate --profile uk "$samples" >out 2>err
rc=$?
[ $rc -eq 1 ] || fail "validate of the samples directory (one CAP 1.1): exit $rc, want 1"
"$bin" validate missing.xml >out 2>err
rc=$?
[ $rc -eq 2 ] || fail "validate of an unreadable file: exit $rc, want 2"

# load --target core: every notification failed (SES refuses each one for good) is exit 1, and
# the percentiles print as "-", not as a measured 0.000.
echo '{"faults": [{"match": {"service": "ses"}, "action": {"type": "error", "name": "ses.header_too_long"}}]}' >never.json
env -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_SES -u SES_STUB_URL -u NOTIFY_SIM_ADMIN_URL \
  timeout 120 "$bin" load --mix email=100 --count 20 --rate 200 --faults never.json \
  --drain-ms 2000 >out 2>err
rc=$?
[ $rc -eq 1 ] || fail "load with no notification accepted: exit $rc, want 1"
grep -q "no notification was accepted" err || fail "load did not say nothing was accepted: $(cat err)"
if grep -E '^all ' out | grep -q '0\.000'; then fail "load printed 0.000 percentiles: $(grep '^all' out)"; fi

# serve: the banner's exports include the control API, and with --bind 0.0.0.0 name loopback.
"$bin" serve --bind 0.0.0.0 --port 0 --admin-port 0 --ready-file ready.json --seed 18446744073709551557 \
  >banner 2>serve.err &
serve=$!
pids+=("$serve")
if ! wait_ready ready.json; then
  fail "serve wrote no ready file in 20 s"
else
  grep -q '^export NOTIFY_SIM_ADMIN_URL=http://127.0.0.1:' banner ||
    fail "no NOTIFY_SIM_ADMIN_URL export in the banner"
  if grep '^export' banner | grep -q '0\.0\.0\.0'; then fail "an export line names 0.0.0.0"; fi
  grep -q '^# listening on every interface' banner || fail "the banner does not say it listens on every interface"
  python3 - ready.json <<'PY' || fail "ready file: seed_string is not the exact seed"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["seed_string"] == "18446744073709551557", r.get("seed_string")
assert "0.0.0.0" not in json.dumps(r["env"]), r["env"]
PY
  # A port in use is named by its option.
  port=$(python3 -c 'import json; print(json.load(open("ready.json"))["edge_url"].rsplit(":", 1)[1])')
  timeout 20 "$bin" serve --port "$port" --admin-port 0 >out 2>err
  rc=$?
  [ $rc -eq 2 ] || fail "serve on a port in use: exit $rc, want 2"
  [ "$(wc -l <err)" -eq 1 ] && grep -q -- "notify-sim serve: --port $port: " err ||
    fail "serve on a port in use did not name --port in one line: $(cat err)"
  # SIGTERM: stops within 5 s, exit 0, the ready file gone.
  kill -TERM "$serve"
  stopped=0
  for _ in $(seq 50); do
    if ! kill -0 "$serve" 2>/dev/null; then stopped=1; break; fi
    sleep 0.1
  done
  if [ $stopped -eq 0 ]; then
    fail "serve still running 5 s after SIGTERM"
  else
    wait "$serve"
    rc=$?
    [ $rc -eq 0 ] || fail "serve exited $rc on SIGTERM, want 0"
    [ ! -e ready.json ] || fail "serve left its ready file behind"
  fi
fi

# run: the summary says how a broadcast scenario ended, and the JSON report's size.
"$bin" run "$root/scenarios/catalogue/broadcast-az-outage-failover.json" --json report.json >out 2>err
rc=$?
[ $rc -eq 0 ] || fail "run of a broadcast scenario: exit $rc"
row=$(grep '^broadcast-az-outage-failover ' out)
[ -n "$(echo "$row" | awk '{print $4}')" ] || fail "the summary row of a broadcast scenario has no final statuses: $row"
grep -q '^JSON report: report.json, [0-9.]* MB (journal bodies left out' out ||
  fail "run --json did not say the report's size: $(tail -2 out)"
if grep -q '"request_body"' report.json; then fail "run --json kept journal bodies without --json-bodies"; fi

if [ $failures -ne 0 ]; then
  echo "$failures checks failed"
  exit 1
fi
echo "exit codes, messages and outputs as documented"
