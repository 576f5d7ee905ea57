#!/usr/bin/env bash
# Scenario 10: replies leave by the uplink their connection came in on. A port forward on
# eth2 (the user's own DNAT table) to a LAN host, and a service on the router itself, are
# reached from the Internet through isp2 while the main table points at isp3: the answers
# must go back through isp2, with rp_filter off and strict. With `inbound off;` on the link
# the port forward's answers follow the main table out of eth3 and never arrive.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
in_ns rtr sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
e2e_inbound_services
sleep 0.3
e2e_apply "$here_e2e/policies/inbound.pbr"

expect_answer() {  # expect_answer PROTO PORT DESCRIPTION
  local ans
  ans="$(in_ns srv "$PROBE" "$1" --to 10.0.2.2 --port "$2" | head -1)"
  [ "$ans" = "SEEN 10.200.2.2" ] || fail "$3: expected the answer back through isp2, got '$ans'"
  echo "ok: $3"
}
expect_answer udp 8080 "udp port forward on eth2 answered through eth2"
expect_answer tcp 8080 "tcp port forward on eth2 answered through eth2"
expect_answer tcp 7001 "the router's own tcp service on eth2 answered through eth2"
expect_answer udp 7001 "the router's own udp service on eth2 answered through eth2"
expect_flow cli udp isp1 "outbound policy still applies" --from 10.98.1.2 --to 198.51.100.7
in_ns rtr sysctl -qw net.ipv4.conf.all.rp_filter=1
in_ns rtr conntrack -F >/dev/null 2>&1
expect_answer udp 8080 "with strict rp_filter the port forward is still accepted and answered"
in_ns rtr sysctl -qw net.ipv4.conf.all.rp_filter=0

sed 's/  address 10.0.2.2;/  address 10.0.2.2;\n  inbound off;/' "$here_e2e/policies/inbound.pbr" > "$E2E_TMP/inbound-off.pbr"
grep -q 'inbound off;' "$E2E_TMP/inbound-off.pbr" || fail "could not derive the inbound-off policy"
e2e_apply "$E2E_TMP/inbound-off.pbr"
in_ns rtr conntrack -F >/dev/null 2>&1
in_ns isp3 nft add counter inet isp answers
in_ns isp3 nft add rule inet isp pre iifname up0 ip saddr 10.0.2.2 udp sport 8080 counter name answers
ans="$(in_ns srv "$PROBE" udp --to 10.0.2.2 --port 8080 --timeout-ms 1000 | head -1)"
[ "$ans" = TIMEOUT ] || fail "control: with 'inbound off;' the port forward's answer still came back ('$ans')"
n="$(isp_counter isp3 answers)"
[ "${n:-0}" -ge 1 ] || fail "control: the lost answer did not leave via isp3 (counter answers=$n)"
echo "ok: control: with 'inbound off;' the port forward's answer leaves by the main table and is lost"
echo "scenario 10 passed"
