import botocore.config
import pytest

from notify_sim import faults
from welcome import send_welcome_email


@pytest.fixture
def ses(notify_sim):
    # One attempt per call: boto3 would otherwise retry a throttled send by itself.
    client = notify_sim.boto3_client(
        "ses", config=botocore.config.Config(retries={"total_max_attempts": 1}))
    yield client
    client.close()


def test_throttled_send_is_retried_later(notify_sim, ses):
    notify_sim.add_fault(faults.ses.throttling(first=1))  # only the next send

    assert send_welcome_email(ses, "new.user@example.com") == ("retry-later", None)
    status, message_id = send_welcome_email(ses, "new.user@example.com")
    assert status == "sent"

    entries = notify_sim.wait_for(service="ses", operation="SendEmail",
                                  recipient="new.user@example.com", count=2, timeout=5)
    assert [e.outcome for e in entries] == ["error:Throttling", "ok"]
    assert entries[1].reference == message_id
