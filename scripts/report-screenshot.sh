#!/usr/bin/env bash
# Renders the synthetic load report (tests/scenarios/report/sample_report.cpp: 400/s for 120 s, a
# Firetext throttling storm and a slow SES) and screenshots it with headless Chromium, for
# docs/images/load-report.png. Needs a build with notify-sim and report_sample.
#   bash scripts/report-screenshot.sh [OUT.png]      BUILD_DIR defaults to build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
out=${1:-$root/docs/images/load-report.png}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$build_dir/tests/scenarios/report/report_sample" "$tmp/report.json" --rate 400 --duration 120 \
  --host release-driver-1
"$build_dir/scenarios/cli/notify-sim" report html "$tmp/report.json" --html "$tmp/report.html"
# 0.75 device pixels per CSS pixel keeps the whole page legible in about 250 KB.
timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
  --user-data-dir="$tmp/profile" --force-device-scale-factor=0.75 --window-size=1280,3330 \
  --screenshot="$out" "file://$tmp/report.html" 2>/dev/null
ls -l "$out"
