# Shared by tests/kernel/apply_*.sh: a router namespace with two uplinks, foreign objects that
# pbrc must never touch (an nft table that writes marks, ip rules, routes of another
# protocol, one in pbrc's table), policies A and B, and `listing`, the complete state that
# every test compares before and after.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib/netns.sh" || { echo "FAIL: cannot load tests/lib/netns.sh" >&2; exit 1; }
: "${PBRC:?set PBRC to the pbrc binary}"
ns_require
tmp="$(mktemp -d)"
trap 'ns_cleanup; rm -rf "$tmp"' EXIT

# A: two links, sets, IPv4 and IPv6. B: different sets, a rule more, another gateway and
# rp_filter: every kind of object changes.
cat > "$tmp/A.pbr" <<'POLICY'
options {
  nft table pbrapply;
  mark mask 0xf;
  preference 400-419;
  table ids 4000-4099;
  protocol 251;
}

set office = { 10.20.0.0/24, 10.20.1.0/24, 2001:db8:20::/48 };

link wan1 {
  device eth1;
  gateway 10.0.1.1;
  gateway 2001:db8:1::1;
}

link wan2 {
  device eth2;
  gateway 10.0.2.1;
  gateway 2001:db8:2::1;
}

policy {
  from set office via wan1;
  from 10.30.0.0/16 via wan2;
}
POLICY
sed -e 's|10.20.0.0/24, 10.20.1.0/24, 2001:db8:20::/48|10.20.0.0/24, 2001:db8:21::/48|' \
    -e 's|  from 10.30.0.0/16 via wan2;|  from 10.30.0.0/16 via wan2;\n  proto udp dport 53 via wan1;|' \
    -e 's|gateway 10.0.2.1;|gateway 10.0.2.9;|' \
    -e 's|  gateway 2001:db8:1::1;|  gateway 2001:db8:1::1;\n  rp_filter loose;|' "$tmp/A.pbr" > "$tmp/B.pbr"
"$PBRC" check "$tmp/A.pbr" "$tmp/B.pbr" || fail "policies A and B have errors"

ns_new r
ns="$(ns_name r)"
for d in eth1 eth2; do
  ip -n "$ns" link add "$d" type veth peer name "p$d"
  ip -n "$ns" link set "$d" up
  ip -n "$ns" link set "p$d" up
done
ip -n "$ns" addr add 10.0.1.2/24 dev eth1
ip -n "$ns" addr add 10.0.2.2/24 dev eth2
ip -n "$ns" addr add 2001:db8:1::2/64 dev eth1 nodad
ip -n "$ns" addr add 2001:db8:2::2/64 dev eth2 nodad

# Foreign objects: a table with a mark writer, rules (one inside pbrc's band), routes of
# another protocol (one in pbrc's table 4000), a route of protocol 250 (pbrc's protocol
# minus one: not pbrc's).
in_ns r nft -f - <<'NFT' || fail "foreign table"
table inet foreign {
  set office_v4 { type ipv4_addr; flags interval; elements = { 10.20.0.0/24 } }
  chain pre { type filter hook prerouting priority 0; ip saddr 10.1.1.1 meta mark set 0x100; }
}
NFT
in_ns r ip rule add pref 405 from 10.77.0.0/16 lookup main || fail "foreign rule in band"
in_ns r ip rule add pref 9000 fwmark 0x100/0xf00 lookup 77 || fail "foreign fwmark rule"
in_ns r ip -6 rule add pref 9001 from 2001:db8:77::/48 lookup 77 || fail "foreign v6 rule"
in_ns r ip route add 10.79.0.0/16 via 10.0.1.1 table 4000 || fail "foreign route in pbrc's table"
in_ns r ip route add default via 10.0.2.1 table 77 proto 250 || fail "foreign route proto 250"
in_ns r ip -6 route add default via 2001:db8:2::1 table 77 || fail "foreign v6 route"

# The complete state: every nft table, rules and routes of both families, the sysctls
# policies write (and their neighbours).
listing() {
  {
    # Elements sorted: a map updated in place lists its elements in another order.
    echo "== nft"; in_ns r nft list ruleset | python3 "$here/../lib/nft_sorted.py"
    echo "== rule4"; in_ns r ip -4 rule
    echo "== rule6"; in_ns r ip -6 rule
    echo "== route4"; in_ns r ip -4 route show table all
    echo "== route6"; in_ns r ip -6 route show table all
    echo "== sysctl"
    in_ns r sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding \
      net.ipv4.conf.eth1.src_valid_mark net.ipv4.conf.eth2.src_valid_mark \
      net.ipv4.conf.eth1.rp_filter net.ipv4.conf.eth2.rp_filter
  } > "$1" 2>&1
}
# same FILE_A FILE_B WHAT: the listings are identical.
same() { diff -u "$1" "$2" >&2 || fail "$3"; }
# pbrc_apply RC ARGS...: pbrc apply inside the namespace with a state dir, bounded in time.
pbrc_run() {
  local want="$1"; shift
  timeout 60 "$PBRC" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  [ "$rc" = "$want" ] || { cat "$tmp/out" "$tmp/err" >&2; fail "pbrc $*: exit $rc, expected $want"; }
}
has_out() { grep -qF -- "$1" "$tmp/out" "$tmp/err" || { cat "$tmp/out" "$tmp/err" >&2; fail "output lacks: $1"; }; }

# The reference states, each reached by pbrc apply from the one before: nothing applied,
# A, B, and back to A by rollback (which must give A's listing again). Leaves A applied with
# the state folder $st; apply_basic.sh checks these against nft and ip loading the artifacts.
st="$tmp/state"
reference_states() {
  listing "$tmp/none"
  pbrc_run 0 apply -q --netns "$ns" --state-dir "$st" "$tmp/A.pbr"; listing "$tmp/stateA"
  pbrc_run 0 apply -q --netns "$ns" --state-dir "$st" "$tmp/B.pbr"; listing "$tmp/stateB"
  pbrc_run 0 rollback -q --netns "$ns" --state-dir "$st"; listing "$tmp/now"
  same "$tmp/stateA" "$tmp/now" "apply A, B, rollback: not A's state"
  ! cmp -s "$tmp/stateA" "$tmp/stateB" || fail "A and B give the same listing"
  ! cmp -s "$tmp/none" "$tmp/stateA" || fail "A changes nothing"
}
