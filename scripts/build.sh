#!/usr/bin/env bash
# Configures and builds notify-sim. BUILD_DIR (default build) and NOTIFY_SANITIZE=1 (ASan+UBSan)
# choose the variant; TARGETS, what to build (default: everything). Two jobs: one Beast
# translation unit takes ~750 MB and ~30 s.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
sanitize=${NOTIFY_SANITIZE:-0}
jobs=${JOBS:-2}
# NOTIFY_BUILD_TESTS=OFF configures without the tests and benchmarks (and so without GoogleTest
# and Google Benchmark installed); it is passed every time, so a later run with the default
# turns them back on in the same build directory.
with_tests=${NOTIFY_BUILD_TESTS:-ON}
with_bench=$with_tests
extra=()
[ "$sanitize" = "1" ] && extra+=(-DNOTIFY_SANITIZE=ON) && with_bench=OFF
extra+=(-DNOTIFY_BUILD_TESTS="$with_tests" -DNOTIFY_BUILD_BENCH="$with_bench")
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "${extra[@]}" >/dev/null
# TARGETS narrows the build (scripts/demo.sh builds only the binary it runs).
targets=()
for t in ${TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build_dir" -j "$jobs" "${targets[@]}"
