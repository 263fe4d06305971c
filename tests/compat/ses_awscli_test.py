"""The AWS CLI (Debian's 2.9) against `notify-sim serve`: `aws ses send-email` exits 0 with a
MessageId; with a throttle fault it exits 254 with SES's message.

Usage: /usr/bin/python3 ses_awscli_test.py <path to notify-sim>
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notify_sim_server import ServerTestCase, aws_env, main  # noqa: E402

AWS = "/usr/bin/aws"
CLI_TIMEOUT_S = 60


class SesAwsCli(ServerTestCase):
    def aws(self, *args, max_attempts=None):
        env = aws_env()
        if max_attempts is not None:
            env["AWS_MAX_ATTEMPTS"] = str(max_attempts)
        return subprocess.run(
            [AWS, "--endpoint-url", self.server.edge_url, "--output", "json", *args],
            env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S)

    def send_email(self, **kw):
        return self.aws("ses", "send-email", "--from", "sender@example.com",
                        "--destination", "ToAddresses=to@example.com",
                        "--message", "Subject={Data=Hello},Body={Text={Data=Hi}}", **kw)

    def test_send_email_prints_message_id(self):
        r = self.send_email()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(json.loads(r.stdout)["MessageId"])

    def test_get_send_quota(self):
        r = self.aws("ses", "get-send-quota")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["MaxSendRate"], 14.0)

    def test_sesv2_get_account(self):
        r = self.aws("sesv2", "get-account")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["SendQuota"]["Max24HourSend"], 50000.0)

    def test_throttle_fault_exits_254_with_the_message(self):
        self.server.add_fault("ses.throttling")
        r = self.send_email(max_attempts=1)
        self.assertEqual(r.returncode, 254, r.stdout + r.stderr)
        self.assertIn("An error occurred (Throttling) when calling the SendEmail operation", r.stderr)
        self.assertIn("Maximum sending rate exceeded.", r.stderr)

    def test_header_too_long_exits_254(self):
        r = self.aws("ses", "send-email", "--from", "sender@example.com",
                     "--destination", "ToAddresses=to@example.com",
                     "--message", "Subject={Data=%s},Body={Text={Data=Hi}}" % ("x" * 1000))
        self.assertEqual(r.returncode, 254, r.stdout + r.stderr)
        self.assertIn("(InvalidParameterValue)", r.stderr)
        self.assertIn("Header too long: 'Subject'", r.stderr)


if __name__ == "__main__":
    main(os.path.basename(__file__))
