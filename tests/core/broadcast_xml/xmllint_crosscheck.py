#!/usr/bin/env python3
"""Checks our validator against xmllint and the official schemas.

1. Every sample: xmllint and `notify-sim validate` agree it is valid (the one CAP 1.1 sample is
   refused by both, as not CAP 1.2).
2. Every broken case in broken/verdicts.json: our verdict and rules are the recorded ones; where
   the case is schema- or XML-level, xmllint rejects it too; where it is semantic, xmllint accepts
   it (so the case shows something only our second layer catches).
3. Every payload in payloads/: the document `notify-sim render` prints, in each format the payload
   can take, is valid for xmllint and for us.

Usage: xmllint_crosscheck.py NOTIFY_SIM DATA_DIR
"""
import json
import pathlib
import subprocess
import sys
import tempfile

notify_sim, data = sys.argv[1], pathlib.Path(sys.argv[2])
schemas = data / "schemas"
failures = []


def schema_for(path):
    head = path.read_bytes()[:4096]
    return schemas / ("ibag10.xsd" if b"IBAG_Alert_Attributes" in head else "CAP-v1.2.xsd")


def xmllint_valid(path):
    # --nonet: never fetch anything; entities are not substituted (no --noent).
    r = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", str(schema_for(path)),
                        str(path)], capture_output=True, timeout=60)
    return r.returncode == 0


def ours(path, profile="oasis"):
    r = subprocess.run([notify_sim, "validate", "--json", "--profile", profile, str(path)],
                       capture_output=True, timeout=60)
    report = json.loads(r.stdout)[0]
    return r.returncode, report


def check(condition, message):
    if not condition:
        failures.append(message)


# 1. Samples.
for sample in sorted((data / "samples").glob("*.xml")):
    code, report = ours(sample)
    lint = xmllint_valid(sample)
    if report.get("kind") == "unknown":
        check(not lint and code == 1, f"{sample.name}: expected both to refuse a non-CAP-1.2 document")
        continue
    check(lint, f"{sample.name}: xmllint rejects a sample")
    check(code == 0, f"{sample.name}: we reject a sample: {report.get('problems')}")

# 2. The broken corpus.
cases = json.loads((data / "broken" / "verdicts.json").read_text(encoding="utf-8"))["cases"]
agree = 0
for c in cases:
    path = data / "broken" / c["file"]
    code, report = ours(path, c["profile"])
    valid = code == 0
    check(valid == c["valid"], f"{c['file']}: we said valid={valid}, expected {c['valid']}")
    found = {(p["rule"], p["severity"]) for p in report.get("problems", [])}
    if report.get("kind") == "json":
        found = {("not-xml", "error")}
    for rule in c["rules"]:
        check((rule, c["severity"]) in found,
              f"{c['file']}: expected {c['severity']} {rule}, got {sorted(found)}")
    if c["xmllint"] is None:
        continue
    lint = xmllint_valid(path)
    expected_lint = c["xmllint"] == "valid"
    check(lint == expected_lint, f"{c['file']}: xmllint said valid={lint}, recorded {c['xmllint']}")
    if c["layer"] in ("schema", "xml"):
        check(not lint and not valid, f"{c['file']}: xmllint and we must both reject")
        agree += 1

# 3. Rendered documents.
rendered = 0
with tempfile.TemporaryDirectory() as tmp:
    for payload in sorted((data / "payloads").glob("*.json")):
        body = json.loads(payload.read_text(encoding="utf-8"))
        formats = ["cap", "ibag"] if "message_number" in body else [body["message_format"]]
        for fmt in formats:
            for generator in ("notify-2023", "emergency-alerts"):
                r = subprocess.run([notify_sim, "render", str(payload), "--format", fmt, "--now",
                                    "2021-07-19T10:00:42", "--generator", generator],
                                   capture_output=True, timeout=60)
                what = f"{payload.name} ({fmt}, {generator})"
                if body["message_type"] == "update":
                    check(r.returncode == 0 and r.stdout == b"", f"{what}: update must render nothing")
                    continue
                check(r.returncode == 0, f"{what}: render failed: {r.stderr!r}")
                doc = pathlib.Path(tmp) / f"{payload.stem}.{fmt}.{generator}.xml"
                doc.write_bytes(r.stdout)
                check(xmllint_valid(doc), f"{what}: xmllint rejects the rendered document")
                code, report = ours(doc, "uk")
                check(code == 0, f"{what}: we reject the rendered document: {report}")
                rendered += 1

for f in failures:
    print("FAIL", f)
print(f"{len(cases)} broken cases ({agree} schema/XML-level cases where xmllint agrees), "
      f"{rendered} rendered documents; {len(failures)} failures")
sys.exit(1 if failures else 0)
