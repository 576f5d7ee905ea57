#!/usr/bin/env bash
# Scenario 2: the mark mask. A packet arriving with a foreign mark bit outside pbrc's mask
# (an IPsec bit, 0x10000000), and a connection whose mark has that bit, keep it: pbrc writes
# only the 4 bits of its mask, and the policy still steers.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_seed_router

# Another tool marks first (priority -160: after conntrack at -200, before pbrc's mangle
# chains at -150) and we look at the mark on the way out.
in_ns rtr nft -f - <<'NFT' || fail "cannot add the observer table"
table inet other_tool {
  counter kept {}
  chain pre {
    type filter hook prerouting priority -160; policy accept;
    ip saddr 223.5.5.5 meta mark set meta mark | 0x10000000
    ip saddr 223.5.5.5 ct state new ct mark set ct mark | 0x10000000
  }
  chain post {
    type filter hook postrouting priority 300; policy accept;
    oifname "eth1" meta mark 0x10000002 counter name "kept"
  }
}
NFT
expect_flow cli udp isp1 "A->B with a foreign mark bit" --from 223.5.5.5 --to 114.114.114.114
n="$(in_ns rtr nft list counter inet other_tool kept | sed -n 's/.*packets \([0-9]*\).*/\1/p')"
[ "${n:-0}" -ge 1 ] || fail "no packet left eth1 with mark 0x10000002: the foreign bit was lost (counter kept=$n)"
mark="$(ct_mark_of udp 223.5.5.5 114.114.114.114)"
[ "$mark" = 0x10000002 ] || fail "connection mark: expected 0x10000002 (foreign bit + pbrc's 0x2), got '${mark:-none}'"
echo "ok: the foreign bit survives in the packet mark and the connection mark"

# The router's own socket with SO_MARK 0x10000000: classified by the output chain, still steered.
expect_flow rtr udp isp2 "router socket with mark 0x10000000 from 172.31.162.25" \
  --mark 0x10000000 --from 172.31.162.25 --to 8.8.8.8
echo "scenario 2 passed"
