#!/usr/bin/env bash
# README command 2: set up, build, and run the whole test suite.
#   0. clang-format check of every C++ file.
#   1. ASan+UBSan build; unit, golden, diagnostic and CLI tests under the sanitizers.
#   2. libFuzzer over the front end for a bounded time (clang, ASan+UBSan), from the corpus.
#   3. Normal build; every CTest test: unit, golden, diagnostics, CLI, artifacts loaded into
#      the kernel, end-to-end routing in network namespaces (root; skips fail under CI=true).
# FUZZ_SECONDS (default 60) bounds step 2.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== formatting (clang-format, .clang-format)"
find src include tests bench -name '*.cc' -o -name '*.h' | xargs clang-format --dry-run --Werror

echo "== sanitizer build (ASan+UBSan)"
scripts/build.sh build-asan -DPBRC_SANITIZE=ON -DPBRC_WERROR=ON >/dev/null
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest -L unit --output-on-failure -j "$(nproc)")

echo "== fuzzing the front end for ${FUZZ_SECONDS:-60}s"
tests/fuzz/run.sh "${FUZZ_SECONDS:-60}"

echo "== full test suite"
scripts/build.sh build -DPBRC_WERROR=ON >/dev/null
cd build && ctest --output-on-failure
