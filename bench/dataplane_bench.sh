#!/usr/bin/env bash
# Data-plane cost of a policy (issue 12): 64-byte UDP frames forwarded through a router
# namespace, `snd --lan0-- rtr --eth1/eth2-- sink`, for policies of K rules where the measured
# traffic matches the LAST rule (via wan1, eth1; the main table's default is eth2). Reported
# as packets/s ratios against K = 1 of the same run, never as absolute times:
#   pbrc     pbrc's artifacts (the PBRC argument), every datagram a new flow (its own source
#            address and port), so conntrack makes an entry and `classify` runs for each;
#   linear   the reference: K sequential `meta mark set` rules behind `ct state new`, written
#            here, with one fwmark ip rule;
#   est      pbrc, one flow made ESTABLISHED first (conntrack -U): only `restore` runs;
#   notrack  pbrc behind a raw-priority `notrack`: `classify_stateless` runs for each packet;
#   iif      pbrc, every rule with `iif`: the K - 1 others name devices ifa, ifb, ifc in turn
#            (no such device exists; they sort before lan0, so a packet from lan0 passes
#            their `iifname`-guarded lookups first), the last `iif lan0`;
#   nomatch  pbrc with K `to` rules (each also a selector ip rule), traffic no rule matches
#            (it leaves by main), with the compiled ip rules and with the selector rules
#            removed (nomatch-nosel): what the selector rules cost per packet.
# Configurations are interleaved within each round (each has its own three namespaces, made
# once); the figure is the median over rounds of the per-round ratio, with the spread
# (min-max) as the noise. The sender is pinned to CPU $PIN_CPU (default 1; empty: no pin);
# veth delivers in the sender's softirq, so the router's work runs on that CPU too.
# Traffic only goes to the sink's own addresses, inside namespaces this script makes.
#
# Usage: sudo [DP_CLASSIFY=maps|linear] bench/dataplane_bench.sh [--quick] [PBRC] [ROUNDS]
#   DP_CLASSIFY: the `classify` form of pbrc's policies (default maps, the form of issue 12)
#   long (default): K = 1, 10, 100, 1000, 5 rounds, <= 150,000 datagrams or 1.5 s each.
#   --quick: K = 1, 10, one round, 3,000 datagrams each; asserts that the datagrams arrived
#   through the rule's uplink (eth1; nomatch through eth2), that est really used an
#   established entry and notrack none. It never asserts a timing.
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/tests/lib/netns.sh" || exit 1
quick=0
if [ "${1:-}" = --quick ]; then quick=1; shift; fi
pbrc="$(realpath "${1:-$root/build/pbrc}")"
[ -x "$pbrc" ] || { echo "usage: dataplane_bench.sh [--quick] [PBRC] [ROUNDS]" >&2; exit 2; }
pin="${PIN_CPU-1}"
if [ "$quick" = 1 ]; then
  ks=(1 10); rounds=1; count=3000; ms=2000
else
  ks=(1 10 100 1000); rounds="${2:-5}"; count=150000; ms=1500
fi
kmax="${ks[${#ks[@]}-1]}"
ns_require
command -v conntrack > /dev/null || { echo "SKIP: needs conntrack (conntrack-tools)" >&2; exit 77; }
tmp="$(mktemp -d)"
trap 'ns_cleanup; rm -rf "$tmp"' EXIT
cc -O2 -Wall -Wextra -Werror "$root/bench/dataplane_sender.c" -o "$tmp/sender" ||
  fail "cannot build bench/dataplane_sender.c"

# The policy of K rules: K - 1 that the traffic does not match (same shape, via wan2), then
# the one it matches. FROM (default "from 10.78.0.0/16 ") starts every rule; the nomatch
# policies have none, so that every rule is a `to` selector ip rule too. IIF (any third
# argument): the iif configuration's `iif` before every rule.
gen_policy() {
  awk -v k="$1" -v from="${2-from 10.78.0.0/16 }" -v form="${DP_CLASSIFY:-maps}" \
      -v iif="${3:-}" 'BEGIN {
    print "options { nft table pbrbench; mark mask 0xf; preference 1000-3999; classify " form "; }"
    print "link wan1 { device eth1; gateway 10.0.1.1; }"
    print "link wan2 { device eth2; gateway 10.0.2.1; }"
    print "policy {"
    split("ifa ifb ifc", dev, " ")
    for (i = 0; i < k - 1; i++)
      printf "  %s%sto 10.%d.%d.0/24 via wan2;\n", iif ? "iif " dev[i % 3 + 1] " " : "", from,
        90 + int(i / 256), i % 256
    printf "  %s%sto 10.79.0.0/24 via wan1;\n", iif ? "iif lan0 " : "", from
    print "}" }'
}
# The linear reference: the same matches as plain mark rules (mark 1: wan1, 2: wan2).
gen_linear() {
  awk -v k="$1" 'BEGIN {
    print "table ip linref {"
    print "  chain pre { type filter hook prerouting priority mangle; ct state new jump lin; }"
    print "  chain lin {"
    for (i = 0; i < k - 1; i++)
      printf "    ip saddr 10.78.0.0/16 ip daddr 10.%d.%d.0/24 meta mark set 2 return\n",
        90 + int(i / 256), i % 256
    print "    ip saddr 10.78.0.0/16 ip daddr 10.79.0.0/24 meta mark set 1"
    print "  }"
    print "}" }'
}
for k in "${ks[@]}"; do
  gen_policy "$k" > "$tmp/p$k.pbr"
  "$pbrc" compile "$tmp/p$k.pbr" -o "$tmp" > /dev/null 2> "$tmp/err" ||
    { cat "$tmp/err" >&2; fail "pbrc compile p$k.pbr"; }
  gen_linear "$k" > "$tmp/lin$k.nft"
  gen_policy "$k" "from 10.78.0.0/16 " iif > "$tmp/i$k.pbr"
  "$pbrc" compile "$tmp/i$k.pbr" -o "$tmp" > /dev/null 2> "$tmp/err" ||
    { cat "$tmp/err" >&2; fail "pbrc compile i$k.pbr"; }
done
gen_policy "$kmax" "" > "$tmp/t$kmax.pbr"
"$pbrc" compile "$tmp/t$kmax.pbr" -o "$tmp" > /dev/null 2> "$tmp/err" ||
  { cat "$tmp/err" >&2; fail "pbrc compile t$kmax.pbr"; }
# The same batch without its selector rules (the only rules with a `to`).
grep -v '^rule add .* to 10\.' "$tmp/t$kmax.ip" > "$tmp/t$kmax-nosel.ip"

. "$root/bench/router_topo.sh" || exit 1
# load_pbrc C BASE [IPBATCH]: pbrc's artifacts in rC, as a user applies them.
load_pbrc() {
  local r="r$1"
  in_ns "$r" sysctl -q -p "$2.sysctl.conf" > /dev/null || fail "sysctl -p in $r"
  timeout 120 ip netns exec "$(ns_name "$r")" nft -f "$2.nft" || fail "nft -f $2.nft in $r"
  timeout 120 ip netns exec "$(ns_name "$r")" ip -batch "${3:-$2.ip}" || fail "ip -batch in $r"
}
load_linear() {
  local r="r$1"
  in_ns "$r" sysctl -q -w net.ipv4.ip_forward=1 > /dev/null || fail "sysctl in $r"
  timeout 120 ip netns exec "$(ns_name "$r")" nft -f "$2" || fail "nft -f $2 in $r"
  in_ns "$r" ip route add default via 10.0.1.1 table 101 || fail "route in $r"
  in_ns "$r" ip rule add pref 100 fwmark 1 lookup 101 || fail "ip rule in $r"
}

# The configurations: kind and K. Each ratio's base is the same kind at K = 1, except
# nomatch, whose base is nomatch-nosel (the same ruleset without selector rules).
kinds=(); kay=()
add() { kinds+=("$1"); kay+=("$2"); }
for k in "${ks[@]}"; do add pbrc "$k"; add linear "$k"; add iif "$k"; done
for kind in est notrack; do
  [ "$quick" = 1 ] || add "$kind" 1  # --quick checks the paths only, at K = kmax
  add "$kind" "$kmax"
done
add nomatch "$kmax"; add nomatch-nosel "$kmax"
n_cfg=${#kinds[@]}

for i in $(seq 0 $((n_cfg - 1))); do
  topo "$i"
  k="${kay[$i]}"
  case "${kinds[$i]}" in
    linear) load_linear "$i" "$tmp/lin$k.nft" ;;
    nomatch) load_pbrc "$i" "$tmp/t$k" ;;
    nomatch-nosel) load_pbrc "$i" "$tmp/t$k" "$tmp/t$k-nosel.ip" ;;
    iif) load_pbrc "$i" "$tmp/i$k" ;;
    *) load_pbrc "$i" "$tmp/p$k" ;;
  esac
  if [ "${kinds[$i]}" = notrack ]; then
    echo 'table ip benchraw { chain pre { type filter hook prerouting priority raw;
      ip saddr 10.78.0.0/16 notrack; }; }' | in_ns "r$i" nft -f - || fail "notrack table"
  fi
  # Rules beyond the kernel's three defaults (local, main, default).
  rules[$i]=$(($(in_ns "r$i" ip rule show | wc -l) - 3))
done

# counters C: the sink's datagrams via eth1 and via eth2, "N1 N2".
counters() {
  in_ns "k$1" nft list counters table inet sink |
    awk '/counter c1/ { c = 1 } /counter c2/ { c = 2 } /packets/ { n[c] = $2 } END { print n[1], n[2] }'
}
ct_count() { in_ns "r$1" conntrack -C; }
send() {  # send C DST NSRC NPORTS COUNT: prints "sent N ns T"
  local c="$1"; shift
  # shellcheck disable=SC2086
  timeout 60 ip netns exec "$(ns_name "s$c")" ${pin:+taskset -c "$pin"} "$tmp/sender" \
    "$1" 9 10.78.0.1 "$2" "$3" "$4" "$ms" || fail "sender in s$c"
}
# est: one datagram makes the flow's entry (classified, connection mark saved); marking it
# as answered makes every later datagram of the flow ESTABLISHED, so only `restore` runs.
make_established() {
  in_ns "r$1" conntrack -F > /dev/null 2>&1
  send "$1" 10.79.0.1 1 1 1 > /dev/null
  in_ns "r$1" conntrack -U -p udp -s 10.78.0.1 -d 10.79.0.1 --sport 1024 --dport 9 \
    -u SEEN_REPLY,ASSURED > /dev/null 2>&1 || fail "conntrack -U in r$1"
}
# measure C: one run of configuration C; prints "sent via_eth1 via_eth2 ns".
measure() {
  local c="$1" dst=10.79.0.1 nsrc=256 nports=64000 before after
  case "${kinds[$c]}" in
    nomatch*) dst=10.79.1.1 ;;
    est) nsrc=1; nports=1 ;;
  esac
  if [ "${kinds[$c]}" = est ]; then make_established "$c"
  else in_ns "r$c" conntrack -F > /dev/null 2>&1; fi
  read -r -a before <<< "$(counters "$c")"
  read -r _ sent _ ns <<< "$(send "$c" "$dst" "$nsrc" "$nports" "$count")"
  [ -n "$ns" ] || exit 1
  read -r -a after <<< "$(counters "$c")"
  echo "$sent $((after[0] - before[0])) $((after[1] - before[1])) $ns"
}
# check C SENT D1 D2: the datagrams arrived, through the uplink the configuration names.
check() {
  local c="$1" sent="$2" d1="$3" d2="$4" name="${kinds[$1]} K=${kay[$1]}" want=$1 n
  # The long mode's runs may end on the time limit first; --quick's never should.
  [ "$sent" = "$count" ] || [ "$quick" = 0 ] || fail "$name: the sender sent $sent of $count"
  [ "$sent" -gt 0 ] || fail "$name: the sender sent nothing"
  case "${kinds[$c]}" in nomatch*) want="$d2"; [ "$d1" = 0 ] || fail "$name: $d1 via eth1" ;;
    *) want="$d1"; [ "$d2" = 0 ] || fail "$name: $d2 went via eth2 (main), not the rule's eth1" ;;
  esac
  [ "$want" -ge $((sent / 2)) ] || fail "$name: only $want of $sent datagrams arrived"
  n="$(ct_count "$c")"
  case "${kinds[$c]}" in
    est) in_ns "r$c" conntrack -L 2> /dev/null | grep -q 'dport=9 .*ASSURED' ||
           fail "$name: the flow's entry is not established"
         [ "$n" = 1 ] || fail "$name: $n conntrack entries, expected the one flow" ;;
    notrack) [ "$n" = 0 ] || fail "$name: $n conntrack entries, expected none" ;;
    *) [ "$n" -ge $((want * 9 / 10)) ] || fail "$name: $n conntrack entries for $want new flows" ;;
  esac
}

echo "dataplane: K = ${ks[*]}, $n_cfg configurations, $rounds round(s), each up to $count datagrams or $ms ms, sender pinned to CPU ${pin:-none}"
res="$tmp/results"
for round in $(seq "$rounds"); do
  for i in $(seq 0 $((n_cfg - 1))); do
    read -r sent d1 d2 ns <<< "$(measure "$i")"
    [ -n "$ns" ] || exit 1
    check "$i" "$sent" "$d1" "$d2"
    echo "$round $i $(((d1 + d2) * 1000000000 / ns))" >> "$res"
  done
done

# The report: for each configuration its base (see the top), the median over rounds of the
# per-round ratio, and that ratio's spread (min-max) as the noise.
base=()
for i in $(seq 0 $((n_cfg - 1))); do
  base[$i]=$i
  for j in $(seq 0 $((n_cfg - 1))); do
    case "${kinds[$i]}" in
      nomatch) [ "${kinds[$j]}" = nomatch-nosel ] && base[$i]=$j ;;
      nomatch-nosel) ;;
      *) [ "${kinds[$j]}" = "${kinds[$i]}" ] && [ "${kay[$j]}" = 1 ] && base[$i]=$j ;;
    esac
  done
done
printf '%-14s %5s %9s %12s  %s\n' config K "ip rules" "median pps" "ratio to base: median [min-max]"
for i in $(seq 0 $((n_cfg - 1))); do
  b="${base[$i]}"
  name="${kinds[$i]}"; bname="${kinds[$b]} K=${kay[$b]}"
  awk -v i="$i" -v b="$b" -v name="$name" -v k="${kay[$i]}" -v rules="${rules[$i]}" \
      -v brules="${rules[$b]}" \
      -v bname="$bname" -v kmax="$kmax" -v quick="$quick" '
    function median(a, n,   j, t, m, x) {
      for (j = 1; j <= n; j++) t[j] = a[j]
      for (j = 2; j <= n; j++) { x = t[j]; for (m = j - 1; m >= 1 && t[m] > x; m--) t[m + 1] = t[m]; t[m + 1] = x }
      return n % 2 ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2
    }
    $2 == i { p[$1] = $3 } $2 == b { q[$1] = $3 }
    END {
      n = 0; lo = 1e9; hi = 0
      for (r in p) { n++; v[n] = p[r]; w[n] = q[r]; x = p[r] / q[r]; ratio[n] = x
        if (x < lo) lo = x; if (x > hi) hi = x }
      line = sprintf("%-14s %5d %9d %12.0f", name, k, rules, median(v, n))
      if (i == b) { print line (k == 1 || name == "nomatch-nosel" ? "  (base)" : "  (no base)"); exit }
      line = line sprintf("  %.3f x %s [%.3f-%.3f]", median(ratio, n), bname, lo, hi)
      if (name == "nomatch")  # per ip rule the kernel holds beyond nomatch-nosel
        line = line sprintf("; %.1f ns/packet for %d more ip rules, %.2f ns each",
          (1 / median(v, n) - 1 / median(w, n)) * 1e9, rules - brules,
          (1 / median(v, n) - 1 / median(w, n)) * 1e9 / (rules - brules))
      if (name == "pbrc" && k == kmax && !quick)
        line = line (median(ratio, n) >= 0.9 ? "; goal (>= 0.9) met" : "; goal (>= 0.9) NOT met")
      print line
    }' "$res"
done
[ "$quick" = 1 ] && echo "dataplane --quick passed: every configuration's datagrams arrived through its uplink"
exit 0
