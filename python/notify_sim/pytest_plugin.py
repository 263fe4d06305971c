"""pytest plugin for notify-sim. Load it from a conftest.py:

    pytest_plugins = ["notify_sim.pytest_plugin"]

or on the command line with `-p notify_sim.pytest_plugin`.

Fixtures:

- `notify_sim_server` (session): one NotifySim for the whole run. It attaches to a server
  started elsewhere (and never stops it) when given `--notify-sim-admin-url` /
  NOTIFY_SIM_ADMIN_URL (with `--notify-sim-edge-url` / NOTIFY_SIM_EDGE_URL if the server does
  not report its edge URL), or `--notify-sim-ready-file` / NOTIFY_SIM_READY_FILE (the file that
  server writes with `--ready-file`, waited for up to 10 s). Otherwise it starts
  `notify-sim serve` on free ports and stops it at the end of the session.
- `notify_sim` (function): the same server, with its faults, journal, stub state and metrics
  reset before the test (the faults of `--notify-sim-config` are added again), and any
  `notify_sim_fault` markers applied.
- `notify_sim_env` (function): `notify_sim.env()`, also set in os.environ for the test.

Marker:

    @pytest.mark.notify_sim_fault(faults.ses.throttling(first=1))

adds that rule (or rules) before the test; the reset before the next test removes it.
"""

from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

from .server import NotifySim


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("notify-sim")
    group.addoption("--notify-sim-bin", default=None,
                    help="notify-sim executable (default: $NOTIFY_SIM_BIN, PATH, build/)")
    group.addoption("--notify-sim-admin-url", default=None,
                    help="use the running server with this control API URL instead of "
                         "starting one (default: $NOTIFY_SIM_ADMIN_URL)")
    group.addoption("--notify-sim-edge-url", default=None,
                    help="its edge URL, when the server does not report it "
                         "(default: $NOTIFY_SIM_EDGE_URL)")
    group.addoption("--notify-sim-ready-file", default=None,
                    help="use the running server that writes this ready file "
                         "(default: $NOTIFY_SIM_READY_FILE)")
    group.addoption("--notify-sim-config", default=None,
                    help="serve --config file for the server the plugin starts")


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", "notify_sim_fault(*rules): fault rules (notify_sim.faults) to add to the "
                   "notify-sim server before the test")


@pytest.fixture(scope="session")
def notify_sim_server(request: Any) -> Iterator[NotifySim]:
    opt = request.config.getoption
    admin_url = opt("--notify-sim-admin-url") or os.environ.get("NOTIFY_SIM_ADMIN_URL")
    if admin_url:
        edge_url = opt("--notify-sim-edge-url") or os.environ.get("NOTIFY_SIM_EDGE_URL")
        yield NotifySim.attach(admin_url, edge_url)
        return
    ready_file = opt("--notify-sim-ready-file") or os.environ.get("NOTIFY_SIM_READY_FILE")
    if ready_file:
        yield NotifySim.from_ready_file(ready_file)
        return
    with NotifySim(opt("--notify-sim-bin"), config=opt("--notify-sim-config")) as sim:
        yield sim


@pytest.fixture
def notify_sim(notify_sim_server: NotifySim, request: Any) -> Iterator[NotifySim]:
    notify_sim_server.reset()
    for marker in request.node.iter_markers("notify_sim_fault"):
        for rule in marker.args:
            notify_sim_server.add_fault(rule)
    yield notify_sim_server


@pytest.fixture
def notify_sim_env(notify_sim: NotifySim, monkeypatch: Any) -> dict:
    env = notify_sim.env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
