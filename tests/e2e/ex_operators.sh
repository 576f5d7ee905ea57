#!/usr/bin/env bash
# Example examples/operators.pbr as shipped, with the real carrier lists, under strict
# rp_filter. Addresses sampled from each list (and in no earlier list: first match wins)
# leave via that carrier's uplink, IPv4 and IPv6; addresses in no list use the main table;
# private destinations (another LAN host) stay on the main table. An
# echo reply from a carrier address that conntrack cannot match (INVALID) is accepted on
# that carrier's uplink although its destination is in the exemption `to set private`.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_uplink telecom ct0 100.64.1.2/24 100.64.1.1 fd00:1::2/64 fd00:1::1
e2e_uplink unicom cu0 100.64.2.2/24 100.64.2.1 fd00:2::2/64 fd00:2::1
e2e_uplink mobile cm0 100.64.3.2/24 100.64.3.1 fd00:3::2/64 fd00:3::1
e2e_uplink other eth9 10.0.9.2/24 10.0.9.1 fd00:9::2/64 fd00:9::1
E2E_MAIN=other
data="$repo/examples/data"
samples4="$("$PROBE" sample --per-list 3 "$data/chinanet.txt" "$data/unicom.txt" "$data/cmcc.txt")"
samples6="$("$PROBE" sample --per-list 2 "$data/chinanet6.txt" "$data/unicom6.txt" "$data/cmcc6.txt")"
[ "$(echo "$samples4" | wc -l)" = 9 ] && [ "$(echo "$samples6" | wc -l)" = 6 ] || fail "sampling the lists failed: $samples4 $samples6"
SERVER_ADDRS="$SERVER_ADDRS $(printf "%s\n%s\n" "$samples4" "$samples6" | awk '{print $1}' | tr '\n' ' ')"
e2e_build
e2e_strict_rp
e2e_apply "$repo/examples/operators.pbr"
carriers=(telecom unicom mobile)
while read -r addr idx; do
  from=10.98.1.2
  case "$addr" in *:*) from=fd98:1::2 ;; esac
  expect_flow cli udp "${carriers[$idx]}" "$addr is in the ${carriers[$idx]} list" --from "$from" --to "$addr"
done <<<"$samples4
$samples6"
expect_flow cli udp other "8.8.8.8 is in no list: main table" --from 10.98.1.2 --to 8.8.8.8
expect_flow cli udp other "2001:db8:53::53 is in no list: main table" --from fd98:1::2 --to 2001:db8:53::53
expect_ping cli telecom "icmp to a chinanet address" -I 10.98.1.2 "$(echo "$samples4" | awk '$2==0{print $1; exit}')"
expect_ping_local cli "private destination (another LAN host) stays on the LAN" -I 10.98.1.2 10.98.3.2
first4="$(echo "$samples4" | awk '$2==0{print $1; exit}')"
expect_invalid_reply telecom "$first4" 10.98.1.2 "INVALID reply from a chinanet address on ct0"
echo "example operators passed"
