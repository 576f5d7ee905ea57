#!/usr/bin/env bash
# Scenario 11: a link without gateway steers IPv6 too. `link vpn { device eth4; }` with
# `iif lan0 via vpn;` matches both families; the link's table must hold `default dev eth4` in
# the IPv6 batch as well, or IPv6 from the LAN silently leaves by main. The router has no
# gateway on eth4: it resolves every destination on the device itself (the ISP answers as a
# proxy for the server's addresses, as a point-to-point peer would take everything).
# Negative control: without the IPv6 route in the link's table the same flow leaves by main.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_uplink vpn eth4 10.0.4.2/24 10.0.4.1 fd00:4::2/64 fd00:4::1
e2e_build
in_ns vpn sysctl -qw net.ipv4.conf.up0.proxy_arp=1 net.ipv6.conf.up0.proxy_ndp=1
for a in 2001:db8:99::1 2001:db8:53::53; do in_ns vpn ip -6 neigh add proxy "$a" dev up0; done

base="$(e2e_compile "$here_e2e/policies/gatewayless.pbr")"
grep -q '^route replace default dev eth4 table [0-9]* proto' "$base.ip6" ||
  fail "gatewayless.ip6 has no 'default dev eth4' route: $(grep '^route' "$base.ip6")"
e2e_apply "$base"
table="$(sed -n 's/^route replace default dev eth4 table \([0-9]*\) .*/\1/p' "$base.ip6" | head -1)"

expect_flow cli udp vpn "v6 udp from the LAN via the gateway-less link" --from fd98:1::2 --to 2001:db8:99::1
expect_flow cli tcp vpn "v6 tcp from the LAN via the gateway-less link" --from fd98:1::2 --to 2001:db8:53::53
expect_flow cli udp vpn "v4 udp from the LAN via the gateway-less link" --from 10.98.1.2 --to 8.8.8.8
expect_flow cli2 udp isp3 "v4 from lan1 (no rule) via main" --from 10.98.3.2 --to 8.8.8.8
expect_flow rtr udp isp3 "router's own v6 traffic (no iif) via main" --to 2001:db8:99::1

# Negative control: the IPv6 batch as pbrc wrote it before (no route in the link's table).
in_ns rtr conntrack -F >/dev/null 2>&1
in_ns rtr ip -6 route flush table "$table" proto 250 || fail "control: cannot flush table $table"
expect_flow cli udp isp3 "control: v6 without the link's IPv6 route falls through to main" \
  --from fd98:1::2 --to 2001:db8:99::1
echo "scenario 11 passed"
