#!/usr/bin/env python3
"""Runs every shell and Python block of README.md and docs/ against the built binary, page by
page, as docs/README.md describes: a block that fails names its page and line, and so does a
block that is neither run nor marked with the reason it is not.

run_blocks.py NOTIFY_SIM REPO [PAGE ...]     (PAGE: e.g. docs/cli.md; default every page)
"""

import concurrent.futures
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docblocks  # noqa: E402

BLOCK_TIMEOUT_S = 90
SERVE_READY_S = 20
LINKED = ("scenarios", "tests", "bench", "python", "scripts")
# What the user's shell would not have: anything pointing at stubs from an earlier run.
CLEARED = ("AWS_", "NOTIFY_SIM_", "SES_STUB", "FIRETEXT_", "MMG_", "CBC_PROXY_", "OTEL_")
EDGE_PORT, ADMIN_PORT = "4566", "4567"
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

SHELL_PRELUDE = r"""set -e
__docs_where=
trap '__docs_rc=$?; if [ $__docs_rc -ne 0 ]; then echo "docs test: $__docs_where: exit $__docs_rc" >&2; fi' EXIT
# curl as the docs test runs it: an answer that is not 2xx fails the command...
__docs_curl() { command curl -sS --fail-with-body "$@"; }
# ...unless the comment under the command gives the status (and the JSON) it answers.
__docs_curl_expect() {
  local want=$1 expected=$2 got
  shift 2
  got=$(command curl -sS -o "$__docs_body" -w '%{http_code}' "$@")
  cat "$__docs_body"; echo
  if [ "$got" != "$want" ]; then
    echo "docs test: expected HTTP $want, got $got" >&2; return 1
  fi
  if [ -n "$expected" ]; then
    python3 -c 'import json, sys
want, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
if want != got:
    sys.exit("docs test: expected the answer %s, got %s" % (json.dumps(want), json.dumps(got)))
' "$expected" "$__docs_body"
  fi
}
"""


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [str(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def complete(text):
    return subprocess.run(["bash", "-n", "-c", text], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def scaled(command):
    """`--seeds N` at most 3 (1 in wire mode); `load --duration S` at most 0.5 s."""
    cap = 1 if "--mode wire" in command else 3
    command = re.sub(r"--seeds (\d+)", lambda m: "--seeds %d" % min(int(m.group(1)), cap),
                     command)
    if re.search(r"(notify-sim|\$\w+) load\b", command):
        command = re.sub(r"--duration ([\d.]+)",
                         lambda m: "--duration %g" % min(float(m.group(1)), 0.5), command)
    return command


def shell_commands(block, problems):
    """(line, command, expected status, expected JSON, expected exit) for each command."""
    lines = block.text.splitlines()
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        start, text = i, line
        while not complete(text) or text.endswith("\\"):
            i += 1
            if i == len(lines):
                problems.append("%s: line %d: the command never ends" % (block.where,
                                                                      block.line + 1 + start))
                return out
            text += "\n" + lines[i]
        i += 1
        status = body = None
        if i < len(lines):
            m = re.match(r"^#\s*(\d{3})\b\s*(.*)$", lines[i].strip())
            if m:
                status, rest = m.group(1), m.group(2)
                try:
                    body = json.dumps(json.loads(rest)) if rest.startswith("{") else None
                except ValueError:
                    body = None  # "..." in it: the status alone is checked
        exits = re.search(r"#\s*exits (\d+)\b", text.splitlines()[-1])
        out.append((block.line + 1 + start, text, status, body,
                    int(exits.group(1)) if exits else None))
    return out


def shell_script(block, page_dir, substitute, problems):
    parts = [SHELL_PRELUDE, "__docs_body=%s\n" % (page_dir / ".curl-body")]
    for n, (line, command, status, body, exits) in enumerate(shell_commands(block, problems)):
        command = substitute(scaled(command))
        if command.startswith("curl "):
            if status:
                expected = ""
                if body:
                    expected = str(page_dir / (".expected-%d-%d.json" % (block.line, n)))
                    pathlib.Path(expected).write_text(body)
                command = "__docs_curl_expect %s '%s' %s" % (status, expected,
                                                             command[len("curl "):])
            else:
                command = "__docs_curl " + command[len("curl "):]
        parts.append("__docs_where='%s:%d'\n" % (block.page, line))
        if exits is not None:
            parts.append("set +e\n%s\n__docs_rc=$?\nset -e\n" % command)
            parts.append('[ $__docs_rc -eq %d ] || { echo "docs test: expected exit %d, got '
                         '$__docs_rc" >&2; exit 1; }\n' % (exits, exits))
        else:
            parts.append(command + "\n")
    parts.append("__docs_where=\n")
    return "".join(parts)


def console_checks(block):
    """(line, command, expected output) for each `$ ` command of a console block."""
    out, current = [], None
    for n, line in enumerate(block.text.splitlines()):
        if line.startswith("$ "):
            current = [block.line + 1 + n, line[2:], []]
            out.append(current)
        elif current is not None:
            current[2].append(line)
    return [(l, c, "\n".join(o).rstrip()) for l, c, o in out]


def python_script(block, text):
    """The block, with `notify_sim` bound to the page's server when the block uses it as the
    pytest fixture, and a statement followed by `# SomeError: message` expected to raise it."""
    lines = text.splitlines()
    out = []
    if re.search(r"\bnotify_sim\.", text) and not re.search(
            r"^\s*def .*\bnotify_sim\b", text, re.M):
        out.append('notify_sim = __import__("notify_sim").NotifySim.attach('
                   '__import__("os").environ["NOTIFY_SIM_ADMIN_URL"])')
    for i, line in enumerate(lines):
        m = re.match(r"^#\s*([A-Z]\w*(?:Error|Exception|Timeout)): (.*)$", line)
        if m and out and not lines[i - 1].startswith((" ", "#")) and lines[i - 1].strip():
            statement = out.pop()
            # The exception by its class's name, as the traceback a reader sees names it.
            out.append("try:\n    %s\nexcept Exception as __docs_e:\n"
                       "    __docs_got = '%%s: %%s' %% (type(__docs_e).__name__, __docs_e)\n"
                       "    assert __docs_got == %r, 'docs test: %s:%d raised ' + __docs_got\n"
                       "else:\n    raise AssertionError('docs test: %s:%d did not raise %s')"
                       % (statement, m.group(1) + ": " + m.group(2), block.page,
                          block.line + i, block.page, block.line + i, m.group(1)))
            out.append(line)
            continue
        out.append(line)
    return "\n".join(out) + "\n"


class Page:
    def __init__(self, binary, root, path, tmp):
        self.binary, self.root, self.path = binary, root, path
        self.problems = []
        self.blocks = docblocks.blocks(root, path, self.problems)
        self.dir = pathlib.Path(tmp) / str(path.relative_to(root)).replace("/", "_")
        self.log = []
        self.children = []
        self.timings = []
        self.serve = None
        self.ran = self.skipped = 0

    def setup(self):
        d = self.dir
        (d / "bin").mkdir(parents=True)
        (d / "home").mkdir()
        (d / "tmp").mkdir()
        (d / "build" / "scenarios" / "cli").mkdir(parents=True)
        for name in LINKED:
            os.symlink(self.root / name, d / name)
        os.symlink(self.binary, d / "bin" / "notify-sim")
        # The AWS CLI and Python scripts/setup.sh installs (Debian's), ahead of any other on PATH.
        for tool in ("aws", "python3"):
            if os.path.exists("/usr/bin/" + tool):
                os.symlink("/usr/bin/" + tool, d / "bin" / tool)
        os.symlink(self.binary, d / "build" / "scenarios" / "cli" / "notify-sim")
        env = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
        env.update(HOME=str(d / "home"), PATH="%s:%s" % (d / "bin", env.get("PATH", "")),
                   PYTHONPATH="%s:%s" % (d / "python", d), PYTHONDONTWRITEBYTECODE="1")
        self.env = env
        self.edge, self.admin = free_ports(2)
        env["ADMIN"] = "127.0.0.1:" + self.admin

    def substitute(self, text):
        text = re.sub(r"\b%s\b" % EDGE_PORT, self.edge, text)
        text = re.sub(r"\b%s\b" % ADMIN_PORT, self.admin, text)
        return text.replace("/tmp/", str(self.dir / "tmp") + "/")

    def needs_serve(self, runnable):
        texts = [self.substitute(b.text) for b in runnable]
        if any(re.search(r"(notify-sim|\$\w+) serve\b", t) for t in texts):
            return False  # the page starts its own
        return any(self.edge in t or self.admin in t or "$ADMIN" in t or
                   re.search(r"\bnotify_sim\.", t) for t in texts)

    def start_serve(self):
        ready = self.dir / "serve-ready.json"
        with open(self.dir / "serve.out", "w") as out:
            self.serve = subprocess.Popen(
                [str(self.binary), "serve", "--port", self.edge, "--admin-port", self.admin,
                 "--ready-file", str(ready)], cwd=self.dir, env=self.env, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + SERVE_READY_S
        while not ready.exists():
            if self.serve.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the page's serve did not start: " +
                                   (self.dir / "serve.out").read_text()[-2000:])
            time.sleep(0.02)
        info = json.loads(ready.read_text())
        if "error" in info:
            raise RuntimeError(info["error"])
        # As a user who followed docs/cli.md: serve's export lines are in the environment.
        self.env.update(info["env"])

    def run_process(self, block, argv, label):
        log = self.dir / ("%s.log" % label)
        started = time.monotonic()
        with open(log, "w") as out:
            proc = subprocess.Popen(argv, cwd=self.dir, env=self.env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            self.children.append(proc)
            try:
                rc = proc.wait(timeout=BLOCK_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                rc = "timed out after %d s" % BLOCK_TIMEOUT_S
        self.timings.append((time.monotonic() - started, block.where))
        return rc, log.read_text()

    def fail(self, where, what, output=""):
        tail = "\n".join("    " + l for l in output.rstrip().splitlines()[-15:])
        self.problems.append("%s: %s%s" % (where, what, "\n" + tail if tail else ""))

    def run_shell(self, block):
        if block.lang == "console":
            return self.run_console(block)
        script = self.dir / ("block-%d.sh" % block.line)
        script.write_text(shell_script(block, self.dir, self.substitute, self.problems))
        rc, output = self.run_process(block, ["bash", str(script)], "block-%d" % block.line)
        if rc != 0:
            where = re.findall(r"docs test: (\S+:\d+): exit", output)
            self.fail(where[-1] if where else block.where, "exit %s" % rc, output)

    def run_console(self, block):
        for line, command, expected in console_checks(block):
            where = "%s:%d" % (block.page, line)
            rc, output = self.run_process(
                block, ["bash", "-c", self.substitute(scaled(command)) + " 2>&1"],
                "console-%d" % line)
            if isinstance(rc, str):
                self.fail(where, rc, output)
            elif output.rstrip() != expected:
                self.fail(where, "the output differs from the page's:\n  expected:\n%s\n  got:"
                          % "\n".join("    " + l for l in expected.splitlines()), output)

    def run_python(self, block):
        label = "block-%d" % block.line
        if block.file:
            target = self.dir / block.file
            target.write_text(self.substitute(block.text))
            if not re.match(r"test_.*\.py$", block.file):
                rc, output = self.run_process(
                    block, [PYTHON, "-m", "py_compile", str(target)], label)
            else:
                rc, output = self.run_process(
                    block, [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", block.file],
                    label)
        else:
            script = self.dir / (label + ".py")
            script.write_text(python_script(block, self.substitute(block.text)))
            rc, output = self.run_process(block, [PYTHON, str(script)], label)
        if rc != 0:
            self.fail(block.where, "exit %s" % rc, output)

    def run(self):
        started = time.monotonic()
        runnable = [b for b in self.blocks if b.runnable]
        self.skipped = sum(1 for b in self.blocks
                           if b.lang in docblocks.SHELL + docblocks.PYTHON and b.not_run)
        if not runnable:
            return self
        try:
            self.setup()
            if self.needs_serve(runnable):
                self.start_serve()
            for block in runnable:
                self.ran += 1
                (self.run_shell if block.lang in docblocks.SHELL else self.run_python)(block)
        except Exception as e:  # the page's set-up; reported as its problem
            self.problems.append("%s: %s" % (self.path.relative_to(self.root), e))
        finally:
            self.stop()
        self.log.append("%-28s %2d blocks run, %2d not run, %5.1f s" % (
            self.path.relative_to(self.root), self.ran, self.skipped,
            time.monotonic() - started))
        return self

    def stop(self):
        # Whatever a block left running in the background (a serve with `&`), then the page's
        # serve, which must stop on SIGTERM.
        for proc in self.children:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        if self.serve is not None:
            self.serve.send_signal(signal.SIGTERM)
            try:
                self.serve.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.serve.pid, signal.SIGKILL)
                self.problems.append("%s: the page's serve did not stop on SIGTERM"
                                     % self.path.relative_to(self.root))


def main():
    binary = pathlib.Path(sys.argv[1]).resolve()
    root = pathlib.Path(sys.argv[2]).resolve()
    chosen = [root / p for p in sys.argv[3:]] or docblocks.pages(root)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="docs-blocks-") as tmp:
        pages = [Page(binary, root, p, tmp) for p in chosen]
        # Two pages at a time: each has its own folder, ports and serve.
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(Page.run, pages))
    problems = [p for page in pages for p in page.problems]
    for page in pages:
        for line in page.log:
            print(line)
    slowest = sorted((t for page in pages for t in page.timings), reverse=True)[:5]
    print("slowest blocks: " + ", ".join("%s %.1f s" % (w, t) for t, w in slowest))
    for p in problems:
        print("FAIL " + p)
    print("%d blocks run, %d not run (marked), %d problems, %.1f s" % (
        sum(p.ran for p in pages), sum(p.skipped for p in pages), len(problems),
        time.monotonic() - started))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
