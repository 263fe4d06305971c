#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz and runs each for
# FUZZ_SECONDS (default 30) from its seed corpus in fuzz/corpus/<target>. New inputs go to a
# scratch folder, never into the repository; a crash leaves its input in build-fuzz/crashes and
# fails the script. FUZZ_TARGETS narrows the list; FUZZ_SEED (default 1) makes a run repeatable.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
build="${BUILD_DIR:-$root/build-fuzz}"
seconds=${FUZZ_SECONDS:-30}
targets=${FUZZ_TARGETS:-"edge config broadcast_xml receipts"}
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DNOTIFY_FUZZ=ON -DNOTIFY_BUILD_TESTS=OFF -DNOTIFY_BUILD_BENCH=OFF >/dev/null
# One build of every target, so both jobs stay busy across targets instead of idling at the end
# of each one's link.
fuzz_targets=()
for t in $targets; do fuzz_targets+=("fuzz_$t"); done
cmake --build "$build" -j "${JOBS:-2}" --target "${fuzz_targets[@]}"
mkdir -p "$build/crashes"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in $targets; do
  scratch=$(mktemp -d)
  echo "== fuzz_$t for ${seconds}s"
  "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -seed="${FUZZ_SEED:-1}" -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" "$scratch" "$root/fuzz/corpus/$t"
  rm -rf "$scratch"
done
