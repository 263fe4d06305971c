"""boto3 (Debian's 1.26 / botocore 1.29) and requests against the stubs, through the fixtures."""

import botocore.config
import pytest
import requests
from botocore.exceptions import ClientError

from notify_sim import faults

ONE_TRY = botocore.config.Config(retries={"total_max_attempts": 1},
                                 connect_timeout=5, read_timeout=10)


@pytest.fixture
def ses(notify_sim):
    client = notify_sim.boto3_client("ses", config=ONE_TRY)
    yield client
    client.close()


@pytest.fixture
def sesv2(notify_sim):
    client = notify_sim.boto3_client("sesv2", config=ONE_TRY)
    yield client
    client.close()


def send_v1(ses, to="to@example.com", subject="Hello"):
    return ses.send_email(Source="sender@example.com", Destination={"ToAddresses": [to]},
                          Message={"Subject": {"Data": subject},
                                   "Body": {"Text": {"Data": "Hi"}}})


def send_v2(sesv2, to="to@example.com"):
    return sesv2.send_email(FromEmailAddress="sender@example.com",
                            Destination={"ToAddresses": [to]},
                            Content={"Simple": {"Subject": {"Data": "s"},
                                                "Body": {"Text": {"Data": "b"}}}})


def test_v1_and_v2_sends_are_journalled_with_their_message_ids(notify_sim, ses, sesv2):
    v1 = send_v1(ses)["MessageId"]
    v2 = send_v2(sesv2)["MessageId"]
    entries = notify_sim.wait_for(service="ses", count=2, timeout=5)
    assert [(e.operation, e.reference) for e in entries] == [
        ("SendEmail", v1), ("SendEmailV2", v2)]


def test_throttling_fault_reaches_boto3_as_the_ses_error(notify_sim, ses, sesv2):
    notify_sim.add_fault(faults.ses.throttling(first=2))
    with pytest.raises(ClientError) as info:
        send_v1(ses)
    assert info.value.response["Error"]["Code"] == "Throttling"
    assert info.value.response["Error"]["Message"] == "Maximum sending rate exceeded."
    with pytest.raises(sesv2.exceptions.TooManyRequestsException):
        send_v2(sesv2)
    assert send_v1(ses)["MessageId"]


def test_header_too_long_fault(notify_sim, ses):
    notify_sim.add_fault(faults.ses.header_too_long(first=1))
    with pytest.raises(ClientError) as info:
        send_v1(ses)
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert info.value.response["Error"]["Message"] == "Header too long: 'Subject'"


def test_boto3_default_retries_show_in_the_journal(notify_sim):
    # boto3's own retries: a throttle on the first two attempts is invisible to the caller.
    notify_sim.add_fault(faults.ses.throttling(first=2))
    client = notify_sim.boto3_client("ses")
    try:
        assert send_v1(client)["MessageId"]
    finally:
        client.close()
    outcomes = [e.outcome for e in notify_sim.wait_for(service="ses", count=3, timeout=30)]
    assert outcomes == ["error:Throttling", "error:Throttling", "ok"]


def test_notify_stub_contract_with_requests(notify_sim):
    url = notify_sim.env()["SES_STUB_URL"]
    r = requests.post(url, data="id=dummy-data", timeout=5)
    assert r.status_code == 200
    message_id = r.json()["MessageId"]
    [entry] = notify_sim.wait_for(service="ses", reference=message_id, timeout=5)
    assert entry.target == "/ses"


def v2_with_headers(headers):
    return {"FromEmailAddress": "sender@example.com",
            "Destination": {"ToAddresses": ["to@example.com"]},
            "Content": {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}},
                                   "Headers": headers}}}


def test_sesv2_custom_headers_are_limited_as_ses_limits_them(notify_sim):
    # botocore 1.29 cannot send Content.Simple.Headers; newer SDKs send this JSON.
    url = notify_sim.edge_url + "/v2/email/outbound-emails"
    fifteen = [{"Name": "X-H%d" % i, "Value": "v"} for i in range(15)]
    assert requests.post(url, json=v2_with_headers(fifteen), timeout=5).status_code == 200
    r = requests.post(url, json=v2_with_headers(fifteen + [{"Name": "X-16", "Value": "v"}]),
                      timeout=5)
    assert r.status_code == 400
    assert r.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert "less than or equal to 15" in r.json()["message"]
    r = requests.post(url, json=v2_with_headers([{"Name": "X-Name", "Value": "Zoë"}]), timeout=5)
    assert r.status_code == 400
    assert r.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert "[ -~]*" in r.json()["message"]


def test_mailbox_simulator_events_reach_a_receiver(tmp_path):
    import json as _json
    from notify_sim import EventReceiver, NotifySim
    config = tmp_path / "events.json"
    config.write_text(_json.dumps({"stubs": {"ses": {"events": {"delay_ms": 0}}}}))
    with EventReceiver() as events, \
            NotifySim(config=str(config), callback_url=events.url) as sim:
        client = sim.boto3_client("ses", config=ONE_TRY)
        try:
            sent = {}
            for box in ("success", "bounce", "ooto", "complaint", "suppressionlist"):
                to = box + "@simulator.amazonses.com"
                sent[send_v1(client, to=to)["MessageId"]] = box
        finally:
            client.close()
        got = {sent[e.message_id]: e.notification for e in events.wait_for(count=5, timeout=10)}
    assert got["success"]["notificationType"] == "Delivery"
    assert got["bounce"]["bounce"]["bounceType"] == "Permanent"
    assert got["bounce"]["bounce"]["reportingMTA"].startswith("dsn; ")
    assert got["ooto"]["bounce"]["bounceType"] == "Transient"
    assert got["complaint"]["notificationType"] == "Complaint"
    assert got["suppressionlist"]["bounce"]["bounceSubType"] == "Suppressed"
