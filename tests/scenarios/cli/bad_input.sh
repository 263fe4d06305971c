#!/usr/bin/env bash
# Bad scenario and configuration files: one clear line naming the file and field, exit 2.
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

echo '{"name": "x", "workload": {"email": {"count": "ten"}}}' >"$tmp/bad.json"
out=$("$bin" run "$tmp/bad.json" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "run on a bad scenario exited $rc"
echo "$out" | grep -q "bad.json: workload.email.count: expected a whole number" || fail "message: $out"

echo '{not json' >"$tmp/broken.json"
out=$("$bin" validate "$tmp/broken.json" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "validate on broken JSON exited $rc"
echo "$out" | grep -q "broken.json: not valid JSON" || fail "message: $out"

echo '{"faults": [{"action": {"type": "explode"}}]}' >"$tmp/conf.json"
out=$("$bin" serve --config "$tmp/conf.json" --port 0 --admin-port 0 2>&1); rc=$?
[ $rc -eq 2 ] || fail "serve with a bad config exited $rc"
echo "$out" | grep -q "conf.json: faults\[0\].action.type" || fail "message: $out"

out=$("$bin" validate "$tmp/conf.json" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "validate on a bad serve config exited $rc"
echo "$out" | grep -q "conf.json: faults\[0\].action.type" || fail "message: $out"

out=$("$bin" run "$tmp/missing.json" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "run on a missing file exited $rc"

out=$("$bin" run --mode fast "$tmp/bad.json" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "bad --mode exited $rc"
out=$("$bin" serve --admin-bind 0.0.0.0 --port 0 --admin-port 0 2>&1); rc=$?
[ $rc -eq 2 ] || fail "a control API beyond loopback without a token exited $rc"
echo "$out" | grep -q "needs --admin-token" || fail "message: $out"

out=$("$bin" serve --callback-url "smtp=http://x" --port 0 --admin-port 0 2>&1); rc=$?
[ $rc -eq 2 ] || fail "--callback-url for an unknown stub exited $rc"
echo "$out" | grep -q "callback-url smtp=http://x: smtp" || fail "message: $out"
echo "bad input gives exit 2 with clear messages"
