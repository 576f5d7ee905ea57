#!/usr/bin/env bash
# `pbrc apply` of a policy with one N-prefix set (default 1,000,000), and of a 1% change
# (1% of the elements removed, 1% added) to a policy with one M-prefix set (default
# 100,000): the same policy file applied again after its list file changed, as an operator
# or a cron job refreshing a list does. Each as a ratio against the netlink floor measured
# in this run: a bare libnftnl
# batch putting the same elements into an existing set (bench/nftnl_floor.cc, built here).
# Also `nft -f` of the compiled table for reference, and apply's peak RSS. Median of
# REPEATS; every load goes into a fresh throwaway namespace.
# Usage: sudo bench/apply_bench.sh [PBRC] [N] [M] [REPEATS]   (--quick: N=M=20000, 1 repeat)
# Budgets (issue 10): full apply <= 1.2 x floor with peak RSS <= 300 MB; change <= 2.5 x floor.
set -u
export LC_ALL=C  # EPOCHREALTIME's decimal point, awk's numbers
[ -n "${EPOCHREALTIME:-}" ] || { echo "FAIL: needs bash >= 5 (EPOCHREALTIME)" >&2; exit 1; }
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/tests/lib/netns.sh" || exit 1
if [ "${1:-}" = --quick ]; then set -- "$root/build/pbrc" 20000 20000 1; fi
pbrc="$(realpath "${1:-$root/build/pbrc}")"
n="${2:-1000000}"
m="${3:-100000}"
repeats="${4:-3}"
ns_require
command -v /usr/bin/time > /dev/null || { echo "SKIP: needs GNU time (/usr/bin/time)" >&2; exit 77; }
tmp="$(mktemp -d)"
trap 'ns_cleanup; rm -rf "$tmp"' EXIT
floor="$tmp/nftnl_floor"
# shellcheck disable=SC2046
c++ -std=c++20 -O2 "$root/bench/nftnl_floor.cc" $(pkg-config --cflags --libs libnftnl libmnl) \
  -o "$floor" || fail "cannot build bench/nftnl_floor.cc (needs libnftnl-dev, libmnl-dev)"

# Prefixes lo..hi-1 as /32s of every other address, so none merge.
gen() { awk -v lo="$1" -v hi="$2" 'BEGIN { for (i = lo; i < hi; i++) { a = 2 * i;
  printf "%d.%d.%d.%d\n", 10 + int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256, a % 256 } }'; }
gen 0 "$n" > "$tmp/big.txt"
gen 0 "$m" > "$tmp/mid.txt"
gen $((m / 100)) $((m + m / 100)) > "$tmp/mid2.txt"
gen 0 $((m / 100)) > "$tmp/del.txt"
gen "$m" $((m + m / 100)) > "$tmp/add.txt"
policy() {
  cat <<POLICY
options { nft table pbrbench; mark mask 0xf; }
set big = { file "$1" };
link wan1 { device eth1; gateway 10.250.1.1; }
policy { from set big via wan1; }
POLICY
}
policy big.txt > "$tmp/full.pbr"
policy list.txt > "$tmp/change.pbr"  # list.txt: mid.txt, then mid2.txt
"$pbrc" compile "$tmp/full.pbr" -o "$tmp" > /dev/null || fail "compile"

run=0
fresh() {  # a new router namespace, named in $ns (no subshell: netns.sh tracks it)
  run=$((run + 1)); ns_new "r$run"; ns="$(ns_name "r$run")"
  ip -n "$ns" link add eth1 type veth peer name peth1
  ip -n "$ns" link set eth1 up
  ip -n "$ns" addr add 10.250.1.2/24 dev eth1
}
# timed OUT SECONDS CMD...: the wall time of CMD alone (to the microsecond, no wrapper
# process: on this VM each exec costs about 7 ms, a tenth of a 1% change) appended to
# OUT.s; CMD is killed after SECONDS. Both sides enter the namespace themselves (pbrc
# --netns, nftnl_floor --netns), so neither pays for `ip netns exec`.
timed() {
  local out="$1" limit="$2" t0 t1 pid killer rc; shift 2
  t0=$EPOCHREALTIME
  "$@" > /dev/null 2> "$tmp/err" &
  pid=$!
  # The killer's sleep is ended with it, and holds no output open (a pipe reader would wait).
  (trap 'kill "$s"; exit 0' TERM; sleep "$limit" & s=$!; wait "$s"; kill -9 "$pid") > /dev/null 2>&1 &
  killer=$!
  wait "$pid"; rc=$?
  t1=$EPOCHREALTIME
  kill "$killer" 2> /dev/null; wait "$killer" 2> /dev/null
  [ "$rc" = 0 ] || { cat "$tmp/err" >&2; fail "$* (exit $rc)"; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >> "$out.s"
}
# peak OUT CMD...: CMD's peak RSS in KiB appended to OUT.kb (a run of its own, untimed).
peak() {
  local out="$1"; shift
  /usr/bin/time -f '%M' -o "$tmp/t" timeout 1200 "$@" > /dev/null 2> "$tmp/err" || { cat "$tmp/err" >&2; fail "$*"; }
  cat "$tmp/t" >> "$out.kb"
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
floor_set() { echo 'table inet pbrbench { set big_v4 { type ipv4_addr; flags interval; }; }' |
  timeout 60 ip netns exec "$ns" nft -f - || fail "floor table"; }

for i in $(seq "$repeats"); do
  fresh; timed "$tmp/nft" 600 ip netns exec "$ns" nft -f "$tmp/full.nft"
  fresh; floor_set; timed "$tmp/floor" 600 "$floor" --netns "$ns" pbrbench big_v4 "$tmp/big.txt"
  fresh; timed "$tmp/apply" 1200 "$pbrc" apply -q --netns "$ns" --state-dir "$tmp/st$run" "$tmp/full.pbr"
  fresh; peak "$tmp/apply" "$pbrc" apply -q --netns "$ns" --state-dir "$tmp/st$run" "$tmp/full.pbr"
  # Three 1% changes each, back and forth (the first 1% deleted and another 1% added, then
  # the reverse), in one namespace per side.
  fresh; floor_set
  timeout 600 "$floor" --netns "$ns" pbrbench big_v4 "$tmp/mid.txt" || fail "floor load"
  for k in 1 2 3; do
    if [ $((k % 2)) = 1 ]; then files=("$tmp/add.txt" "$tmp/del.txt"); else files=("$tmp/del.txt" "$tmp/add.txt"); fi
    timed "$tmp/floorc" 600 "$floor" --netns "$ns" pbrbench big_v4 "${files[@]}"
  done
  fresh; cp "$tmp/mid.txt" "$tmp/list.txt"
  timeout 600 "$pbrc" apply -q --netns "$ns" --state-dir "$tmp/st$run" "$tmp/change.pbr" || fail "apply mid.txt"
  for k in 1 2 3; do
    if [ $((k % 2)) = 1 ]; then cp "$tmp/mid2.txt" "$tmp/list.txt"; else cp "$tmp/mid.txt" "$tmp/list.txt"; fi
    timed "$tmp/change" 1200 "$pbrc" apply -q --netns "$ns" --state-dir "$tmp/st$run" "$tmp/change.pbr"
  done
done
awk -v n="$n" -v m="$m" -v nf="$(median "$tmp/nft.s")" -v fl="$(median "$tmp/floor.s")" \
  -v ap="$(median "$tmp/apply.s")" -v rss="$(sort -n "$tmp/apply.kb" | tail -1)" \
  -v flc="$(median "$tmp/floorc.s")" -v ch="$(median "$tmp/change.s")" 'BEGIN {
  verdict = "met"; if (ap > 1.2 * fl || rss > 300 * 1000) verdict = "NOT met"
  printf "full, N=%d: floor %.2f s; nft -f %.2f s; apply %.2f s = %.2fx floor (%.2fx nft -f), peak RSS %d MiB; budget (<= 1.2x, <= 300 MB) %s\n",
    n, fl, nf, ap, ap / fl, ap / nf, rss / 1024, verdict
  verdict = (ch > 2.5 * flc) ? "NOT met" : "met"
  printf "1%% change, M=%d: floor %.3f s; apply %.3f s = %.2fx floor; budget (<= 2.5x) %s\n",
    m, flc, ch, ch / (flc > 0 ? flc : 0.001), verdict }'
