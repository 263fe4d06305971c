"""boto3 (Debian's 1.26 / botocore 1.29) `lambda.invoke` against `notify-sim serve`: the CBC
proxy functions answer, function errors come back as FunctionError, and service errors raise the
modelled exceptions with AWS's fields.

Usage: /usr/bin/python3 lambda_boto3_test.py <path to notify-sim>
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notify_sim_server import ServerTestCase, aws_env, main  # noqa: E402

os.environ.clear()
os.environ.update(aws_env())

import boto3  # noqa: E402
import botocore.config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

NO_RETRY = botocore.config.Config(retries={"max_attempts": 1, "mode": "legacy"},
                                  connect_timeout=5, read_timeout=30)

ALERT = {
    "message_type": "alert", "identifier": "2b5b1e0a-6a49-4b0e-9d8a-3f6c2f1e9a01",
    "message_format": "cap", "headline": "GOV.UK Notify Broadcast",
    "description": "Flood warning",
    "areas": [{"polygon": [[51.12, -1.2], [51.12, 1.2], [51.74, 1.2], [51.74, -1.2],
                           [51.12, -1.2]]}],
    "sent": "2026-11-27T23:00:00-00:00", "expires": "2026-11-28T03:00:00-00:00",
    "language": "en-GB", "channel": "severe",
}


class LambdaBoto3(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.client = boto3.client("lambda", endpoint_url=self.server.edge_url, config=NO_RETRY)

    def tearDown(self):
        self.client.close()

    def invoke(self, name, payload, **kw):
        return self.client.invoke(FunctionName=name, InvocationType="RequestResponse",
                                  Payload=json.dumps(payload).encode(), **kw)

    def test_proxy_alert_is_acknowledged(self):
        r = self.invoke("ee-1-proxy", ALERT)
        self.assertEqual(r["StatusCode"], 200)
        self.assertNotIn("FunctionError", r)
        self.assertEqual(r["ExecutedVersion"], "$LATEST")
        body = json.loads(r["Payload"].read())
        self.assertTrue(body["success"])
        self.assertEqual(body["az"], "eu-west-2a")

    def test_arn_qualifier_and_tail(self):
        r = self.invoke("arn:aws:lambda:eu-west-2:123456789012:function:canary:live",
                        {"identifier": "x"}, LogType="Tail")
        self.assertEqual(r["StatusCode"], 200)
        self.assertTrue(r["LogResult"])
        r = self.invoke("canary", {"identifier": "x"}, Qualifier="live")
        self.assertEqual(r["StatusCode"], 200)

    def test_invalid_payload_is_a_function_error_naming_the_field(self):
        bad = dict(ALERT)
        del bad["areas"]
        r = self.invoke("o2-2-proxy", bad)
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertIn("areas", json.loads(r["Payload"].read())["errorMessage"])

    def test_az_outage_is_cbc_new_connection_error(self):
        self.server.admin("POST", "/faults", {"match": {"service": "cbc", "az": "eu-west-2a"},
                                              "action": {"type": "refuse"}})
        r = self.invoke("three-1-proxy", ALERT)
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(json.loads(r["Payload"].read())["errorType"], "CBCNewConnectionError")
        r = self.invoke("three-2-proxy", ALERT)
        self.assertNotIn("FunctionError", r)

    def test_unknown_function(self):
        with self.assertRaises(self.client.exceptions.ResourceNotFoundException) as cm:
            self.invoke("missing", {})
        self.assertIn("Function not found: arn:aws:lambda:eu-west-2:123456789012:function:missing",
                      cm.exception.response["Error"]["Message"])

    def test_throttling(self):
        self.server.add_fault("lambda.throttled", service="lambda")
        with self.assertRaises(self.client.exceptions.TooManyRequestsException) as cm:
            self.invoke("ee-1-proxy", ALERT)
        e = cm.exception.response
        self.assertEqual(e["Error"]["Message"], "Rate Exceeded.")
        self.assertEqual(e["Reason"], "ReservedFunctionConcurrentInvocationLimitExceeded")

    def test_invalid_json(self):
        with self.assertRaises(self.client.exceptions.InvalidRequestContentException):
            self.client.invoke(FunctionName="canary", Payload=b"{not json")

    def test_credentials_revoked(self):
        self.server.add_fault("lambda.credentials_revoked", service="lambda")
        with self.assertRaises(ClientError) as cm:
            self.invoke("canary", {"identifier": "x"})
        self.assertEqual(cm.exception.response["Error"]["Code"], "UnrecognizedClientException")


if __name__ == "__main__":
    main(os.path.basename(__file__))
