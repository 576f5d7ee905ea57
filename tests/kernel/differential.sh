#!/usr/bin/env bash
# The analysis model against the kernel (issue 11): random policies and random packets; for
# each pair, what `pbrc explain` says (the rule whose nft counter the packet passes, the
# mark, the route) must be what the kernel does with the compiled artifacts loaded in a
# throwaway namespace: the packet is injected (raw socket, so any source address), pbrc's
# per-rule counters (`counters on;`) say which rules it passed, and `ip route get ... mark M`
# says which route the marked packet takes.
#
#   cli (cli0, cli1) --lan0/lan1-- rtr --eth1/eth2-- up (up1, up2)
#
# Packets arrive on lan0, lan1 (from cli), eth1, eth2 (from up) or come from rtr itself.
# DIFF_SEED (default: random, printed) and DIFF_POLICIES x DIFF_PACKETS pairs (CI default
# 25 x 12 = 300; the long mode of docs/testing.md is DIFF_POLICIES=500 DIFF_PACKETS=24).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/diff_topology.sh"
# Sentinels after pbrc's chains (priority 0 > mangle): a packet counted here has passed them.
in_ns rtr nft -f - <<'NFT' || fail "cannot load the sentinel table"
table inet diffsentinel {
  chain pre { type filter hook prerouting priority 0; ip ttl 77 counter; ip6 hoplimit 77 counter; }
  chain out { type filter hook output priority 0; ip ttl 77 counter; ip6 hoplimit 77 counter; }
}
NFT
sleep 1

# Bounded: 10 minutes for CI's 300 pairs, one second a pair more for the long mode;
# DIFF_TIMEOUT (seconds) overrides it (differential_long.sh, shards sharing the cores).
pairs=$(( ${DIFF_POLICIES:-25} * ${DIFF_PACKETS:-12} ))
timeout "${DIFF_TIMEOUT:-$(( pairs > 600 ? pairs + 600 : 600 ))}" python3 "$here/differential.py" --pbrc "$PBRC" --rtr "$(ns_name rtr)" \
  --cli "$(ns_name cli)" --up "$(ns_name up)" --regressions "$here/differential" || exit 1

# lint --live: a foreign ip rule inside the policy's preference band is W0906, a foreign
# route in its table W0907, and neither is reported before they exist (negative control).
seed="$here/differential/seed.pbr"
out="$(mktemp)"
trap 'rm -f "$out"; ns_cleanup' EXIT
"$PBRC" lint --live --netns "$(ns_name rtr)" --format json "$seed" > "$out" ||
  fail "lint --live failed"
grep -q '"code": "W090[67]"' "$out" && fail "lint --live reports a collision before one exists"
r rule add pref 20050 from 192.0.2.9 lookup main
table=300  # seed.pbr's wan1: the first id of its `table ids`
r route add 192.0.2.0/24 dev eth1 table "$table"
"$PBRC" lint --live --netns "$(ns_name rtr)" --format json "$seed" > "$out" ||
  fail "lint --live failed"
grep -q '"code": "W0906"' "$out" || fail "lint --live misses the foreign rule at 20050"
grep -q '"code": "W0907"' "$out" || fail "lint --live misses the foreign route in table $table"
echo "differential: lint --live finds the foreign rule and route"
