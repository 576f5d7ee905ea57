#!/usr/bin/env bash
# Scenario 20: `dscp` steers by traffic class, IPv4 and IPv6 (ping -Q sets the TOS byte /
# traffic class: DSCP << 2, plus ECN bits that the match ignores). Negative control: the same
# pings without a class, or with a class no rule names, leave by the main table (isp3).
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
e2e_apply "$here_e2e/policies/dscp.pbr"

expect_ping cli isp1 "EF (46) via wan1" -Q 0xb8 -I 10.98.1.2 114.114.114.114
expect_ping cli isp1 "EF with ECN bits set is still EF" -Q 0xb9 -I 10.98.1.2 8.8.8.8
expect_ping cli isp2 "AF41 (34) via wan2" -Q 0x88 -I 10.98.1.2 114.114.114.114
expect_ping cli isp2 "CS1 (8) via wan2" -Q 0x20 -I 10.98.1.2 114.114.114.114
expect_ping cli isp1 "IPv6 EF via wan1" -6 -Q 0xb8 -I fd98:1::2 2001:db8:53::53
expect_ping cli isp2 "IPv6 AF41 via wan2" -6 -Q 0x88 -I fd98:1::2 2001:db8:53::53
# Negative controls: the test can fail; unmarked and unnamed classes take the main table.
expect_ping cli isp3 "no class: main table" -I 10.98.1.2 114.114.114.114
expect_ping cli isp3 "AF42 (36), named by no rule: main table" -Q 0x90 -I 10.98.1.2 114.114.114.114
expect_ping cli isp3 "IPv6 without a class: main table" -6 -I fd98:1::2 2001:db8:53::53
echo "scenario 20 passed"
