#!/usr/bin/env bash
# `classify maps;` against the linear reference on the kernel (issue 12): random policies,
# each compiled linear and with maps and loaded in turn into namespace rtr; the same packets
# must leave pbrc's chains with the same mark under both (maps_equivalence.py; a negative
# control first: swapped rules must disagree). The topology is differential.sh's:
#
#   cli (cli0, cli1) --lan0/lan1-- rtr --eth1/eth2-- up (up1, up2)
#
# MAPS_SEED (default: random, printed), MAPS_POLICIES x MAPS_PACKETS (CI default 12 x 12;
# the long mode of docs/testing.md is MAPS_POLICIES=200 MAPS_PACKETS=24).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/diff_topology.sh"
# Sentinels after pbrc's chains (priority 0 > mangle), one per mark value: the rule that
# counts a packet (ttl or hop limit 77: the injected ones only) says the mark it left with.
{
  echo "table inet diffsentinel {"
  for hook in prerouting output; do
    echo "  chain $hook { type filter hook $hook priority 0;"
    for m in $(seq 0 15); do
      echo "    ip ttl 77 meta mark & 0xf == $m counter; ip6 hoplimit 77 meta mark & 0xf == $m counter;"
    done
    echo "  }"
  done
  echo "}"
} | in_ns rtr nft -f - || fail "cannot load the sentinel table"
sleep 1

timeout 600 python3 "$here/maps_equivalence.py" --pbrc "$PBRC" --rtr "$(ns_name rtr)" \
  --cli "$(ns_name cli)" --up "$(ns_name up)" || exit 1
