#!/usr/bin/env bash
# `notify-sim run --otlp-endpoint` against a loopback OTLP/HTTP receiver: the export a run makes
# when it ends is parsed as a collector would parse it, and its instruments, attributes, counts
# and bounds are checked against what the scenario did. Then the environment variables and a
# bad endpoint.
set -euo pipefail
bin=$1 dir=$2
tmp=$(mktemp -d)
receiver_pid=
cleanup() {
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# The receiver answers 200 to every POST /v1/metrics, saves each body, and stops by itself after
# 60 s whatever happens.
python3 - "$tmp" <<'PY' &
import http.server, sys, threading, os
out = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        n = len(os.listdir(out))
        name = "post-%03d-%s.json" % (n, self.path.strip("/").replace("/", "_"))
        with open(os.path.join(out, name), "wb") as f:
            f.write(body)
        with open(os.path.join(out, "ctype-%03d" % n), "w") as f:
            f.write(self.headers.get("Content-Type", ""))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(os.path.join(out, "port"), "w") as f:
    f.write(str(s.server_address[1]))
threading.Timer(60, s.shutdown).start()
s.serve_forever()
PY
receiver_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { echo "the receiver did not start"; exit 1; }
port=$(cat "$tmp/port")

"$bin" run "$dir/ses-happy-path.json" "$dir/sms-happy-path.json" --mode sim -q \
  --otlp-endpoint "http://127.0.0.1:$port/v1/metrics"
# The SDK's variables: the base endpoint gains /v1/metrics.
OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$port" OTEL_SERVICE_NAME=notify-api \
  "$bin" run "$dir/ses-happy-path.json" --mode sim -q

python3 - "$tmp" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
posts = sorted(glob.glob(os.path.join(out, "post-*.json")))
assert len(posts) == 3, "expected 3 exports, got %d" % len(posts)
for p in posts:
    assert p.endswith("v1_metrics.json"), p
for c in glob.glob(os.path.join(out, "ctype-*")):
    assert open(c).read() == "application/json", open(c).read()

def metrics_of(path):
    body = json.load(open(path))
    rm = body["resourceMetrics"][0]
    service = {a["key"]: a["value"]["stringValue"] for a in rm["resource"]["attributes"]}["service.name"]
    return service, {m["name"]: m for m in rm["scopeMetrics"][0]["metrics"]}

def attrs(point):
    out = {}
    for kv in point["attributes"]:
        (kind, value), = kv["value"].items()
        out[kv["key"]] = value
    return out

service, ses = metrics_of(posts[0])
assert service == "notify-sim", service
h = ses["provider.request.duration"]
assert h["unit"] == "s"
assert h["histogram"]["aggregationTemporality"] == 2
(point,) = h["histogram"]["dataPoints"]
assert attrs(point) == {"notification.type": "email", "provider.name": "ses"}, attrs(point)
assert point["count"] == "20", point["count"]
assert point["explicitBounds"] == [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
assert len(point["bucketCounts"]) == 15 and sum(int(c) for c in point["bucketCounts"]) == 20
for name in ("notification.deliver.duration", "notification.callback.duration"):
    (p,) = ses[name]["histogram"]["dataPoints"]
    assert attrs(p) == {"key.type": "normal", "notification.status": "delivered",
                        "notification.type": "email", "provider.name": "ses"}, attrs(p)
    assert p["count"] == "20" and p["explicitBounds"][0] == 1 and p["explicitBounds"][-1] == 108000
(p,) = ses["notification.send.duration"]["histogram"]["dataPoints"]
assert p["explicitBounds"][0] == 0.05 and p["explicitBounds"][-1] == 600

_, sms = metrics_of(posts[1])
deliver = sms["notification.deliver.duration"]["histogram"]["dataPoints"]
assert sum(int(p["count"]) for p in deliver) == 20
assert {attrs(p)["provider.name"] for p in deliver} == {"firetext", "mmg"}
assert all(attrs(p)["notification.sms.international"] == "false" for p in deliver)
priorities = {attrs(p)["provider.name"]: p["asDouble"]
              for p in sms["provider.priority"]["gauge"]["dataPoints"]}
assert priorities == {"firetext": 49, "mmg": 51}, priorities

service, _ = metrics_of(posts[2])
assert service == "notify-api", service
print("3 exports checked")
PY

# A bad endpoint or interval is a clear error and exit 2.
set +e
msg=$("$bin" run "$dir/ses-happy-path.json" --otlp-endpoint "127.0.0.1:$port" 2>&1); rc=$?
[ $rc -eq 2 ] || { echo "bad endpoint: exit $rc, want 2"; exit 1; }
echo "$msg" | grep -q "OTLP metrics endpoint '127.0.0.1:$port' is not an absolute" || { echo "$msg"; exit 1; }
msg=$(OTEL_METRIC_EXPORT_INTERVAL=soon "$bin" run "$dir/ses-happy-path.json" \
        --otlp-endpoint "http://127.0.0.1:$port/v1/metrics" 2>&1); rc=$?
[ $rc -eq 2 ] || { echo "bad interval: exit $rc, want 2"; exit 1; }
echo "$msg" | grep -q "OTEL_METRIC_EXPORT_INTERVAL 'soon'" || { echo "$msg"; exit 1; }
echo "ok"
