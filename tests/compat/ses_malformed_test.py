"""Malformed SES requests over a real socket get SES-shaped 400s, and the server keeps serving.

Usage: /usr/bin/python3 ses_malformed_test.py <path to notify-sim>
"""

import http.client
import json
import os
import sys
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notify_sim_server import ServerTestCase, main  # noqa: E402

NS = "{http://ses.amazonaws.com/doc/2010-12-01/}"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


class SesMalformed(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        u = urllib.parse.urlparse(cls.server.edge_url)
        cls.host, cls.port = u.hostname, u.port

    def request(self, method, path, body=b"", content_type=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            headers = {"Content-Type": content_type} if content_type else {}
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def v1_error(self, status, headers, body):
        self.assertIn("x-amzn-requestid", {k.lower() for k in headers})
        root = ET.fromstring(body)
        self.assertEqual(root.tag, NS + "ErrorResponse")
        err = root.find(NS + "Error")
        return status, err.findtext(NS + "Code"), err.findtext(NS + "Message")

    def assert_still_serving(self):
        status, _, body = self.request("POST", "/", b"Action=GetSendQuota&Version=2010-12-01",
                                       FORM)
        self.assertEqual(status, 200, body)
        self.assertIn(b"<GetSendQuotaResult>", body)

    def test_bad_form_encoding(self):
        status, code, _ = self.v1_error(*self.request("POST", "/", b"Action=SendEmail&Source=%ZZ",
                                                      FORM))
        self.assertEqual((status, code), (400, "InvalidQueryParameter"))
        self.assert_still_serving()

    def test_missing_source(self):
        body = (b"Action=SendEmail&Destination.ToAddresses.member.1=to%40example.com"
                b"&Message.Subject.Data=s&Message.Body.Text.Data=b")
        status, code, message = self.v1_error(*self.request("POST", "/", body, FORM))
        self.assertEqual((status, code), (400, "MissingParameter"))
        self.assertIn("Source", message)
        self.assert_still_serving()

    def test_wrong_content_type(self):
        status, code, message = self.v1_error(*self.request(
            "POST", "/", b"Action=SendEmail&Source=a%40b.com", "text/plain"))
        self.assertEqual((status, code), (400, "InvalidQueryParameter"))
        self.assertIn("text/plain", message)
        self.assert_still_serving()

    def test_unknown_action_answers_at_once(self):
        status, code, message = self.v1_error(*self.request(
            "POST", "/", b"Action=VerifyEmailIdentity&EmailAddress=a%40b.com", FORM))
        self.assertEqual((status, code), (400, "InvalidAction"))
        self.assert_still_serving()

    def test_invalid_json_on_v2(self):
        status, headers, body = self.request("POST", "/v2/email/outbound-emails", b"{nope",
                                             "application/json")
        self.assertEqual(status, 400, body)
        lower = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(lower.get("x-amzn-errortype"), "BadRequestException")
        self.assertIn("x-amzn-requestid", lower)
        self.assertIn("message", json.loads(body))
        self.assert_still_serving()

    def test_stub_contract(self):
        status, _, body = self.request("POST", "/ses", b"id=dummy-data", FORM)
        self.assertEqual(status, 200, body)
        self.assertTrue(json.loads(body)["MessageId"])


if __name__ == "__main__":
    main(os.path.basename(__file__))
