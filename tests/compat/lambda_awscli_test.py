"""The AWS CLI (Debian's 2.9) `aws lambda invoke` against `notify-sim serve`: a proxy function's
result lands in the outfile and the CLI exits 0; a function error is printed as FunctionError and
still exits 0; an unknown function exits 254 with Lambda's message.

Usage: /usr/bin/python3 lambda_awscli_test.py <path to notify-sim>
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notify_sim_server import ServerTestCase, aws_env, main  # noqa: E402

AWS = "/usr/bin/aws"
CLI_TIMEOUT_S = 60


class LambdaAwsCli(ServerTestCase):
    def invoke(self, name, payload):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.json")
            r = subprocess.run(
                [AWS, "--endpoint-url", self.server.edge_url, "--output", "json", "lambda",
                 "invoke", "--function-name", name, "--cli-binary-format", "raw-in-base64-out",
                 "--payload", json.dumps(payload), out],
                env=aws_env(), capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
            body = open(out).read() if os.path.exists(out) else ""
        return r, body

    def test_canary(self):
        r, body = self.invoke("canary", {"identifier": "x"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["StatusCode"], 200)
        self.assertTrue(json.loads(body)["success"])

    def test_function_error_exits_0(self):
        r, body = self.invoke("vodafone-1-proxy", {"message_type": "alert"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["FunctionError"], "Unhandled")
        self.assertIn("errorMessage", json.loads(body))

    def test_unknown_function_exits_254(self):
        r, _ = self.invoke("missing", {})
        self.assertEqual(r.returncode, 254, r.stdout + r.stderr)
        self.assertIn("(ResourceNotFoundException)", r.stderr)


if __name__ == "__main__":
    main(os.path.basename(__file__))
