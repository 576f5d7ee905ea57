# The end-to-end harness: builds a small internet of network namespaces and applies pbrc's
# artifacts to a router in the middle, exactly as a user would.
#
#   cli  (10.98.1.2, 10.98.2.2, fd98:1::2 + extra) --lan0-- rtr --DEV-- isp-NAME --iK-- srv
#   cli2 (10.98.3.2)                               --lan1--/           (one per uplink)
#
# Each ISP masquerades towards the server, so the server's answer "SEEN 10.200.K.1" names the
# ISP a flow went through; each ISP also counts echo requests and UDP to port 9 arriving from
# the router. The router's main table points at the uplink named in E2E_MAIN, so a policy
# that does nothing is visible. Everything is torn down on exit (tests/lib/netns.sh).
#
# Scenario scripts: . lib.sh; e2e_uplink ...; e2e_build; e2e_apply policy.pbr; expect_* ...

here_e2e="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here_e2e/../.." && pwd)"
. "$repo/tests/lib/netns.sh" || { echo "FAIL: cannot load tests/lib/netns.sh" >&2; exit 1; }
: "${PBRC:?set PBRC to the pbrc binary}" "${PROBE:?set PROBE to the probe binary}"
ns_require

E2E_TMP="$(mktemp -d)"
trap 'ns_cleanup; rm -rf "$E2E_TMP"' EXIT
UPLINKS=()          # "name dev rtr4/len gw4 rtr6/len gw6 K"
E2E_MAIN=""         # uplink name the main table's default route uses
SERVER_ADDRS="114.114.114.114 192.168.100.200 8.8.8.8 198.51.100.7 198.51.100.8 2001:db8:53::53 2001:db8:99::1"
CLIENT_EXTRA="223.5.5.5 223.6.6.6 10.98.1.3"
CLIENT_ROUTED="223.5.5.5 223.6.6.6"   # extra client addresses (v4 or v6) rtr routes via cli
LAN_ROUTES4="10.98.0.0/16 223.5.5.0/24 223.6.6.0/24 172.31.0.0/16"
LAN_ROUTES6="fd98::/16"

# e2e_uplink NAME DEV RTR4/LEN GW4 RTR6/LEN GW6
e2e_uplink() { UPLINKS+=("$1 $2 $3 $4 $5 $6 $((${#UPLINKS[@]} + 1))"); }

# The classic three-uplink router: eth1, eth2 and eth3 (main).
e2e_default_uplinks() {
  e2e_uplink isp1 eth1 10.0.1.2/24 10.0.1.1 fd00:1::2/64 fd00:1::1
  e2e_uplink isp2 eth2 10.0.2.2/24 10.0.2.1 fd00:2::2/64 fd00:2::1
  e2e_uplink isp3 eth3 10.0.3.2/24 10.0.3.1 fd00:3::2/64 fd00:3::1
  E2E_MAIN=isp3
}

addr6() { ip -n "$(ns_name "$1")" -6 addr add "$2" dev "$3" nodad; }

e2e_build() {
  local n
  for n in cli cli2 rtr srv; do ns_new $n; done
  veth cli eth0 rtr lan0
  veth cli2 eth0 rtr lan1
  ip -n "$(ns_name cli)" addr add 10.98.1.2/24 dev eth0
  ip -n "$(ns_name cli)" addr add 10.98.2.2/24 dev eth0
  addr6 cli fd98:1::2/64 eth0
  for a in $CLIENT_EXTRA; do
    case "$a" in *:*) addr6 cli "$a/128" eth0 ;; *) ip -n "$(ns_name cli)" addr add "$a/32" dev eth0 ;; esac
  done
  ip -n "$(ns_name cli)" route add default via 10.98.1.1
  ip -n "$(ns_name cli)" -6 route add default via fd98:1::1
  ip -n "$(ns_name cli2)" addr add 10.98.3.2/24 dev eth0
  ip -n "$(ns_name cli2)" route add default via 10.98.3.1
  ip -n "$(ns_name rtr)" addr add 10.98.1.1/24 dev lan0
  ip -n "$(ns_name rtr)" addr add 10.98.2.1/24 dev lan0
  addr6 rtr fd98:1::1/64 lan0
  ip -n "$(ns_name rtr)" addr add 10.98.3.1/24 dev lan1
  for a in $CLIENT_ROUTED; do
    case "$a" in *:*) ip -n "$(ns_name rtr)" -6 route add "$a/128" via fd98:1::2 ;;
                 *) ip -n "$(ns_name rtr)" route add "$a/32" via 10.98.1.2 ;; esac
  done
  in_ns rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  for a in $SERVER_ADDRS; do
    case "$a" in *:*) ip -n "$(ns_name srv)" -6 addr add "$a/128" dev lo nodad ;;
                 *) ip -n "$(ns_name srv)" addr add "$a/32" dev lo ;; esac
  done
  local u
  for u in "${UPLINKS[@]}"; do e2e_build_isp $u; done
  ip netns exec "$(ns_name srv)" timeout 600 "$PROBE" serve --port 7000 --seconds 600 >/dev/null 2>&1 &
  disown
  sleep 0.3
}

# The seed example's router: the three default uplinks, wan2's second address
# 172.31.162.25 on eth2, and examples/seed.pbr applied.
e2e_seed_router() {
  e2e_default_uplinks
  e2e_build
  ip -n "$(ns_name rtr)" addr add 172.31.162.25/32 dev eth2
  e2e_apply "$repo/examples/seed.pbr"
}

# Services reached from the Internet through eth2 (isp2) while main points elsewhere: the
# user's own port forward (udp and tcp 8080 on eth2 to 10.98.1.2:7000, answered by a probe
# server on cli) and a service on the router itself (port 7001). srv reaches 10.0.2.2
# through isp2.
e2e_inbound_services() {
  ip -n "$(ns_name srv)" route add 10.0.2.0/24 via 10.200.2.1
  in_ns rtr nft -f - <<'NFT' || fail "cannot add the port-forward table"
table ip portfwd {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "eth2" udp dport 8080 dnat to 10.98.1.2:7000
    iifname "eth2" tcp dport 8080 dnat to 10.98.1.2:7000
  }
}
NFT
  ip netns exec "$(ns_name cli)" timeout 600 "$PROBE" serve --port 7000 --seconds 600 >/dev/null 2>&1 &
  disown
  ip netns exec "$(ns_name rtr)" timeout 600 "$PROBE" serve --port 7001 --seconds 600 >/dev/null 2>&1 &
  disown
}

# e2e_build_isp NAME DEV RTR4 GW4 RTR6 GW6 K
e2e_build_isp() {
  local name=$1 dev=$2 rtr4=$3 gw4=$4 rtr6=$5 gw6=$6 k=$7
  local len4=${rtr4#*/} len6=${rtr6#*/}
  ns_new "$name"
  veth rtr "$dev" "$name" up0
  veth "$name" "i$k" srv "i$k"
  ip -n "$(ns_name rtr)" addr add "$rtr4" dev "$dev"
  addr6 rtr "$rtr6" "$dev"
  ip -n "$(ns_name "$name")" addr add "$gw4/$len4" dev up0
  addr6 "$name" "$gw6/$len6" up0
  ip -n "$(ns_name "$name")" addr add "10.200.$k.1/24" dev "i$k"
  addr6 "$name" "fd20:$k::1/64" "i$k"
  ip -n "$(ns_name srv)" addr add "10.200.$k.2/24" dev "i$k"
  addr6 srv "fd20:$k::2/64" "i$k"
  ip -n "$(ns_name "$name")" route add default via "10.200.$k.2"
  ip -n "$(ns_name "$name")" -6 route add default via "fd20:$k::2"
  local r
  for r in $LAN_ROUTES4; do ip -n "$(ns_name "$name")" route add "$r" via "${rtr4%/*}"; done
  for r in $LAN_ROUTES6; do ip -n "$(ns_name "$name")" -6 route add "$r" via "${rtr6%/*}"; done
  in_ns "$name" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  in_ns "$name" nft -f - <<NFT || fail "cannot set up $name"
table inet isp {
  counter echo {}
  counter udp9 {}
  chain pre {
    type filter hook prerouting priority -400; policy accept;
    iifname "up0" icmp type echo-request counter name "echo"
    iifname "up0" icmpv6 type echo-request counter name "echo"
    iifname "up0" udp dport 9 counter name "udp9"
  }
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "i$k" masquerade
  }
}
NFT
  if [ "$name" = "$E2E_MAIN" ]; then
    ip -n "$(ns_name rtr)" route add default via "$gw4" dev "$dev"
    ip -n "$(ns_name rtr)" -6 route add default via "$gw6" dev "$dev"
  fi
}

# e2e_rp_filter VALUE: rp_filter in rtr for "all", "default" and every device that exists
# now (the kernel uses the maximum of "all" and the device's value); e2e_strict_rp: VALUE 1.
e2e_rp_filter() {
  local d
  for d in $(in_ns rtr ls /proc/sys/net/ipv4/conf); do
    in_ns rtr sysctl -qw "net/ipv4/conf/$d/rp_filter=$1" || fail "cannot set rp_filter on $d"
  done
}
e2e_strict_rp() { e2e_rp_filter 1; }

# e2e_compile POLICY: compiles into $E2E_TMP/out/NAME.*; prints the artifact base path.
e2e_compile() {
  local out="$E2E_TMP/out"
  "$PBRC" compile "$1" -o "$out" >&2 || fail "pbrc compile $1 failed"
  echo "$out/$(basename "${1%.pbr}")"
}

# e2e_apply POLICY_OR_BASE: applies NAME.nft, NAME.ip, NAME.ip6 and NAME.sysctl.conf in rtr.
e2e_apply() {
  local base="$1"
  case "$base" in *.pbr) base="$(e2e_compile "$base")" ;; esac
  in_ns rtr nft -f "$base.nft" || fail "nft -f $base.nft failed"
  in_ns rtr ip -batch "$base.ip" || fail "ip -batch $base.ip failed"
  in_ns rtr ip -6 -batch "$base.ip6" || fail "ip -6 -batch $base.ip6 failed"
  in_ns rtr sysctl -q -p "$base.sysctl.conf" >/dev/null || fail "sysctl -p $base.sysctl.conf failed"
}

# The ISP a "SEEN 10.200.K.1" answer came through, or the answer itself.
isp_of_answer() {
  local ans="$1" u k
  for u in "${UPLINKS[@]}"; do
    set -- $u
    k=$7
    if [ "$ans" = "SEEN 10.200.$k.1" ] || [ "$ans" = "SEEN fd20:$k::1" ]; then echo "$1"; return; fi
  done
  echo "no ISP (${ans:-no answer})"
}

# expect_flow NS PROTO WANT_ISP DESCRIPTION [probe args...]: one UDP or TCP exchange with the
# server; the answer must come back and name WANT_ISP.
expect_flow() {
  local ns=$1 proto=$2 want=$3 desc=$4; shift 4
  local ans got
  ans="$(in_ns "$ns" "$PROBE" "$proto" --port 7000 "$@" | head -1)"
  got="$(isp_of_answer "$ans")"
  [ "$got" = "$want" ] || fail "$desc: expected the $proto flow to leave via $want, it left via $got"
  echo "ok: $desc ($proto via $got)"
}

# expect_no_answer NS PROTO DESCRIPTION [probe args...]: the exchange must time out.
expect_no_answer() {
  local ns=$1 proto=$2 desc=$3; shift 3
  local ans
  ans="$(in_ns "$ns" "$PROBE" "$proto" --port 7000 --timeout-ms 1000 "$@" | head -1)"
  [ "$ans" = "TIMEOUT" ] || fail "$desc: expected no answer, got '$ans'"
  echo "ok: $desc (no answer, as expected)"
}

isp_counter() {
  in_ns "$1" nft list counter inet isp "$2" | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
reset_counters() {
  local u
  for u in "${UPLINKS[@]}"; do set -- $u; in_ns "$1" nft reset counters table inet isp >/dev/null; done
}

# ping_counted NS WANT DESCRIPTION ping-args...: 3 echo requests must all be answered and be
# counted by WANT's echo counter only (WANT "none": by no ISP at all).
ping_counted() {
  local ns=$1 want=$2 desc=$3; shift 3
  reset_counters
  in_ns "$ns" ping -q -c 3 -i 0.2 -W 2 "$@" >/dev/null || fail "$desc: ping $* got no (or not all) replies"
  local u n expected
  for u in "${UPLINKS[@]}"; do
    set -- $u
    n="$(isp_counter "$1" echo)"
    expected=0
    [ "$1" = "$want" ] && expected=3
    [ "$n" = "$expected" ] ||
      fail "$desc: $1 counted $n echo requests, expected $expected (all 3 via $want)"
  done
}

# expect_ping NS WANT_ISP DESCRIPTION ping-args...: answered, and all via WANT_ISP.
expect_ping() {
  ping_counted "$@"
  echo "ok: $3 (icmp via $2, 3/3 replies)"
}

# expect_ping_local NS DESCRIPTION ping-args...: answered, and seen by no ISP.
expect_ping_local() {
  local ns=$1 desc=$2; shift 2
  ping_counted "$ns" none "$desc" "$@"
  echo "ok: $desc (icmp stayed off the uplinks)"
}

# invalid_reply_arrives ISP FROM TO [NS]: ISP forges an echo reply FROM -> TO; rtr's conntrack
# is flushed first and no request was seen, so the reply is INVALID there. Succeeds when NS
# (default cli; rtr for the router's own addresses) receives it.
invalid_reply_arrives() {
  local isp=$1 from=$2 to=$3 ns=${4:-cli} out="$E2E_TMP/listen.$RANDOM"
  in_ns rtr conntrack -F >/dev/null 2>&1
  ip netns exec "$(ns_name "$ns")" timeout 10 "$PROBE" icmp-listen --from "$from" --timeout-ms 2500 >"$out" &
  local pid=$!
  sleep 0.3
  in_ns "$isp" "$PROBE" icmp-reply --from "$from" --to "$to" --id 77 --seq "$RANDOM" >/dev/null ||
    fail "$isp could not send the echo reply"
  wait $pid
  grep -q '^GOT' "$out"
}

# expect_invalid_reply ISP FROM TO DESCRIPTION [NS]: the INVALID echo reply must reach NS.
expect_invalid_reply() {
  invalid_reply_arrives "$1" "$2" "$3" "${5:-cli}" ||
    fail "$4: the INVALID echo reply $2 -> $3 arriving from $1 was dropped"
  echo "ok: $4 (INVALID echo reply $2 -> $3 from $1 delivered)"
}

ct_mark_of() {  # ct_mark_of PROTO SRC DST: the connection mark conntrack holds, in hex
  in_ns rtr conntrack -L -p "$1" -s "$2" -d "$3" 2>/dev/null | sed -n 's/.* mark=\([0-9]*\).*/\1/p' | head -1 |
    xargs -r printf '0x%x\n'
}
