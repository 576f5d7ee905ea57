#!/usr/bin/env bash
# Scenario 3: traffic the router originates. The first route lookup picks the main uplink's
# source address (eth3); the output chain's mark reroutes the packet to eth2, and the link's
# source NAT gives it eth2's address, so the answer comes back. Without the NAT chain the same
# flow leaves eth2 with eth3's address and its answer is lost.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
base="$(e2e_compile "$here_e2e/policies/local.pbr")"
e2e_apply "$base"

in_ns isp2 nft add counter inet isp from_rtr
in_ns isp2 nft add rule inet isp pre iifname up0 ip saddr 10.0.2.2 counter name from_rtr
expect_flow rtr udp isp2 "router udp to 8.8.8.8 via wan2" --to 8.8.8.8
expect_flow rtr tcp isp2 "router tcp to 8.8.8.8 via wan2" --to 8.8.8.8
n="$(in_ns isp2 nft list counter inet isp from_rtr | sed -n 's/.*packets \([0-9]*\).*/\1/p')"
[ "${n:-0}" -ge 2 ] || fail "isp2 saw $n packets from 10.0.2.2: the router's flow did not carry wan2's address"
echo "ok: isp2 saw the router's flows with wan2's address 10.0.2.2"
expect_flow rtr udp isp1 "socket bound to eth1 (oif rule)" --dev eth1 --to 8.8.8.8
expect_flow rtr udp isp3 "router traffic without a rule" --to 114.114.114.114

# Negative control: the same policy without its NAT chain.
grep -v -e 'snat ip to' -e masquerade "$base.nft" > "$E2E_TMP/nonat.nft"
in_ns rtr conntrack -F >/dev/null 2>&1
in_ns rtr nft -f "$E2E_TMP/nonat.nft" || fail "cannot load the no-NAT control ruleset"
expect_no_answer rtr udp "control: router flow via wan2 without source NAT" --to 8.8.8.8
echo "scenario 3 passed"
