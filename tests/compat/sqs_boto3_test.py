"""boto3 against `notify-sim serve`'s SQS stub: queues, messages, long polls, visibility,
dead-lettering and SQS's modelled errors.

Debian's boto3 1.26 (botocore 1.29) speaks the Query protocol to SQS; botocore 1.31 and later
speak AWS JSON 1.0. Run the script with each interpreter; `--protocol query|json` says which the
interpreter's boto3 must use (exit 77, skipped, when it uses the other).

Usage: <python3> sqs_boto3_test.py <path to notify-sim> [--protocol query|json]
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notify_sim_server import ServerTestCase, aws_env, main  # noqa: E402

os.environ.clear()
os.environ.update(aws_env())

import boto3  # noqa: E402
import botocore.config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

NO_RETRY = botocore.config.Config(retries={"max_attempts": 1, "mode": "legacy"},
                                  connect_timeout=5, read_timeout=30)
EXPECTED_PROTOCOL = None


class SqsBoto3(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.sqs = boto3.client("sqs", endpoint_url=self.server.edge_url, config=NO_RETRY)
        self.protocol = self.sqs.meta.service_model.protocol

    def tearDown(self):
        self.sqs.close()

    def journal_protocols(self):
        _, body = self.server.admin("GET", "/journal?service=sqs")
        return body

    def test_uses_the_expected_protocol(self):
        self.assertEqual(self.protocol, EXPECTED_PROTOCOL)
        self.sqs.list_queues()
        _, journal = self.server.admin("GET", "/journal?service=sqs")
        entries = journal["entries"] if isinstance(journal, dict) else journal
        self.assertTrue(entries)
        self.assertEqual(entries[-1]["operation"], "ListQueues")

    def test_send_receive_change_visibility_delete(self):
        url = self.sqs.create_queue(QueueName="ses-callbacks")["QueueUrl"]
        self.assertTrue(url.endswith("/123456789012/ses-callbacks"), url)
        self.assertEqual(self.sqs.get_queue_url(QueueName="ses-callbacks")["QueueUrl"], url)
        sent = self.sqs.send_message(
            QueueUrl=url, MessageBody="hello",
            MessageAttributes={"task": {"DataType": "String",
                                        "StringValue": "process-ses-result"}})
        self.assertEqual(sent["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592")
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1,
                                       AttributeNames=["All"], MessageAttributeNames=["All"])
        [m] = got["Messages"]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], "hello")
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(m["MessageAttributes"]["task"]["StringValue"], "process-ses-result")
        self.assertEqual(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        # In flight: a second receive finds nothing until the visibility is changed to 0.
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=0)
        [again] = self.sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
        self.assertEqual(again["Attributes"]["ApproximateReceiveCount"], "2")
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "0")

    def test_long_poll_waits_its_time_on_an_empty_queue(self):
        url = self.sqs.create_queue(QueueName="empty")["QueueUrl"]
        start = time.monotonic()
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
        self.assertNotIn("Messages", got)
        self.assertGreaterEqual(time.monotonic() - start, 0.9)

    def test_dead_letter_after_max_receive_count(self):
        dlq = self.sqs.create_queue(QueueName="poison-dlq")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        url = self.sqs.create_queue(QueueName="work", Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 2})})[
            "QueueUrl"]
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="poison")
        for _ in range(2):
            self.assertEqual(len(self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)[
                "Messages"]), 1)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        [dead] = self.sqs.receive_message(QueueUrl=dlq)["Messages"]
        self.assertEqual(dead["MessageId"], sent["MessageId"])
        _, state = self.server.admin("GET", "/state")
        work = [q for q in state["sqs"]["queues"] if q["name"] == "work"][0]
        self.assertEqual(work["dead_lettered"], 1)

    def test_batches(self):
        url = self.sqs.create_queue(QueueName="batch")["QueueUrl"]
        r = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "1"},
            {"Id": "b", "MessageBody": "2", "DelaySeconds": 1000}])
        self.assertEqual([e["Id"] for e in r["Successful"]], ["a"])
        self.assertEqual(r["Failed"][0]["Code"], "InvalidParameterValue")
        [m] = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        d = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "x", "ReceiptHandle": m["ReceiptHandle"]}])
        self.assertEqual(d["Successful"], [{"Id": "x"}])
        with self.assertRaises(ClientError) as e:
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": "a", "MessageBody": "1"}, {"Id": "a", "MessageBody": "2"}])
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")

    def test_modelled_errors(self):
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.get_queue_url(QueueName="nope")
        url = self.sqs.create_queue(QueueName="errors")["QueueUrl"]
        with self.assertRaises(ClientError) as e:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-handle")
        self.assertEqual(e.exception.response["Error"]["Code"], "ReceiptHandleIsInvalid")
        with self.assertRaises(ClientError) as e:
            self.sqs.send_message(QueueUrl=url, MessageBody="x" * 262145)
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidParameterValue")

    def test_throttle_fault(self):
        url = self.sqs.create_queue(QueueName="throttled")["QueueUrl"]
        self.server.admin("POST", "/faults", {
            "match": {"service": "sqs", "operation": "SendMessage"},
            "action": {"type": "error", "name": "sqs.throttled"}})
        with self.assertRaises(ClientError) as e:
            self.sqs.send_message(QueueUrl=url, MessageBody="x")
        self.assertEqual(e.exception.response["Error"]["Code"], "RequestThrottled")
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))

    def test_fifo(self):
        url = self.sqs.create_queue(QueueName="jobs.fifo", Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        a = self.sqs.send_message(QueueUrl=url, MessageBody="1", MessageGroupId="g")
        b = self.sqs.send_message(QueueUrl=url, MessageBody="1", MessageGroupId="g")
        self.assertEqual(a["MessageId"], b["MessageId"])
        self.sqs.send_message(QueueUrl=url, MessageBody="2", MessageGroupId="g")
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["1"])


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--protocol" in args:
        i = args.index("--protocol")
        EXPECTED_PROTOCOL = args[i + 1]
        del sys.argv[i + 1:i + 3]
    else:
        EXPECTED_PROTOCOL = "query"
    actual = boto3.client("sqs", region_name="eu-west-2").meta.service_model.protocol
    if actual != EXPECTED_PROTOCOL:
        print("skipped: this boto3 (%s) speaks %s to SQS, not %s"
              % (boto3.__version__, actual, EXPECTED_PROTOCOL))
        sys.exit(77)
    main(__file__)
