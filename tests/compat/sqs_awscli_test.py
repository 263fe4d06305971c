"""The AWS CLI (Debian's 2.9, Query protocol) against `notify-sim serve`'s SQS stub: create a
queue, send, receive with a long poll, change visibility, delete, and dead-letter after
maxReceiveCount; a missing queue exits 254 with SQS's code.

Usage: /usr/bin/python3 sqs_awscli_test.py <path to notify-sim>
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notify_sim_server import ServerTestCase, aws_env, main  # noqa: E402

AWS = "/usr/bin/aws"
CLI_TIMEOUT_S = 60


class SqsAwsCli(ServerTestCase):
    def aws(self, *args):
        env = aws_env()
        env["AWS_MAX_ATTEMPTS"] = "1"
        return subprocess.run(
            [AWS, "--endpoint-url", self.server.edge_url, "--output", "json", "sqs", *args],
            env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S)

    def ok(self, *args):
        r = self.aws(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def test_queue_round_trip(self):
        url = self.ok("create-queue", "--queue-name", "ses-callbacks")["QueueUrl"]
        sent = self.ok("send-message", "--queue-url", url, "--message-body", "hello")
        got = self.ok("receive-message", "--queue-url", url, "--wait-time-seconds", "1",
                      "--attribute-names", "All")
        [m] = got["Messages"]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        self.ok("change-message-visibility", "--queue-url", url, "--receipt-handle",
                m["ReceiptHandle"], "--visibility-timeout", "0")
        [again] = self.ok("receive-message", "--queue-url", url)["Messages"]
        self.ok("delete-message", "--queue-url", url, "--receipt-handle", again["ReceiptHandle"])
        self.assertNotIn("Messages", self.ok("receive-message", "--queue-url", url))

    def test_dead_letter(self):
        dlq = self.ok("create-queue", "--queue-name", "dlq")["QueueUrl"]
        policy = json.dumps({"deadLetterTargetArn": "arn:aws:sqs:eu-west-2:123456789012:dlq",
                             "maxReceiveCount": 1})
        url = self.ok("create-queue", "--queue-name", "work", "--attributes",
                      json.dumps({"RedrivePolicy": policy}))["QueueUrl"]
        self.ok("send-message", "--queue-url", url, "--message-body", "poison")
        self.assertEqual(len(self.ok("receive-message", "--queue-url", url,
                                     "--visibility-timeout", "0")["Messages"]), 1)
        self.assertNotIn("Messages", self.ok("receive-message", "--queue-url", url))
        [dead] = self.ok("receive-message", "--queue-url", dlq)["Messages"]
        self.assertEqual(dead["Body"], "poison")

    def test_missing_queue_exits_254(self):
        r = self.aws("get-queue-url", "--queue-name", "nope")
        self.assertEqual(r.returncode, 254, r.stderr)
        self.assertIn("AWS.SimpleQueueService.NonExistentQueue", r.stderr)


if __name__ == "__main__":
    main(__file__)
