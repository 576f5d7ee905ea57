#!/usr/bin/env bash
# The established-flow path (issue 12): is pbrc's `restore` chain, one rule per target
# (`ct mark & MASK == M meta mark set meta mark & ~MASK | M return`), slower or faster than
# one verdict map from the masked connection mark to a chain per target
# (`ct mark & MASK vmap { M : goto restore_tN, ... }`, each chain holding the same constant
# `meta mark set`)? Both stay masked and constant-only (nft 1.0.6 cannot combine two
# registers). 64-byte UDP frames of ONE flow, made ESTABLISHED first (conntrack -U), are
# forwarded through a router namespace, `snd --lan0-- rtr --eth1/eth2-- sink`, so every
# packet runs `restore` and nothing else of pbrc's chains. The flow's mark is the LAST
# target's, the worst case for the rule list.
#
# The policy of T targets (pbrc compiles it; mark mask 0xff at every T): link wan2 (eth2,
# the same uplink as main's default) and T - 1 `table N` targets, 2001 .. 2000 + T - 1; the
# flow matches the last rule, `via table 2000 + T - 1`, the only table with a route (to the
# sink via eth1, added here). Only the last target's mark takes the flow through eth1; no
# mark, or any other, takes it through eth2. Forms, from the same compiled artifacts:
#   rule   pbrc's .nft as compiled;
#   map    the same .nft with only the `restore` chain replaced (and its T chains added).
# Before measuring, a functional check per T and form (and a negative control: the rule
# form with `restore` flushed, which must fail the same check) counts, in a probe table at
# priority mangle + 1, the flow's established packets that carry the last target's mark,
# and reads the connection mark; then the probe table is deleted.
#
# Each configuration (form, T) has its own three namespaces, made once; configurations are
# interleaved in each round (the order reversed every other round). Reported as ratios of
# packets/s: against T = 2 of the same form, and map against rule at the same T; the figure
# is the median over rounds of the per-round ratio, with its min-max as the noise. Both
# forms also walk the same T fwmark ip rules (the flow's is the last): the per-T ratios
# include that, the map/rule ratio at one T does not. The sender is pinned to CPU $PIN_CPU
# (default 1; empty: no pin). Traffic only goes to the sink's own address, inside
# namespaces this script makes and deletes.
#
# Usage: sudo bench/restore_bench.sh [--quick] [PBRC] [ROUNDS]
#   long (default): T = 2, 8, 32, 128, 9 rounds, each run 1.5 s (or 10,000,000 datagrams).
#   --quick: T = 2 and 32, one round, 3,000 datagrams a run; asserts that the datagrams
#   arrived through eth1 and the checks above. It never asserts a timing.
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/tests/lib/netns.sh" || exit 1
quick=0
if [ "${1:-}" = --quick ]; then quick=1; shift; fi
pbrc="$(realpath "${1:-$root/build/pbrc}")"
[ -x "$pbrc" ] || { echo "usage: restore_bench.sh [--quick] [PBRC] [ROUNDS]" >&2; exit 2; }
pin="${PIN_CPU-1}"
if [ "$quick" = 1 ]; then
  ts=(2 32); rounds=1; count=3000; ms=2000
else
  ts=(2 8 32 128); rounds="${2:-9}"; count=10000000; ms=1500
fi
ns_require
command -v conntrack > /dev/null || { echo "SKIP: needs conntrack (conntrack-tools)" >&2; exit 77; }
command -v python3 > /dev/null || { echo "SKIP: needs python3" >&2; exit 77; }
tmp="$(mktemp -d)"
trap 'ns_cleanup; rm -rf "$tmp"' EXIT
cc -O2 -Wall -Wextra -Werror "$root/bench/dataplane_sender.c" -o "$tmp/sender" ||
  fail "cannot build bench/dataplane_sender.c"

# The policy of T targets (see the top): the flow (10.78.0.1 -> 10.79.0.1) matches the last.
gen_policy() {
  awk -v t="$1" 'BEGIN {
    print "options { nft table pbrbench; mark mask 0xff; preference 1000-3999; }"
    print "link wan2 { device eth2; gateway 10.0.2.1; }"
    print "policy {"
    print "  from 10.78.0.0/16 to 10.90.0.0/24 via wan2;"
    for (i = 1; i < t - 1; i++)
      printf "  from 10.78.0.0/16 to 10.90.%d.0/24 via table %d;\n", i, 2000 + i
    printf "  from 10.78.0.0/16 to 10.79.0.0/24 via table %d;\n", 2000 + t - 1
    print "}" }'
}

# to_map IN OUT: pbrc's .nft with its `restore` chain as one verdict map and a chain per
# target. Fails on any restore rule not of the one shape pbrc emits, so the two forms can
# only differ in this chain.
to_map() {
  python3 - "$1" "$2" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
chain = re.search(r"\n\tchain restore \{\n(.*?)\n\t\}\n", src, re.S)
if not chain:
    sys.exit("restore_bench: no restore chain in " + sys.argv[1])
shape = re.compile(r"\t\tct mark & (0x[0-9a-f]{8}) == (0x[0-9a-f]{8}) meta mark set "
                   r"meta mark & (0x[0-9a-f]{8}) \| (0x[0-9a-f]{8}) return comment (\"[^\"]*\")")
rules = []
for line in chain.group(1).split("\n"):
    m = shape.fullmatch(line)
    if not m or m.group(2) != m.group(4) or len({r[0] for r in rules} | {m.group(1)}) != 1:
        sys.exit("restore_bench: unexpected restore rule: " + line)
    rules.append(m.groups())
mask = rules[0][0]
elements = ", ".join("%s : goto restore_t%d" % (r[1], i) for i, r in enumerate(rules))
out = "\n\tchain restore {\n\t\tct mark & %s vmap { %s }\n\t}\n" % (mask, elements)
for i, r in enumerate(rules):
    out += ("\n\tchain restore_t%d {\n\t\tmeta mark set meta mark & %s | %s comment %s\n\t}\n"
            % (i, r[2], r[3], r[4]))
open(sys.argv[2], "w").write(src[:chain.start()] + out + src[chain.end():])
PY
}

# to_rules FILE: beyond 16 targets pbrc emits the map form itself; the rule form is then
# rebuilt in FILE from its vmap and restore_tN chains (the inverse of to_map), so both forms
# are measured at every T from the same rule form.
to_rules() {
  python3 - "$1" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
chain = re.search(r"\n\tchain restore \{\n\t\tct mark & (0x[0-9a-f]{8}) vmap \{ (.*?) \}"
                  r"(?: comment \"[^\"]*\")?\n\t\}\n", src, re.S)
if not chain:
    sys.exit(0)  # the rule form already
mask, rules = chain.group(1), []
for entry in chain.group(2).split(", "):
    m = re.fullmatch(r"(0x[0-9a-f]{8}) : goto (restore_t[0-9]+)", entry)
    if not m:
        sys.exit("restore_bench: unexpected restore map entry: " + entry)
    body = re.search(r"\n\tchain %s \{\n\t\tmeta mark set meta mark & (0x[0-9a-f]{8}) \| "
                     r"(0x[0-9a-f]{8}) comment (\"[^\"]*\")\n\t\}\n" % m.group(2), src)
    if not body or body.group(2) != m.group(1):
        sys.exit("restore_bench: unexpected chain " + m.group(2))
    rules.append("\t\tct mark & %s == %s meta mark set meta mark & %s | %s return comment %s"
                 % (mask, m.group(1), body.group(1), body.group(2), body.group(3)))
    src = src[:body.start()] + "\n" + src[body.end():]
chain = re.search(r"\n\tchain restore \{\n.*?\n\t\}\n", src, re.S)
src = src[:chain.start()] + "\n\tchain restore {\n" + "\n".join(rules) + "\n\t}\n" + src[chain.end():]
open(sys.argv[1], "w").write(src)
PY
}

# Per T: p$T.{nft,ip,sysctl.conf} (rule form), m$T.nft (map form), and the flow's mark
# (the last restore rule's), checked to be the mark of the flow's table in the ip batch.
declare -A want_mark
for t in "${ts[@]}"; do
  gen_policy "$t" > "$tmp/p$t.pbr"
  "$pbrc" compile "$tmp/p$t.pbr" -o "$tmp" > /dev/null 2> "$tmp/err" ||
    { cat "$tmp/err" >&2; fail "pbrc compile p$t.pbr"; }
  grep -q 'vmap { 0x' "$tmp/p$t.nft" && [ "$t" -le 16 ] && fail "p$t.nft: a restore map at $t targets"
  to_rules "$tmp/p$t.nft" || fail "cannot derive the rule form of p$t.nft"
  to_map "$tmp/p$t.nft" "$tmp/m$t.nft" || fail "cannot derive the map form of p$t.nft"
  last="$(sed -n '/^\tchain restore {/,/^\t}/p' "$tmp/p$t.nft" | grep 'ct mark' | tail -n 1)"
  [ "$(grep -c 'ct mark & 0x000000ff == ' "$tmp/p$t.nft")" = "$t" ] ||
    fail "p$t.nft: expected $t restore rules"
  case "$last" in *"comment \"restore table $((2000 + t - 1))\"") ;;
    *) fail "p$t.nft: the last restore rule is not the flow's table: $last" ;; esac
  want_mark[$t]="$(echo "$last" | awk '{ print $6 }')"
  grep -q "fwmark $(printf '0x%x' "${want_mark[$t]}")/0xff lookup $((2000 + t - 1)) " \
    "$tmp/p$t.ip" || fail "p$t.ip: mark ${want_mark[$t]} does not look up table $((2000 + t - 1))"
done

# topo C (bench/router_topo.sh): namespaces sC, rC, kC; snd owns 10.78.0.0/16, the sink
# 10.79.0.1 and drops UDP to port 9 in a raw-priority chain, counting it per input device
# (k1: eth1, k2: eth2).
. "$root/bench/router_topo.sh" || exit 1
# load C NFT T: pbrc's artifacts of T in rC with the given .nft, and the flow's route.
load() {
  local r="r$1" t="$3"
  in_ns "$r" sysctl -q -p "$tmp/p$t.sysctl.conf" > /dev/null || fail "sysctl -p in $r"
  timeout 120 ip netns exec "$(ns_name "$r")" nft -f "$2" || fail "nft -f $2 in $r"
  timeout 120 ip netns exec "$(ns_name "$r")" ip -batch "$tmp/p$t.ip" || fail "ip -batch in $r"
  in_ns "$r" ip route add default via 10.0.1.1 dev eth1 table $((2000 + t - 1)) ||
    fail "flow route in $r"
}

counters() {  # counters NS TABLE: the values of its counters c1 and c2, "N1 N2"
  in_ns "$1" nft list counters table inet "$2" |
    awk '/counter c1/ { c = 1 } /counter c2/ { c = 2 } /packets/ { n[c] = $2 } END { print n[1] + 0, n[2] + 0 }'
}
send() {  # send C COUNT: the one flow 10.78.0.1:1024 -> 10.79.0.1:9; prints "sent N ns T"
  # shellcheck disable=SC2086
  timeout 60 ip netns exec "$(ns_name "s$1")" ${pin:+taskset -c "$pin"} "$tmp/sender" \
    10.79.0.1 9 10.78.0.1 1 1 "$2" "$ms" || fail "sender in s$1"
}
# One datagram makes the flow's entry (classified, connection mark saved); marking it as
# answered makes every later datagram ESTABLISHED, so only `restore` runs for them.
make_established() {
  in_ns "r$1" conntrack -F > /dev/null 2>&1
  send "$1" 1 > /dev/null
  in_ns "r$1" conntrack -U -p udp -s 10.78.0.1 -d 10.79.0.1 --sport 1024 --dport 9 \
    -u SEEN_REPLY,ASSURED > /dev/null 2>&1 || fail "conntrack -U in r$1"
}

# The configurations: form and T, then the negative control (not measured).
forms=(); tees=()
for t in "${ts[@]}"; do forms+=(rule map); tees+=("$t" "$t"); done
forms+=(norestore); tees+=("${ts[${#ts[@]}-1]}")
n_cfg=${#forms[@]}
for i in $(seq 0 $((n_cfg - 1))); do
  topo "$i"
  t="${tees[$i]}"
  case "${forms[$i]}" in
    map) load "$i" "$tmp/m$t.nft" "$t" ;;
    *) load "$i" "$tmp/p$t.nft" "$t" ;;
  esac
  if [ "${forms[$i]}" = norestore ]; then
    in_ns "r$i" nft flush chain inet pbrbench restore || fail "flush restore in r$i"
  fi
done

# probe C: counts 200 established datagrams of the flow in rC right after pbrc's chains
# (priority mangle + 1), c1 those with the last target's mark, c2 the others; prints
# "c1 c2 via_eth1 via_eth2 ct_mark". The probe table is deleted again.
probe() {
  local c="$1" t="${tees[$1]}" n=200 sink_before sink_after
  in_ns "r$c" nft -f - <<NFT || fail "probe table in r$c"
table inet rprobe {
  counter c1 {}
  counter c2 {}
  chain pre {
    type filter hook prerouting priority mangle + 1;
    ip daddr 10.79.0.1 udp dport 9 ct state established meta mark & 0xff == ${want_mark[$t]} counter name "c1" return
    ip daddr 10.79.0.1 udp dport 9 ct state established counter name "c2"
  }
}
NFT
  make_established "$c"
  read -r -a sink_before <<< "$(counters "k$c" sink)"
  send "$c" "$n" > /dev/null
  read -r -a sink_after <<< "$(counters "k$c" sink)"
  echo "$(counters "r$c" rprobe) $((sink_after[0] - sink_before[0])) \
$((sink_after[1] - sink_before[1])) $(in_ns "r$c" conntrack -L -p udp --dport 9 2> /dev/null |
    sed -n 's/.* mark=\([0-9]*\).*/\1/p')"
  in_ns "r$c" nft delete table inet rprobe || fail "cannot delete the probe table in r$c"
}
# Both forms must give the flow's established packets the last target's mark (and so the
# route through eth1); the control without `restore` must fail exactly that.
for i in $(seq 0 $((n_cfg - 1))); do
  name="${forms[$i]} T=${tees[$i]}"
  want="$((want_mark[${tees[$i]}]))"
  read -r good other via1 via2 ctmark <<< "$(probe "$i")"
  [ "$ctmark" = "$want" ] || fail "$name: connection mark '$ctmark', expected $want"
  if [ "${forms[$i]}" = norestore ]; then
    { [ "$good" = 0 ] && [ "$via1" = 0 ] && [ "$via2" -ge 100 ]; } ||
      fail "$name (negative control): the check did not fail ($good marked, $via1 via eth1, $via2 via eth2)"
  else
    { [ "$good" -ge 100 ] && [ "$other" = 0 ] && [ "$via1" -ge 100 ] && [ "$via2" = 0 ]; } ||
      fail "$name: $good packets with mark $want, $other without, $via1 via eth1, $via2 via eth2"
  fi
done
echo "restore: functional check passed: rule and map forms give the flow mark of its target" \
  "at T = ${ts[*]}; without restore the same check fails"
n_cfg=$((n_cfg - 1))  # the control is not measured

# measure C: one run; prints "sent via_eth1 ns", after checking the path.
measure() {
  local c="$1" name="${forms[$1]} T=${tees[$1]}" before after sent ns
  make_established "$c"
  read -r -a before <<< "$(counters "k$c" sink)"
  read -r _ sent _ ns <<< "$(send "$c" "$count")"
  [ -n "$ns" ] || exit 1
  read -r -a after <<< "$(counters "k$c" sink)"
  [ "$sent" = "$count" ] || [ "$quick" = 0 ] || fail "$name: the sender sent $sent of $count"
  [ "$((after[1] - before[1]))" = 0 ] || fail "$name: datagrams went via eth2, not the flow's eth1"
  [ "$((after[0] - before[0]))" -ge $((sent / 2)) ] ||
    fail "$name: only $((after[0] - before[0])) of $sent datagrams arrived"
  in_ns "r$c" conntrack -L 2> /dev/null | grep -q 'dport=9 .*ASSURED' ||
    fail "$name: the flow's entry is not established"
  [ "$(in_ns "r$c" conntrack -C)" = 1 ] || fail "$name: more than the one flow's entry"
  echo "$sent $((after[0] - before[0])) $ns"
}

echo "restore: T = ${ts[*]}, $n_cfg configurations, $rounds round(s), each up to $count datagrams or $ms ms, sender pinned to CPU ${pin:-none}; load: $(uptime | sed 's/.*load average: //')"
res="$tmp/results"
for round in $(seq "$rounds"); do
  order=$(seq 0 $((n_cfg - 1)))
  [ $((round % 2)) = 0 ] && order=$(seq $((n_cfg - 1)) -1 0)
  for i in $order; do
    read -r _ d1 ns <<< "$(measure "$i")"
    [ -n "$ns" ] || exit 1
    echo "$round ${forms[$i]} ${tees[$i]} $((d1 * 1000000000 / ns))" >> "$res"
  done
done
echo "restore: load at the end: $(uptime | sed 's/.*load average: //')"

# The report: per form and T the median packets/s, the median [min-max] over rounds of the
# per-round ratio against T = 2 of the same form, and for map the ratio against rule at the
# same T, with the time per packet the map saves (from the median rates).
awk -v t2="${ts[0]}" '
  function median(a, n,   j, t, m, x) {
    for (j = 1; j <= n; j++) t[j] = a[j]
    for (j = 2; j <= n; j++) { x = t[j]; for (m = j - 1; m >= 1 && t[m] > x; m--) t[m + 1] = t[m]; t[m + 1] = x }
    return n % 2 ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2
  }
  # stats(A, B): the per-round ratios A/B as "median [min-max]"
  function stats(a, b,   r, n, lo, hi, x, v) {
    n = 0; lo = 1e9; hi = 0
    for (r = 1; r <= rounds; r++) { x = pps[a, r] / pps[b, r]; v[++n] = x
      if (x < lo) lo = x; if (x > hi) hi = x }
    return sprintf("%.3f [%.3f-%.3f]", median(v, n), lo, hi)
  }
  function med(a,   r, v) { for (r = 1; r <= rounds; r++) v[r] = pps[a, r]; return median(v, rounds) }
  { pps[$2 " " $3, $1] = $4; if ($1 > rounds) rounds = $1; if (!seen[$3]++) ts[++nt] = $3 }
  END {
    printf "%-5s %4s %11s  %-28s %-28s %s\n", "form", "T", "median pps", "ratio to T=" t2 " (same form)",
      "map / rule (same T)", "map saves per packet"
    for (j = 1; j <= nt; j++) {
      t = ts[j]
      printf "%-5s %4d %11.0f  %-28s\n", "rule", t, med("rule " t),
        t == t2 ? "(base)" : stats("rule " t, "rule " t2)
      printf "%-5s %4d %11.0f  %-28s %-28s %.1f ns\n", "map", t, med("map " t),
        t == t2 ? "(base)" : stats("map " t, "map " t2), stats("map " t, "rule " t),
        (1 / med("rule " t) - 1 / med("map " t)) * 1e9
    }
  }' "$res"
[ "$quick" = 1 ] && echo "restore --quick passed: every run's datagrams arrived through the flow's eth1"
exit 0
