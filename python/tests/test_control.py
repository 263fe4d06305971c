"""The control client against a real server: faults and their handles, errors carrying the
server's message, the journal and its waits, firings, reset and metrics."""

import socket

import pytest
import requests

from notify_sim import ControlApiError, JournalWaitTimeout, faults

SEND = {"Action": "SendEmail", "Version": "2010-12-01", "Source": "sender@example.com",
        "Destination.ToAddresses.member.1": "to@example.com",
        "Message.Subject.Data": "Hello", "Message.Body.Text.Data": "Hi"}


def send(sim, to="to@example.com", timeout=5):
    return requests.post(sim.edge_url + "/", data=dict(SEND, **{
        "Destination.ToAddresses.member.1": to}), timeout=timeout)


def test_add_fault_returns_a_handle_that_removes_itself(notify_sim):
    with notify_sim.add_fault(faults.ses.throttling(id="thr")) as handle:
        assert handle.id == "thr"
        assert [f["id"] for f in notify_sim.faults()] == ["thr"]
        assert handle.rule()["action"] == {"type": "error", "name": "ses.throttling"}
        r = send(notify_sim)
        assert r.status_code == 400
        assert "<Code>Throttling</Code>" in r.text
        assert [f.rule_id for f in handle.firings()] == ["thr"]
    assert notify_sim.faults() == []
    assert send(notify_sim).status_code == 200
    handle.remove()  # already gone: not an error


def test_rule_ids_are_given_when_absent_and_keywords_build_rules(notify_sim):
    h = notify_sim.add_fault(action={"type": "error", "name": "ses.message_rejected"},
                             service="ses", first=1)
    assert h.id.startswith("rule-")
    assert h.rule()["trigger"] == {"first": 1}
    assert "<Code>MessageRejected</Code>" in send(notify_sim).text
    assert send(notify_sim).status_code == 200


def test_control_api_errors_carry_the_servers_message(notify_sim):
    with pytest.raises(ControlApiError) as info:
        notify_sim.add_fault(faults.error("ses.throtling"))
    e = info.value
    assert e.status == 400
    assert e.field == "action.name"
    assert 'unknown error "ses.throtling"' in e.message
    assert e.message in str(e)
    with pytest.raises(ControlApiError) as info:
        notify_sim.journal(outcome="ok", limit=-1)
    assert info.value.status == 400


def test_a_rule_list_is_all_or_nothing(notify_sim):
    with pytest.raises(ControlApiError) as info:
        notify_sim.add_faults([faults.ses.throttling(id="a"), faults.delay(id="b")])
    assert info.value.field is not None and info.value.field.startswith("faults[1]")
    assert notify_sim.faults() == []
    handles = notify_sim.add_faults([faults.ses.throttling(id="a"), faults.delay(ms=1, id="b")])
    assert [h.id for h in handles] == ["a", "b"]
    assert notify_sim.clear_faults() == 2


def test_journal_filters_and_typed_entries(notify_sim):
    send(notify_sim, "a@example.com")
    send(notify_sim, "b@example.com")
    entries = notify_sim.journal(service="ses", operation="SendEmail")
    assert [(e.seq, e.recipient, e.status, e.outcome) for e in entries] == [
        (1, "a@example.com", 200, "ok"), (2, "b@example.com", 200, "ok")]
    assert entries[0].reference and entries[0].method == "POST"
    assert "Action=SendEmail" in entries[0].request_body
    assert [e.recipient for e in notify_sim.journal(recipient="b@example.com")] == [
        "b@example.com"]
    assert [e.seq for e in notify_sim.journal(limit=1)] == [2]
    assert notify_sim.journal(since=3_600_000) == []
    assert len(notify_sim.journal(since=0)) == 2


def test_wait_for_returns_matching_entries_or_raises_an_assertion(notify_sim):
    send(notify_sim, "late@example.com")
    entries = notify_sim.wait_for(recipient="late@example.com", timeout=2)
    assert [e.recipient for e in entries] == ["late@example.com"]
    with pytest.raises(JournalWaitTimeout) as info:
        notify_sim.wait_for(recipient="late@example.com", count=2, timeout=0.2)
    assert isinstance(info.value, AssertionError)
    assert len(info.value.entries) == 1
    assert "found 1" in str(info.value)


def test_reset_clears_journal_faults_and_metrics(notify_sim):
    notify_sim.add_fault(faults.ses.throttling())
    send(notify_sim)
    assert notify_sim.fired_count() == 1
    assert notify_sim.metrics().value("notify_sim_requests_total", service="ses") == 1
    notify_sim.reset()
    assert notify_sim.faults() == [] and notify_sim.journal() == []
    assert notify_sim.firings() == [] and notify_sim.fired_count() == 0
    m = notify_sim.metrics()
    assert m.value("notify_sim_requests_total", service="ses") == 0
    assert any(s.name == "notify_sim_journal_entries" for s in m)


def test_metrics_count_outcomes(notify_sim):
    notify_sim.add_fault(faults.ses.throttling(first=1))
    send(notify_sim)
    send(notify_sim)
    m = notify_sim.metrics()
    assert m.value("notify_sim_responses_total", service="ses",
                   outcome="error:Throttling") == 1
    assert m.value("notify_sim_responses_total", service="ses", outcome="ok") == 1
    assert m.value("notify_sim_faults_fired_total", service="ses") == 1


def test_connection_faults(notify_sim):
    notify_sim.add_fault(faults.ses.reset(first=1))
    with pytest.raises(requests.exceptions.ConnectionError):
        send(notify_sim)
    notify_sim.add_fault(faults.ses.hang(first=1))
    with pytest.raises(requests.exceptions.ReadTimeout):
        send(notify_sim, timeout=0.5)
    with notify_sim.add_fault(faults.ses.refuse()):
        with pytest.raises(requests.exceptions.ConnectionError):
            send(notify_sim)
    assert send(notify_sim).status_code == 200
    outcomes = [e.outcome for e in notify_sim.journal(service="ses")]
    assert outcomes[:2] == ["reset", "hung"] and outcomes[-1] == "ok"


def test_refusing_the_whole_service_closes_the_listener(notify_sim):
    # SES's own listener closes; the shared edge stays open for the other stubs on it.
    host, port = notify_sim.ready["listeners"]["ses"].rsplit("/", 1)[-1].rsplit(":", 1)
    edge_host, edge_port = notify_sim.edge_url.rsplit("/", 1)[-1].rsplit(":", 1)
    with notify_sim.add_fault(faults.ses.refuse()):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((host, int(port)), timeout=2).close()
        socket.create_connection((edge_host, int(edge_port)), timeout=2).close()
    socket.create_connection((host, int(port)), timeout=2).close()


def test_named_faults_map_to_the_documented_actions():
    assert faults.ses.header_too_long(first=2) == {
        "match": {"service": "ses"}, "action": {"type": "error", "name": "ses.header_too_long"},
        "trigger": {"first": 2}}
    assert faults.hang(service="ses", operation="SendEmail", probability=0.5) == {
        "match": {"service": "ses", "operation": "SendEmail"}, "action": {"type": "hang"},
        "trigger": {"probability": 0.5}}
    assert faults.az_outage("eu-west-2a")["match"] == {"service": "cbc", "az": "eu-west-2a"}
    assert faults.delay(median_ms=40, distribution="lognormal")["action"] == {
        "type": "delay", "distribution": "lognormal", "median_ms": 40}
    with pytest.raises(TypeError):
        faults.ses.throttling(frist=1)


@pytest.mark.notify_sim_fault(faults.ses.header_too_long(first=1))
def test_marker_adds_a_fault_for_one_test(notify_sim):
    r = send(notify_sim)
    assert r.status_code == 400 and "Header too long" in r.text
    assert send(notify_sim).status_code == 200


def test_marker_faults_are_gone_in_the_next_test(notify_sim):
    assert notify_sim.faults() == []
    assert send(notify_sim).status_code == 200


def test_env_fixture_sets_the_environment(notify_sim_env):
    import os
    assert os.environ["AWS_ENDPOINT_URL"] == notify_sim_env["AWS_ENDPOINT_URL"]
    assert notify_sim_env["SES_STUB_URL"] == notify_sim_env["AWS_ENDPOINT_URL"] + "/ses"
    assert notify_sim_env["AWS_ACCESS_KEY_ID"] == "AKIDEXAMPLE"


def test_a_wrong_admin_url_is_one_clear_error_not_a_socket_traceback():
    from notify_sim import Control
    with socket.socket() as s:  # a port nothing listens on: bound, never listening
        s.bind(("127.0.0.1", 0))
        url = "http://127.0.0.1:%d" % s.getsockname()[1]
        with pytest.raises(ControlApiError) as e:
            Control(url, timeout=2).health()
    assert e.value.status == 0
    assert url in str(e.value)
    assert "NOTIFY_SIM_ADMIN_URL" in str(e.value)
    assert e.value.__cause__ is None and e.value.__suppress_context__


def test_journal_entries_carry_direction_and_parent(notify_sim):
    send(notify_sim)
    entry = notify_sim.journal(service="ses")[0]
    assert entry.direction == "in"
    assert entry.parent == 0


def test_the_client_sends_the_admin_token_from_the_environment(monkeypatch):
    from notify_sim import Control, NotifySim
    monkeypatch.setenv("NOTIFY_SIM_ADMIN_TOKEN", "s3cret")
    with NotifySim(extra_args=("--admin-token", "s3cret")) as sim:
        assert sim.health()["status"] == "ok"
        with pytest.raises(ControlApiError) as e:
            Control(sim.admin_url, token="wrong").health()
        assert e.value.status == 401
