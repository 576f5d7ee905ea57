#!/usr/bin/env bash
# Scenario 4: host 10.98.2.2 pings 192.168.100.200, but the echo request took another path, so
# the echo reply reaches the router on eth1 in conntrack state INVALID with no entry and no
# connection mark to restore. With strict rp_filter the main table (default via eth3) would
# drop it; pbrc's stateless chain gives it the policy's mark so the reverse path check uses
# wan1's table and passes. A restore-only ruleset (the same output without the stateless
# jump) drops the reply.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
in_ns rtr sysctl -qw net.ipv4.conf.all.rp_filter=1
base="$(e2e_compile "$here_e2e/policies/invalid.pbr")"

invalid_reply_arrives() {
  in_ns rtr conntrack -F >/dev/null 2>&1
  local out="$E2E_TMP/listen.$1"
  ip netns exec "$(ns_name cli)" timeout 10 "$PROBE" icmp-listen --from 192.168.100.200 --timeout-ms 2500 >"$out" &
  local pid=$!
  sleep 0.3
  in_ns isp1 "$PROBE" icmp-reply --from 192.168.100.200 --to 10.98.2.2 --id 77 --seq "$RANDOM" >/dev/null ||
    fail "isp1 could not send the echo reply"
  wait $pid
  grep -q '^GOT' "$out"
}

e2e_apply "$base"
[ "$(in_ns rtr sysctl -n net.ipv4.conf.eth1.rp_filter)" = 1 ] || fail "rp_filter on eth1 is not strict"
invalid_reply_arrives pbrc || fail "with pbrc's ruleset the INVALID echo reply did not reach 10.98.2.2"
echo "ok: pbrc: the INVALID echo reply from 192.168.100.200 reached 10.98.2.2 through strict rp_filter"

grep -v 'jump classify_stateless' "$base.nft" > "$E2E_TMP/restore-only.nft"
in_ns rtr nft -f "$E2E_TMP/restore-only.nft" || fail "cannot load the restore-only ruleset"
if invalid_reply_arrives restore; then
  fail "with a restore-only ruleset the INVALID reply still arrived: the test cannot tell them apart"
fi
echo "ok: restore-only ruleset: the same reply is dropped by strict rp_filter"

e2e_apply "$base"
invalid_reply_arrives again || fail "after re-applying pbrc's ruleset the reply did not arrive"
echo "ok: pbrc again: the reply arrives"
echo "scenario 4 passed"
