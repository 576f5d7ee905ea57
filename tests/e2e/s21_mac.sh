#!/usr/bin/env bash
# Scenario 21: `mac` steers forwarded traffic by its source MAC address. cli's eth0 takes
# known addresses; cli2 keeps its random one and is the negative control (main table, isp3),
# and so is the router's own traffic, which has no source MAC.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
e2e_apply "$here_e2e/policies/mac.pbr"

cli_mac() {
  in_ns cli ip link set dev eth0 address "$1" || fail "cannot set cli's MAC address to $1"
  in_ns rtr ip neigh flush dev lan0
}

cli_mac 02:00:5e:10:00:01
expect_flow cli udp isp1 "source MAC ..:01 via wan1" --from 10.98.1.2 --to 114.114.114.114
expect_ping cli isp1 "icmp from MAC ..:01 via wan1" -I 10.98.1.2 114.114.114.114
cli_mac 02:00:5e:10:00:03
expect_flow cli tcp isp2 "source MAC ..:03 (second of a list) via wan2" --from 10.98.1.2 --to 8.8.8.8
cli_mac 02:00:5e:10:00:04
expect_flow cli udp isp3 "source MAC ..:04, named by no rule: main table" --from 10.98.1.2 --to 198.51.100.7
# Negative controls: other hosts and the router itself are not steered.
expect_flow cli2 udp isp3 "cli2's MAC is named by no rule: main table" --from 10.98.3.2 --to 114.114.114.114
expect_flow rtr udp isp3 "the router's own traffic has no source MAC: main table" --to 8.8.8.8
echo "scenario 21 passed"
