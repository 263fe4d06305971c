#!/usr/bin/env python3
"""Figures for docs/console.md: the console's load time with a full journal, and the edge's
throughput with and without a console attached.

measure.py NOTIFY_SIM [--messages N] [--wrk-seconds S] [--rounds R]

1. Fills the journal with N text messages (default 10 000, the journal's capacity) and times,
   in headless Chromium, from navigation to the Text messages list painted (the page's
   "list-painted" mark: the frame after the first chunk of rows is drawn).
2. Runs wrk against the edge (Firetext GET sends, each journaled) for S seconds with the browser
   on a blank page, then with the console open on the live list, R times (default 3), and
   prints each run's requests per second and the ratio of the medians.
Not a ctest: its figures depend on the machine. Needs chromium and wrk.
"""
import http.client
import json
import os
import re
import shutil
import statistics
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
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 3
    chromium = shutil.which("chromium")
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        proc, info = bc.serve(binary, tmp, "serve", [])
        try:
            fill(info["edge_url"], n)
            browser, page = open_browser(chromium, os.path.join(tmp, "p"), "about:blank")
            try:
                # The browser's first page pays for starting its renderer: a page that is not
                # the console takes that cost, so the loads below are what a user sees.
                page.call("Page.navigate", url=info["admin_url"] + "/health")
                page.wait_for("document.readyState === 'complete'", "the warm-up page")
                loads = []
                for _ in range(5):
                    page.call("Page.navigate", url=info["admin_url"] + "/ui/sms")
                    page.wait_for("performance.getEntriesByName('list-painted').length > 0", "the list")
                    loads.append(page.js("performance.getEntriesByName('list-painted')[0].startTime"))
                print(f"page load with {n} journaled messages, navigation to the list painted: "
                      + ", ".join(f"{ms:.0f} ms" for ms in loads)
                      + f"; median {statistics.median(loads):.0f} ms")
                # Rounds of (without, attached), so drift on a busy machine falls on both.
                without, attached = [], []
                for _ in range(rounds):
                    page.call("Page.navigate", url="about:blank")
                    without.append(wrk(info["edge_url"], seconds))
                    page.call("Page.navigate", url=info["admin_url"] + "/ui/sms")
                    page.wait_for("document.getElementById('live').textContent === 'live'", "the stream")
                    attached.append(wrk(info["edge_url"], seconds))
                    alive = page.js("document.getElementById('live').textContent")
                    if alive != "live":
                        raise SystemExit(f"the console's stream was {alive!r} after a wrk run")
                ratio = statistics.median(attached) / statistics.median(without)
                print("edge req/s without browser: " + ", ".join(f"{r:.0f}" for r in without)
                      + "; console attached: " + ", ".join(f"{r:.0f}" for r in attached)
                      + f"; attached/without (medians) {ratio:.3f}")
            finally:
                browser.kill()
                browser.wait()
        finally:
            bc.stop(proc)


if __name__ == "__main__":
    main()
