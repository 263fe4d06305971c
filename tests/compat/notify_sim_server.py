"""Runs `notify-sim serve` for the compat tests: start, wait for the ready file, stop.

The compat tests run with Debian's /usr/bin/python3 (boto3 1.26 / botocore 1.29), the client
versions whose parsing the stubs follow.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

READY_TIMEOUT_S = 10.0
READY_POLL_S = 0.05
STOP_TIMEOUT_S = 5.0

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "eu-west-2"


class Server:
    """`with Server(binary) as s:` gives s.edge_url and s.admin_url of a listening server."""

    def __init__(self, binary, extra_args=()):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.proc = None
        self.tmp = None
        self.edge_url = None
        self.admin_url = None
        self.env = {}

    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="notify-sim-compat-")
        ready = os.path.join(self.tmp.name, "ready.json")
        self.log_path = os.path.join(self.tmp.name, "serve.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--port", "0", "--admin-port", "0", "--ready-file", ready]
            + self.extra_args,
            stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready(ready)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self, ready):
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("notify-sim serve exited with %s before it was ready:\n%s"
                                   % (self.proc.returncode, self.output()))
            if os.path.exists(ready):
                with open(ready) as f:
                    info = json.load(f)
                self.edge_url = info["edge_url"]
                self.admin_url = info["admin_url"]
                self.env = info.get("env", {})
                return
            time.sleep(READY_POLL_S)
        raise RuntimeError("notify-sim serve wrote no ready file within %.0f s:\n%s"
                           % (READY_TIMEOUT_S, self.output()))

    def output(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        if self.log is not None:
            self.log.close()
        if self.tmp is not None:
            self.tmp.cleanup()
        return False

    # --- control API -------------------------------------------------------------------------

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.admin_url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read().decode()
            return resp.status, (json.loads(text) if text.strip() else None)

    def add_fault(self, error_name, **match):
        match.setdefault("service", "ses")
        return self.admin("POST", "/faults",
                          {"match": match, "action": {"type": "error", "name": error_name}})

    def reset(self):
        return self.admin("POST", "/reset", {})


def aws_env():
    """Environment for boto3 and the AWS CLI that ignores the user's own AWS configuration."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("AWS_"):
            del env[key]
    env.update({
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_PAGER": "",
    })
    return env


class ServerTestCase(unittest.TestCase):
    """One `notify-sim serve` per test class, its journal and faults reset before each test."""

    binary = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server(ServerTestCase.binary).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def setUp(self):
        self.server.reset()


def main(script):
    """Runs a compat test module: `python3 <script> <path to notify-sim>`."""
    if len(sys.argv) < 2:
        sys.exit("usage: %s <notify-sim binary>" % script)
    ServerTestCase.binary = sys.argv.pop(1)
    unittest.main(verbosity=2)
