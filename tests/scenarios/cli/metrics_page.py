#!/usr/bin/env python3
"""--metrics-listen: the core's Prometheus page, scraped while `run --mode wire` and
`load --target core` are running. Each command is started with port 0; the address it prints is
scraped until the page shows provider.request.duration's histogram under its Prometheus name,
which must happen before the command ends. Then the page's format, a StatsD profile's names, and
the errors.

Usage: metrics_page.py NOTIFY_SIM
"""
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BIN = sys.argv[1]
TMP = tempfile.mkdtemp()
# Every wait here is bounded: a command that never prints its address or never ends fails.
START_S = 20
RUN_S = 120


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def scrape(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.headers.get("Content-Type"), r.read().decode()


def scrape_during(args, pattern, what):
    """Starts notify-sim with args, scrapes its page until `pattern` matches while it runs, and
    returns (page text, content type, url, the command's output)."""
    out_path = os.path.join(TMP, "out.txt")
    with open(out_path, "w") as out:
        proc = subprocess.Popen([BIN] + args, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = None
        deadline = time.monotonic() + START_S
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            m = re.search(r"^metrics: (http://\S+)$", open(out_path).read(), re.M)
            if m:
                url = m.group(1)
            else:
                time.sleep(0.01)
        if url is None:
            fail(f"{what}: no 'metrics: URL' line:\n" + open(out_path).read())
        seen = None
        deadline = time.monotonic() + RUN_S
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                status, ctype, text = scrape(url)
            except (urllib.error.URLError, ConnectionError):
                break  # the command ended between poll() and the request
            if status != 200:
                fail(f"{what}: GET {url} answered {status}")
            if re.search(pattern, text, re.M) and proc.poll() is None:
                seen = (text, ctype)
                break
            time.sleep(0.02)
        if seen is None:
            fail(f"{what}: the page never showed {pattern!r} while the command ran")
        # The page answers other paths and methods as it should, still during the run.
        base = url[: -len("/metrics")]
        for target, method, want in (("/", "GET", 404), ("/metrics", "POST", 405)):
            req = urllib.request.Request(base + target, method=method, data=b"" if method == "POST" else None)
            try:
                urllib.request.urlopen(req, timeout=5)
                got = 200
            except urllib.error.HTTPError as e:
                got = e.code
            except (urllib.error.URLError, ConnectionError):
                got = want  # the command ended meanwhile; nothing to judge
            if got != want:
                fail(f"{what}: {method} {target} answered {got}, want {want}")
        rc = proc.wait(timeout=RUN_S)
        output = open(out_path).read()
        if rc != 0:
            fail(f"{what}: exit {rc}:\n{output}")
        return seen[0], seen[1], url, output
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def check_histogram(text, name, labels):
    """The whole histogram of one attribute set: a TYPE line, buckets that never decrease and end
    at +Inf equal to _count."""
    if f"# TYPE {name} histogram\n" not in text:
        fail(f"no '# TYPE {name} histogram' in:\n{text}")
    buckets = re.findall(rf'^{name}_bucket\{{{labels},le="([^"]+)"\}} (\d+)$', text, re.M)
    counts = [int(c) for _, c in buckets]
    count = re.search(rf"^{name}_count\{{{labels}\}} (\d+)$", text, re.M)
    if not buckets or buckets[-1][0] != "+Inf" or counts != sorted(counts) or not count:
        fail(f"{name}{{{labels}}}: not a whole histogram:\n{text}")
    if int(count.group(1)) != counts[-1] or counts[-1] < 1:
        fail(f"{name}{{{labels}}}: _count {count.group(1)} against +Inf {counts[-1]}")


# A wire run of 40 emails 100 ms apart in real time (time scale 1), so it lasts seconds.
scenario = os.path.join(TMP, "slow-emails.json")
with open(scenario, "w") as f:
    f.write('{"name": "slow-emails", "workload": {"email": {"count": 40, "interval_ms": 100}},'
            ' "wire": {"time_scale": 1, "timeout_ms": 60000},'
            ' "expect": {"statuses": {"delivered": 40}}}')
ses = r'notification_type="email",provider_name="ses"'
text, ctype, url, output = scrape_during(
    ["run", scenario, "--mode", "wire", "--metrics-listen", "127.0.0.1:0"],
    rf"^provider_request_duration_seconds_bucket\{{{ses},le=\"\+Inf\"\}} [1-9]", "run --mode wire")
if ctype != "text/plain; version=0.0.4; charset=utf-8":
    fail(f"run: Content-Type {ctype!r}")
if not re.match(r"http://127\.0\.0\.1:[1-9]\d*/metrics$", url):
    fail(f"run: printed {url!r}, want the bound port")
check_histogram(text, "provider_request_duration_seconds", ses)
if "1 passed, 0 failed" not in output:
    fail("run: " + output)

# load --target core under today's profile: the same histogram, and the send durations.
text, _, _, _ = scrape_during(
    ["load", "--rate", "20", "--duration", "4", "--mix", "email=100", "--retry-delay-ms", "20",
     "--metrics-listen", "127.0.0.1:0"],
    rf"^provider_request_duration_seconds_count\{{{ses}\}} [1-9]", "load --target core")
check_histogram(text, "provider_request_duration_seconds", ses)
if "# TYPE notification_send_duration_seconds histogram\n" not in text:
    fail("load: no notification.send.duration:\n" + text)

# Under a StatsD profile the page shows Notify's StatsD names as statsd_exporter maps them.
text, _, _, _ = scrape_during(
    ["load", "--rate", "20", "--duration", "4", "--mix", "email=100", "--retry-delay-ms", "20",
     "--profile", "notify-2021", "--metrics-listen", "127.0.0.1:0"],
    r"^clients_ses_request_time_count [1-9]", "load --profile notify-2021")
for line in ("# TYPE clients_ses_request_time summary", "# TYPE clients_ses_success counter"):
    if line + "\n" not in text:
        fail(f"load notify-2021: no {line!r} in:\n{text}")
if "provider_request_duration" in text:
    fail("load notify-2021: an OTel instrument under a StatsD profile:\n" + text)

# A port already taken is one line naming the option and the address, exit 2, before any run.
import socket
taken = socket.socket()
taken.bind(("127.0.0.1", 0))
taken.listen()
address = "127.0.0.1:%d" % taken.getsockname()[1]
for args in (["run", scenario, "--mode", "wire"], ["load", "--count", "1"]):
    p = subprocess.run([BIN] + args + ["--metrics-listen", address], capture_output=True,
                       text=True, timeout=RUN_S)
    lines = p.stderr.splitlines()
    if p.returncode != 2 or len(lines) != 1 or f"--metrics-listen {address}: " not in lines[0] \
            or "free port" not in lines[0] or p.stdout:
        fail(f"{args[0]} with a taken port: exit {p.returncode}, stderr {p.stderr!r}, stdout {p.stdout!r}")
taken.close()

print("the core's /metrics page scraped during run --mode wire and load --target core")
