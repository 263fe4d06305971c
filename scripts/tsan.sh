#!/usr/bin/env bash
# Builds the tests that run threads (ctest label "threads") with ThreadSanitizer in build-tsan
# and runs them. Only what they need is built (the target notify_threads_tests), without the
# benchmarks and fuzz targets. Any report fails the script, including one from a notify-sim
# process that a test started in the background and never checked (every process logs to
# build-tsan/tsan-reports/). Nothing is suppressed: Asio and Beast, the third-party code our
# threads run in, are compiled here with the same instrumentation as our code. TSAN_OPTIONS
# adds to or overrides the options below.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
build=${BUILD_DIR:-$root/build-tsan}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNOTIFY_TSAN=ON \
  -DNOTIFY_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target notify_threads_tests
reports="$build/tsan-reports"
rm -rf "$reports"
mkdir -p "$reports"
options="halt_on_error=1:second_deadlock_stack=1:exitcode=66:log_path=$reports/tsan"
export TSAN_OPTIONS="$options${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
cd "$build"
status=0
ctest -L threads --output-on-failure -j "${JOBS:-2}" --timeout 600 || status=$?
if compgen -G "$reports/tsan*" >/dev/null; then
  echo "tsan: ThreadSanitizer reports (one file per process that reported):"
  for f in "$reports"/tsan*; do echo "== $f"; cat "$f"; done
  status=1
fi
exit "$status"
