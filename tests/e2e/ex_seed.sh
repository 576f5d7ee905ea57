#!/usr/bin/env bash
# Scenario 1: the seed policy. Flows from set A to set B leave via eth1 (isp1), everything
# else via the main table (isp3); ICMP, UDP and TCP; replies come back; the connection mark is
# saved; an ICMP error of a steered flow reaches the client; the router's own traffic from
# 172.31.162.25 and on sockets bound to eth1 follows its rules.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_seed_router

expect_flow cli udp isp1 "A->B udp from 223.5.5.5" --from 223.5.5.5 --to 114.114.114.114
expect_flow cli tcp isp1 "A->B tcp from 223.6.6.6" --from 223.6.6.6 --to 114.114.114.114
expect_ping cli isp1 "A->B icmp from 223.5.5.5" -I 223.5.5.5 114.114.114.114
expect_flow cli udp isp3 "source outside A" --from 10.98.1.2 --to 114.114.114.114
expect_flow cli tcp isp3 "destination outside B" --from 223.5.5.5 --to 8.8.8.8
expect_ping cli isp3 "icmp outside the policy" -I 10.98.1.2 8.8.8.8

mark="$(ct_mark_of udp 223.5.5.5 114.114.114.114)"
[ "$mark" = 0x2 ] || fail "connection mark of the steered udp flow: expected 0x2, conntrack has '${mark:-none}'"
echo "ok: the connection mark 0x2 is saved in conntrack"

reset_counters
ans="$(in_ns cli "$PROBE" udp --from 223.5.5.5 --to 114.114.114.114 --port 9 | head -1)"
[ "$ans" = REFUSED ] || fail "ICMP port unreachable of a steered flow: client expected REFUSED, got '$ans'"
[ "$(isp_counter isp1 udp9)" -ge 1 ] || fail "the udp flow to port 9 did not leave via isp1"
echo "ok: the ICMP error of a steered flow reached the client (flow via isp1)"

expect_flow rtr udp isp2 "router traffic from 172.31.162.25" --from 172.31.162.25 --to 8.8.8.8
expect_flow rtr udp isp1 "router socket bound to eth1" --dev eth1 --to 8.8.8.8
expect_flow rtr udp isp3 "router traffic without a rule" --to 8.8.8.8
echo "scenario 1 passed"
