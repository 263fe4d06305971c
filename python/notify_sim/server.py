"""Starting `notify-sim serve`, or attaching to one that runs, and the environment clients need."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .control import Control
from .errors import BinaryNotFound, ControlApiError, ServerStartError

START_TIMEOUT_S = 20.0
# How long to wait for the ready file of a server something else started. serve writes it
# within milliseconds of starting, or writes {"error": ...} there at once when it cannot start.
READY_FILE_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
_POLL_S = 0.02

# The AWS documentation's example credentials: the stubs accept any, and these can never be
# mistaken for real ones.
ACCESS_KEY_ID = "AKIDEXAMPLE"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "eu-west-2"

_BUILD_RELATIVE = os.path.join("scenarios", "cli", "notify-sim")


def _candidate_build_dirs() -> List[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))  # python/notify_sim -> the repository
    dirs = [os.path.join(repo, "build"), os.path.join(os.getcwd(), "build")]
    out: List[str] = []
    for d in dirs:
        if d not in out:
            out.append(d)
    return out


def find_binary() -> str:
    """The notify-sim executable: $NOTIFY_SIM_BIN, else `notify-sim` on PATH, else the build
    folder (build/scenarios/cli/notify-sim beside this package's repository, then under the
    current directory). Raises BinaryNotFound listing every place it looked."""
    looked: List[str] = []
    env = os.environ.get("NOTIFY_SIM_BIN")
    if env:
        if os.path.isfile(env) and os.access(env, os.X_OK):
            return env
        # An explicit setting that is wrong is an error, not a reason to run another binary.
        raise BinaryNotFound(["NOTIFY_SIM_BIN=%s (not an executable file)" % env])
    looked.append("NOTIFY_SIM_BIN (not set)")
    on_path = shutil.which("notify-sim")
    if on_path:
        return on_path
    looked.append("notify-sim on PATH (%s)" % (os.environ.get("PATH") or "PATH is empty"))
    for d in _candidate_build_dirs():
        path = os.path.join(d, _BUILD_RELATIVE)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        looked.append(path)
    raise BinaryNotFound(looked)


def ses_env(edge_url: str) -> Dict[str, str]:
    """What `serve` prints as export lines for SES, computed from the edge URL."""
    return {
        "AWS_ENDPOINT_URL": edge_url,
        "AWS_ENDPOINT_URL_SES": edge_url,
        "AWS_ENDPOINT_URL_SESV2": edge_url,
        "SES_STUB_URL": edge_url + "/ses",
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": REGION,
    }


def _read_ready_file(path: str, output: Any = None) -> Dict[str, Any]:
    """The ready file's JSON. serve writes {"error": "..."} there when it cannot start."""
    with open(path) as f:
        ready = json.load(f)
    if "error" in ready:
        raise ServerStartError("notify-sim serve could not start (%s): %s"
                               % (path, ready["error"]), output() if output else "")
    return ready


def _linux_parent_death_signal() -> Any:
    """On Linux, a pre-exec hook that makes the child get SIGTERM if this process dies without
    stopping it (killed test run), so no server outlives its test session."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None

    def hook() -> None:
        prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG

    return hook


class NotifySim(Control):
    """A notify-sim server and its control API.

        with NotifySim() as sim:          # starts `notify-sim serve` on free ports
            sim.edge_url, sim.admin_url, sim.env()
            sim.add_fault(faults.ses.throttling(first=1))
            sim.wait_for(service="ses", operation="SendEmail")

    `NotifySim.attach(admin_url)` speaks to a server something else started (and never stops
    it). Every control API method (add_fault, journal, wait_for, reset, metrics, ...) is
    available on the object itself.
    """

    def __init__(self, binary: Optional[str] = None, *, config: Optional[str] = None,
                 seed: Optional[int] = None, callback_url: Optional[str] = None,
                 bind: str = "127.0.0.1", extra_args: Sequence[str] = (),
                 start_timeout: float = START_TIMEOUT_S,
                 environ: Optional[Mapping[str, str]] = None):
        self.binary = binary
        self.config = None if config is None else str(config)
        self._args: List[str] = ["--bind", bind]
        if config is not None:
            self._args += ["--config", str(config)]
        if seed is not None:
            self._args += ["--seed", str(seed)]
        if callback_url is not None:
            self._args += ["--callback-url", callback_url]
        self._args += list(extra_args)
        self.start_timeout = start_timeout
        self._environ = dict(environ) if environ is not None else None
        self.proc: Optional[subprocess.Popen] = None
        self._tmp: Optional[tempfile.TemporaryDirectory] = None
        self._log: Any = None
        self.edge_url: Optional[str] = None
        self.seed: Optional[int] = None
        self.ready: Dict[str, Any] = {}
        self._health_env: Optional[Dict[str, str]] = None
        self.owned = True
        super().__init__("http://unstarted.invalid")

    # --- attaching ---------------------------------------------------------------------------

    @classmethod
    def attach(cls, admin_url: str, edge_url: Optional[str] = None) -> "NotifySim":
        """A handle on a server that is already running (started by CI, a shell, another
        process). The edge URL comes from `edge_url`, else from the server's /health `env`.
        Closing the handle leaves the server running."""
        sim = cls.__new__(cls)
        Control.__init__(sim, admin_url)
        sim.binary = None
        sim.config = None
        sim.proc = None
        sim._tmp = None
        sim._log = None
        sim.seed = None
        sim.ready = {}
        sim.owned = False
        sim._health_env = None
        health = sim.health()
        env = health.get("env")
        if isinstance(env, dict):
            sim._health_env = {str(k): str(v) for k, v in env.items()}
        if isinstance(health.get("seed"), int):
            sim.seed = health["seed"]
        sim.edge_url = (edge_url or (sim._health_env or {}).get("AWS_ENDPOINT_URL") or None)
        if sim.edge_url:
            sim.edge_url = sim.edge_url.rstrip("/")
        return sim

    @classmethod
    def from_ready_file(cls, path: str, timeout: float = READY_FILE_TIMEOUT_S) -> "NotifySim":
        """Attaches to the server that writes (or wrote) the ready file at `path`
        (`serve --ready-file`), waiting up to `timeout` seconds for the file to appear. A
        serve that could not start writes its error there instead: that raises
        ServerStartError at once, with serve's message."""
        deadline = time.monotonic() + timeout
        while not os.path.exists(path):
            if time.monotonic() >= deadline:
                raise ServerStartError(
                    "no ready file at %s after %.0f s: is notify-sim serve running with "
                    "--ready-file %s (or NOTIFY_SIM_READY_FILE)?" % (path, timeout, path))
            time.sleep(_POLL_S)
        ready = _read_ready_file(path)
        sim = cls.attach(ready["admin_url"], ready.get("edge_url"))
        sim.ready = ready
        if isinstance(ready.get("seed"), int):
            sim.seed = ready["seed"]
        return sim

    # --- starting and stopping ---------------------------------------------------------------

    def start(self) -> "NotifySim":
        if self.proc is not None:
            return self
        binary = self.binary or find_binary()
        self.binary = binary
        self._tmp = tempfile.TemporaryDirectory(prefix="notify-sim-")
        ready_path = os.path.join(self._tmp.name, "ready.json")
        self._log_path = os.path.join(self._tmp.name, "serve.log")
        self._log = open(self._log_path, "wb")
        cmd = [binary, "serve", "--port", "0", "--admin-port", "0", "--ready-file", ready_path]
        env = dict(os.environ if self._environ is None else self._environ)
        try:
            self.proc = subprocess.Popen(cmd + self._args, stdout=self._log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         env=env, preexec_fn=_linux_parent_death_signal())
        except OSError as e:
            self._cleanup()
            raise ServerStartError("cannot run %s: %s" % (binary, e)) from e
        try:
            self._wait_ready(ready_path)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, ready_path: str) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.proc.poll() is not None:
                raise ServerStartError("notify-sim serve exited with status %s before it was "
                                       "ready" % self.proc.returncode, self.output())
            if os.path.exists(ready_path):
                break
            if time.monotonic() >= deadline:
                raise ServerStartError("notify-sim serve wrote no ready file within %.0f s"
                                       % self.start_timeout, self.output())
            time.sleep(_POLL_S)
        self.ready = _read_ready_file(ready_path, self.output)
        self.admin_url = str(self.ready["admin_url"]).rstrip("/")
        self.edge_url = str(self.ready["edge_url"]).rstrip("/")
        if isinstance(self.ready.get("seed"), int):
            self.seed = self.ready["seed"]
        # Healthy means the control API answers, not just that the ports are bound.
        last: Optional[BaseException] = None
        while time.monotonic() < deadline:
            try:
                health = self.health()
                if health.get("status") == "ok":
                    env = health.get("env")
                    if isinstance(env, dict):
                        self._health_env = {str(k): str(v) for k, v in env.items()}
                    return
            except (OSError, ControlApiError) as e:
                last = e
            time.sleep(_POLL_S)
        raise ServerStartError("notify-sim serve did not report healthy within %.0f s (%s)"
                               % (self.start_timeout, last), self.output())

    def reset(self) -> None:
        """POST /reset, then the fault rules of the `config` this object started the server
        with, added again: a reset clears every rule, and those are part of the server's
        configuration rather than of one test."""
        super().reset()
        rules = self.config_faults()
        if rules:
            self.add_faults(rules)

    def config_faults(self) -> List[Dict[str, Any]]:
        """The fault rules in the `config` file this object started the server with (its
        `faults`, a list or {"faults": [...]}); none for an attached server."""
        if not self.config:
            return []
        with open(self.config) as f:
            faults = json.load(f).get("faults", [])
        if isinstance(faults, dict):
            faults = faults.get("faults", [])
        return [dict(rule) for rule in faults]

    def stop(self) -> Optional[int]:
        """Stops a server this object started (SIGTERM, then SIGKILL after 10 s) and returns
        its exit status; does nothing for an attached one."""
        code: Optional[int] = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=STOP_TIMEOUT_S)
            code = self.proc.returncode
            self.proc = None
        self._cleanup()
        return code

    close = stop

    def _cleanup(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def output(self) -> str:
        """What the server printed so far (a started server only)."""
        if self._log is None:
            return ""
        self._log.flush()
        with open(self._log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self) -> "NotifySim":
        if self.owned:
            self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- what clients need -------------------------------------------------------------------

    def env(self) -> Dict[str, str]:
        """The environment a client needs: AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SES,
        AWS_ENDPOINT_URL_SESV2, SES_STUB_URL (and FIRETEXT_URL, MMG_URL, ... for the services
        the server has), example credentials and region. Taken from the server's own list (the
        ready file's or /health's `env`) when it gives one, else computed for SES from the edge
        URL."""
        given = self.ready.get("env") if isinstance(self.ready.get("env"), dict) else None
        if given is None:
            given = self._health_env
        if given is not None:
            return {str(k): str(v) for k, v in given.items()}
        if not self.edge_url:
            raise ControlApiError("GET", "/health", 0, "the server does not say its edge URL; "
                                  "pass edge_url= to NotifySim.attach")
        return ses_env(self.edge_url)

    def boto3_client(self, service: str = "ses", **kwargs: Any) -> Any:
        """A boto3 client for the stubs (needs boto3): endpoint, example credentials and region
        filled in, the caller's own AWS configuration not consulted."""
        import boto3  # imported here: the package itself needs only the standard library

        env = self.env()
        endpoint = (env.get("AWS_ENDPOINT_URL_" + service.upper().replace("-", "_"))
                    or env.get("AWS_ENDPOINT_URL") or self.edge_url)
        kwargs.setdefault("endpoint_url", endpoint)
        kwargs.setdefault("region_name", env.get("AWS_DEFAULT_REGION", REGION))
        kwargs.setdefault("aws_access_key_id", env.get("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID))
        kwargs.setdefault("aws_secret_access_key",
                          env.get("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY))
        return boto3.session.Session().client(service, **kwargs)

    def __repr__(self) -> str:
        return "NotifySim(edge_url=%r, admin_url=%r%s)" % (
            self.edge_url, self.admin_url, "" if self.owned else ", attached")
