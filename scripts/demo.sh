#!/usr/bin/env bash
# README command 1: set up, build, then check and compile the bundled seed policy, printing
# the nft ruleset, the ip rule/route batches and the sysctl fragment.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build >/dev/null
echo "== pbrc check examples/seed.pbr"
build/pbrc check examples/seed.pbr && echo "ok: no errors"
echo "== pbrc compile examples/seed.pbr"
build/pbrc compile examples/seed.pbr --emit nft,ip,sysctl
