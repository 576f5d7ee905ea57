#!/usr/bin/env bash
# Scenario 7: IPv6. One policy with v4 and v6 sets steers v6 flows as it steers v4 ones.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
e2e_apply "$here_e2e/policies/v6.pbr"
expect_flow cli udp isp1 "v6 udp to the dns set" --from fd98:1::2 --to 2001:db8:53::53
expect_flow cli tcp isp1 "v6 tcp to the dns set" --from fd98:1::2 --to 2001:db8:53::53
expect_ping cli isp1 "v6 icmp to the dns set" -6 -I fd98:1::2 2001:db8:53::53
expect_flow cli udp isp2 "v6 second rule" --from fd98:1::2 --to 2001:db8:99::1
expect_flow cli udp isp1 "v4 flow of the same rule" --from 10.98.1.2 --to 114.114.114.114
expect_flow rtr udp isp1 "router's own v6 traffic from wan1's address" --from fd00:1::2 --to 2001:db8:99::1
expect_flow rtr udp isp3 "router's v6 traffic without a rule" --to 2001:db8:53::53
echo "scenario 7 passed"
