#!/usr/bin/env bash
# Builds and runs the benchmarks (Release). Figures are ratios against a baseline measured in
# the same run; see bench/normalize_bench.cc and bench/scale_bench.cc.
#   bench/run.sh [N] [REPEATS]   the long mode: set pipeline at N (default 1,000,000), then
#                                the resource budgets at 1M rules (several minutes), then
#                                the live heap per rule after each stage at 1M rules
#   bench/run.sh --quick         the short mode for CI: N = 100,000, budgets at 100k rules
# Both end with the lint budget (bench/lint_bench.cc); the long mode adds its growth runs.
# Exits 1 when a resource budget is exceeded.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_TYPE=Release scripts/build.sh build-bench -DPBRC_TESTS=OFF -DPBRC_BENCH=ON >/dev/null
if [ "${1:-}" = --quick ]; then
  build-bench/pbrc_bench 100000 3
  build-bench/pbrc_scale_bench build-bench/pbrc quick
  build-bench/pbrc_stage_mem_bench 100000
  build-bench/pbrc_regions_bench
  build-bench/pbrc_lint_bench
else
  build-bench/pbrc_bench "$@"
  build-bench/pbrc_scale_bench build-bench/pbrc long
  build-bench/pbrc_stage_mem_bench 1000000
  build-bench/pbrc_regions_bench
  # The lint budget, then twice the rules and twice the prefixes (the growth, docs/lint.md).
  build-bench/pbrc_lint_bench 1000 10000 10
  build-bench/pbrc_lint_bench 2000 10000 10
  build-bench/pbrc_lint_bench 1000 20000 10
fi
