#!/usr/bin/env bash
# Example examples/seed.pbr as shipped, under strict rp_filter. Flows from set A to set B
# leave via eth1 (isp1), everything else via the main table (isp3); ICMP, UDP and TCP;
# replies come back; the connection mark is saved; an ICMP error of a steered flow reaches
# the client; an echo reply of a steered flow that conntrack cannot match (INVALID) passes
# the reverse path check although the policy starts with the exemption `to set lan via
# main;`; the router's own traffic from 172.31.162.25 and on sockets bound to eth1 follows
# its rules. (The mark bit outside the mask is checked on the same router by s2_mark_mask.)
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_seed_router
e2e_strict_rp

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

expect_invalid_reply isp1 114.114.114.114 223.5.5.5 "INVALID reply of an A->B flow on eth1"
base="$E2E_TMP/out/seed"
grep -v 'jump classify_stateless' "$base.nft" >"$E2E_TMP/restore-only.nft"
in_ns rtr nft -f "$E2E_TMP/restore-only.nft" || fail "cannot load the restore-only ruleset"
if invalid_reply_arrives isp1 114.114.114.114 223.5.5.5; then
  fail "control: without the stateless chain the INVALID reply still arrived"
fi
echo "ok: control: without the stateless chain strict rp_filter drops the same reply"
in_ns rtr nft -f "$base.nft" || fail "cannot reload the seed ruleset"

# The same seed with its lan set covering the client network the A hosts live in (as a
# router's LAN set does): the exemption `to set lan via main;` now also describes the reply's
# destination, and must not take the reply from the rule that steered its flow.
sed 's|^set lan = { 10.98.0.0/16 };|set lan = { 10.98.0.0/16, 223.5.5.0/24, 223.6.6.0/24 };|' \
  "$repo/examples/seed.pbr" >"$E2E_TMP/seed.pbr"
grep -q '223.5.5.0/24' "$E2E_TMP/seed.pbr" || fail "could not derive the seed with a wider lan set"
e2e_apply "$E2E_TMP/seed.pbr"
expect_flow cli udp isp1 "wider lan set: A->B udp still via isp1" --from 223.5.5.5 --to 114.114.114.114
expect_invalid_reply isp1 114.114.114.114 223.5.5.5 "wider lan set: INVALID reply of an A->B flow"
# Without the inbound pins only the reversed rules can give the reply wan1's mark.
sed 's/^  table 2000\([23]\);/  table 2000\1;\n  inbound off;/' "$E2E_TMP/seed.pbr" >"$E2E_TMP/seed-nopin.pbr"
[ "$(grep -c 'inbound off;' "$E2E_TMP/seed-nopin.pbr")" = 2 ] || fail "could not derive the seed without pins"
e2e_apply "$E2E_TMP/seed-nopin.pbr"
expect_invalid_reply isp1 114.114.114.114 223.5.5.5 "wider lan set, no pins: INVALID reply of an A->B flow"

echo "example seed passed"
