"""Every CAP and IBAG document a CBC stub received in the catalogue's broadcast scenarios
validates with the library (`notify-sim validate --profile uk`) and with xmllint against the
official schemas (CAP-v1.2.xsd, ibag10.xsd).

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
                documents.append(entry["request_body"])
    if not documents:
        sys.exit("no CBC received a document")
    failures = 0
    for n, doc in enumerate(documents):
        path = pathlib.Path(tmp) / f"doc-{n}.xml"
        path.write_text(doc)
        schema = schemas / ("ibag10.xsd" if "IBAG_Alert_Attributes" in doc else "CAP-v1.2.xsd")
        lint = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", str(schema), str(path)],
                              capture_output=True, text=True, timeout=60)
        ours = subprocess.run([nsim, "validate", "--profile", "uk", str(path)],
                              capture_output=True, text=True, timeout=60)
        if lint.returncode != 0 or ours.returncode != 0:
            failures += 1
            print(f"document {n} rejected:\n{doc}\n{lint.stderr}{ours.stdout}{ours.stderr}")
    print(f"{len(documents)} documents received by the CBC stubs, {failures} invalid")
    sys.exit(1 if failures else 0)
