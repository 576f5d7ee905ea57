#!/usr/bin/env bash
# Builds and runs the benchmarks (Release). Figures are ratios against a baseline measured in
# the same run; see bench/normalize_bench.cc.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_TYPE=Release scripts/build.sh build-bench -DPBRC_TESTS=OFF -DPBRC_BENCH=ON >/dev/null
build-bench/pbrc_bench "$@"
