#!/usr/bin/env bash
# `pbrc diff POLICY --netns NAME` against a real kernel. Policy A is applied with its
# artifacts inside a throwaway namespace; then:
#   - `diff A` finds nothing (the kernel lists pbrc's ruleset differently from how pbrc
#     wrote it; both sides are compared in the kernel's words) and exits 0;
#   - `diff B` lists the differences (sets, rules, ip rules, routes, sysctls) and exits 2;
#   - hand tampering (an element added, an ip rule deleted, a route changed, a rule inserted;
#     IPv4 and IPv6 for elements, ip rules and routes), as drift when the policy last applied is named (--applied)
#     shows up, and re-applying A makes the plan empty again;
#   - a foreign table and foreign ip rules and routes (IPv4, IPv6) are never listed as pbrc's
#     objects; an ip rule in pbrc's preference band is a warning;
#   - a pbrc rule edited by hand (its comment, with the rule id, kept) is a change of that id;
#   - a namespace that does not exist is a system failure (exit 3).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib/netns.sh" || { echo "FAIL: cannot load tests/lib/netns.sh" >&2; exit 1; }
: "${PBRC:?set PBRC to the pbrc binary}"
ns_require
tmp="$(mktemp -d)"
trap 'ns_cleanup; rm -rf "$tmp"' EXIT

cat > "$tmp/A.pbr" <<'POLICY'
options {
  nft table pbrdiff;
  mark mask 0xf;
  preference 400-419;
  table ids 4000-4099;
  protocol 251;
  counters on; classify linear;
}

set office = { 10.20.0.0/24, 10.20.1.0/24, 2001:db8:20::/48 };
set dst = { 198.51.100.0/24, 2001:db8:99::/48 };

link wan1 {
  device eth1;
  gateway 10.0.1.1;
  gateway 2001:db8:1::1;
  address 10.0.1.2;
}

link wan2 {
  device eth2;
  gateway 10.0.2.1;
  gateway 2001:db8:2::1;
}

policy {
  from set office to set dst via wan1;
  to 10.30.0.0/16 via wan2;
  proto udp dport 53 via wan2;
}
POLICY
# B: one office prefix less, one IPv6 prefix more, the UDP rule moves to wan1, a new
# selector rule, wan2's IPv4 gateway changes, strict rp_filter on eth1.
sed -e 's|10.20.0.0/24, 10.20.1.0/24, 2001:db8:20::/48|10.20.0.0/24, 2001:db8:20::/48, 2001:db8:21::/48|' \
    -e 's|proto udp dport 53 via wan2;|proto udp dport 53 via wan1;\n  to 10.40.0.0/16 via wan1;|' \
    -e 's|gateway 10.0.2.1;|gateway 10.0.2.9;|' \
    -e 's|  address 10.0.1.2;|  address 10.0.1.2;\n  rp_filter strict;|' "$tmp/A.pbr" > "$tmp/B.pbr"
"$PBRC" compile "$tmp/A.pbr" -o "$tmp" || fail "pbrc compile A failed"
"$PBRC" check "$tmp/B.pbr" || fail "policy B has errors"

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

apply_a() {
  in_ns r nft -f "$tmp/A.nft" || fail "nft -f A.nft"
  in_ns r ip -batch "$tmp/A.ip" || fail "ip -batch A.ip"
  in_ns r ip -6 -batch "$tmp/A.ip6" || fail "ip -6 -batch A.ip6"
  in_ns r sysctl -q -p "$tmp/A.sysctl.conf" >/dev/null || fail "sysctl -p A.sysctl.conf"
}

# plan WANT_RC ARGS...: runs pbrc diff in the namespace (bounded), output in $tmp/plan.
plan() {
  local want="$1"; shift
  timeout 60 "$PBRC" diff --netns "$ns" "$@" > "$tmp/plan" 2> "$tmp/plan.err"
  local rc=$?
  [ "$rc" = "$want" ] || { cat "$tmp/plan" "$tmp/plan.err" >&2; fail "pbrc diff $*: exit $rc, expected $want"; }
}
has() { grep -qF -- "$1" "$tmp/plan" || { cat "$tmp/plan" >&2; fail "plan lacks: $1"; }; }
lacks() { ! grep -qF -- "$1" "$tmp/plan" || { cat "$tmp/plan" >&2; fail "plan has: $1"; }; }
summary() {
  [ "$(tail -n1 "$tmp/plan")" = "$1" ] || { cat "$tmp/plan" >&2; fail "summary is not '$1'"; }
}

# Before anything is applied: everything is to add.
plan 2 "$tmp/A.pbr"
has "+ table inet pbrdiff"
has "+ ip-rule ip pref 400 suppress_prefixlength 0"
echo "ok: nothing applied, everything to add"

apply_a
plan 0 "$tmp/A.pbr"
summary "plan: 0 to add, 0 to change, 0 to remove"
# ...although the kernel lists pbrc's rules differently from how pbrc wrote them: the
# empty plan above is not a text comparison.
grep -q 'meta mark set meta mark & 0xfffffff0 | 0x00000001' "$tmp/A.nft" || fail "A.nft: mark statement"
in_ns r nft list table inet pbrdiff > "$tmp/listed.nft"
grep -q 'meta mark set meta mark & 0xfffffff1 | 0x00000001' "$tmp/listed.nft" ||
  fail "the kernel lists the mark statement as pbrc wrote it; this test no longer shows normalization"
echo "ok: policy A applied, diff A is empty (the kernel's listing differs from A.nft)"

plan 2 "$tmp/B.pbr"
# Exactly these objects differ. Rules are identified by the policy rule id pbrc writes first
# in their comment ("rule 2 ..."): the UDP rule (rule 2) changed its link, rule 3 is new
# (its reply and its "stop" twin in classify_stateless); rule 2's stop twin differs only in
# its comment, so it is no change.
cat > "$tmp/want" <<'WANT'
  ~ set office_v4 ip: 0 added, 1 removed
  ~ set office_v6 ip6: 1 added, 0 removed
  ~ rule classify rule 2  (rule 2 B.pbr:30 -> wan1)
  + rule classify rule 3  (rule 3 B.pbr:31 -> wan1)
  ~ rule classify_stateless rule 2  (rule 2 B.pbr:30 reply -> wan1)
  + rule classify_stateless rule 3  (rule 3 B.pbr:31 reply -> wan1)
  + rule classify_stateless rule 3 #2  (rule 3 B.pbr:31 reply -> wan1 on another device: stop)
  ~ rule classify_stateless_forward rule 2  (rule 2 B.pbr:30 -> wan1)
  + rule classify_stateless_forward rule 3  (rule 3 B.pbr:31 -> wan1)
  - ip-rule ip pref 403 from 10.0.1.2
  + ip-rule ip pref 403 to 10.40.0.0/16  (B.pbr:31)
  + ip-rule ip pref 404 from 10.0.1.2  (B.pbr:13)
  ~ route ip table 4001 default  (B.pbr:21)
  ~ sysctl net.ipv4.conf.eth1.rp_filter
WANT
grep -E '^  [-+~] ' "$tmp/plan" > "$tmp/got"
diff -u "$tmp/want" "$tmp/got" >&2 || fail "diff B does not list exactly the differences"
summary "plan: 6 to add, 7 to change, 1 to remove"
has "- 10.20.1.0/24"
has "+ 2001:db8:21::/48"
has "+ via 10.0.2.9 dev eth2 proto 251"
# Rules as the kernel lists them, in nft words, not JSON.
has "udp dport 53 counter meta mark set meta mark & 0xfffffff1 | 0x00000001 ct mark set"
lacks '{"match"'
echo "ok: diff B lists the differences"
[ -n "${DIFF_LIVE_KEEP:-}" ] && cp "$tmp/plan" "$DIFF_LIVE_KEEP/planB"
"$PBRC" diff --format json --netns "$ns" "$tmp/B.pbr" > "$tmp/plan.json"
grep -q '"schema": "pbrc-plan/1"' "$tmp/plan.json" || fail "json plan has no schema"

# Hand tampering inside pbrc's objects, IPv4 and IPv6.
in_ns r nft add element inet pbrdiff dst_v4 '{ 192.0.2.77 }' || fail "tamper: add element"
in_ns r nft add element inet pbrdiff dst_v6 '{ 2001:db8:77::/64 }' || fail "tamper: add element v6"
pref="$(in_ns r ip rule show | sed -n 's/^\([0-9]*\):.*to 10.30.0.0\/16.*/\1/p')"
[ -n "$pref" ] || fail "no ip rule for 10.30.0.0/16 applied"
in_ns r ip rule del pref "$pref" to 10.30.0.0/16 || fail "tamper: ip rule del"
in_ns r ip -6 rule del pref 401 fwmark 0x1/0xf || fail "tamper: ip -6 rule del"
in_ns r ip route replace default via 10.0.1.99 dev eth1 table 4000 proto 251 || fail "tamper: route"
in_ns r ip -6 route replace default via 2001:db8:2::99 dev eth2 table 4001 proto 251 || fail "tamper: route v6"
in_ns r nft insert rule inet pbrdiff classify ip saddr 10.66.0.0/16 meta mark set 0x1 ||
  fail "tamper: rule inserted"
plan 2 "$tmp/A.pbr"
has "~ set dst_v4 ip: 0 added, 1 removed"
has "- 192.0.2.77"
has "- 2001:db8:77::/64"
has "+ ip-rule ip pref $pref to 10.30.0.0/16"
has "+ ip-rule ip6 pref 401 fwmark 0x1/0xf"
has "- via 10.0.1.99 dev eth1 proto 251"
has "- via 2001:db8:2::99 dev eth2 proto 251"
has "- rule classify #1 (kernel)"
has "- ip saddr 10.66.0.0/16 meta mark set 0x00000001"
summary "plan: 2 to add, 4 to change, 1 to remove"
echo "ok: tampering shows: an element (v4, v6), a deleted ip rule (v4, v6), changed routes (v4, v6), an inserted rule"
# With the policy last applied named, the hand edits are drift: all of them against A,
# and against B exactly the same six, not B's own changes.
plan 2 --applied "$tmp/A.pbr" "$tmp/A.pbr"
has "drift: 7 of these undo changes made by hand"
[ "$(grep -c '^  [-+~] .* (drift)' "$tmp/plan")" = 7 ] || { cat "$tmp/plan" >&2; fail "drift against A"; }
plan 2 --applied "$tmp/A.pbr" "$tmp/B.pbr"
grep '^  [-+~] .* (drift)' "$tmp/plan" | sed 's/  (B.pbr:[0-9]*)$//' > "$tmp/got"
cat > "$tmp/want" <<'WANT'
  ~ set dst_v4 ip: 0 added, 1 removed (drift)
  ~ set dst_v6 ip6: 0 added, 1 removed (drift)
  - rule classify #1 (kernel) (drift)
  + ip-rule ip pref 402 to 10.30.0.0/16 (drift)
  + ip-rule ip6 pref 401 fwmark 0x1/0xf (drift)
  ~ route ip table 4000 default (drift)
  ~ route ip6 table 4001 default (drift)
WANT
diff -u "$tmp/want" "$tmp/got" >&2 || fail "drift against B is not exactly the hand edits"
"$PBRC" diff --format json --applied "$tmp/A.pbr" --netns "$ns" "$tmp/B.pbr" > "$tmp/plan.json"
[ "$(grep -c '"drift": true' "$tmp/plan.json")" = 7 ] || fail "json: drift is not 7 changes"
echo "ok: with --applied A, the hand edits (and only they) are drift, against A and against B"

# Foreign objects: another table, rules without pbrc's protocol (one inside its band).
in_ns r nft add table inet foreign || fail "foreign table"
in_ns r nft add set inet foreign office_v4 '{ type ipv4_addr; flags interval; }' || fail "foreign set"
in_ns r nft add chain inet foreign pre '{ type filter hook prerouting priority 0; }' || fail "foreign chain"
in_ns r nft add rule inet foreign pre ip saddr 10.1.1.1 meta mark set 0x100 || fail "foreign mark writer"
in_ns r nft add rule inet foreign pre ip saddr 10.1.1.2 meta mark set meta mark or 0x100 ||
  fail "foreign mark writer outside the mask"
in_ns r ip rule add pref 405 from 10.77.0.0/16 lookup main || fail "foreign ip rule in band"
in_ns r ip rule add pref 9000 from 10.78.0.0/16 lookup main || fail "foreign ip rule"
in_ns r ip route add 10.79.0.0/16 via 10.0.1.1 table 4000 || fail "foreign route"
in_ns r ip -6 rule add pref 406 from 2001:db8:77::/48 lookup main || fail "foreign ip -6 rule in band"
in_ns r ip -6 rule add pref 9001 from 2001:db8:78::/48 lookup main || fail "foreign ip -6 rule"
in_ns r ip -6 route add 2001:db8:79::/48 via 2001:db8:1::1 table 4000 || fail "foreign route v6"
apply_a
plan 0 "$tmp/A.pbr"
summary "plan: 0 to add, 0 to change, 0 to remove"
lacks "- table inet foreign"
lacks "- set"
lacks "10.78.0.0"
lacks "2001:db8:78:"
lacks "- ip-rule"
lacks "- route"
has "ip rule 'ip pref 405 from 10.77.0.0/16'"
has "ip rule 'ip6 pref 406 from 2001:db8:77::/48'"
has "route 'ip table 4000 10.79.0.0/16'"
has "route 'ip6 table 4000 2001:db8:79::/48'"
has "table inet foreign, chain pre: a rule writes mark bits 0xf of pbrc's mask 0xf"
[ "$(grep -c 'writes mark bits' "$tmp/plan")" = 1 ] || { cat "$tmp/plan" >&2; fail "the rule writing only bit 0x100 was warned about"; }
echo "ok: foreign table, rules and routes (IPv4, IPv6) are not pbrc's; the band rules, the routes in pbrc's table and the rule writing pbrc's mark bits are warnings"

# Identity by rule id: rule 1 replaced by hand with its comment kept is a change of rule 1,
# found by its id wherever it is; the rules around it are untouched.
listing="$(in_ns r nft -a list chain inet pbrdiff classify)"
h="$(sed -n 's/.*comment "rule 1 .*# handle \([0-9]*\)$/\1/p' <<<"$listing")"
c="$(sed -n 's/.*comment "\(rule 1 [^"]*\)".*/\1/p' <<<"$listing")"
[ -n "$h" ] && [ -n "$c" ] || fail "no classify rule with the comment 'rule 1 ...'"
in_ns r nft replace rule inet pbrdiff classify handle "$h" ip saddr 10.31.0.0/16 \
  meta mark set 0x2 comment "\"$c\"" || fail "tamper: replace rule 1"
plan 2 "$tmp/A.pbr"
grep -E '^  [-+~] ' "$tmp/plan" > "$tmp/got"
echo "  ~ rule classify rule 1  ($c)" > "$tmp/want"
diff -u "$tmp/want" "$tmp/got" >&2 || fail "a pbrc rule edited by hand is not one change of its id"
has "- ip saddr 10.31.0.0/16 meta mark set 0x00000002"
apply_a
plan 0 "$tmp/A.pbr"
echo "ok: a rule edited by hand, its comment kept, is a change of its rule id"

# Negative control: the same check against B must not pass.
if timeout 60 "$PBRC" diff --netns "$ns" "$tmp/B.pbr" >/dev/null 2>&1; then
  fail "control: diff B exited 0"
fi
echo "ok: control: diff B still exits non-zero"

timeout 30 "$PBRC" diff --netns "${PBRC_RUN_ID}-nosuch" "$tmp/A.pbr" > "$tmp/plan" 2> "$tmp/plan.err"
[ $? = 3 ] || fail "missing namespace: expected exit 3"
grep -q "nosuch" "$tmp/plan.err" || fail "missing namespace: message does not name it"
echo "ok: a missing namespace is exit 3 with its name"
[ -n "${DIFF_LIVE_KEEP:-}" ] && cp "$tmp"/plan* "$DIFF_LIVE_KEEP"/
echo "diff live passed"
