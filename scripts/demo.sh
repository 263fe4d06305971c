#!/usr/bin/env bash
# The main job on the embedded defaults: set up, build, then run the whole scenario catalogue
# in simulated time and print the summary table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Only what the demo runs: the binary and the packages it is built from.
"$root/scripts/setup.sh" build
NOTIFY_BUILD_TESTS=OFF TARGETS=notify-sim "$root/scripts/build.sh"
exec "$root/build/scenarios/cli/notify-sim" run "$root/scenarios/catalogue" --mode sim "$@"
