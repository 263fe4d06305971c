#!/usr/bin/env python3
"""Figures for docs/console.md: the console's load time with a full journal, and the edge's
throughput with and without a console attached.

measure.py NOTIFY_SIM [--messages N] [--wrk-seconds S]

1. Fills the journal with N text messages (default 10 000, the journal's capacity) and times,
   in headless Chromium, from navigation to the Text messages list drawn (500 rows).
2. Runs wrk against the edge (Firetext GET sends, each journaled) for S seconds without a
   browser, then with the console open on the live list, then without again, and prints the
   requests per second of each run.
Not a ctest: its figures depend on the machine. Needs chromium and wrk.
"""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser_check as bc  # noqa: E402

SEND = "/api/sendsms/json?apiKey=k&from=GOVUK&to=447700900123&message=Hello+there&reference=r"


def fill(edge_url, n):
    u = urllib.parse.urlparse(edge_url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    for i in range(n):
        conn.request("GET", SEND + str(i))
        conn.getresponse().read()
    conn.close()


def open_browser(chromium, profile, url):
    browser = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    port = None
    while port is None:
        m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", browser.stderr.readline())
        if m:
            port = int(m.group(1))
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
        pages = [t for t in json.load(r) if t["type"] == "page"]
    page = bc.Page(pages[0]["webSocketDebuggerUrl"])
    return browser, page


def wrk(edge_url, seconds):
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", edge_url + SEND],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    binary = sys.argv[1]
    args = sys.argv[2:]
    n = int(args[args.index("--messages") + 1]) if "--messages" in args else 10000
    seconds = int(args[args.index("--wrk-seconds") + 1]) if "--wrk-seconds" in args else 5
    chromium = shutil.which("chromium")
    with tempfile.TemporaryDirectory() as tmp:
        proc, info = bc.serve(binary, tmp, "serve", [])
        try:
            fill(info["edge_url"], n)
            browser, page = open_browser(chromium, os.path.join(tmp, "p"), "about:blank")
            try:
                loads = []
                for _ in range(3):
                    page.call("Page.navigate", url=info["admin_url"] + "/ui/sms")
                    page.wait_for("window.C !== undefined && document.querySelectorAll('#rows tr').length >= 500", "the list")
                    loads.append(page.js("performance.now()"))
                print(f"page load with {n} journaled messages, navigation to 500 rows drawn: "
                      + ", ".join(f"{ms:.0f} ms" for ms in loads))
                page.call("Page.navigate", url="about:blank")
                without = wrk(info["edge_url"], seconds)
                page.call("Page.navigate", url=info["admin_url"] + "/ui/sms")
                page.wait_for("document.getElementById('live').textContent === 'live'", "the stream")
                attached = wrk(info["edge_url"], seconds)
                alive = page.js("document.getElementById('live').textContent")
                page.call("Page.navigate", url="about:blank")
                again = wrk(info["edge_url"], seconds)
                print(f"edge req/s: without browser {without:.0f}, console attached {attached:.0f} "
                      f"(stream {alive}), without again {again:.0f}; attached/without "
                      f"{attached / ((without + again) / 2):.3f}")
            finally:
                browser.kill()
                browser.wait()
        finally:
            bc.stop(proc)


if __name__ == "__main__":
    main()
