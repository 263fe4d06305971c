#!/usr/bin/env bash
# The Firetext and MMG stubs' wire format at the curl level: exact bodies and statuses for a
# send, each answer format, and the providers' errors; the server keeps serving after each.
# Usage: sms_curl_test.sh <path to notify-sim>
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
"$bin" serve --port 0 --admin-port 0 --ready-file "$tmp/ready.json" >"$tmp/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 200); do [ -s "$tmp/ready.json" ] && break; sleep 0.05; done
[ -s "$tmp/ready.json" ] || { echo "serve did not start"; cat "$tmp/serve.log"; exit 1; }
edge=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["edge_url"])' "$tmp/ready.json")
grep -q '^export FIRETEXT_URL=http://.*/api/sendsms/json$' "$tmp/serve.log" || { echo "no FIRETEXT_URL line"; exit 1; }
grep -q '^export MMG_URL=http://.*/jsonv2a/api.php$' "$tmp/serve.log" || { echo "no MMG_URL line"; exit 1; }

fail=0
check() {  # check NAME EXPECTED_STATUS EXPECTED_BODY curl-args...
  local name=$1 status=$2 body=$3
  shift 3
  local out got_status got_body
  out=$(curl -s --max-time 10 -w '\n%{http_code}' "$@")
  got_status=${out##*$'\n'}
  got_body=${out%$'\n'*}
  if [ "$got_status" != "$status" ] || [ "$got_body" != "$body" ]; then
    echo "FAIL $name: expected $status $body"
    echo "            got      $got_status $got_body"
    fail=1
  else
    echo "ok   $name"
  fi
}
form='apiKey=k&from=GOVUK&to=447700900123&message=Hello&reference=ref-1'
check "firetext json" 200 '{"code": 0, "description": "SMS successfully queued", "responseData": 1, "data": []}' \
  -d "$form" "$edge/api/sendsms/json"
check "firetext plain" 200 '0:1 SMS successfully queued' -d "$form" "$edge/api/sendsms"
check "firetext xml" 200 '<?xml version="1.0"?>
<response><status><code>0</code><description>SMS successfully queued</description></status><data responseData="1"/></response>' \
  -d "$form" "$edge/api/sendsms/xml"
check "firetext notify stub" 200 '{"description":"SMS successfully queued","code":0}' -d "$form" "$edge/firetext"
check "firetext no key" 200 '{"code": 2, "description": "Authentication error: no apiKey given", "responseData": 0, "data": []}' \
  -d 'from=GOVUK&to=447700900123&message=Hello' "$edge/api/sendsms/json"
check "firetext bad number" 200 '{"code": 4, "description": "Invalid '"'"'to'"'"' number", "responseData": 0, "data": []}' \
  -d 'apiKey=k&from=GOVUK&to=0770&message=Hello' "$edge/api/sendsms/json"
check "firetext bad escape" 200 '{"code": 7, "description": "Invalid request encoding", "responseData": 0, "data": []}' \
  -d 'apiKey=%ZZ' "$edge/api/sendsms/json"
check "firetext still serving" 200 '0:1 SMS successfully queued' -d "$form" "$edge/api/sendsms"

auth='Authorization: Basic bm90aWZ5LXNpbTptbWc='
body='{"reqType": "BULK", "MSISDN": "447700900123", "msg": "Hello", "sender": "GOVUK", "cid": "ref-1", "multi": true}'
out=$(curl -s --max-time 10 -H "$auth" -H 'Content-Type: application/json' -d "$body" "$edge/jsonv2a/api.php")
if [[ "$out" =~ ^\{\"reference\":\"[0-9]{8}\"\}$ ]]; then echo "ok   mmg send"; else echo "FAIL mmg send: $out"; fail=1; fi
out=$(curl -s --max-time 10 -H "$auth" -d "$body" "$edge/mmg")
if [[ "$out" =~ ^\{\"Reference\":[0-9]{8}\}$ ]]; then echo "ok   mmg notify stub"; else echo "FAIL mmg notify stub: $out"; fail=1; fi
check "mmg no auth" 400 '{"Error": 206, "Description": "Invalid username or password"}' -d "$body" "$edge/jsonv2a/api.php"
check "mmg not json" 400 '{"Error": 201, "Description": "Invalid JSON request"}' -H "$auth" -d '{"reqType": ' "$edge/jsonv2a/api.php"
check "mmg missing msg" 400 '{"Error": 202, "Description": "Missing parameter: msg"}' -H "$auth" \
  -d '{"reqType": "BULK", "MSISDN": "447700900123", "sender": "GOVUK"}' "$edge/jsonv2a/api.php"
check "mmg bad number" 400 '{"Error": 203, "Description": "Invalid MSISDN"}' -H "$auth" \
  -d '{"reqType": "BULK", "MSISDN": "0770", "msg": "Hi", "sender": "GOVUK"}' "$edge/jsonv2a/api.php"
out=$(curl -s --max-time 10 -H "$auth" -d "$body" "$edge/jsonv2a/api.php")
if [[ "$out" =~ ^\{\"reference\": ]]; then echo "ok   mmg still serving"; else echo "FAIL mmg still serving: $out"; fail=1; fi

# Receipt URLs with credentials, as today's Notify sends them: the send is accepted, and the
# receipt reaches a loopback receiver with Basic auth and no userinfo in the request line or Host.
# The receiver binds port 0, records each request's line and headers, and exits by itself.
cat >"$tmp/receiver.py" <<'PY'
import http.server, json, sys, threading
out, portfile = sys.argv[1], sys.argv[2]
seen = []
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        seen.append({"line": self.requestline, "host": self.headers.get("Host"),
                     "auth": self.headers.get("Authorization")})
        self.send_response(200); self.end_headers(); self.wfile.write(b'{"result": "success"}')
        with open(out, "w") as f: json.dump(seen, f)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
s.timeout = 0.2
with open(portfile, "w") as f: f.write(str(s.server_address[1]))
for _ in range(150):  # 30 s at most
    s.handle_request()
    if len(seen) >= 2: break
PY
python3 "$tmp/receiver.py" "$tmp/seen.json" "$tmp/port" &
rpid=$!
for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
rport=$(cat "$tmp/port")
check "firetext receipt with credentials" 200 '{"code": 0, "description": "SMS successfully queued", "responseData": 1, "data": []}' \
  "$edge/api/sendsms/json" -d 'apiKey=k&from=GOVUK&to=447700900123&message=Hi&reference=r1' \
  --data-urlencode "receipt=http://notify:s3cret@127.0.0.1:$rport/notifications/sms/firetext"
out=$(curl -s --max-time 10 -w '\n%{http_code}' -H "$auth" -d '{"reqType": "BULK", "MSISDN": "447700900123", "msg": "Hi", "sender": "GOVUK", "cid": "r2", "delurl": "http://notify:s3cret@127.0.0.1:'"$rport"'/notifications/sms/mmg"}' "$edge/jsonv2a/api.php")
if [ "${out##*$'\n'}" = 200 ]; then echo "ok   mmg delurl with credentials"; else echo "FAIL mmg delurl with credentials: $out"; fail=1; fi
wait $rpid || true
python3 - "$tmp/seen.json" "$rport" <<'PY' || fail=1
import json, sys
seen = json.load(open(sys.argv[1]))
lines = sorted(s["line"] for s in seen)
ok = (lines == ["POST /notifications/sms/firetext HTTP/1.1", "POST /notifications/sms/mmg HTTP/1.1"]
      and all(s["host"] == "127.0.0.1:" + sys.argv[2] for s in seen)
      and all(s["auth"] == "Basic bm90aWZ5OnMzY3JldA==" for s in seen))
print(("ok   " if ok else "FAIL ") + "receipts with Basic auth and no userinfo: " + json.dumps(seen))
sys.exit(0 if ok else 1)
PY
admin=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin_url"])' "$tmp/ready.json")
if curl -s --max-time 10 "$admin/journal" | grep -q s3cret; then
  echo "FAIL the journal shows a receipt URL's password"; fail=1
else
  echo "ok   the journal masks receipt URL passwords"
fi
exit $fail
