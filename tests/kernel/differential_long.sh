#!/usr/bin/env bash
# The long mode of the differential test (docs/testing.md): DIFF_JOBS shards of
# differential.sh at once, each in its own namespaces with its own seed (DIFF_SEED + shard),
# DIFF_POLICIES / DIFF_JOBS policies each. The run passes when every shard passes; it prints
# the pairs checked in all, summed from the shards' last lines, and fails when that sum is
# below DIFF_MIN_PAIRS (default 10000), so a shard that stopped early cannot pass the run.
# The shards wait on packets and sentinel counters more than they compute, so on 2 cores
# four shards take about a quarter of the time of one run.
#   sudo DIFF_JOBS=4 DIFF_POLICIES=500 DIFF_PACKETS=24 PBRC=build/pbrc \
#     bash tests/kernel/differential_long.sh
set -u
here="$(cd "$(dirname "$0")" && pwd)"
jobs="${DIFF_JOBS:-4}"
policies="${DIFF_POLICIES:-500}"
packets="${DIFF_PACKETS:-24}"
min="${DIFF_MIN_PAIRS:-10000}"
seed="${DIFF_SEED:-$(( (RANDOM << 15 | RANDOM) ))}"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
echo "differential long: $jobs shards, seeds $seed..$(( seed + jobs - 1 )), $policies policies x $packets packets, logs in each shard's output below"

per=$(( (policies + jobs - 1) / jobs ))
pids=()
for ((i = 0; i < jobs; i++)); do
  DIFF_SEED=$(( seed + i )) DIFF_POLICIES="$per" DIFF_PACKETS="$packets" \
    DIFF_TIMEOUT=$(( per * packets * 4 + 600 )) \
    bash "$here/differential.sh" > "$logs/$i.log" 2>&1 &
  pids+=("$!")
done
failed=0
for ((i = 0; i < jobs; i++)); do
  if ! wait "${pids[$i]}"; then
    failed=1
    echo "differential long: shard $i (seed $(( seed + i ))) FAILED:"
    cat "$logs/$i.log"
  fi
done
total=0
for ((i = 0; i < jobs; i++)); do
  # The shard's summary: "differential: N pairs, ..."
  line="$(grep -E '^differential: [0-9]+ pairs' "$logs/$i.log" | tail -n 1)"
  echo "shard $i (seed $(( seed + i ))): ${line:-no summary}"
  n="$(sed -E 's/^differential: ([0-9]+) pairs.*/\1/' <<<"$line")"
  total=$(( total + ${n:-0} ))
done
echo "differential long: $total pairs in all"
(( failed == 0 )) || exit 1
(( total >= min )) || { echo "differential long: fewer than $min pairs"; exit 1; }
echo "differential long: passed"
