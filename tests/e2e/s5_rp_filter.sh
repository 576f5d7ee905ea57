#!/usr/bin/env bash
# Scenario 5: strict rp_filter on the uplinks. With pbrc's sysctl fragment (src_valid_mark=1)
# steered flows and their replies pass; with src_valid_mark=0 the kernel's reverse path check
# ignores the mark, finds 114.114.114.114 behind eth3 (main), and drops the replies on eth1.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
in_ns rtr sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.eth1.rp_filter=1 net.ipv4.conf.eth2.rp_filter=1
base="$(e2e_compile "$repo/examples/seed.pbr")"
grep -q 'net.ipv4.conf.eth1.src_valid_mark = 1' "$base.sysctl.conf" || fail "the fragment does not set src_valid_mark on eth1"
e2e_apply "$base"
[ "$(in_ns rtr sysctl -n net.ipv4.conf.eth1.src_valid_mark)" = 1 ] || fail "src_valid_mark was not applied"

expect_flow cli udp isp1 "steered udp with strict rp_filter" --from 223.5.5.5 --to 114.114.114.114
expect_flow cli tcp isp1 "steered tcp with strict rp_filter" --from 223.6.6.6 --to 114.114.114.114
expect_ping cli isp1 "steered icmp with strict rp_filter" -I 223.5.5.5 114.114.114.114
expect_flow cli udp isp3 "unsteered flow with strict rp_filter" --from 10.98.1.2 --to 114.114.114.114

in_ns rtr sysctl -qw net.ipv4.conf.eth1.src_valid_mark=0
in_ns rtr conntrack -F >/dev/null 2>&1
expect_no_answer cli udp "without src_valid_mark: the steered flow's reply is dropped" --from 223.5.5.5 --to 114.114.114.114
expect_no_answer cli tcp "without src_valid_mark: tcp too" --from 223.6.6.6 --to 114.114.114.114
expect_flow cli udp isp3 "without src_valid_mark: unsteered flows still work" --from 10.98.1.2 --to 114.114.114.114

in_ns rtr sysctl -q -p "$base.sysctl.conf" >/dev/null
in_ns rtr conntrack -F >/dev/null 2>&1
expect_flow cli udp isp1 "fragment re-applied: steered flow works again" --from 223.5.5.5 --to 114.114.114.114
echo "scenario 5 passed"
