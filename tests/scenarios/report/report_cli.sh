#!/usr/bin/env bash
# notify-sim report merge / html / compare end to end: outputs, and exit 2 with one line naming
# the file for every kind of bad input.
set -uo pipefail
bin=$1
sample=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$sample" "$tmp/a.json" --seed 1 --rate 60 --duration 30 --host driver-a || fail "sample a"
"$sample" "$tmp/b.json" --seed 2 --rate 40 --duration 30 --host driver-b || fail "sample b"

out=$("$bin" report merge "$tmp/a.json" "$tmp/b.json" --json "$tmp/m.json" --html "$tmp/m.html" 2>&1)
rc=$?
[ $rc -eq 0 ] || fail "merge exited $rc: $out"
echo "$out" | grep -q "merged 2 reports: 3000 arrivals, achieved 100.0/s of 100.0/s asked" ||
  fail "merge summary: $out"
python3 - "$tmp" <<'PY' || fail "merged JSON"
import json, sys
d = sys.argv[1]
a, b, m = (json.load(open(f"{d}/{n}.json")) for n in ("a", "b", "m"))
assert m["schema"] == "notify-sim/load-report" and m["schema_version"] == 1
assert m["summary"]["arrivals"] == a["summary"]["arrivals"] + b["summary"]["arrivals"]
assert m["run"]["sources"] == ["driver-a 2026-11-29T22:00:00Z", "driver-b 2026-11-29T22:00:00Z"]
assert len(m["timeline"]) == 30
for i in range(30):
    assert m["timeline"][i]["arrivals"] == a["timeline"][i]["arrivals"] + b["timeline"][i]["arrivals"]
PY
[ "$(grep -o '<svg' "$tmp/m.html" | wc -l)" -eq 4 ] || fail "merged HTML has not 4 charts"

# Re-rendering the saved merged report gives the same page.
out=$("$bin" report html "$tmp/m.json" --html "$tmp/again.html" 2>&1); rc=$?
[ $rc -eq 0 ] || fail "report html exited $rc: $out"
cmp -s "$tmp/m.html" "$tmp/again.html" || fail "report html differs from merge --html"

# Without --json or --html the merged report goes to standard output.
"$bin" report merge "$tmp/a.json" | python3 -c 'import json,sys; json.load(sys.stdin)' ||
  fail "merge to stdout is not JSON"

expect_2() {  # expect_2 MESSAGE_PATTERN ARGS...
  local pattern=$1; shift
  local out rc
  out=$("$bin" "$@" 2>&1); rc=$?
  [ $rc -eq 2 ] || fail "$* exited $rc, expected 2: $out"
  [ "$(echo "$out" | wc -l)" -eq 1 ] || fail "$*: expected one line: $out"
  echo "$out" | grep -q -- "$pattern" || fail "$*: message: $out"
}

expect_2 "missing.json: cannot read it" report merge "$tmp/a.json" "$tmp/missing.json"
echo '{not json' >"$tmp/broken.json"
expect_2 "broken.json: not valid JSON" report merge "$tmp/a.json" "$tmp/broken.json"
echo '{"scenarios": []}' >"$tmp/run.json"
expect_2 "run.json: schema: missing" report merge "$tmp/run.json"
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
j = json.load(open(f"{d}/a.json"))
j["schema_version"] = 2
json.dump(j, open(f"{d}/v2.json", "w"))
j = json.load(open(f"{d}/a.json"))
j["series"][0]["dispatch"]["counts"] = "none"
json.dump(j, open(f"{d}/field.json", "w"))
j = json.load(open(f"{d}/a.json"))
j["interval_s"] = 5
json.dump(j, open(f"{d}/i5.json", "w"))
PY
expect_2 "v2.json: schema_version: 2 is newer than this notify-sim reads" \
  report merge "$tmp/a.json" "$tmp/v2.json"
expect_2 "field.json: series\[0\].dispatch: counts: expected an array" \
  report merge "$tmp/field.json" "$tmp/a.json"
expect_2 "i5.json: interval_s 5, the first is 1" report merge "$tmp/a.json" "$tmp/i5.json"
expect_2 "missing.json: cannot read it" report html "$tmp/missing.json" --html "$tmp/x.html"
expect_2 "nodir/x.html: cannot write it" report html "$tmp/a.json" --html "$tmp/nodir/x.html"
out=$("$bin" report merge 2>&1); rc=$?
[ $rc -eq 2 ] || fail "merge with no files exited $rc"
out=$("$bin" report 2>&1); rc=$?
[ $rc -eq 2 ] || fail "report with no subcommand exited $rc"

# The gate: the same run passes, a run at two thirds of the rate fails on throughput.
out=$("$bin" report compare "$tmp/a.json" "$tmp/a.json" 2>&1); rc=$?
[ $rc -eq 0 ] || fail "compare with itself exited $rc: $out"
out=$("$bin" report compare "$tmp/a.json" "$tmp/b.json" --max-regression 20 2>&1); rc=$?
[ $rc -eq 1 ] || fail "compare 60/s against 40/s exited $rc: $out"
echo "$out" | grep -q "throughput: 60.0/s -> 40.0/s (+33% worse, limit +20%): REGRESSED" ||
  fail "compare message: $out"

# A hostile provider name reaches the page only escaped.
"$sample" "$tmp/h.json" --rate 20 --duration 5 --provider '<script>alert(1)</script>'
"$bin" report html "$tmp/h.json" --html "$tmp/h.html" >/dev/null || fail "hostile render"
grep -q '<script' "$tmp/h.html" && fail "unescaped <script> in the page"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/h.html" || fail "escaped name missing"
echo "report merge, html and compare behave"
