#!/usr/bin/env bash
# Example examples/dualstack.pbr as shipped, IPv4 and IPv6, under strict rp_filter. The bulk
# host (192.168.10.99, 2001:db8:10::99) always takes lte, web included (first match); the
# office's flows to the VoIP peers and its DNS (udp and tcp 53) take lte; its web (tcp 80,
# 443) takes fibre; everything else (udp to port 80, other ports, other sources) follows the
# main table (a third uplink). An echo reply from a VoIP peer that conntrack cannot match
# (INVALID) is accepted on lte.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_uplink fibre fib0 203.0.113.2/24 203.0.113.1 2001:db8:f::2/64 2001:db8:f::1
e2e_uplink lte lte0 100.100.0.2/24 100.100.0.1 2001:db8:1e::2/64 2001:db8:1e::1
e2e_uplink other eth9 10.0.9.2/24 10.0.9.1 fd00:9::2/64 fd00:9::1
E2E_MAIN=other
office="192.168.10.5 192.168.10.99 2001:db8:10::5 2001:db8:10::99"
CLIENT_EXTRA="$CLIENT_EXTRA $office"
CLIENT_ROUTED="$CLIENT_ROUTED $office"
LAN_ROUTES4="$LAN_ROUTES4 192.168.10.0/24"
LAN_ROUTES6="$LAN_ROUTES6 2001:db8:10::/48"
SERVER_ADDRS="$SERVER_ADDRS 2001:db8:5060::7"
e2e_build
for port in 53 80 443; do
  ip netns exec "$(ns_name srv)" timeout 600 "$PROBE" serve --port $port --seconds 600 >/dev/null 2>&1 &
  disown
done
sleep 0.3
e2e_strict_rp
e2e_apply "$repo/examples/dualstack.pbr"

for v in "192.168.10.99 192.168.10.5 8.8.8.8 198.51.100.7" \
  "2001:db8:10::99 2001:db8:10::5 2001:db8:53::53 2001:db8:5060::7"; do
  set -- $v
  bulk=$1 host=$2 far=$3 voip=$4
  expect_flow cli udp lte "bulk host: lte" --from "$bulk" --to "$far"
  expect_flow cli tcp lte "bulk host web: lte (first match)" --from "$bulk" --to "$far" --port 80
  expect_flow cli udp lte "office to a VoIP peer: lte" --from "$host" --to "$voip"
  expect_flow cli udp lte "office udp DNS: lte" --from "$host" --to "$far" --port 53
  expect_flow cli tcp lte "office tcp DNS: lte" --from "$host" --to "$far" --port 53
  expect_flow cli tcp fibre "office web (tcp 80): fibre" --from "$host" --to "$far" --port 80
  expect_flow cli tcp fibre "office web (tcp 443): fibre" --from "$host" --to "$far" --port 443
  expect_flow cli udp other "office udp to port 80: main" --from "$host" --to "$far" --port 80
  expect_flow cli tcp other "office other tcp: main" --from "$host" --to "$far"
done
expect_flow cli tcp other "web from outside the office: main" --from 10.98.1.2 --to 8.8.8.8 --port 80
expect_flow cli tcp other "v6 web from outside the office: main" --from fd98:1::2 --to 2001:db8:53::53 --port 80
expect_ping cli lte "icmp from the bulk host: lte" -I 192.168.10.99 8.8.8.8
expect_ping cli lte "v6 icmp from the bulk host: lte" -6 -I 2001:db8:10::99 2001:db8:53::53
expect_invalid_reply lte 198.51.100.7 192.168.10.5 "INVALID reply from a VoIP peer on lte0"
echo "example dualstack passed"
