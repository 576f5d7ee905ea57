#!/usr/bin/env bash
# Tables left behind: policy A fills table 20002, policy B moves the link to table 20005,
# policy C removes the link. After each batch no route of pbrc's protocol may remain in a
# table the policy no longer uses, in either family, while routes of another protocol in the
# same table (a hand-added one, and another policy's with its own protocol) survive.
# The IPv4 batch leaves IPv6 routes alone. Negative control: B's batch with the old
# per-table flush leaves A's routes in 20002.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib/netns.sh" || { echo "FAIL: cannot load tests/lib/netns.sh" >&2; exit 1; }
: "${PBRC:?set PBRC to the pbrc binary}"
ns_require
tmp="$(mktemp -d)"
trap 'ns_cleanup; rm -rf "$tmp"' EXIT

policy() {  # policy NAME LINK-BODY: a policy with link wan1 (LINK-BODY empty: no link)
  {
    echo 'options { protocol 250; }'
    [ -n "$2" ] && echo "link wan1 { device eth1; gateway 10.0.1.1; gateway fd00:1::1; $2 }"
    echo 'policy {'
    [ -n "$2" ] && echo '  from 10.98.1.0/24 via wan1;'
    echo '  to 10.99.0.0/16 via main;'
    echo '}'
  } > "$tmp/$1.pbr"
  "$PBRC" compile "$tmp/$1.pbr" -o "$tmp" --emit ip || fail "pbrc compile $1 failed"
}
apply() {  # apply BASE: both batches, as a user would
  in_ns r ip -batch "$tmp/$1.ip" || fail "ip -batch $1.ip failed"
  in_ns r ip -6 -batch "$tmp/$1.ip6" || fail "ip -6 -batch $1.ip6 failed"
}
routes() {  # routes FAMILY TABLE [PROTO]: the table's routes (of one protocol)
  in_ns r ip "-$1" route show table "$2" ${3:+proto "$3"} | grep -v '^$'
}
expect_count() {  # expect_count WHAT WANT FAMILY TABLE [PROTO]
  local what=$1 want=$2 n
  shift 2
  n="$(routes "$@" | wc -l)"
  [ "$n" = "$want" ] || fail "$what: IPv$1 table $2${3:+ proto $3} has $n routes, expected $want: $(routes "$@" | tr '\n' ';')"
  echo "ok: $what (IPv$1 table $2${3:+ proto $3}: $n)"
}

ns_new r
ip -n "$(ns_name r)" link add eth1 type veth peer name peer1
ip -n "$(ns_name r)" link set eth1 up
ip -n "$(ns_name r)" addr add 10.0.1.2/24 dev eth1
ip -n "$(ns_name r)" -6 addr add fd00:1::2/64 dev eth1 nodad
# A route of another protocol in the table A uses, and another policy's routes (protocol 252; 251 is this policy's staging protocol).
in_ns r ip route add 10.50.0.0/16 via 10.0.1.1 dev eth1 table 20002 proto static
in_ns r ip -6 route add 2001:db8:50::/48 via fd00:1::1 dev eth1 table 20002 proto static
in_ns r ip route add 10.60.0.0/16 via 10.0.1.1 dev eth1 table 20002 proto 252
in_ns r ip -6 route add default via fd00:1::1 dev eth1 table 30000 proto 252

policy a 'table 20002; route 10.10.0.0/16 via 10.0.1.254; route 2001:db8:10::/48;'
policy b 'table 20005;'
policy c ''
grep -q 'table all' "$tmp/b.ip" || fail "b.ip has no flush of every table"

apply a
apply a
expect_count "A applied twice" 2 4 20002 250
expect_count "A applied twice" 2 6 20002 250
apply b
for f in 4 6; do
  expect_count "B moved the link away" 0 $f 20002 250
  expect_count "B filled its table" 1 $f 20005 250
  expect_count "hand-added route survives B" 1 $f 20002 static
done
expect_count "another policy's route survives B" 1 4 20002 252
expect_count "another policy's route survives B" 1 6 30000 252
apply c
for f in 4 6; do
  expect_count "C removed the link" 0 $f 20005 250
  expect_count "hand-added route survives C" 1 $f 20002 static
done
expect_count "another policy's route survives C" 1 4 20002 252
[ -z "$(in_ns r ip route show table all proto 250)$(in_ns r ip -6 route show table all proto 250)" ] ||
  fail "C left routes of protocol 250"

# Each batch flushes its own family only: B's IPv4 batch alone leaves A's IPv6 routes.
apply a
in_ns r ip -batch "$tmp/b.ip" || fail "ip -batch b.ip failed"
expect_count "the IPv4 batch moved IPv4" 0 4 20002 250
expect_count "the IPv4 batch left IPv6 alone" 2 6 20002 250

# The batch stages every change under protocol 251 and removes the staging copies at the end.
for fam in 4 6; do
  n="$(in_ns r ip "-$fam" route show table all proto 251 | grep -c .)"
  [ "$n" = 0 ] || fail "IPv$fam: $n routes of the staging protocol 251 are left"
  n="$(in_ns r ip "-$fam" rule show | grep -c " proto 251$")"
  [ "$n" = 0 ] || fail "IPv$fam: $n rules of the staging protocol 251 are left"
done
echo "ok: no rule or route of the staging protocol 251 is left"

# Negative control: the per-table flush pbrc used to write leaves A's routes behind.
sed 's/^route flush root .* table all proto 250$/route flush table 20005 proto 250/' "$tmp/b.ip" > "$tmp/old.ip"
grep -q '^route flush table 20005' "$tmp/old.ip" || fail "control: cannot rewrite the flush line"
apply a
in_ns r ip -batch "$tmp/old.ip" || fail "control: ip -batch old.ip failed"
n="$(routes 4 20002 250 | wc -l)"
[ "$n" = 2 ] || fail "control: the per-table flush left $n routes in 20002, expected A's 2"
echo "ok: control: a per-table flush leaves A's 2 routes in table 20002"
echo "stale tables passed"
