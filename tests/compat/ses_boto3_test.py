"""boto3 (Debian's 1.26 / botocore 1.29) against `notify-sim serve`: SES v1 and v2 succeed,
and injected or modelled SES errors surface as the ClientError codes SES itself produces.

Usage: /usr/bin/python3 ses_boto3_test.py <path to notify-sim>
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notify_sim_server import ServerTestCase, aws_env, main  # noqa: E402

os.environ.clear()
os.environ.update(aws_env())

import boto3  # noqa: E402
import botocore.config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

# One attempt, so a throttle fault is seen once instead of after botocore's five tries.
NO_RETRY = botocore.config.Config(retries={"max_attempts": 1, "mode": "legacy"},
                                  connect_timeout=5, read_timeout=10)


class SesBoto3(ServerTestCase):
    def setUp(self):
        super().setUp()
        url = self.server.edge_url
        self.ses = boto3.client("ses", endpoint_url=url, config=NO_RETRY)
        self.sesv2 = boto3.client("sesv2", endpoint_url=url, config=NO_RETRY)

    def tearDown(self):
        self.ses.close()
        self.sesv2.close()

    def send(self, subject="Hello", to="to@example.com"):
        return self.ses.send_email(
            Source='"Sender" <sender@example.com>',
            Destination={"ToAddresses": [to], "CcAddresses": [], "BccAddresses": []},
            Message={"Subject": {"Data": subject},
                     "Body": {"Text": {"Data": "Hi"}, "Html": {"Data": "<p>Hi</p>"}}},
            ReplyToAddresses=["reply@example.com"])

    def test_send_email(self):
        r = self.send()
        self.assertRegex(r["MessageId"], r"^0100[0-9a-f]{12}-[0-9a-f-]{36}-000000$")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertTrue(r["ResponseMetadata"]["RequestId"])

    def test_send_raw_email(self):
        raw = b"From: sender@example.com\r\nTo: to@example.com\r\nSubject: t\r\n\r\nbody\r\n"
        r = self.ses.send_raw_email(Source="sender@example.com", Destinations=["to@example.com"],
                                    RawMessage={"Data": raw})
        self.assertTrue(r["MessageId"])

    def test_get_send_quota_counts_sends(self):
        self.send()
        q = self.ses.get_send_quota()
        self.assertEqual(q["Max24HourSend"], 50000.0)
        self.assertEqual(q["MaxSendRate"], 14.0)
        self.assertEqual(q["SentLast24Hours"], 1.0)

    def test_get_send_statistics(self):
        self.send()
        points = self.ses.get_send_statistics()["SendDataPoints"]
        self.assertEqual(sum(p["DeliveryAttempts"] for p in points), 1)

    def test_sesv2_send_email_and_get_account(self):
        r = self.sesv2.send_email(
            FromEmailAddress="sender@example.com",
            Destination={"ToAddresses": ["to@example.com"]},
            Content={"Simple": {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Hi"}}}},
            EmailTags=[{"Name": "k", "Value": "v"}], ConfigurationSetName="cs1")
        self.assertTrue(r["MessageId"])
        self.assertTrue(r["ResponseMetadata"]["RequestId"])
        raw = self.sesv2.send_email(Content={"Raw": {"Data": b"From: a@example.com\r\n"
                                                             b"To: b@example.com\r\n\r\nx"}})
        self.assertTrue(raw["MessageId"])
        account = self.sesv2.get_account()
        self.assertEqual(account["SendQuota"]["Max24HourSend"], 50000.0)
        self.assertEqual(account["SendQuota"]["SentLast24Hours"], 2.0)

    def test_throttle_fault_is_client_error_throttling(self):
        self.server.add_fault("ses.throttling")
        with self.assertRaises(ClientError) as cm:
            self.send()
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "Throttling")
        self.assertEqual(err["Message"], "Maximum sending rate exceeded.")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_throttle_fault_on_sesv2_is_too_many_requests(self):
        self.server.add_fault("ses.throttling")
        with self.assertRaises(self.sesv2.exceptions.TooManyRequestsException) as cm:
            self.sesv2.send_email(
                FromEmailAddress="sender@example.com",
                Destination={"ToAddresses": ["to@example.com"]},
                Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}})
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Maximum sending rate exceeded.")

    def test_message_rejected_fault_is_modelled_exception(self):
        self.server.add_fault("ses.message_rejected")
        with self.assertRaises(self.ses.exceptions.MessageRejected):
            self.send()

    def test_header_too_long_without_a_fault(self):
        with self.assertRaises(ClientError) as cm:
            self.send(subject="x" * 1000)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "InvalidParameterValue")
        self.assertEqual(err["Message"], "Header too long: 'Subject'")

    def test_invalid_address(self):
        with self.assertRaises(ClientError) as cm:
            self.send(to="nobody")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameterValue")
        self.assertEqual(cm.exception.response["Error"]["Message"], "Missing final '@domain'")

    def test_default_retries_send_five_requests(self):
        # botocore's legacy mode retries Throttling 400s: five requests reach the stub (after
        # up to 15 s of botocore's own backoff).
        self.server.add_fault("ses.throttling")
        ses = boto3.client("ses", endpoint_url=self.server.edge_url,
                           config=botocore.config.Config(retries={"mode": "legacy"},
                                                         connect_timeout=5, read_timeout=10))
        with self.assertRaises(ClientError):
            ses.send_email(Source="a@example.com", Destination={"ToAddresses": ["b@example.com"]},
                           Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
        ses.close()
        status, journal = self.server.admin("GET", "/journal?service=ses")
        self.assertEqual(status, 200)
        self.assertEqual(len(journal["entries"]), 5)


if __name__ == "__main__":
    main(os.path.basename(__file__))
