#!/usr/bin/env bash
# Installs what notify-sim needs to build and test, from Debian 12's packages (`setup.sh build`:
# only what building the binary needs). Safe to re-run:
# packages already present are skipped, and apt is only asked when something is missing.
set -euo pipefail

# What building notify-sim needs.
build_packages=(
  build-essential cmake ccache pkg-config
  libboost1.81-dev libpugixml-dev nlohmann-json3-dev libcli11-dev libsimdjson-dev
  libsqlite3-dev libssl-dev libxmlsec1-dev libxmlsec1-openssl openssl
)
# What the tests, the benchmarks and the fuzz targets need besides: the real clients the stubs
# are checked against (boto3, the AWS CLI, Celery, curl), xmllint, wrk, Chromium for the
# report's rendering test, and clang with libFuzzer.
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-boto3 python3-pytest python3-requests awscli libxml2-utils curl wrk
  python3-celery python3-kombu python3-pycurl
  chromium
  clang-14 libclang-rt-14-dev
)

# "build" installs only what the binary needs (scripts/demo.sh); anything else, everything.
packages=("${build_packages[@]}")
[ "${1:-all}" = "build" ] || packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "notify-sim setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
