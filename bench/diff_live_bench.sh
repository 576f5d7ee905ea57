#!/usr/bin/env bash
# `pbrc diff POLICY --netns` against a live table with a 100k-element set, as a ratio
# against `nft -j list table` of the same table alone, both measured in this run (median of
# REPEATS). Goal: ratio <= 1.5. Everything runs in a throwaway namespace (tests/lib/netns.sh).
# Usage: sudo bench/diff_live_bench.sh [PBRC] [N] [REPEATS]  (defaults build/pbrc 100000 5)
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/tests/lib/netns.sh" || exit 1
pbrc="$(realpath "${1:-$root/build/pbrc}")"
n="${2:-100000}"
repeats="${3:-5}"
ns_require
tmp="$(mktemp -d)"
trap 'ns_cleanup; rm -rf "$tmp"' EXIT

# n addresses, every other one, so no two merge into one interval.
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) { a = 2 * i;
  printf "10.%d.%d.%d\n", int(a / 65536) % 256, int(a / 256) % 256, a % 256 } }' > "$tmp/big.txt"
cat > "$tmp/bench.pbr" <<'POLICY'
options {
  nft table pbrbench;
  mark mask 0xf;
}
set big = { file "big.txt" };
link wan1 {
  device eth1;
  gateway 10.250.1.1;
}
policy {
  from set big via wan1;
}
POLICY
"$pbrc" compile "$tmp/bench.pbr" -o "$tmp" >/dev/null || fail "compile"
ns_new r
ns="$(ns_name r)"
ip -n "$ns" link add eth1 type veth peer name peth1
ip -n "$ns" link set eth1 up
ip -n "$ns" addr add 10.250.1.2/24 dev eth1
timeout 120 ip netns exec "$ns" nft -f "$tmp/bench.nft" || fail "nft -f"
in_ns r ip -batch "$tmp/bench.ip" || fail "ip -batch"
in_ns r sysctl -q -p "$tmp/bench.sysctl.conf" >/dev/null || fail "sysctl"
timeout 120 "$pbrc" diff --netns "$ns" "$tmp/bench.pbr" >/dev/null || fail "diff is not empty"

median() {  # median CMD...: prints the median wall time of REPEATS runs, in seconds
  local i t0 t1 times=()
  for ((i = 0; i < repeats; i++)); do
    t0=$(date +%s.%N)
    timeout 120 "$@" >/dev/null || fail "$* failed"
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((repeats + 1) / 2))p"
}
base="$(median ip netns exec "$ns" nft -j list table inet pbrbench)"
diff="$(median "$pbrc" diff --netns "$ns" "$tmp/bench.pbr")"
printf 'diff live, %d elements: nft -j list table %.3fs, pbrc diff %.3fs, ratio %.2f (goal <= 1.5)\n' \
  "$n" "$base" "$diff" "$(echo "$diff / $base" | bc -l)"
