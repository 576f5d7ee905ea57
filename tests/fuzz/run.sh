#!/usr/bin/env bash
# Builds the libFuzzer target with clang (ASan+UBSan) in build-fuzz/ and runs it for
# $1 seconds (default 60) over a copy of the seed corpus. New crashes fail the run and leave
# their input in build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DPBRC_FUZZ=ON -DPBRC_SANITIZE=ON -DPBRC_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target pbrc_fuzz >/dev/null
work="build-fuzz/corpus"
rm -rf "$work"
mkdir -p "$work"
cp tests/fuzz/corpus/* examples/*.pbr tests/golden/*.pbr tests/diag/*.pbr "$work"/
cd build-fuzz
./pbrc_fuzz -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 corpus 2>&1 | tail -15
