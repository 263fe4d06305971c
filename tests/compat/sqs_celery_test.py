"""A real Celery worker (Debian's python3-celery 5.2, kombu 5.2's SQS transport) consuming the
`process-ses-result` tasks that `notify-sim serve --ses-events celery-sqs` puts on its SQS
queue ses-callbacks: exactly one task per SES event, for deliveries, bounces, complaints, the
mailbox simulator and duplicated events.

Usage: /usr/bin/python3 sqs_celery_test.py <path to notify-sim>
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notify_sim_server import Server, ServerTestCase, aws_env, main  # noqa: E402

os.environ.clear()
os.environ.update(aws_env())

import boto3  # noqa: E402
import botocore.config  # noqa: E402

WAIT_S = 60
QUIET_S = 3
NO_RETRY = botocore.config.Config(retries={"max_attempts": 1, "mode": "legacy"})


class CeleryWorker:
    def __init__(self, edge_url, results):
        host_port = edge_url.split("://", 1)[1]
        env = dict(os.environ)
        env.update({"CELERY_BROKER_URL": "sqs://AKIDEXAMPLE:secret@" + host_port,
                    "SES_RESULTS_FILE": results,
                    "PYTHONPATH": os.path.dirname(os.path.abspath(__file__))})
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_ses_app", "worker", "--pool", "solo",
             "-Q", "ses-callbacks", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.log.close()

    def output(self):
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-4000:]


class SesEventsToCelery(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(ServerTestCase.binary,
                            ["--ses-events", "celery-sqs"]).__enter__()

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory()
        self.results = os.path.join(self.tmp.name, "results.jsonl")
        self.ses = boto3.client("ses", endpoint_url=self.server.edge_url, config=NO_RETRY)

    def tearDown(self):
        self.ses.close()
        self.tmp.cleanup()

    def received(self):
        if not os.path.exists(self.results):
            return []
        with open(self.results) as f:
            return [json.loads(line) for line in f if line.strip()]

    def send(self, to):
        return self.ses.send_email(
            Source="sender@example.com", Destination={"ToAddresses": [to]},
            Message={"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Hi"}}})["MessageId"]

    def test_one_task_per_event(self):
        expected = {}
        for to, kind in [("someone@example.com", "Delivery"),
                         ("success@simulator.amazonses.com", "Delivery"),
                         ("bounce@simulator.amazonses.com", "Bounce"),
                         ("ooto@simulator.amazonses.com", "Bounce"),
                         ("complaint@simulator.amazonses.com", "Complaint"),
                         ("perm-fail@simulator.notify", "Bounce"),
                         ("temp-fail@simulator.notify", "Bounce"),
                         ("complaint@simulator.notify", "Complaint")]:
            expected[self.send(to)] = kind
        # A duplicated event is two tasks, as SES's at-least-once delivery would give.
        self.server.admin("POST", "/faults", {
            "match": {"service": "ses", "operation": "SendEmail"},
            "action": {"type": "error", "name": "ses.event_duplicate"}, "trigger": {"first": 1}})
        duplicated = self.send("twice@example.com")
        worker = CeleryWorker(self.server.edge_url, self.results)
        try:
            want = len(expected) + 2
            deadline = time.monotonic() + WAIT_S
            while len(self.received()) < want and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(QUIET_S)  # nothing more may arrive
            got = self.received()
            self.assertEqual(len(got), want, worker.output())
        finally:
            worker.stop()
        by_id = {}
        for r in got:
            by_id.setdefault(r["message"]["mail"]["messageId"], []).append(r)
            self.assertTrue(r["receipt_iso_timestamp"])
        for message_id, kind in expected.items():
            self.assertEqual(len(by_id.get(message_id, [])), 1, message_id)
            self.assertEqual(by_id[message_id][0]["message"]["notificationType"], kind)
        self.assertEqual(len(by_id[duplicated]), 2)
        _, state = self.server.admin("GET", "/state")
        [queue] = [q for q in state["sqs"]["queues"] if q["name"] == "ses-callbacks"]
        self.assertEqual(queue["sent"], want)
        self.assertEqual(queue["deleted"], want)

    def test_aws_cli_receives_the_task(self):
        self.send("someone@example.com")
        env = aws_env()
        url = self.server.edge_url + "/123456789012/ses-callbacks"
        r = subprocess.run(["/usr/bin/aws", "--endpoint-url", self.server.edge_url, "--output",
                            "json", "sqs", "receive-message", "--queue-url", url,
                            "--wait-time-seconds", "10"],
                           env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        [m] = json.loads(r.stdout)["Messages"]
        import base64
        envelope = json.loads(base64.b64decode(m["Body"]))
        self.assertEqual(envelope["headers"]["task"], "process-ses-result")
        args, kwargs, embed = json.loads(base64.b64decode(envelope["body"]))
        self.assertEqual(json.loads(args[0]["Message"])["notificationType"], "Delivery")


if __name__ == "__main__":
    main(__file__)
