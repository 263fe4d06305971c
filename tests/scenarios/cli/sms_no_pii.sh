#!/usr/bin/env bash
# No phone number appears in any log line, failure reason or metric name across every SMS
# scenario of the catalogue: the numbers are taken from the stubs' journal (where they belong)
# and searched for, in both their stored and their "07..." forms, and any UK mobile-number shape
# is looked for as well.
set -euo pipefail
bin=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=()
for f in "$dir"/*.json; do
  grep -q '"sms"' "$f" && files+=("$f")
done
[ ${#files[@]} -gt 0 ] || { echo "no SMS scenario in $dir"; exit 1; }
"$bin" run "${files[@]}" --mode sim --seeds 2 --json "$tmp/report.json" -q >/dev/null
python3 - "$tmp/report.json" <<'PY'
import json, re, sys
results = json.load(open(sys.argv[1]))["results"]
shape = re.compile(r"(?<!\d)(?:\+?44|0)7\d{9}(?!\d)")
bad = 0
lines = 0
for r in results:
    rep = r["report"]
    numbers = {e["recipient"] for e in rep["journal"]
               if e["service"] in ("firetext", "mmg") and e["recipient"]}
    numbers |= {"0" + n[2:] for n in numbers if n.startswith("44")}
    texts = [l["message"] for l in rep["logs"]]
    texts += [n["failure_reason"] for n in rep["notifications"]]
    texts += list(rep["metrics"].keys())
    lines += len(texts)
    for t in texts:
        leaked = [n for n in numbers if n in t] or shape.findall(t)
        if leaked:
            bad += 1
            print("%s seed %s: a phone number in: %s" % (r["scenario"], r["seed"], t))
    if not numbers:
        print("%s: no SMS sent, nothing checked" % r["scenario"])
        bad += 1
print("%d runs, %d log lines, reasons and metric names searched" % (len(results), lines))
sys.exit(1 if bad else 0)
PY
