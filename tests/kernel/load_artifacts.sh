#!/usr/bin/env bash
# Loads every golden artifact into a throwaway namespace with the real kernel:
#   nft -f NAME.nft twice (the replace works), nft -j -f NAME.nft.json gives the same listing,
#   ip -batch NAME.ip and ip -6 -batch NAME.ip6 twice, and the rules read back are pbrc's.
# nft -c alone would skip the kernel's commit-time checks, so nothing here uses it.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$root/tests/lib/netns.sh" || { echo "FAIL: cannot load tests/lib/netns.sh" >&2; exit 1; }
ns_require

checked=0
for ir in "$root"/tests/golden/*.ir "$root"/tests/golden/examples/*.ir; do
  base="${ir%.ir}"
  name="$(basename "$base")"
  ns_new "k"
  ns="k"
  # One veth per device the policy names, plus a host route to each gateway so that
  # `via GW dev DEV` is valid.
  for dev in $(grep -o ' dev=[^ ]*' "$ir" | cut -d= -f2 | sort -u) \
             $(grep -oE '^(ip-rule .* (iif|oif)=[^ ]*)' "$ir" | grep -oE '(iif|oif)=[^ ]*' | cut -d= -f2 | sort -u); do
    ip -n "$(ns_name $ns)" link show "$dev" >/dev/null 2>&1 && continue
    ip -n "$(ns_name $ns)" link add "$dev" type veth peer name "p$RANDOM" || fail "$name: cannot create $dev"
    ip -n "$(ns_name $ns)" link set "$dev" up
  done
  grep '^route ' "$ir" | grep ' via ' | while read -r _ fam _ _ _ gw _ dev _; do
    [ "$fam" = ip6 ] && f=-6 || f=-4
    ip -n "$(ns_name $ns)" $f route replace "$gw" dev "$dev" || exit 1
  done || fail "$name: cannot add gateway routes"

  in_ns $ns nft -f "$base.nft" || fail "$name.nft does not load"
  in_ns $ns nft -f "$base.nft" || fail "$name.nft does not load a second time (replace)"
  in_ns $ns nft list ruleset > "/tmp/$PBRC_RUN_ID-text" || fail "$name: list ruleset"
  in_ns $ns nft -j -f "$base.nft.json" || fail "$name.nft.json does not load"
  in_ns $ns nft list ruleset > "/tmp/$PBRC_RUN_ID-json" || fail "$name: list ruleset"
  diff -u "/tmp/$PBRC_RUN_ID-text" "/tmp/$PBRC_RUN_ID-json" >&2 || fail "$name: text and JSON rulesets differ"
  rm -f "/tmp/$PBRC_RUN_ID-text" "/tmp/$PBRC_RUN_ID-json"
  tables=$(in_ns $ns nft list tables | wc -l)
  [ "$tables" = 1 ] || fail "$name: expected exactly one table, got $tables"

  proto=$(sed -n 's/.* protocol=\([0-9]*\) .*/\1/p' "$ir" | head -1)
  for fam in 4 6; do
    file="$base.ip"; [ $fam = 6 ] && file="$base.ip6"
    want=$(grep -c "^ip-rule ip$([ $fam = 6 ] && echo 6) " "$ir")
    for round in 1 2; do
      ip -n "$(ns_name $ns)" -$fam -batch "$file" || fail "$name: ip -$fam -batch fails (round $round)"
      got=$(ip -n "$(ns_name $ns)" -$fam rule show | grep -c " proto $proto *$")
      [ "$got" = "$want" ] || fail "$name: IPv$fam has $got rules of protocol $proto after round $round, IR says $want"
    done
  done
  ns_cleanup
  checked=$((checked + 1))
  echo "ok $name"
done
[ "$checked" -ge 9 ] || fail "only $checked golden policies found"
echo "loaded $checked policies"
