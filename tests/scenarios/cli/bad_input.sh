#!/usr/bin/env bash
# Bad files and arguments to every subcommand: exactly one line on stderr naming the input and
# what is wrong with it, nothing on stdout, exit 2. One row per case: the text the line must
# contain (a grep -F pattern), then the arguments.
set -uo pipefail
bin=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
cases=0

expect_one_line() {
  local want=$1
  shift
  cases=$((cases + 1))
  # A bounded wait: a subcommand that starts serving or running instead of refusing is a failure.
  timeout 60 "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ $rc -ne 2 ] || [ "$lines" -ne 1 ] || [ -s "$tmp/out" ] ||
    ! grep -qF -- "$want" "$tmp/err"; then
    echo "FAIL: notify-sim $*: exit $rc, $lines stderr lines, want one containing: $want"
    sed 's/^/  stderr: /' "$tmp/err" | head -5
    sed 's/^/  stdout: /' "$tmp/out" | head -5
    failures=$((failures + 1))
  fi
}

cd "$tmp" || exit 1
echo '{"name": "x", "workload": {"email": {"count": "ten"}}}' >bad.json
echo '{not json' >broken.json
: >empty.json
printf '\xff\xfe{}' >not-utf8.json
echo '[1, 2]' >array.json
echo '{"faults": [{"action": {"type": "explode"}}]}' >conf.json
echo '{"stubs": {"smtp": {}}}' >unknown-stub.json
echo '{"stubs": {"ses": {"max_send_rate": "fast"}}}' >bad-stub-field.json
echo '{"message_type": "alert"}' >payload.json
echo '{"name": "x", "core": {"backstops": {"replay_every_min": 7}}}' >bad-backstops.json
echo '{"name": "x", "core": {"beat_timezone": "London"}}' >bad-timezone.json
echo '{"name": "x", "stubs": {"cbc": {"responses": {"ee": 404}}}}' >bad-cbc-status.json
echo '{"name": "x", "stubs": {"lambda": {"signing": {"test_pair": true, "key": "k.pem", "certificate": "c.pem"}}}}' >test-pair-and-key.json
echo '{"name": "x", "stubs": {"lambda": {"signing": {"test_pair": "yes"}}}}' >test-pair-string.json
echo '{"name": "x", "stubs": {"cbc": {"signature_test_pair": true, "signature_certificate": "c.pem"}}}' >cbc-test-pair-and-cert.json
echo '{"name": "x", "stubs": {"cbc": {"signature_test_pair": 1}}}' >cbc-test-pair-number.json
mkdir -p no-scenarios

# run
expect_one_line "bad.json: workload.email.count: expected a whole number" run bad.json
expect_one_line "broken.json: not valid JSON" run broken.json
expect_one_line "empty.json: not valid JSON" run empty.json
expect_one_line "not-utf8.json: not valid JSON" run not-utf8.json
expect_one_line "array.json: (top level): expected an object" run array.json
expect_one_line "missing.json: cannot be read" run missing.json
expect_one_line "no-scenarios: directory has no *.json scenario files" run no-scenarios
expect_one_line "notify-sim run: --mode: fast not in {sim,wire}" run --mode fast bad.json
expect_one_line 'notify-sim run: --seed: expected a whole number from 0 to 18446744073709551615, got "abc"' run --seed abc bad.json
expect_one_line "notify-sim run: paths is required" run

# validate
expect_one_line "broken.json: not valid JSON" validate broken.json
expect_one_line "empty.json: not valid JSON" validate empty.json
expect_one_line "not-utf8.json: not valid JSON" validate not-utf8.json
expect_one_line "conf.json: faults[0].action.type" validate conf.json
expect_one_line "unknown-stub.json: stubs.smtp" validate unknown-stub.json
expect_one_line "bad-stub-field.json: stubs.ses.max_send_rate" validate bad-stub-field.json
expect_one_line "missing.json: cannot be read" validate missing.json
expect_one_line "notify-sim validate: --profile: strict not in {oasis,google,uk}" \
  validate --profile strict bad.json

# serve
expect_one_line "conf.json: faults[0].action.type" serve --config conf.json --port 0 --admin-port 0
# A number out of its range in a file gives the range.
echo '{"journal": {"capacity": 1e15}}' >huge-journal.json
expect_one_line "huge-journal.json: journal.capacity: expected a whole number from 1 to 1000000" \
  validate huge-journal.json
echo '{"journal": {"body_bytes_max": 99999999999}}' >huge-bodies.json
expect_one_line "huge-bodies.json: journal.body_bytes_max: expected a whole number from 1 to 1048576" \
  serve --config huge-bodies.json --port 0 --admin-port 0
echo '{"faults": [{"action": {"type": "delay", "ms": 1e30}}]}' >huge-delay.json
expect_one_line "huge-delay.json: faults[0].action.ms: expected a number from 0 to 86400000 (24 hours)" \
  validate huge-delay.json
expect_one_line "broken.json: not valid JSON" serve --config broken.json --port 0 --admin-port 0
expect_one_line "missing.json: cannot be read" serve --config missing.json --port 0 --admin-port 0
expect_one_line "unknown-stub.json: stubs.smtp" \
  serve --config unknown-stub.json --port 0 --admin-port 0
expect_one_line "bad-stub-field.json: stubs.ses.max_send_rate" \
  serve --config bad-stub-field.json --port 0 --admin-port 0
expect_one_line "needs --admin-token" serve --admin-bind 0.0.0.0 --port 0 --admin-port 0
expect_one_line "callback-url smtp=http://x: smtp" \
  serve --callback-url smtp=http://x --port 0 --admin-port 0
expect_one_line 'notify-sim serve: --port: expected a whole number from 0 to 65535, got "abc"' serve --port abc
# Out of range: the range, not a conversion error, nor a number wrapped round or cut to fit.
expect_one_line 'notify-sim serve: --port: expected a whole number from 0 to 65535, got "99999"' \
  serve --port 99999
expect_one_line 'notify-sim serve: --admin-port: expected a whole number from 0 to 65535, got "-1"' \
  serve --admin-port -1
expect_one_line 'notify-sim serve: --seed: expected a whole number from 0 to 18446744073709551615, got "-1"' \
  serve --seed -1 --port 0 --admin-port 0
expect_one_line 'notify-sim serve: --seed: expected a whole number from 0 to 18446744073709551615, got "99999999999999999999"' \
  serve --seed 99999999999999999999 --port 0 --admin-port 0
expect_one_line 'notify-sim load: --receipt-port: expected a whole number from 0 to 65535, got "70000"' \
  load --receipt-port 70000
expect_one_line "bind_address '999.1.1.1' is not an IP address" \
  serve --bind 999.1.1.1 --port 0 --admin-port 0

# render
expect_one_line "broken.json: not JSON" render broken.json
expect_one_line "missing.json: cannot be read" render missing.json
expect_one_line "payload.json: message_format: missing" render payload.json
expect_one_line "array.json: (payload): expected a JSON object" render array.json
expect_one_line "--now yesterday: expected YYYY-MM-DDThh:mm:ss" render payload.json --now yesterday
expect_one_line "notify-sim render: --format: sms not in {cap,ibag}" \
  render payload.json --format sms

# chaos
expect_one_line 'notify-sim chaos: --seeds: expected a whole number from 1 to 10000000, got "0"' chaos --seeds 0
expect_one_line "--channels pigeons: not a channel with a chaos workload" chaos --channels pigeons
expect_one_line "notify-sim chaos: --mode: fast not in {sim,wire}" chaos --mode fast
expect_one_line 'notify-sim chaos: --seed: expected a whole number from 0 to 18446744073709551615, got "x"' chaos --seed x
expect_one_line "notify-sim chaos: --seed excludes --seeds" chaos --seed 3 --seeds 5
expect_one_line "notify-sim chaos: --seed excludes --first" chaos --seed 3 --first 9

# load
expect_one_line "notify-sim load: --target: notaurl not in {core,stub}" load --target notaurl
expect_one_line "--operation nope: expected one of" load --target stub --operation nope --duration 0.1
expect_one_line "--operation ses-v1: only for --target stub" load --operation ses-v1 --count 1
expect_one_line "--mix email=70,fax=30: unknown channel \"fax\"" load --mix email=70,fax=30
expect_one_line "--mix email=70,sms=20: the shares add up to 90.00, not 100" load --mix email=70,sms=20
expect_one_line "--mix email=110,sms=-10: email=110: the share must be from 0 to 100" \
  load --mix email=110,sms=-10
expect_one_line "--faults missing.json: cannot be read" load --count 1 --faults missing.json
expect_one_line "--baseline missing.json: cannot be read" load --count 1 --baseline missing.json
expect_one_line "notify-sim load: --duration excludes --count" load --count 5 --duration 1
expect_one_line "notify-sim load: --json /nonexistent/dir/x.json: directory /nonexistent/dir does not exist" \
  load --count 1 --json /nonexistent/dir/x.json
expect_one_line "notify-sim load: --html $tmp: is a directory" load --count 1 --html "$tmp"
expect_one_line "notify-sim report compare: The following arguments were not expected: 5 --max-regression-pct" \
  report compare broken.json broken.json --max-regression-pct 5
expect_one_line 'notify-sim load: --rate: expected a number from 1 to 1000000, got "0"' load --rate 0
expect_one_line 'notify-sim load: --duration: expected a number from 0.1 to 3600, got "1e9"' \
  load --duration 1e9
expect_one_line 'notify-sim load: --connections: expected a whole number from 1 to 4096, got "0"' load --connections 0
# --target stub: the core's options by name, a run past --duration's limit, bad files. Embedded
# stubs, whatever the shell exports, so the fault file is judged here.
unset AWS_ENDPOINT_URL NOTIFY_SIM_ADMIN_URL
for option in "--mix email=100" "--retry-delay-ms 5" "--drain-ms 5" "--receipt-port 0"; do
  # shellcheck disable=SC2086
  expect_one_line "${option%% *}: only for --target core" load --target stub --count 1 $option
done
expect_one_line "--count 40000 at --rate 10 lasts 4000 s; at most 3600 s" \
  load --target stub --count 40000 --rate 10
expect_one_line "--faults conf.json: faults[0]" load --target stub --count 1 --faults conf.json
expect_one_line "--baseline broken.json: not valid JSON" \
  load --target stub --count 1 --baseline broken.json

# the lifecycle backstops' settings, and a CBC endpoint's status
expect_one_line "bad-backstops.json: core.backstops.replay_every_min" run bad-backstops.json
expect_one_line 'core.beat_timezone: expected "UTC" or "Europe/London"' run bad-timezone.json
expect_one_line "stubs.cbc.responses.ee: expected an HTTP status: 200, 403 or 500" \
  run bad-cbc-status.json
# the built-in signing test pair: on its own, and a boolean
expect_one_line "stubs.lambda.signing.test_pair: expected true alone, or key and certificate without it, got true beside key and certificate" \
  run test-pair-and-key.json
expect_one_line "stubs.lambda.signing.test_pair: expected" run test-pair-string.json
expect_one_line 'stubs.cbc.signature_test_pair: expected true alone, or a signature_certificate without it, got true beside signature_certificate "c.pem"' \
  run cbc-test-pair-and-cert.json
expect_one_line "stubs.cbc.signature_test_pair: expected" validate cbc-test-pair-number.json
# upstream profiles: an unknown name from each place one can come from, a "profile" key of the
# wrong type, and an option that cannot run under its profile
known='the profiles are notify-2026-08 (default), notify-2025-07, notify-2021 for email, sms, telemetry, lifecycle; emergency-alerts-2026-08 (default), notify-2023 for broadcast'
echo '{"name": "p", "workload": {"sms": {"count": 1}}}' >plain.json
echo '{"name": "p", "profile": "notify-1999", "workload": {"sms": {"count": 1}}}' >old.json
echo '{"name": "p", "profile": 2021, "workload": {"sms": {"count": 1}}}' >number.json
echo '{"name": "p", "profile": "notify-2021", "core": {"sms_redis": "off"}}' >contradiction.json
echo '{"name": "p", "core": {"ses_api": "v1", "ses_v2_bad_request": "fixed"}}' >v1-fixed.json
echo '{"name": "p", "core": {"sms_error_threshold": "many"}}' >threshold.json
expect_one_line "--profile \"notify-1999\": unknown profile; $known" run --profile notify-1999 plain.json
expect_one_line "old.json: profile \"notify-1999\": unknown profile; $known" run old.json
expect_one_line "profile: expected a profile name: notify-2026-08 (default)" run number.json
NOTIFY_SIM_PROFILE=nope expect_one_line "NOTIFY_SIM_PROFILE \"nope\": unknown profile; $known" \
  run plain.json
expect_one_line "core.sms_redis \"off\" cannot run with sms_error_threshold \"none\" (profile notify-2021+emergency-alerts-2026-08)" \
  run contradiction.json
expect_one_line "core.ses_v2_bad_request \"fixed\" cannot run with ses_api \"v1\"" run v1-fixed.json
# two profiles for one family, from any place: exit 2 naming both
expect_one_line "--profile \"notify-2021,notify-2025-07\": notify-2021 and notify-2025-07 both cover" \
  run --profile notify-2021,notify-2025-07 plain.json
NOTIFY_SIM_PROFILE=notify-2023,emergency-alerts-2026-08 expect_one_line \
  "NOTIFY_SIM_PROFILE \"notify-2023,emergency-alerts-2026-08\": notify-2023 and emergency-alerts-2026-08 both cover broadcast" \
  run plain.json
expect_one_line "core.sms_error_threshold: expected \"none\" or a whole number" run threshold.json
# A time-out or window of 0 s, or a slow share of 0, cannot run: refused before the run, not a
# failed run (exit 1) or a run that never settles.
echo '{"name": "w", "core": {"sms_error_window_s": 0}, "workload": {"sms": {"count": 1}}}' >window.json
echo '{"name": "t", "core": {"sms_http_timeout_s": "0"}, "workload": {"sms": {"count": 1}}}' >timeout.json
echo '{"name": "s", "workload": {"sms": {"count": 1, "providers": {"slow_share": 0}}}}' >share.json
expect_one_line "window.json: core.sms_error_window_s: expected a whole number from 1, got 0" \
  run window.json
expect_one_line "timeout.json: core.sms_http_timeout_s: expected a whole number from 1, got \"0\"" \
  run --mode wire timeout.json
expect_one_line "share.json: workload.sms.providers.slow_share: expected a share above 0 and at most 1" \
  run share.json
expect_one_line "--profile \"notify-1999\": unknown profile; $known" chaos --profile notify-1999
expect_one_line "--profile \"notify-1999\": unknown profile; $known" \
  load --target stub --count 1 --profile notify-1999
expect_one_line "--profile \"notify-1999\": unknown profile; $known" \
  serve --profile notify-1999 --port 0 --admin-port 0

# --metrics-listen: an address that does not parse, a simulated run, the stubs alone
expect_one_line "--metrics-listen localhost: expected HOST:PORT" \
  run --mode wire --metrics-listen localhost plain.json
expect_one_line "--metrics-listen 127.0.0.1:65536: expected HOST:PORT" \
  load --count 1 --metrics-listen 127.0.0.1:65536
expect_one_line "--metrics-listen 127.0.0.1:0: only with --mode wire" \
  run --metrics-listen 127.0.0.1:0 plain.json
expect_one_line "--metrics-listen: only for --target core" \
  load --target stub --count 1 --metrics-listen 127.0.0.1:0

# no subcommand, or an unknown one
expect_one_line "A subcommand is required" nosuch

if [ $failures -ne 0 ]; then
  echo "$failures of $cases bad inputs were not one clear line with exit 2"
  exit 1
fi
echo "$cases bad inputs: each one line naming the input, exit 2"
