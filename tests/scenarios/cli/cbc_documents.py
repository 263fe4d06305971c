"""Every CAP and IBAG document in the catalogue's broadcast scenarios, in both directions (what
a proxy sent to a CBC stub, and the Ack or Error the CBC answered), validates with the library
(`notify-sim validate --profile uk`) and with xmllint against the official schemas
(CAP-v1.2.xsd, ibag10.xsd).

Usage: cbc_documents.py NOTIFY_SIM CATALOGUE_DIR SCHEMAS_DIR
"""

import json
import pathlib
import subprocess
import sys
import tempfile

nsim, catalogue, schemas = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
scenarios = sorted(str(p) for p in catalogue.glob("broadcast-*.json"))
if not scenarios:
    sys.exit("no broadcast scenarios in " + str(catalogue))

with tempfile.TemporaryDirectory() as tmp:
    report = pathlib.Path(tmp) / "report.json"
    r = subprocess.run([nsim, "run", *scenarios, "--mode", "sim", "-q", "--json", str(report),
                        "--json-bodies"],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        sys.exit("the broadcast scenarios failed:\n" + r.stdout + r.stderr)
    documents = []
    for result in json.loads(report.read_text())["results"]:
        for entry in result["report"]["journal"]:
            if entry.get("service") == "cbc" and entry.get("direction", "in") == "in":
                documents.append(("sent", entry["request_body"]))
                if entry.get("response_body"):
                    documents.append(("answered", entry["response_body"]))
    sent = sum(1 for d, _ in documents if d == "sent")
    answered = len(documents) - sent
    if not sent or not answered:
        sys.exit(f"expected documents both ways; got {sent} sent and {answered} answered")
    failures = 0
    for n, (direction, doc) in enumerate(documents):
        path = pathlib.Path(tmp) / f"doc-{n}.xml"
        path.write_text(doc)
        schema = schemas / ("ibag10.xsd" if "IBAG_Alert_Attributes" in doc else "CAP-v1.2.xsd")
        lint = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", str(schema), str(path)],
                              capture_output=True, text=True, timeout=60)
        ours = subprocess.run([nsim, "validate", "--profile", "uk", str(path)],
                              capture_output=True, text=True, timeout=60)
        if lint.returncode != 0 or ours.returncode != 0:
            failures += 1
            print(f"document {n} ({direction}) rejected:\n{doc}\n{lint.stderr}{ours.stdout}"
                  f"{ours.stderr}")
    print(f"{sent} documents sent to the CBC stubs, {answered} answered by them, {failures} invalid")
    sys.exit(1 if failures else 0)
