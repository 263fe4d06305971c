#!/usr/bin/env bash
# notify-sim load against embedded stubs: every request is sent on schedule and answered 200,
# and the JSON report counts them. A few hundred requests; bounded by ctest's time-out.
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" load --rate 400 --duration 0.5 --connections 4 --json "$tmp/r.json" >/dev/null
python3 - "$tmp/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["requests"] == 200, r
assert r["outcomes"] == {"200": 200}, r["outcomes"]
lat = r["latency_ms"]
assert 0 <= lat["p50"] <= lat["p99"] <= lat["max"], lat
PY
for op in ses-v2 ses-stub; do
  "$bin" load --rate 200 --duration 0.25 --operation "$op" >/dev/null || { echo "load $op failed"; exit 1; }
done
echo "load: 200 requests answered 200, percentiles ordered"
