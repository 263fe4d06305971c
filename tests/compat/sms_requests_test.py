"""The Firetext and MMG stubs as Notify's clients see them, through `requests` (the library
Notify's FiretextClient and MMGClient use), at the URLs serve exports as FIRETEXT_URL and
MMG_URL; their receipts as a receiver sees them; malformed requests get the provider's error
and the server keeps serving.

Usage: /usr/bin/python3 sms_requests_test.py <path to notify-sim>
"""

import http.client
import http.server
import json
import os
import queue
import sys
import threading
import urllib.parse

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notify_sim_server import ServerTestCase, main  # noqa: E402

REFERENCE = "8cb4d946-9e12-49ae-bd84-da6493b85dca"
RECEIPT_WAIT_S = 10


class Receiver:
    """An HTTP server on port 0 that queues every POST it gets, answering as Notify does."""

    def __init__(self):
        self.received = queue.Queue()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                outer.received.put((self.path, dict(self.headers), self.rfile.read(length)))
                body = b'{"result": "success"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def next(self):
        return self.received.get(timeout=RECEIPT_WAIT_S)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class SmsCase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.firetext_url = cls.server.env["FIRETEXT_URL"]
        cls.mmg_url = cls.server.env["MMG_URL"]
        cls.mmg_key = cls.server.env["MMG_API_KEY"]
        cls.receiver = Receiver()
        u = urllib.parse.urlparse(cls.server.edge_url)
        cls.host, cls.port = u.hostname, u.port

    def setUp(self):
        super().setUp()
        while not self.receiver.received.empty():  # a late receipt of an earlier test
            self.receiver.received.get_nowait()

    @classmethod
    def tearDownClass(cls):
        cls.receiver.close()
        super().tearDownClass()

    # As Notify's FiretextClient.try_send_sms builds it.
    def firetext(self, to="447700900123", receipt=True, **extra):
        data = {"apiKey": self.server.env["FIRETEXT_API_KEY"], "from": "GOVUK", "to": to,
                "message": "Hello", "reference": REFERENCE}
        if receipt:
            data["receipt"] = self.receiver.url + "/notifications/sms/firetext"
        data.update(extra)
        return requests.post(self.firetext_url, data=data, timeout=10)

    # As Notify's MMGClient.try_send_sms builds it.
    def mmg(self, to="447700900123", receipt=True, auth=None, **extra):
        data = {"reqType": "BULK", "MSISDN": to, "msg": "Hello", "sender": "GOVUK",
                "cid": REFERENCE, "multi": True}
        if receipt:
            data["delurl"] = self.receiver.url + "/notifications/sms/mmg"
        data.update(extra)
        headers = {"Content-Type": "application/json",
                   "Authorization": "Basic {}".format(auth or self.mmg_key)}
        return requests.post(self.mmg_url, data=json.dumps(data), headers=headers, timeout=10)

    def raw(self, method, path, body=b"", headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def assert_still_serving(self):
        self.assertEqual(self.firetext(receipt=False).json()["code"], 0)
        self.assertIn("reference", self.mmg(receipt=False).json())


class Firetext(SmsCase):
    def test_exported_url_is_firetexts_json_path(self):
        self.assertTrue(self.firetext_url.endswith("/api/sendsms/json"))

    def test_send_succeeds_as_notify_checks_it(self):
        r = self.firetext(receipt=False)
        r.raise_for_status()
        self.assertEqual(r.json(), {"code": 0, "description": "SMS successfully queued",
                                    "responseData": 1, "data": []})

    def test_notifys_stub_path(self):
        r = requests.post(self.server.edge_url + "/firetext",
                          data={"apiKey": "k", "from": "GOVUK", "to": "447700900123",
                                "message": "Hi", "reference": REFERENCE}, timeout=10)
        self.assertEqual(r.json(), {"description": "SMS successfully queued", "code": 0})

    def test_errors_are_nonzero_codes(self):
        for data, code in [({"to": "12345"}, 4), ({"apiKey": ""}, 2), ({"message": ""}, 3)]:
            r = self.firetext(receipt=False, **data)
            self.assertEqual(r.status_code, 200)
            self.assertEqual(r.json()["code"], code, r.text)
            self.assertIsInstance(r.json()["description"], str)

    def test_receipt_is_a_form_to_the_receipt_url(self):
        self.firetext()
        path, headers, body = self.receiver.next()
        self.assertEqual(path, "/notifications/sms/firetext")
        self.assertTrue(headers["Content-Type"].startswith("application/x-www-form-urlencoded"))
        form = dict(urllib.parse.parse_qsl(body.decode()))
        self.assertEqual(form["status"], "0")
        self.assertEqual(form["reference"], REFERENCE)
        self.assertEqual(form["mobile"], "447700900123")
        self.assertRegex(form["time"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")

    def test_temporary_failure_number_is_pending_then_failed(self):
        self.firetext(to="447700900003")
        statuses = [dict(urllib.parse.parse_qsl(self.receiver.next()[2].decode()))["status"]
                    for _ in range(2)]
        self.assertEqual(statuses, ["2", "1"])

    def test_named_error_is_rendered_as_firetext(self):
        self.server.add_fault("firetext.error", service="firetext")
        r = self.firetext(receipt=False)
        self.assertEqual((r.status_code, r.json()["code"]), (200, 1))
        self.server.reset()
        self.server.add_fault("firetext.http_500", service="firetext")
        self.assertEqual(self.firetext(receipt=False).status_code, 500)

    def test_malformed_requests_get_firetext_errors(self):
        cases = [
            ("POST", "/api/sendsms/json", b"apiKey=k&to=%ZZ",
             {"Content-Type": "application/x-www-form-urlencoded"}, 7),
            ("PUT", "/api/sendsms/json", b"", {}, 7),
            ("POST", "/api/sendsms/json", b"\xff\xfe\x00garbage", {"Content-Type": "text/plain"}, 2),
            ("POST", "/api/sendsms/nope", b"", {}, 8),
        ]
        for method, path, body, headers, code in cases:
            status, text = self.raw(method, path, body, headers)
            self.assertIn(status, (200, 404))
            self.assertEqual(json.loads(text)["code"], code, text)
            self.assert_still_serving()


class Mmg(SmsCase):
    def test_exported_url_is_mmgs_path(self):
        self.assertTrue(self.mmg_url.endswith("/jsonv2a/api.php"))

    def test_send_succeeds_as_notify_checks_it(self):
        r = self.mmg(receipt=False)
        r.raise_for_status()
        body = r.json()
        self.assertIsInstance(body["reference"], str)

    def test_notifys_stub_path(self):
        r = requests.post(self.server.edge_url + "/mmg",
                          data=json.dumps({"reqType": "BULK", "MSISDN": "447700900123",
                                           "msg": "Hi", "sender": "GOVUK", "cid": REFERENCE}),
                          headers={"Authorization": "Basic x"}, timeout=10)
        self.assertIsInstance(r.json()["Reference"], int)

    def test_errors_are_400_with_error_and_description(self):
        for kwargs, code in [({"MSISDN": "12"}, 203), ({"reqType": "X"}, 205),
                             ({"auth": " "}, 206)]:
            r = self.mmg(receipt=False, **kwargs)
            self.assertEqual(r.status_code, 400, r.text)
            self.assertEqual(r.json()["Error"], code, r.text)
            self.assertIsInstance(r.json()["Description"], str)

    def test_receipt_is_json_to_delurl(self):
        sent = self.mmg().json()
        path, headers, body = self.receiver.next()
        self.assertEqual(path, "/notifications/sms/mmg")
        receipt = json.loads(body)
        self.assertEqual(receipt["status"], "3")
        self.assertEqual(receipt["CID"], REFERENCE)
        self.assertEqual(receipt["reference"], sent["reference"])
        self.assertEqual(receipt["MSISDN"], "447700900123")
        self.assertIn("substatus", receipt)
        self.assertRegex(receipt["deliverytime"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")

    def test_permanent_failure_number(self):
        self.mmg(to="447700900002")
        receipt = json.loads(self.receiver.next()[2])
        self.assertEqual((receipt["status"], receipt["substatus"]), ("2", "1"))

    def test_named_errors(self):
        self.server.add_fault("mmg.http_500", service="mmg")
        self.assertEqual(self.mmg(receipt=False).status_code, 500)
        self.server.reset()
        self.server.add_fault("mmg.auth", service="mmg")
        r = self.mmg(receipt=False)
        self.assertEqual((r.status_code, r.json()["Error"]), (400, 206))

    def test_malformed_requests_get_mmg_errors(self):
        auth = {"Authorization": "Basic " + self.mmg_key, "Content-Type": "application/json"}
        cases = [
            ("POST", "/jsonv2a/api.php", b"{nope", auth, 400, 201),
            ("POST", "/jsonv2a/api.php", b"[]", auth, 400, 201),
            ("POST", "/jsonv2a/api.php", b'{"reqType": "BULK"}', auth, 400, 202),
            ("POST", "/jsonv2a/api.php", b"{}", {}, 400, 206),
            ("GET", "/jsonv2a/api.php", b"", auth, 400, 205),
            ("POST", "/jsonv2a/other.php", b"{}", auth, 404, 404),
        ]
        for method, path, body, headers, status, code in cases:
            got_status, text = self.raw(method, path, body, headers)
            self.assertEqual(got_status, status, text)
            self.assertEqual(json.loads(text)["Error"], code, text)
            self.assert_still_serving()


if __name__ == "__main__":
    main(__file__)
