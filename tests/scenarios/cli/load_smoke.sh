#!/usr/bin/env bash
# notify-sim load --target stub against embedded stubs: every request is sent on schedule and
# answered 200, and the JSON report counts them; then a short run through the core, whose summary
# names each channel. A few hundred requests; bounded by ctest's time-out.
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
env -u AWS_ENDPOINT_URL "$bin" load --target stub --rate 400 --duration 0.5 --connections 4 --json "$tmp/r.json" >/dev/null
python3 - "$tmp/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["requests"] == 200, r
assert r["outcomes"] == {"200": 200}, r["outcomes"]
lat = r["latency_ms"]
assert 0 <= lat["p50"] <= lat["p99"] <= lat["max"], lat
PY
for op in ses-v2 ses-stub; do
  env -u AWS_ENDPOINT_URL "$bin" load --target stub --rate 200 --duration 0.25 --operation "$op" >/dev/null || { echo "load $op failed"; exit 1; }
done
out=$(env -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_SES -u AWS_ENDPOINT_URL_LAMBDA -u SES_STUB_URL \
        -u FIRETEXT_URL -u MMG_URL "$bin" load --rate 200 --count 200 --retry-delay-ms 20 | cat)
for row in "email      ses" "broadcast  ee" "rate: asked 200.0/s"; do
  grep -q "$row" <<<"$out" || { echo "load through the core: no \"$row\" in:"; echo "$out"; exit 1; }
done
if grep -q $'\r' <<<"$out"; then echo "a progress line reached a pipe"; exit 1; fi
"$bin" load --mix email=70,fax=30 >/dev/null 2>"$tmp/err" && { echo "bad --mix accepted"; exit 1; } || test $? -eq 2
grep -q 'unknown channel "fax"' "$tmp/err" || { cat "$tmp/err"; exit 1; }
echo "load: 200 requests answered 200, percentiles ordered; a run through the core"
