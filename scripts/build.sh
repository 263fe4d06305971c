#!/usr/bin/env bash
# Configures and builds notify-sim. BUILD_DIR (default build) and NOTIFY_SANITIZE=1 (ASan+UBSan)
# choose the variant. Two jobs: one Beast translation unit takes ~750 MB and ~30 s.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
sanitize=${NOTIFY_SANITIZE:-0}
jobs=${JOBS:-2}
extra=()
[ "$sanitize" = "1" ] && extra+=(-DNOTIFY_SANITIZE=ON -DNOTIFY_BUILD_BENCH=OFF)
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "${extra[@]}" >/dev/null
cmake --build "$build_dir" -j "$jobs"
