#!/usr/bin/env bash
# notify-sim in CI as plain shell: the three recipes of docs/ci.md, in one script that any CI
# (or a laptop) can run from a checkout. The project's own test suite runs it
# (python/tests/test_ci_recipe.py), so it is known to work.
#
#   1. run the scenario catalogue in simulated time and write JUnit XML for the CI to publish;
#   2. start `notify-sim serve` in the background and point a pytest suite at it;
#   3. run an open-loop load test and fail if it is worse than the last release's baseline.
#
# Settings (environment): NOTIFY_SIM_BIN (default: notify-sim on PATH); PYTHON (a python
# with pytest and notify_sim importable, e.g. PYTHONPATH=<notify-sim>/python; default python3);
# REPORTS (default reports); SCENARIOS (default scenarios/catalogue); TESTS (the pytest suite,
# which loads notify_sim.pytest_plugin; default tests); LOAD_RATE (default 500 notifications/s);
# LOAD_DURATION (default 10 s); LOAD_BASELINE (a previous release's load.json; without one
# the load test only reports); LOAD_MAX_REGRESSION (default 50 percent).
set -euo pipefail

nsim=${NOTIFY_SIM_BIN:-notify-sim}
python=${PYTHON:-python3}
reports=${REPORTS:-reports}
mkdir -p "$reports"

# 1. Scenarios: deterministic, seconds long, one JUnit test case per scenario and seed.
"$nsim" run "${SCENARIOS:-scenarios/catalogue}" --seeds 3 -q \
    --junit "$reports/scenarios.xml" --json "$reports/scenarios.json"

# 2. serve in the background, configured from the environment. The pytest plugin attaches to
#    the server that writes NOTIFY_SIM_READY_FILE. The trap stops it however the script ends.
export NOTIFY_SIM_PORT=0 NOTIFY_SIM_ADMIN_PORT=0
export NOTIFY_SIM_READY_FILE="$reports/notify-sim-ready.json"
rm -f "$NOTIFY_SIM_READY_FILE"
"$nsim" serve > "$reports/notify-sim.log" 2>&1 &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true' EXIT
"$python" -m pytest -q -p no:cacheprovider "${TESTS:-tests}" --junitxml "$reports/pytest.xml"
kill "$serve_pid"
wait "$serve_pid" || { echo "notify-sim serve did not stop cleanly"; exit 1; }
trap - EXIT

# 3. Load test before a release: the sending core against embedded stubs (SES's limits off),
#    open loop. With LOAD_BASELINE (a report an earlier release wrote with --json), `load` exits 1
#    when p99 dispatch latency or throughput is more than LOAD_MAX_REGRESSION percent worse.
gate=()
if [ -n "${LOAD_BASELINE:-}" ]; then
  gate=(--baseline "$LOAD_BASELINE" --max-regression "${LOAD_MAX_REGRESSION:-50}")
fi
"$nsim" load --rate "${LOAD_RATE:-500}" --duration "${LOAD_DURATION:-10}" \
    --json "$reports/load.json" --html "$reports/load.html" "${gate[@]}"
echo "ci-example: scenarios, tests against serve, and the load test passed"
