#!/usr/bin/env python3
"""The console in headless Chromium, driven over the DevTools protocol.

browser_check.py NOTIFY_SIM [--screenshots DIR]

Starts `notify-sim serve --admin-token ...`, opens the console, gives it the token, then sends
an e-mail with boto3, a text message with requests and a broadcast (a Lambda invoke with boto3)
whose fields carry HTML, script and SVG injection attempts, and checks what the page shows: each
message listed, injected markup shown as text, the e-mail's scripts not run, the search finding
a message by reference, an AZ-outage preset clicked in the page refusing the next invoke of that
Lambda, and a bad rule's error shown inline. Then checks that `--no-ui` serves no page. With
--screenshots, saves a PNG of each tab there. Exits 77 (skipped) only when Chromium is absent.
"""
import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

SKIP = 77
TOKEN = "console-test-token"
INJECT = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><svg onload="window.__pwned=3">'
WAIT_MS = 15000


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


# ---- A minimal WebSocket client (RFC 6455), enough for the DevTools protocol -------------------

class WebSocket:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                fail("DevTools closed the WebSocket handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            fail("DevTools refused the WebSocket: " + head.decode(errors="replace"))
        self.buffer = head.split(b"\r\n\r\n", 1)[1]

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                fail("DevTools closed the WebSocket")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def send(self, text):
        data = text.encode()
        header = bytes([0x81])
        if len(data) < 126:
            header += bytes([0x80 | len(data)])
        elif len(data) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(data))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(data))
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            length = b1 & 0x7F
            if length == 126:
                (length,) = struct.unpack(">H", self._read(2))
            elif length == 127:
                (length,) = struct.unpack(">Q", self._read(8))
            payload = self._read(length)
            if (b0 & 0x0F) in (0x8, 0x9, 0xA):  # close, ping, pong: nothing to keep
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class Page:
    """One tab, spoken to over its DevTools WebSocket."""

    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0

    def call(self, method, tolerate=False, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    if tolerate:
                        return None
                    fail(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def js(self, expression):
        # A navigation under way destroys the context an evaluation started in: try again in
        # the new document (a bounded number of times).
        for _ in range(50):
            result = self.call("Runtime.evaluate", tolerate=True, expression=expression,
                               awaitPromise=True, returnByValue=True)
            if result is not None:
                break
        else:
            fail(f"JavaScript could not run: {expression[:120]}")
        if "exceptionDetails" in result:
            fail(f"JavaScript failed: {expression[:120]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, condition, what):
        """Waits (at most WAIT_MS, in the page) until the JavaScript `condition` holds."""
        ok = self.js(f"""new Promise((resolve) => {{
            const t0 = Date.now();
            (function poll() {{
              let v = false;
              try {{ v = ({condition}); }} catch (e) {{ v = false; }}
              if (v) resolve(true);
              else if (Date.now() - t0 > {WAIT_MS}) resolve(false);
              else setTimeout(poll, 50);
            }})();
          }})""")
        if not ok:
            fail(f"{what}: not within {WAIT_MS} ms; the page shows:\n"
                 + str(self.js("document.getElementById('main').innerText"))[:3000])

    def go(self, url):
        """Follows a link inside the page, as a click on one does (the page's own router)."""
        path = "/" + url.split("/", 3)[3]
        self.js(f"(() => {{ go({json.dumps(path)}); return true; }})()")
        self.wait_for(f"location.pathname === {json.dumps(path)}", "go to " + path)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


# ---- notify-sim serve ------------------------------------------------------------------------

def serve(binary, tmp, name, extra):
    ready = os.path.join(tmp, name + ".json")
    log = open(os.path.join(tmp, name + ".log"), "wb")
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--admin-port", "0", "--seed", "7",
                             "--ready-file", ready] + extra, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail(f"serve exited {proc.returncode}: " + open(log.name).read())
        if os.path.exists(ready):
            with open(ready) as f:
                return proc, json.load(f)
        time.sleep(0.05)
    proc.kill()
    fail("serve wrote no ready file in 15 s")


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            fail("serve did not stop within 10 s of SIGTERM with a console stream open")


def admin(info, method, path, body=None, token=TOKEN):
    req = urllib.request.Request(info["admin_url"] + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def aws_client(service, info):
    import boto3
    from botocore.config import Config
    return boto3.client(service, endpoint_url=info["edge_url"], region_name="eu-west-2",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                        config=Config(retries={"max_attempts": 1}, connect_timeout=5,
                                      read_timeout=10))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    binary = sys.argv[1]
    shots = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--screenshots" else None
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("SKIP: chromium is not installed (scripts/setup.sh installs it)")
        return SKIP
    for key in list(os.environ):
        if key.startswith("AWS_"):
            del os.environ[key]
    os.environ["AWS_CONFIG_FILE"] = "/dev/null"
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"

    with tempfile.TemporaryDirectory(prefix="notify-sim-console-") as tmp:
        proc, info = serve(binary, tmp, "serve", ["--admin-token", TOKEN])
        browser = None
        try:
            console = info["admin_url"]
            banner = open(os.path.join(tmp, "serve.log")).read()
            if "Console: open " not in banner:
                fail("serve's banner does not give the console's address:\n" + banner)
            status, _ = admin(info, "GET", "/journal/stream", token=None)
            if status != 401:
                fail(f"/journal/stream without the token answered {status}, expected 401")

            profile = os.path.join(tmp, "profile")
            browser = subprocess.Popen(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--remote-debugging-port=0", f"--user-data-dir={profile}",
                 "--window-size=1280,900", console + "/ui/email"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            port = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and port is None:
                line = browser.stderr.readline()
                m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
                if m:
                    port = int(m.group(1))
            if port is None:
                fail("chromium did not say where DevTools listens")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                pages = [t for t in json.load(r) if t["type"] == "page"]
            page = Page(pages[0]["webSocketDebuggerUrl"])
            page.call("Runtime.enable")
            page.wait_for("document.readyState === 'complete' && window.C !== undefined", "first load")

            # The token, asked for once, goes in sessionStorage and then as the Bearer header.
            page.wait_for("!document.getElementById('token-form').hidden", "the token form")
            page.js(f"""(() => {{ document.getElementById('token').value = {json.dumps(TOKEN)};
                       document.getElementById('token-form').requestSubmit(); return true; }})()""")
            page.wait_for("document.getElementById('live').textContent === 'live'", "the stream")

            # An e-mail, a text message and a broadcast, each with injection attempts.
            ses = aws_client("ses", info)
            sent = ses.send_email(
                Source="Sender <sender@example.com>",
                Destination={"ToAddresses": ["a@example.com"]},
                Message={"Subject": {"Data": "Hello " + INJECT},
                         "Body": {"Html": {"Data": "<p id='hello'>Rendered body</p>" + INJECT +
                                           "<img src='https://example.invalid/pixel.png'>"},
                                  "Text": {"Data": "text body " + INJECT}}})
            reference = sent["MessageId"]
            import requests
            sms = requests.post(info["edge_url"] + "/api/sendsms/json", timeout=10, data={
                "apiKey": "firetext-secret-key", "from": "Notify" + INJECT, "to": "447700900123",
                "message": "Text <b>bold</b> " + INJECT, "reference": "sms-ref-1"})
            if sms.status_code != 200:
                fail(f"Firetext send answered {sms.status_code}: {sms.text}")
            payload = {"message_type": "alert", "message_format": "cap",
                       "identifier": "console-test-1", "headline": "Headline " + INJECT,
                       "description": "Flood warning " + INJECT, "language": "en-GB", "channel": "severe",
                       "sent": "2026-01-01T00:00:00-00:00", "expires": "2026-01-02T00:00:00-00:00",
                       "areas": [{"polygon": [[51.4, -0.3], [51.4, 0.1], [51.6, 0.1], [51.6, -0.3], [51.4, -0.3]]}]}
            lam = aws_client("lambda", info)
            answer = lam.invoke(FunctionName="ee-1-proxy", Payload=json.dumps(payload).encode())
            if answer["StatusCode"] != 200:
                fail(f"the Lambda invoke answered {answer['StatusCode']}")

            # Listed, newest first, with the injected markup as text.
            page.wait_for(f"[...document.querySelectorAll('#rows tr')].some((r) => r.textContent.includes('Hello '))", "the e-mail's row")
            if page.js("document.querySelectorAll('#rows img, #rows script, #rows svg').length") != 0:
                fail("markup from the subject became elements in the list")
            if page.js("document.getElementById('rows').textContent.includes('<img src=x onerror')") is not True:
                fail("the subject's markup is not shown as text")
            if shots:
                page.screenshot(os.path.join(shots, "console-email.png"))

            # The detail page: the HTML body in a sandboxed frame, its scripts not run.
            seq = page.js("Number(document.querySelector('#rows tr').dataset.seq)")
            page.go(f"{console}/ui/message/{seq}")
            page.wait_for("document.querySelector('iframe.email') !== null", "the e-mail's frame")
            sandbox = page.js("document.querySelector('iframe.email').getAttribute('sandbox')")
            if sandbox != "":
                fail(f"the e-mail frame's sandbox is {sandbox!r}, expected '' (everything blocked)")
            if page.js("document.querySelector('iframe.email').contentDocument") is not None:
                fail("the e-mail frame shares the console's origin")
            if page.js("document.getElementById('detail').textContent.includes('firetext-secret-key')"):
                fail("a secret is on the page")
            if page.js("String(window.__pwned)") != "undefined":
                fail("a script from a message ran in the console")
            if shots:
                page.screenshot(os.path.join(shots, "console-email-detail.png"))

            # The text message.
            page.go(console + "/ui/sms")
            page.wait_for("document.getElementById('rows').textContent.includes('Text <b>bold</b>')", "the SMS row")
            if page.js("document.querySelectorAll('#rows b, #rows img, #rows svg').length") != 0:
                fail("markup from the SMS became elements")
            if page.js("document.getElementById('rows').textContent.includes('447700900123')"):
                fail("the number is shown unmasked in the list")
            seq = page.js("Number(document.querySelector('#rows tr').dataset.seq)")
            page.go(f"{console}/ui/message/{seq}")
            page.wait_for("document.getElementById('detail') !== null", "the SMS detail")
            text = page.js("document.getElementById('detail').textContent")
            if "firetext-secret-key" in text:
                fail("Firetext's apiKey is on the page")
            if "GSM 7-bit" not in text and "Unicode" not in text:
                fail("the SMS detail gives no encoding")
            if shots:
                page.screenshot(os.path.join(shots, "console-sms.png"))

            # The broadcast, its route and its area on the map.
            page.go(console + "/ui/broadcast")
            page.wait_for("document.getElementById('rows').textContent.includes('Headline <img')", "the broadcast row")
            if page.js("document.querySelectorAll('#rows img, #rows svg, #rows script').length") != 0:
                fail("markup from the headline became elements")
            seq = page.js("Number(document.querySelector('#rows tr').dataset.seq)")
            page.go(f"{console}/ui/message/{seq}")
            page.wait_for("document.querySelector('svg.map polygon.area') !== null", "the broadcast's area on the map")
            page.wait_for("document.getElementById('detail').textContent.includes('Ack')", "the CBC's Ack")
            if page.js("document.querySelectorAll('#detail img, #detail script').length") != 0:
                fail("markup from the broadcast became elements")
            if shots:
                page.screenshot(os.path.join(shots, "console-broadcast.png"))

            # The search finds the e-mail by its reference.
            page.go(console + "/ui/email")
            page.wait_for("document.querySelectorAll('#rows tr').length >= 1", "the e-mail list")
            page.js(f"""(() => {{ const s = document.getElementById('search');
                        s.value = {json.dumps(reference)}; s.dispatchEvent(new Event('input')); return true; }})()""")
            page.wait_for("document.querySelectorAll('#rows tr').length === 1", "the search by reference")
            page.js("""(() => { const s = document.getElementById('search');
                        s.value = 'no-such-reference'; s.dispatchEvent(new Event('input')); return true; })()""")
            page.wait_for("document.querySelectorAll('#rows tr').length === 0", "a search that matches nothing")

            # Faults: a bad rule's error inline, then an AZ-outage preset clicked in the page.
            page.go(console + "/ui/faults")
            page.wait_for("document.getElementById('rule-json') !== null", "the faults tab")
            page.js("""(() => { document.getElementById('rule-json').value =
                        JSON.stringify({match: {service: 'ses'}, action: {type: 'error', name: 'ses.throtling'}});
                        document.getElementById('add-rule').click(); return true; })()""")
            page.wait_for("document.getElementById('editor-error').textContent.includes('did you mean')", "the editor's inline error")
            page.js("""(() => { document.getElementById('az-operator').value = 'ee';
                        document.getElementById('az-outage').click(); return true; })()""")
            page.wait_for("document.querySelector('#rules tr[data-id=\"az-outage-ee-eu-west-2a\"]') !== null", "the preset's rule")
            if shots:
                page.screenshot(os.path.join(shots, "console-faults.png"))
            try:
                lam.invoke(FunctionName="ee-1-proxy", Payload=json.dumps(payload).encode())
                fail("the Lambda invoke after an AZ outage in eu-west-2a succeeded")
            except Exception as e:  # botocore's EndpointConnectionError or ConnectionClosedError
                if "fail(" in repr(e):
                    raise
            answer = lam.invoke(FunctionName="ee-2-proxy", Payload=json.dumps(payload).encode())
            if answer["StatusCode"] != 200:
                fail("the other AZ's Lambda did not answer during the outage")
            page.js("document.getElementById('remove-all').click()")
            page.wait_for("document.getElementById('rules') === null", "remove all")

            # Queues and health render.
            page.go(console + "/ui/queues")
            page.wait_for("document.querySelector('section.card h2') !== null", "the queues tab")
            if shots:
                page.screenshot(os.path.join(shots, "console-queues.png"))
            page.go(console + "/ui/health")
            page.wait_for("document.querySelectorAll('#charts svg').length > 0", "the health charts")
            if page.js("document.getElementById('main').textContent.includes('" + TOKEN + "')"):
                fail("the admin token is on the page")
            if shots:
                page.screenshot(os.path.join(shots, "console-health.png"))
        finally:
            if browser is not None:
                browser.kill()
                browser.wait(timeout=10)
            stop(proc)

        # --no-ui: the admin port is the control API alone.
        proc, info = serve(binary, tmp, "noui", ["--no-ui"])
        try:
            status, body = admin(info, "GET", "/", token=None)
            if status != 404:
                fail(f"GET / with --no-ui answered {status}, expected 404")
            status, _ = admin(info, "GET", "/health", token=None)
            if status != 200:
                fail(f"GET /health with --no-ui answered {status}")
        finally:
            stop(proc)
    print("PASS: the console lists, shows and switches as a browser sees it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
