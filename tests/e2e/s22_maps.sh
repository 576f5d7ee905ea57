#!/usr/bin/env bash
# Scenario 22: `classify maps;` steers real flows. The rules overlap (a port rule inside an
# address rule, a source rule inside a destination rule) and are compiled into verdict maps
# of disjoint regions; every flow must leave by the first matching rule's uplink, the
# router's own traffic too (the output hook). Negative control: the same ruleset without
# its map lookups leaves everything to the main table (isp3).
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
base="$(e2e_compile "$here_e2e/policies/maps.pbr")"
grep -q 'vmap @classify_m' "$base.nft" || fail "the artifact classifies without maps"
e2e_apply "$base"

expect_flow cli udp isp2 "udp to port 7000 of 198.51.100.7: the port rule comes first" --to 198.51.100.7
expect_flow cli tcp isp1 "tcp to 198.51.100.7: the broader rule after it" --to 198.51.100.7
expect_flow cli tcp isp2 "tcp from 10.98.1.3 to 8.8.8.8: the source rule" --from 10.98.1.3 --to 8.8.8.8
expect_flow cli udp isp1 "udp from 10.98.1.3 to 8.8.8.8: not tcp, the next rule" --from 10.98.1.3 --to 8.8.8.8
expect_flow cli tcp isp1 "tcp from 10.98.1.2 to 114.114.114.114" --from 10.98.1.2 --to 114.114.114.114
expect_flow rtr udp isp1 "the router's own udp to 8.8.8.8 (output hook)" --to 8.8.8.8
expect_ping_local cli "LAN destination 10.98.3.2 stays on main" -I 10.98.1.2 10.98.3.2

grep -v 'vmap @' "$base.nft" > "$E2E_TMP/nomaps.nft"
in_ns rtr nft -f "$E2E_TMP/nomaps.nft" || fail "cannot load the ruleset without lookups"
in_ns rtr conntrack -F >/dev/null 2>&1
expect_flow cli udp isp3 "without the lookups the port flow follows main (negative control)" --to 198.51.100.7
echo "scenario 22 passed"
