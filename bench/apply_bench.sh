#!/usr/bin/env bash
# `pbrc apply` of a policy with one N-prefix set (default 1,000,000), and of a 1% change
# (1% of the elements removed, 1% added) to it, each as a ratio against `nft -f` loading the
# same table into an empty namespace, measured in this run (median of REPEATS), plus the peak
# RSS of apply. The issue's floor is a bare libnftnl element batch; pbrc does not link
# libnftnl yet, so `nft -f` is the baseline here (docs/testing.md). Throwaway namespaces only.
# Usage: sudo bench/apply_bench.sh [PBRC] [N] [REPEATS]   (--quick: N=20000, 1 repeat)
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/tests/lib/netns.sh" || exit 1
if [ "${1:-}" = --quick ]; then set -- "$root/build/pbrc" 20000 1; fi
pbrc="$(realpath "${1:-$root/build/pbrc}")"
n="${2:-1000000}"
repeats="${3:-3}"
ns_require
command -v /usr/bin/time > /dev/null || { echo "SKIP: needs GNU time (/usr/bin/time)" >&2; exit 77; }
tmp="$(mktemp -d)"
trap 'ns_cleanup; rm -rf "$tmp"' EXIT

# n /32 prefixes, every other address, so none merge; big2 drops the first 1% and adds 1%.
gen() { awk -v lo="$1" -v hi="$2" 'BEGIN { for (i = lo; i < hi; i++) { a = 2 * i;
  printf "%d.%d.%d.%d\n", 10 + int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256, a % 256 } }'; }
gen 0 "$n" > "$tmp/big.txt"
gen $((n / 100)) $((n + n / 100)) > "$tmp/big2.txt"
policy() {
  cat <<POLICY
options { nft table pbrbench; mark mask 0xf; }
set big = { file "$1" };
link wan1 { device eth1; gateway 10.250.1.1; }
policy { from set big via wan1; }
POLICY
}
policy big.txt > "$tmp/full.pbr"
policy big2.txt > "$tmp/change.pbr"
"$pbrc" compile "$tmp/full.pbr" -o "$tmp" > /dev/null || fail "compile"

run=0
fresh() {  # a new router namespace, named in $ns (no subshell: netns.sh tracks it)
  run=$((run + 1)); ns_new "r$run"; ns="$(ns_name "r$run")"
  ip -n "$ns" link add eth1 type veth peer name peth1
  ip -n "$ns" link set eth1 up
  ip -n "$ns" addr add 10.250.1.2/24 dev eth1
}
# timed OUT CMD...: seconds and peak KiB of CMD into OUT ("S KIB").
timed() { local out="$1"; shift; /usr/bin/time -f '%e %M' -o "$out" "$@" > /dev/null 2>&1 || fail "$*"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for i in $(seq "$repeats"); do
  fresh
  timed "$tmp/t" timeout 600 ip netns exec "$ns" nft -f "$tmp/full.nft"; cut -d' ' -f1 "$tmp/t" >> "$tmp/nft"
  fresh
  timed "$tmp/t" timeout 600 "$pbrc" apply -q --netns "$ns" --state-dir "$tmp/st$run" "$tmp/full.pbr"
  cut -d' ' -f1 "$tmp/t" >> "$tmp/apply"; cut -d' ' -f2 "$tmp/t" >> "$tmp/rss"
  timed "$tmp/t" timeout 1200 "$pbrc" apply -q --netns "$ns" --state-dir "$tmp/st$run" "$tmp/change.pbr"
  cut -d' ' -f1 "$tmp/t" >> "$tmp/change"
done
base="$(median < "$tmp/nft")"; full="$(median < "$tmp/apply")"; change="$(median < "$tmp/change")"
rss="$(sort -n "$tmp/rss" | tail -1)"
awk -v n="$n" -v b="$base" -v f="$full" -v c="$change" -v r="$rss" 'BEGIN {
  printf "N=%d: nft -f %.2f s; full apply %.2f s (%.2fx), peak RSS %d MiB; 1%% change %.2f s (%.2fx)\n",
    n, b, f, f / b, r / 1024, c, c / b }'
