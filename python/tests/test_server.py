"""Starting, attaching to and stopping servers; the binary lookup; env(); serve's environment
variables and seeds."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from notify_sim import (BinaryNotFound, NotifySim, ServerStartError, find_binary, ses_env)
from notify_sim import server as server_module


def first_message_id(sim):
    r = requests.post(sim.edge_url + "/ses", data="id=dummy-data", timeout=5)
    assert r.status_code == 200
    return r.json()["MessageId"]


def port_of(url):
    return int(url.rsplit(":", 1)[1])


def refuses(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_two_servers_side_by_side_and_stop_leaves_nothing_running(notify_sim_server):
    with NotifySim() as other:
        assert other.running
        assert other.edge_url != notify_sim_server.edge_url
        assert other.admin_url != notify_sim_server.admin_url
        assert other.health()["status"] == "ok"
        assert notify_sim_server.health()["status"] == "ok"
        pid = other.proc.pid
        edge_port, admin_port = port_of(other.edge_url), port_of(other.admin_url)
    assert other.proc is None and not other.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert refuses(edge_port) and refuses(admin_port)


def test_stop_reports_a_clean_exit():
    sim = NotifySim().start()
    assert sim.stop() == 0


def test_env_matches_the_edge_url(notify_sim):
    env = notify_sim.env()
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SES", "AWS_ENDPOINT_URL_SESV2"):
        assert env[key] == notify_sim.edge_url
    assert env["SES_STUB_URL"] == notify_sim.edge_url + "/ses"
    assert env["AWS_ACCESS_KEY_ID"] == "AKIDEXAMPLE"
    assert env["AWS_SECRET_ACCESS_KEY"] == "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    assert env["AWS_DEFAULT_REGION"] == "eu-west-2"


def test_env_prefers_the_servers_own_list_and_falls_back_to_ses():
    sim = NotifySim()
    sim.edge_url = "http://127.0.0.1:1"
    assert sim.env() == ses_env("http://127.0.0.1:1")
    sim._health_env = {"AWS_ENDPOINT_URL": "http://health", "MMG_URL": "http://health/mmg"}
    assert sim.env()["MMG_URL"] == "http://health/mmg"
    sim.ready = {"env": {"AWS_ENDPOINT_URL": "http://ready", "FIRETEXT_URL": "http://ready/f"}}
    assert sim.env() == {"AWS_ENDPOINT_URL": "http://ready", "FIRETEXT_URL": "http://ready/f"}


def test_attach_speaks_to_a_running_server_and_leaves_it_running(notify_sim):
    attached = NotifySim.attach(notify_sim.admin_url, notify_sim.edge_url)
    assert not attached.owned
    first_message_id(attached)
    assert [e.target for e in attached.journal()] == ["/ses"]
    with attached:
        pass
    assert notify_sim.health()["status"] == "ok"
    # Without edge_url the server's /health may name it; either way env() is consistent.
    bare = NotifySim.attach(notify_sim.admin_url)
    if bare.edge_url is not None:
        assert bare.edge_url == notify_sim.edge_url


def test_serve_takes_its_settings_from_the_environment_and_flags_win(tmp_path):
    ready = tmp_path / "ready.json"
    env = dict(os.environ, NOTIFY_SIM_PORT="0", NOTIFY_SIM_ADMIN_PORT="1",
               NOTIFY_SIM_READY_FILE=str(ready), NOTIFY_SIM_SEED="42")
    # The admin port from the environment (1, privileged) loses to the flag.
    proc = subprocess.Popen([find_binary(), "serve", "--admin-port", "0"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        sim = NotifySim.from_ready_file(str(ready), timeout=20)
        assert port_of(sim.edge_url) != 0 and port_of(sim.admin_url) not in (0, 1)
        seeded = first_message_id(sim)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    with NotifySim(seed=42) as again:
        assert first_message_id(again) == seeded


def test_a_fresh_seed_each_start_unless_one_is_given():
    ids = []
    for _ in range(2):
        with NotifySim() as sim:
            ids.append(first_message_id(sim))
    assert ids[0] != ids[1]
    replay = []
    for _ in range(2):
        with NotifySim(seed=7) as sim:
            replay.append(first_message_id(sim))
    assert replay[0] == replay[1]


def test_a_server_that_cannot_start_raises_with_its_output(tmp_path):
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"stubz": {}}))
    with pytest.raises(ServerStartError) as info:
        NotifySim(config=str(config)).start()
    assert "stubz" in str(info.value)


def test_binary_lookup_order_and_error(tmp_path, monkeypatch):
    real = find_binary()
    monkeypatch.setenv("NOTIFY_SIM_BIN", str(tmp_path / "missing"))
    with pytest.raises(BinaryNotFound) as info:
        find_binary()
    assert str(tmp_path / "missing") in str(info.value)

    monkeypatch.delenv("NOTIFY_SIM_BIN")
    on_path = tmp_path / "bin"
    on_path.mkdir()
    (on_path / "notify-sim").symlink_to(real)
    monkeypatch.setenv("PATH", str(on_path))
    assert find_binary() == str(on_path / "notify-sim")

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(server_module, "_candidate_build_dirs", lambda: [str(tmp_path / "b")])
    with pytest.raises(BinaryNotFound) as info:
        find_binary()
    message = str(info.value)
    assert "NOTIFY_SIM_BIN (not set)" in message
    assert str(tmp_path / "empty") in message
    assert os.path.join(str(tmp_path / "b"), "scenarios", "cli", "notify-sim") in message
    assert "NOTIFY_SIM_BIN" in message.splitlines()[-1]


def test_a_ready_file_from_a_serve_that_could_not_start_fails_at_once(tmp_path):
    """A serve that cannot start writes its error where the ready file would be, so a suite
    attached through NOTIFY_SIM_READY_FILE fails in well under a second, with serve's reason,
    instead of waiting out the time-out."""
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"journal": {"capacity": 0}}))
    ready = tmp_path / "ready.json"
    done = subprocess.run([find_binary(), "serve", "--port", "0", "--admin-port", "0",
                           "--config", str(config), "--ready-file", str(ready)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
    assert done.returncode == 2
    assert "journal.capacity" in done.stderr.decode()
    assert "journal.capacity" in json.loads(ready.read_text())["error"]
    started = time.monotonic()
    with pytest.raises(ServerStartError) as info:
        NotifySim.from_ready_file(str(ready), timeout=30)
    assert time.monotonic() - started < 1
    assert "could not start" in str(info.value) and "journal.capacity" in str(info.value)


def test_a_ready_file_that_never_appears_names_the_file_and_the_setting(tmp_path):
    started = time.monotonic()
    with pytest.raises(ServerStartError) as info:
        NotifySim.from_ready_file(str(tmp_path / "never.json"), timeout=0.2)
    assert time.monotonic() - started < 2
    assert "never.json" in str(info.value) and "NOTIFY_SIM_READY_FILE" in str(info.value)


def test_faults_of_the_config_survive_each_tests_reset(tmp_path):
    """The pytest plugin resets the server before every test; the rules of
    --notify-sim-config are part of the server's setup and are there in every test."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"faults": [
        {"id": "slow-ses", "match": {"service": "ses"},
         "action": {"type": "delay", "ms": 1}}]}))
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "conftest.py").write_text('pytest_plugins = ["notify_sim.pytest_plugin"]\n')
    (suite / "test_twice.py").write_text(
        "import pytest\n"
        "from notify_sim import faults\n\n"
        "@pytest.mark.notify_sim_fault(faults.ses.throttling(first=1, id='marker'))\n"
        "def test_first(notify_sim):\n"
        "    assert sorted(r['id'] for r in notify_sim.faults()) == ['marker', 'slow-ses']\n\n"
        "def test_second(notify_sim):\n"
        "    assert [r['id'] for r in notify_sim.faults()] == ['slow-ses']\n")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, NOTIFY_SIM_BIN=find_binary(),
               PYTHONPATH=os.path.join(repo, "python"))
    for key in ("NOTIFY_SIM_ADMIN_URL", "NOTIFY_SIM_READY_FILE"):
        env.pop(key, None)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--notify-sim-config", str(config), str(suite)],
                          cwd=str(tmp_path), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=120)
    output = done.stdout.decode("utf-8", "replace")
    assert done.returncode == 0, output
    assert "2 passed" in output, output
