#!/usr/bin/env bash
# notify-sim load --target stub against embedded stubs: every request is sent on schedule and
# answered 2xx, the load report (--json, --html) counts them in the operation's series, `report
# html` and `report compare` accept it, and --baseline gates; then a short run through the core,
# whose summary names each channel. A few hundred requests; bounded by ctest's time-out.
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset AWS_ENDPOINT_URL NOTIFY_SIM_ADMIN_URL
"$bin" load --target stub --rate 400 --duration 0.5 --connections 4 --json "$tmp/r.json" \
  --html "$tmp/r.html" >"$tmp/out"
for row in "^ses +ses-v1 +200 +200 +0 " "rate: asked 400\.0/s" "target stub"; do
  grep -qE "$row" "$tmp/out" || { echo "load --target stub: no \"$row\" in:"; cat "$tmp/out"; exit 1; }
done
if grep -q $'\r' "$tmp/out"; then echo "a progress line reached a pipe"; exit 1; fi
python3 - "$tmp/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schema"] == "notify-sim/load-report" and r["schema_version"] == 1, r["schema"]
assert r["run"]["target"] == "stub" and r["run"]["asked_rate"] == 400, r["run"]
[s] = r["series"]
assert (s["channel"], s["provider"]) == ("ses", "ses-v1"), s
assert s["arrivals"] == s["accepted"] == 200 and s["failed"] == 0 and not s["errors"], s
d = s["dispatch"]["summary"]
assert d["count"] == 200 and 0 < d["p50_us"] <= d["p99_us"] <= d["max_us"], d
assert sum(i["arrivals"] for i in r["timeline"]) == 200, r["timeline"]
PY
grep -q "ses-v1" "$tmp/r.html" || { echo "the HTML report does not name the operation"; exit 1; }
"$bin" report html "$tmp/r.json" --html "$tmp/again.html" >/dev/null
test -s "$tmp/again.html"
"$bin" report compare "$tmp/r.json" "$tmp/r.json" >"$tmp/compare" ||
  { echo "report compare: a run against itself regressed"; cat "$tmp/compare"; exit 1; }

# The gate: a baseline claiming twice the throughput fails the run with exit 1 and says which
# metric regressed; the run as its own baseline, with room for noise, passes.
python3 - "$tmp/r.json" "$tmp/faster.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["run"]["achieved_rate"] *= 2
json.dump(r, open(sys.argv[2], "w"))
PY
rc=0
"$bin" load --target stub --rate 400 --duration 0.5 --connections 4 --baseline "$tmp/faster.json" \
  >"$tmp/gated" || rc=$?
[ $rc -eq 1 ] && grep -q "throughput.*REGRESSED" "$tmp/gated" ||
  { echo "--baseline did not gate (exit $rc):"; cat "$tmp/gated"; exit 1; }
"$bin" load --target stub --rate 400 --duration 0.5 --connections 4 --baseline "$tmp/r.json" \
  --max-regression 100000 >"$tmp/gated" || { echo "--baseline gated a run within it:"; cat "$tmp/gated"; exit 1; }

# A refused stub: every request fails, by kind, and the run exits 1.
echo '[{"id": "down", "match": {"service": "ses"}, "action": {"type": "refuse"}}]' >"$tmp/refuse.json"
rc=0
"$bin" load --target stub --rate 200 --count 20 --faults "$tmp/refuse.json" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ $rc -eq 1 ] && grep -q "connection refused  *20" "$tmp/out" ||
  { echo "a refused stub: exit $rc"; cat "$tmp/out" "$tmp/err"; exit 1; }

for op in ses-v2 ses-stub; do
  "$bin" load --target stub --rate 200 --duration 0.25 --operation "$op" >/dev/null || { echo "load $op failed"; exit 1; }
done
out=$(env -u AWS_ENDPOINT_URL_SES -u AWS_ENDPOINT_URL_LAMBDA -u SES_STUB_URL \
        -u FIRETEXT_URL -u MMG_URL "$bin" load --rate 200 --count 200 --retry-delay-ms 20 \
        --json "$tmp/core.json" | cat)
# Each receipt's notification.deliver.duration and .callback.duration, as the core recorded them,
# are series histograms: one sample per receipt applied.
python3 - "$tmp/core.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
seen = 0
for s in r["series"]:
    if s["channel"] not in ("email", "sms"):
        continue
    for name in ("deliver", "callback"):
        assert name in s, (name, s["provider"])
    # A "pending" receipt before the final one is recorded too.
    assert s["callback"]["summary"]["count"] >= s["receipts"], s
    assert s["deliver"]["summary"]["count"] <= s["callback"]["summary"]["count"], s
    seen += s["deliver"]["summary"]["count"]
assert seen > 0, "no deliver.duration in any series"
# Over time, the same recordings, each in the interval its receipt arrived in.
for name in ("deliver", "callback"):
    over_time = sum(i[name]["summary"]["count"] for i in r["timeline"] if name in i)
    in_series = sum(s[name]["summary"]["count"] for s in r["series"])
    assert over_time == in_series > 0, (name, over_time, in_series)
    for i in r["timeline"]:
        if name in i:
            q = i[name]["summary"]
            assert 0 <= q["p50_us"] <= q["p99_us"] <= q["max_us"], (name, i["start_s"], q)
PY
for row in "email      ses" "broadcast  ee" "rate: asked 200.0/s"; do
  grep -q "$row" <<<"$out" || { echo "load through the core: no \"$row\" in:"; echo "$out"; exit 1; }
done
if grep -q $'\r' <<<"$out"; then echo "a progress line reached a pipe"; exit 1; fi
"$bin" load --mix email=70,fax=30 >/dev/null 2>"$tmp/err" && { echo "bad --mix accepted"; exit 1; } || test $? -eq 2
grep -q 'unknown channel "fax"' "$tmp/err" || { cat "$tmp/err"; exit 1; }
echo "load: 200 stub requests answered 2xx in a report that renders, compares and gates; a refused stub fails; a run through the core"
