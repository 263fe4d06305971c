"""The plain-shell CI recipe of docs/ci.md (scripts/ci-example.sh) runs and passes, and the
docs show it as it is."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

from notify_sim import find_binary

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_ci_example_script_passes_and_writes_its_reports(tmp_path):
    reports = tmp_path / "reports"
    baseline = tmp_path / "baseline.json"
    env = dict(os.environ, NOTIFY_SIM_BIN=find_binary(), PYTHON=sys.executable,
               REPORTS=str(reports),
               TESTS=os.path.join("python", "tests", "example"), LOAD_RATE="200",
               LOAD_DURATION="1", LOAD_BASELINE=str(baseline),
               # A loose limit: this checks the gate's wiring, not this machine's speed.
               LOAD_MAX_REGRESSION="1000000",
               PYTHONPATH=os.path.join(REPO, "python"))
    for key in ("NOTIFY_SIM_ADMIN_URL", "NOTIFY_SIM_EDGE_URL", "NOTIFY_SIM_READY_FILE",
                "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SES", "AWS_ENDPOINT_URL_LAMBDA",
                "SES_STUB_URL", "FIRETEXT_URL", "MMG_URL"):
        env.pop(key, None)
    # The baseline is a report an earlier run wrote, as a release's would be.
    subprocess.run([find_binary(), "load", "--rate", "200", "--duration", "1", "--json",
                    str(baseline)], env=env, stdout=subprocess.DEVNULL, check=True, timeout=60)
    done = subprocess.run(["bash", os.path.join(REPO, "scripts", "ci-example.sh")], cwd=REPO,
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=240)
    output = done.stdout.decode("utf-8", "replace")
    assert done.returncode == 0, output
    assert "gate: p99 dispatch latency" in output and "gate: throughput" in output
    suites = ET.parse(str(reports / "scenarios.xml")).getroot()
    assert int(suites.get("tests")) > 0 and int(suites.get("failures")) == 0
    pytest_xml = ET.parse(str(reports / "pytest.xml")).getroot()
    suite = pytest_xml if pytest_xml.tag == "testsuite" else pytest_xml.find("testsuite")
    assert int(suite.get("tests")) >= 1 and int(suite.get("failures")) == 0
    load = json.loads((reports / "load.json").read_text())
    assert load["summary"]["arrivals"] == 206 and load["summary"]["unfinished"] == 0, load["summary"]
    assert (reports / "load.html").exists()


def test_the_docs_show_the_script_as_it_is():
    with open(os.path.join(REPO, "docs", "ci.md")) as f:
        docs = f.read()
    with open(os.path.join(REPO, "scripts", "ci-example.sh")) as f:
        script = f.read()
    assert "```sh\n" + script + "```" in docs


def test_the_python_docs_show_the_example_test_as_it_is():
    with open(os.path.join(REPO, "docs", "python.md")) as f:
        docs = f.read()
    for name in ("welcome.py", "test_welcome.py"):
        with open(os.path.join(REPO, "python", "tests", "example", name)) as f:
            assert "```python\n" + f.read() + "```" in docs, name
