#!/usr/bin/env bash
# Scenario 24: `restore` as a verdict map (more than 16 targets): the packets of an
# established connection get its mark back through `ct mark & MASK vmap { M : goto
# restore_tN }`, so a TCP connection steered to wan1 or wan2 completes (its handshake's last
# ACK and its data follow the SYN's uplink, which masquerades them). Negative control: the
# same ruleset with `restore` emptied loses those packets to main and the connection fails.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
base="$(e2e_compile "$here_e2e/policies/restore-map.pbr")"
grep -q 'ct mark & 0x000000ff vmap { ' "$base.nft" || fail "restore is not a verdict map"
[ "$(grep -c 'chain restore_t' "$base.nft")" -gt 16 ] || fail "not one restore chain per target"
e2e_apply "$base"

expect_flow cli tcp isp1 "tcp to 198.51.100.7: wan1, restored by the map" --to 198.51.100.7
expect_flow cli tcp isp2 "tcp to 8.8.8.8: wan2, restored by the map" --to 8.8.8.8
expect_flow cli udp isp2 "udp to 8.8.8.8" --to 8.8.8.8

awk '/^\tchain restore \{/ { print; skip = 1; next } skip && /^\t\}/ { skip = 0 } !skip' \
  "$base.nft" > "$E2E_TMP/norestore.nft"
grep -q 'vmap { 0x' "$E2E_TMP/norestore.nft" && fail "could not empty restore"
in_ns rtr nft -f "$E2E_TMP/norestore.nft" || fail "cannot load the ruleset without restore"
in_ns rtr conntrack -F >/dev/null 2>&1
ans="$(in_ns cli "$PROBE" tcp --port 7000 --to 198.51.100.7 --timeout-ms 1500 | head -1)"
[ "$(isp_of_answer "$ans")" = isp1 ] &&
  fail "without restore the tcp connection to wan1 still completed via isp1 (negative control)"
echo "ok: without restore the steered tcp connection does not complete via isp1 ('$ans')"
echo "scenario 24 passed"
