#!/usr/bin/env python3
"""Fails when README.md or a page in docs/ names something the binary does not have
(docs/README.md lists the checks): an option of a `notify-sim <subcommand>` that its --help does
not list, an option no command has, a NOTIFY_SIM_* variable no code reads, a fault or error
name or a service the stubs do not know, a fault rule POST /faults refuses, a scenario or serve
configuration `notify-sim validate` refuses, or a field of GET /health or of a journal entry
that docs/control-api.md leaves out.

check_names.py NOTIFY_SIM REPO
"""

import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docblocks  # noqa: E402

SUBCOMMANDS = ("serve", "run", "validate", "render", "load", "chaos", "report merge",
               "report html", "report compare")
# How the pages call the binary: by name, by path, or through a variable that holds it.
INVOKE = re.compile(r"(?:^|[\s;&|(`\"'])(?:[\w./-]*/)?(?:notify-sim|\$\{?nsim\}?|\$NSIM|\$B|"
                    r"\"\$nsim\")\s+(serve|run|validate|render|load|chaos|report\s+(?:merge|html"
                    r"|compare))\b")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
# Other programs' options that pages name on their own, outside a command line of that program.
OTHER_TOOLS = {
    "--endpoint-url": "the AWS CLI", "--region": "the AWS CLI", "--payload": "the AWS CLI",
    "--cli-binary-format": "AWS CLI v2", "--fail-with-body": "curl",
    "--junitxml": "pytest", "--target": None,  # notify-sim load's, and cmake's
}
# The first word of a command line of another program: its options are its own.
OTHER_COMMANDS = ("aws", "curl", "cmake", "ctest", "pytest", "python3", "python", "bash", "sh",
                  "valgrind", "chromium", "xmllint", "git", "wrk", "docker", "apt-get", "jq",
                  "build/bench/", "/tmp/", "timeout", "-", "$python")
SOURCES = ("core", "stubs", "scenarios", "python/notify_sim", "scripts", "bench")


def help_options(binary):
    out = {}
    for sub in SUBCOMMANDS:
        text = subprocess.run([binary, *sub.split(), "--help"], capture_output=True, text=True,
                              timeout=30).stdout
        out[sub] = set(OPTION.findall(text)) | set(re.findall(r"(?<![\w-])(-[a-z]),", text))
    return out


def plugin_options(root):
    text = (root / "python" / "notify_sim" / "pytest_plugin.py").read_text()
    return set(re.findall(r'addoption\("(--[a-z-]+)"', text))


def commands_in(block):
    """The command lines of a block: continuation lines joined, and in a usage block (`text`)
    the indented lines that carry on the one above."""
    out, current, start = [], "", 0
    for n, line in enumerate(block.text.splitlines()):
        carry = current and (current.endswith("\\") or
                             (block.lang == "text" and line.startswith((" ", "\t")) and
                              INVOKE.search(current)) or
                             (block.lang == "yaml" and line.strip().startswith("--")))
        if carry:
            current = current.rstrip("\\") + " " + line.strip()
            continue
        if current:
            out.append((block.line + 1 + start, current))
        current, start = line, n
    if current:
        out.append((block.line + 1 + start, current))
    return out


def clauses(text):
    """A command line cut where another command starts: a pipe, `;`, `&&`, a comment."""
    text = re.sub(r"\s#\s.*$", "", text)
    return re.split(r"\s\|\s|;\s|&&|\)\"|`", text)


class Checker:
    def __init__(self, binary, root):
        self.binary, self.root = binary, root
        self.problems = []
        self.options = help_options(binary)
        self.every_option = set().union(*self.options.values()) | plugin_options(root) | {
            "--help", "--version"}

    def problem(self, where, what):
        self.problems.append("%s: %s" % (where, what))

    # --- options ---------------------------------------------------------------------------

    def check_command(self, where, text):
        for clause in clauses(text):
            m = INVOKE.search(clause)
            if m:
                sub = " ".join(m.group(1).split())
                for opt in OPTION.findall(clause[m.end():]):
                    if opt not in self.options[sub]:
                        self.problem(where, "notify-sim %s has no option %s (notify-sim %s "
                                            "--help)" % (sub, opt, sub))
                continue
            first = clause.strip().split(" ", 1)[0] if clause.strip() else ""
            first = re.sub(r"^\w+=\S*$", "", first)  # VAR=value before a command
            if first.startswith(OTHER_COMMANDS) or re.match(r"^[A-Z_]+=", clause.strip()):
                continue
            for opt in OPTION.findall(clause):
                self.check_bare_option(where, opt)

    def check_bare_option(self, where, opt):
        if opt in self.every_option or opt in OTHER_TOOLS:
            return
        self.problem(where, "no notify-sim command has the option %s" % opt)

    # --- names ---------------------------------------------------------------------------

    def check_variables(self, pages):
        code = []
        for d in SOURCES:
            for path in (self.root / d).rglob("*"):
                if path.suffix in (".cpp", ".hpp", ".py", ".sh") and path.is_file():
                    code.append(path.read_text(errors="replace"))
        code = "\n".join(code)
        for page in pages:
            rel = page.relative_to(self.root)
            for n, line in enumerate(page.read_text().splitlines(), 1):
                for name in set(re.findall(r"\bNOTIFY_SIM_[A-Z0-9_]+\b", line)):
                    if '"%s"' % name not in code and "$%s" % name not in code and \
                            "${%s" % name not in code:
                        self.problem("%s:%d" % (rel, n), "%s: no code reads this variable"
                                     % name)


def json_values(text):
    """The JSON values in a block, one after another (a block may hold several rules)."""
    decoder, out, i = json.JSONDecoder(), [], 0
    text = text.strip()
    while i < len(text):
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if i == len(text):
            break
        value, i = decoder.raw_decode(text, i)
        out.append(value)
    return out


class Server:
    """A serve on free ports for the checks that ask the binary itself."""

    def __init__(self, binary):
        self.tmp = tempfile.TemporaryDirectory(prefix="docs-names-")
        ready = pathlib.Path(self.tmp.name) / "ready.json"
        self.proc = subprocess.Popen([binary, "serve", "--port", "0", "--admin-port", "0",
                                      "--ready-file", str(ready)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not ready.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("serve did not start")
            time.sleep(0.02)
        info = json.loads(ready.read_text())
        self.admin, self.edge = info["admin_url"], info["edge_url"]

    def call(self, method, url, body=None):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)
        self.tmp.cleanup()


def main():
    binary = str(pathlib.Path(sys.argv[1]).resolve())
    root = pathlib.Path(sys.argv[2]).resolve()
    checker = Checker(binary, root)
    pages = docblocks.pages(root)
    server = Server(binary)
    try:
        status, health = server.call("GET", server.admin + "/health")
        services = set(health["services"])
        all_blocks = []
        for page in pages:
            rel = str(page.relative_to(root))
            all_blocks += docblocks.blocks(root, page, checker.problems)
            for n, span in docblocks.inline_code(page):
                checker.check_command("%s:%d" % (rel, n), span)
        checked_names = {}
        for block in all_blocks:
            if block.lang in ("sh", "console", "text", "yaml"):
                for line, command in commands_in(block):
                    if block.lang == "console":
                        command = command[2:] if command.startswith("$ ") else ""
                    checker.check_command("%s:%d" % (block.page, line), command)
        checker.check_variables(pages)

        # Fault and error names, wherever a page writes one as code.
        names = re.compile(r"^(%s)\.[a-z][a-z0-9_]*$" % "|".join(sorted(services)))
        for page in pages:
            rel = str(page.relative_to(root))
            found = [(n, s) for n, s in docblocks.inline_code(page) if names.match(s) and
                     not re.search(r"\.(md|json|py|hpp|cpp|xml|sh)$", s)]
            for block in (b for b in all_blocks if b.page == rel):
                lines = block.text.splitlines()
                for i, line in enumerate(lines):
                    # A typo the page shows being refused (its answer, 400, a few lines below).
                    if any(re.match(r"#\s*400\b", l.strip()) for l in lines[i + 1:i + 4]):
                        continue
                    found += [(block.line + 1 + i, s) for s in
                              re.findall(r'"name":\s*"([a-z]+\.[a-z0-9_]+)"', line)
                              if names.match(s)]
            for n, name in found:
                if name not in checked_names:
                    checked_names[name] = server.call("POST", server.admin + "/faults", {
                        "action": {"type": "error", "name": name}})
                status, answer = checked_names[name]
                if status != 201:
                    checker.problem("%s:%d" % (rel, n), "%s is not an error name the stubs "
                                    "know: %s" % (name, (answer or {}).get("error")))
        # faults.md's list of the services a rule may select.
        faults_md = (root / "docs" / "faults.md").read_text()
        row = re.search(r"^\| `service` \|([^|]*)\|", faults_md, re.M)
        listed = set(re.findall(r"`([a-z]+)`", row.group(1))) if row else set()
        for missing in sorted(services - listed):
            checker.problem("docs/faults.md", "the `service` row leaves out %s, which GET "
                            "/health lists" % missing)
        for extra in sorted(listed - services - {"any"}):
            checker.problem("docs/faults.md", "the `service` row names %s, which is not a "
                            "service" % extra)

        # faults.md's table of the operations each service reports: a rule may select each.
        table = re.search(r"^\| service \| `operation` \|\n\|[-|]+\|\n((?:\|.*\|\n)+)",
                          faults_md, re.M)
        if not table:
            checker.problem("docs/faults.md", "no table of the operations each service reports")
        for row in (table.group(1).splitlines() if table else []):
            cells = row.strip("|").split("|")
            for service in re.findall(r"`([a-z]+)`", cells[0]):
                if service not in services:
                    checker.problem("docs/faults.md", "the operations table names %s, which is "
                                    "not a service" % service)
                    continue
                for operation in re.findall(r"`([A-Za-z0-9]+)`", cells[1]):
                    status, answer = server.call("POST", server.admin + "/faults", {
                        "match": {"service": service, "operation": operation},
                        "action": {"type": "refuse"}})
                    if status != 201:
                        checker.problem("docs/faults.md", "%s %s: %s" % (
                            service, operation, (answer or {}).get("error")))
            server.call("DELETE", server.admin + "/faults")
        for missing in sorted(services - {s for row in (table.group(1).splitlines()
                                                        if table else [])
                                          for s in re.findall(r"`([a-z]+)`",
                                                              row.strip("|").split("|")[0])}):
            checker.problem("docs/faults.md", "the operations table leaves out %s" % missing)

        # Fault rules, scenarios and serve configurations in json blocks.
        with tempfile.TemporaryDirectory(prefix="docs-json-") as tmp:
            for block in all_blocks:
                if block.lang != "json":
                    continue
                check_json_block(checker, server, block, services, pathlib.Path(tmp))

        # What a real /health and journal entry hold, against control-api.md.
        server.call("POST", server.edge + "/ses", b"id=docs")
        status, journal = server.call("GET", server.admin + "/journal")
        spans = {s for _, s in docblocks.inline_code(root / "docs" / "control-api.md")}
        status, health = server.call("GET", server.admin + "/health")
        fields = set(health) | {"clock." + k for k in health.get("clock", {})}
        for field in sorted(fields):
            if field not in spans and not any(s.startswith(field + ".") for s in spans):
                checker.problem("docs/control-api.md", "GET /health answers %s, which the page "
                                "does not describe" % field)
        for field in sorted(journal["entries"][0]):
            if field not in spans:
                checker.problem("docs/control-api.md", "a journal entry has %s, which the page "
                                "does not describe" % field)
    finally:
        server.stop()
    for p in checker.problems:
        print("FAIL " + p)
    print("%d problems" % len(checker.problems))
    return 1 if checker.problems else 0


def check_json_block(checker, server, block, services, tmp):
    if block.not_run:
        return  # the page says why it cannot be checked as written
    text = block.text.strip()
    # A fragment ("stubs": {...}, "ses": {...}, "workload": ...) is checked inside its document.
    m = re.match(r'^"(\w+)":', text)
    if m:
        if m.group(1) == "stubs":
            text = "{" + text + "}"
        elif m.group(1) in services:
            text = '{"stubs": {' + text + "}}"
        elif m.group(1) in ("workload", "expect", "faults", "core"):
            text = '{"name": "docs-fragment", ' + text + "}"
        else:
            return
    try:
        values = json_values(text)
    except ValueError:
        return  # an illustration ("...", placeholders), not a document
    for value in values:
        if not isinstance(value, dict):
            continue
        if "action" in value or (set(value) == {"faults"} and
                                 isinstance(value["faults"], list) and
                                 all(isinstance(r, dict) and "action" in r
                                     for r in value["faults"])):
            status, answer = server.call("POST", server.admin + "/faults", value)
            if status != 201:
                checker.problem(block.where, "POST /faults refuses this rule: %s" % (
                    (answer or {}).get("error")))
            server.call("DELETE", server.admin + "/faults")
        elif "name" in value or "stubs" in value or "journal" in value:
            path = tmp / ("%s-%d.json" % (block.page.replace("/", "_"), block.line))
            path.write_text(json.dumps(value))
            done = subprocess.run([checker.binary, "validate", str(path)], capture_output=True,
                                  text=True, timeout=60)
            if done.returncode != 0:
                checker.problem(block.where, "notify-sim validate refuses it: %s" % (
                    (done.stderr or done.stdout).strip().splitlines()[-1:]))


if __name__ == "__main__":
    sys.exit(main())
