#!/usr/bin/env bash
# The main job on the embedded defaults: set up, build, then run the whole scenario catalogue
# in simulated time and print the summary table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
exec "$root/build/scenarios/cli/notify-sim" run "$root/scenarios/catalogue" --mode sim "$@"
