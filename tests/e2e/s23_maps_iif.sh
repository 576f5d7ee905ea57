#!/usr/bin/env bash
# Scenario 23: `iif` rules in the classification maps. Two LAN devices pick different
# uplinks through their own (`iifname`-guarded) lookups; an exemption before them keeps LAN
# traffic on main; the router's own traffic (output hook, no input device) meets only the
# rules without `iif`: its tcp is caught by no rule (main, isp3), its udp by the last rule.
# Negative control: the same ruleset without its map lookups leaves everything to main.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
base="$(e2e_compile "$here_e2e/policies/maps-iif.pbr")"
grep -q 'iifname "lan0" .*vmap @classify_m' "$base.nft" || fail "lan0's rule is not in a map"
grep -q 'iifname "lan1" .*vmap @classify_m' "$base.nft" || fail "lan1's rule is not in a map"
e2e_apply "$base"

expect_flow cli tcp isp1 "tcp from lan0: iif lan0 via wan1" --to 8.8.8.8
expect_flow cli udp isp1 "udp from lan0: iif lan0 comes before the udp rule" --to 8.8.8.8
expect_flow cli2 tcp isp2 "tcp from lan1: iif lan1 proto tcp via wan2" --from 10.98.3.2 --to 8.8.8.8
expect_flow cli2 udp isp1 "udp from lan1: not tcp, the udp rule" --from 10.98.3.2 --to 114.114.114.114
expect_flow rtr tcp isp3 "the router's own tcp: no iif rule catches it (output hook)" --to 8.8.8.8
expect_flow rtr udp isp1 "the router's own udp: the rule without iif" --to 8.8.8.8
expect_ping_local cli "LAN destination 10.98.3.2 stays on main (the exemption)" -I 10.98.1.2 10.98.3.2

grep -v 'vmap @' "$base.nft" > "$E2E_TMP/nomaps.nft"
in_ns rtr nft -f "$E2E_TMP/nomaps.nft" || fail "cannot load the ruleset without lookups"
in_ns rtr conntrack -F >/dev/null 2>&1
expect_flow cli2 tcp isp3 "without the lookups lan1's tcp follows main (negative control)" --from 10.98.3.2 --to 8.8.8.8
echo "scenario 23 passed"
