#!/usr/bin/env python3
"""The README's "A short tour" block, run as a user would: every command in it, in order,
against the built binary, with the AWS CLI and curl. A command that fails fails the test, and
so does a block that no longer parses as the rule below expects.

The rule (README.md says it too): the block runs from a scratch folder that links the
checkout's scenarios/, tests/ and bench/; `$nsim` is the built binary; `$nsim serve` starts in
the background on free ports and its export lines are put in the environment of the commands
after it, as the tour says to paste them; the ports 4566 and 4567 become that server's edge
and admin ports; `curl` gets `-sS --fail-with-body`, so an error answer fails the command;
`--seeds N` becomes at most 3 and `--duration S` at most 0.5, so the whole
tour takes seconds; a command whose line ends in `# not run by the README test: REASON` is
skipped, and REASON is printed. At the end the server gets SIGTERM and must exit 0 within
5 s and remove its ready file.
"""

import json
import os
import pathlib
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

SKIP_MARK = "# not run by the README test:"
COMMAND_TIMEOUT_S = 120


def tour_commands(readme):
    """The tour's commands, continuation lines joined, comments and blank lines left out."""
    text = readme.read_text()
    section = text.split("## A short tour", 1)
    if len(section) != 2:
        sys.exit("README.md has no \"## A short tour\" section")
    block = re.search(r"```sh\n(.*?)```", section[1], re.S)
    if not block:
        sys.exit("the tour has no ```sh block")
    commands, current = [], ""
    for line in block.group(1).splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip("\\").rstrip() + " " if line.endswith("\\") else line
        if not line.endswith("\\"):
            commands.append(current.strip())
            current = ""
    return commands


def scaled(command):
    if command.startswith("curl "):
        command = "curl -sS --fail-with-body " + command[len("curl "):]
    command = re.sub(r"--seeds (\d+)", lambda m: "--seeds %d" % min(int(m.group(1)), 3), command)
    return re.sub(r"--duration ([\d.]+)",
                  lambda m: "--duration %g" % min(float(m.group(1)), 0.5), command)


def main():
    binary, root = pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2]).resolve()
    commands = tour_commands(root / "README.md")
    if not commands or not commands[0].startswith("nsim="):
        sys.exit("the tour's first command should set nsim=, got: %s" % commands[:1])
    env = dict(os.environ, nsim=str(binary))
    # What the user's shell would not have: anything pointing at stubs from an earlier run.
    for name in list(env):
        if name.startswith(("AWS_", "NOTIFY_SIM_", "SES_STUB", "FIRETEXT_", "MMG_")):
            del env[name]
    failures, ran, server = [], 0, None
    with tempfile.TemporaryDirectory() as tmp:
        for d in ("scenarios", "tests", "bench"):
            os.symlink(root / d, pathlib.Path(tmp) / d)
        ready = pathlib.Path(tmp) / "ready.json"
        ports = {}
        try:
            for command in commands[1:]:
                if SKIP_MARK in command:
                    print("skipped: %s (%s)" % (command.split(SKIP_MARK)[0].strip(),
                                                command.split(SKIP_MARK)[1].strip()))
                    continue
                command = command.split(" #", 1)[0].strip()
                if command.startswith("$nsim serve"):
                    args = shlex.split(command)[2:]
                    server = subprocess.Popen(
                        [str(binary), "serve", *args, "--port", "0", "--admin-port", "0",
                         "--ready-file", str(ready)], cwd=tmp, env=env,
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                    deadline = time.monotonic() + 20
                    while not ready.exists() and time.monotonic() < deadline:
                        if server.poll() is not None:
                            sys.exit("serve exited with %s before it was ready" % server.returncode)
                        time.sleep(0.05)
                    info = json.loads(ready.read_text())
                    # The export lines, as a user would paste them from the banner.
                    exports = {}
                    for line in server.stdout:
                        if line.startswith("export "):
                            name, _, value = line[len("export "):].strip().partition("=")
                            exports[name] = value
                        if line.startswith("Control API:"):
                            break
                    if "NOTIFY_SIM_ADMIN_URL" not in exports:
                        failures.append("serve's banner has no NOTIFY_SIM_ADMIN_URL export")
                    env.update(exports)
                    ports["4566"] = info["edge_url"].rsplit(":", 1)[1]
                    ports["4567"] = info["admin_url"].rsplit(":", 1)[1]
                    ran += 1
                    continue
                for documented, real in ports.items():
                    command = command.replace(":" + documented, ":" + real)
                command = scaled(command)
                ran += 1
                r = subprocess.run(["bash", "-c", command], cwd=tmp, env=env, timeout=COMMAND_TIMEOUT_S,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                if r.returncode != 0:
                    failures.append("%s\n  exit %d:\n%s" % (command, r.returncode, "\n".join(
                        "    " + l for l in r.stdout.splitlines()[-8:])))
        finally:
            if server is not None:
                started = time.monotonic()
                server.send_signal(signal.SIGTERM)
                try:
                    rc = server.wait(timeout=5)
                    if rc != 0:
                        failures.append("serve exited %d on SIGTERM, not 0" % rc)
                except subprocess.TimeoutExpired:
                    server.kill()
                    failures.append("serve did not stop within 5 s of SIGTERM")
                if ready.exists():
                    failures.append("serve left its ready file behind after SIGTERM")
                print("serve stopped %.2f s after SIGTERM" % (time.monotonic() - started))
    for f in failures:
        print("FAIL: " + f)
    print("%d tour commands run, %d failed" % (ran, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
