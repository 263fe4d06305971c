#!/usr/bin/env bash
# notify-sim validate and render on broadcast documents: exit codes, the one-line format, --json.
set -euo pipefail
nsim=$1
data=$2
catalogue=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() {  # CODE COMMAND...
  local want=$1; shift
  set +e; "$@" >/tmp/cli_broadcast.$$ 2>&1; local got=$?; set -e
  [ "$got" = "$want" ] || { cat /tmp/cli_broadcast.$$; fail "$* exited $got, expected $want"; }
}
trap 'rm -f /tmp/cli_broadcast.$$' EXIT

expect_exit 0 "$nsim" validate "$data/samples/reconstructed-proxy-cap-alert.xml"
expect_exit 1 "$nsim" validate --profile uk "$data/broken/english-with-welsh.xml"
expect_exit 0 "$nsim" validate "$data/broken/english-with-welsh.xml"  # a warning under oasis
expect_exit 1 "$nsim" validate "$data/broken/wrong-root-atom.xml"
expect_exit 1 "$nsim" validate "$data/broken/not-xml-text.xml"
expect_exit 2 "$nsim" validate "$data/no-such-file.xml"
# Scenario files and broadcast documents in one call.
expect_exit 0 "$nsim" validate "$catalogue" "$data/samples/reconstructed-proxy-ibag-alert.xml"
expect_exit 2 "$nsim" validate --profile ipaws "$data/samples/reconstructed-proxy-cap-alert.xml"

# FILE:LINE: error|warning: ELEMENT: RULE (what was found)
line=$("$nsim" validate "$data/broken/cap-sent-zulu.xml" | head -1 || true)
[[ "$line" =~ ^.*cap-sent-zulu\.xml:1:\ error:\ /alert/sent:\ schema-cap-datetime:\ .*\(found\ \"2021-02-15T10:00:00Z\"\)$ ]] \
  || fail "unexpected line: $line"

report=$("$nsim" validate --json --profile google "$data/samples/reconstructed-proxy-cap-cancel.xml" \
  || true)
python3 -c '
import json, sys
r = json.load(sys.stdin)[0]
assert r["kind"] == "cap12" and r["valid"] is False, r
rules = {(p["rule"], p["severity"]) for p in r["problems"]}
assert ("references-timestamp", "warning") in rules, rules
assert ("google-info-required", "error") in rules, rules
' <<<"$report" || fail "--json report"

# render: the proxy's document, nothing for an update, the field named for a bad payload.
diff <("$nsim" render "$data/payloads/alert.json") \
     <(cat "$data/samples/reconstructed-proxy-cap-alert.xml"; echo) || fail "render alert"
out=$("$nsim" render "$data/payloads/update.json" 2>/dev/null)
[ -z "$out" ] || fail "an update rendered something"
expect_exit 0 "$nsim" render "$data/payloads/update.json"
echo '{"message_type": "alert", "message_format": "cap", "identifier": "x"}' \
  | { set +e; "$nsim" render - 2>&1; echo "exit $?"; } | tee /tmp/cli_broadcast.$$ >/dev/null
grep -q "sent: missing" /tmp/cli_broadcast.$$ && grep -q "exit 2" /tmp/cli_broadcast.$$ \
  || { cat /tmp/cli_broadcast.$$; fail "bad payload message"; }
"$nsim" render "$data/payloads/alert-welsh-ibag.json" --format cap | "$nsim" validate --profile uk - >/dev/null \
  || fail "IBAG payload rendered as CAP does not validate"
# --generator: today's emergency-alerts-utils reads the optional keys; a bad name is a usage error.
diff <("$nsim" render "$data/payloads/alert-emergency-alerts.json" --generator emergency-alerts) \
     <(cat "$data/emergency-alerts/cap-alert.xml"; echo) || fail "render --generator emergency-alerts"
diff <("$nsim" render "$data/payloads/alert-emergency-alerts.json" --generator emergency-alerts \
       --format ibag) <(cat "$data/emergency-alerts/ibag-alert.xml"; echo) \
  || fail "render --generator emergency-alerts --format ibag"
expect_exit 2 "$nsim" render "$data/payloads/alert.json" --generator notify-2026
grep -q -- "--generator notify-2026: expected notify-2023 or emergency-alerts" /tmp/cli_broadcast.$$ \
  || { cat /tmp/cli_broadcast.$$; fail "bad --generator message"; }
# The uk profile refuses a polygon whose edges cross.
expect_exit 1 "$nsim" validate --profile uk "$data/broken/polygon-bowtie-uk.xml"
grep -q "polygon-self-intersection" /tmp/cli_broadcast.$$ || fail "bow-tie not reported"
# Signing: render --sign-key/--sign-cert, validate --verify-signature, with a key pair made now.
keys=$(mktemp -d)
trap 'rm -f /tmp/cli_broadcast.$$; rm -rf "$keys"' EXIT
for name in a b; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -batch -subj "/CN=cli-$name" \
    -keyout "$keys/$name.key" -out "$keys/$name.pem" 2>/dev/null
done
"$nsim" render "$data/payloads/alert.json" --sign-key "$keys/a.key" --sign-cert "$keys/a.pem" \
  > "$keys/cap.xml" || fail "render --sign-key"
"$nsim" render "$data/payloads/alert-welsh-ibag.json" --generator emergency-alerts \
  --sign-key "$keys/a.key" --sign-cert "$keys/a.pem" > "$keys/ibag.xml" || fail "render IBAG signed"
xmllint --noout --nonet --schema "$data/schemas/CAP-v1.2.xsd" "$keys/cap.xml" 2>/dev/null \
  || fail "xmllint rejects a signed CAP document"
xmllint --noout --nonet --schema "$data/schemas/ibag10.xsd" "$keys/ibag.xml" 2>/dev/null \
  || fail "xmllint rejects a signed IBAG document"
expect_exit 0 "$nsim" validate --profile uk --verify-signature "$keys/a.pem" "$keys/cap.xml" "$keys/ibag.xml"
grep -q "signature valid" /tmp/cli_broadcast.$$ || { cat /tmp/cli_broadcast.$$; fail "no signature verdict"; }
expect_exit 1 "$nsim" validate --verify-signature "$keys/b.pem" "$keys/cap.xml"
grep -q "signature-invalid" /tmp/cli_broadcast.$$ || { cat /tmp/cli_broadcast.$$; fail "other key accepted"; }
sed 's/<event>Alert</<event>EAN</' "$keys/cap.xml" > "$keys/tampered.xml"
expect_exit 1 "$nsim" validate --verify-signature "$keys/a.pem" "$keys/tampered.xml"
expect_exit 1 "$nsim" validate --verify-signature "$keys/a.pem" "$data/samples/reconstructed-proxy-cap-alert.xml"
grep -q "signature-missing" /tmp/cli_broadcast.$$ || { cat /tmp/cli_broadcast.$$; fail "unsigned accepted"; }
expect_exit 2 "$nsim" validate --verify-signature "$keys/none.pem" "$keys/cap.xml"
grep -q "none.pem: cannot read the certificate" /tmp/cli_broadcast.$$ \
  || { cat /tmp/cli_broadcast.$$; fail "bad certificate message"; }
expect_exit 2 "$nsim" render "$data/payloads/alert.json" --sign-key "$keys/a.pem" --sign-cert "$keys/a.pem"
echo "cli broadcast checks passed"
