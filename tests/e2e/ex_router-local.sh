#!/usr/bin/env bash
# Example examples/router-local.pbr as shipped, under strict rp_filter. The router's own
# connections to the backup network (192.0.2.0/24) leave via isp_b (wan1) with isp_b's
# address 10.0.2.2 (source NAT), and so do the LAN's; the management network and private
# destinations follow the main table (isp_a on wan0); 198.51.100.0/24 leaves by the
# gateway-less device wg0; 203.0.113.0/25 by the hand-managed table 300 (here: default via a
# third uplink, wan2), the rest of 203.0.113.0/24 by the main table; sockets bound to wan1
# use isp_b. An echo reply from the backup network to the router's address on wan1 that
# conntrack cannot match (INVALID) passes the reverse path check although 10.0.2.2 is in the
# exemption `to set private via main;`.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_uplink isp_a wan0 10.0.1.2/24 10.0.1.1 fd00:1::2/64 fd00:1::1
e2e_uplink isp_b wan1 10.0.2.2/24 10.0.2.1 fd00:2::2/64 fd00:2::1
e2e_uplink vpn wg0 10.0.9.2/24 10.0.9.1 fd00:9::2/64 fd00:9::1
e2e_uplink isp_c wan2 10.0.3.2/24 10.0.3.1 fd00:3::2/64 fd00:3::1
E2E_MAIN=isp_a
SERVER_ADDRS="$SERVER_ADDRS 192.0.2.7 10.255.0.7 203.0.113.7 203.0.113.200"
e2e_build
# wg0 has no gateway: the router sends to the destination directly on the link, and the
# peer answers ARP for what it routes (a point-to-point tunnel needs no ARP at all).
in_ns vpn sysctl -qw net.ipv4.conf.up0.proxy_arp=1
ip -n "$(ns_name rtr)" route add default via 10.0.3.1 dev wan2 table 300
e2e_strict_rp
e2e_apply "$repo/examples/router-local.pbr"

in_ns isp_b nft add counter inet isp from_rtr
in_ns isp_b nft add rule inet isp pre iifname up0 ip saddr 10.0.2.2 counter name from_rtr
expect_flow rtr udp isp_b "router udp to the backup network" --to 192.0.2.7
expect_flow rtr tcp isp_b "router tcp to the backup network" --to 192.0.2.7
n="$(isp_counter isp_b from_rtr)"
[ "${n:-0}" -ge 2 ] || fail "isp_b saw $n packets from 10.0.2.2: the router's flows did not carry isp_b's address"
echo "ok: isp_b saw the router's flows with its address 10.0.2.2"
expect_flow cli udp isp_b "LAN udp to the backup network" --from 10.98.1.2 --to 192.0.2.7
expect_flow cli udp isp_a "LAN to the management network: main" --from 10.98.1.2 --to 10.255.0.7
expect_flow rtr udp isp_a "router to the management network: main" --to 10.255.0.7
expect_ping_local cli "private destination (another LAN host) stays on the LAN" -I 10.98.1.2 10.98.3.2
expect_flow cli udp vpn "198.51.100.0/24 by the gateway-less device wg0" --from 10.98.1.2 --to 198.51.100.7
expect_ping cli vpn "icmp to 198.51.100.0/24 by wg0" -I 10.98.1.2 198.51.100.8
expect_flow cli udp isp_c "203.0.113.0/25 by table 300" --from 10.98.1.2 --to 203.0.113.7
expect_flow cli tcp isp_a "203.0.113.200 is outside the /25: main" --from 10.98.1.2 --to 203.0.113.200
expect_flow rtr udp isp_b "router socket bound to wan1 (oif rule)" --dev wan1 --to 8.8.8.8
expect_flow cli udp isp_a "LAN traffic without a rule: main" --from 10.98.1.2 --to 8.8.8.8
expect_invalid_reply isp_b 192.0.2.7 10.0.2.2 "INVALID reply to the router's wan1 address" rtr
echo "example router-local passed"
