#!/usr/bin/env bash
# `classify maps;` through diff and apply: the maps are compared element by element (as the
# kernel lists them, counter values left out), so a policy change that only moves map
# elements is a planned change that apply carries out, and the same policy again plans
# nothing. Negative control: the changed policy must show a map change before it is applied.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib/netns.sh" || { echo "FAIL: cannot load tests/lib/netns.sh" >&2; exit 1; }
: "${PBRC:?set PBRC to the pbrc binary}"
ns_require
tmp="$(mktemp -d)"
trap 'ns_cleanup; rm -rf "$tmp"' EXIT

ns_new r
ns="$(ns_name r)"
for d in a0 b0; do
  ip -n "$ns" link add "$d" type veth peer name "p$d" || fail "cannot create $d"
  ip -n "$ns" link set "$d" up
done
ip -n "$ns" addr add 192.0.2.2/24 dev a0
ip -n "$ns" addr add 198.51.100.2/24 dev b0
ip -n "$ns" -6 addr add 2001:db8::2/64 dev a0 nodad

one="$here/../golden/maps.pbr"
sed 's|to !10.0.0.0/8 via b|to !11.0.0.0/8 via b|' "$one" > "$tmp/two.pbr"
cmp -s "$one" "$tmp/two.pbr" && fail "the changed policy is the same"

timeout 60 "$PBRC" apply -q --netns "$ns" --state-dir "$tmp/st" "$one" 2>/dev/null ||
  fail "apply of maps.pbr failed"
timeout 60 "$PBRC" diff --netns "$ns" "$one" > "$tmp/same" 2>/dev/null
grep -q '^plan: 0 to add, 0 to change, 0 to remove' "$tmp/same" ||
  { cat "$tmp/same" >&2; fail "the applied policy plans changes against itself"; }
echo "ok: the applied maps plan nothing"

timeout 60 "$PBRC" diff --netns "$ns" "$tmp/two.pbr" > "$tmp/plan" 2>/dev/null
grep -q '~ map classify_m' "$tmp/plan" || { cat "$tmp/plan" >&2; fail "a moved map element is not planned"; }
echo "ok: the changed policy plans a map change"
in_ns r nft list table inet pbr | grep -q '12\.0\.0\.0' && fail "12.0.0.0 is already in the maps"

timeout 60 "$PBRC" apply -q --netns "$ns" --state-dir "$tmp/st" "$tmp/two.pbr" 2>/dev/null ||
  fail "apply of the changed policy failed"
in_ns r nft list table inet pbr | grep -q '12\.0\.0\.0-192\.167\.255\.255' ||
  fail "the changed region is not in the kernel's maps"
timeout 60 "$PBRC" diff --netns "$ns" "$tmp/two.pbr" > "$tmp/after" 2>/dev/null
grep -q '^plan: 0 to add, 0 to change, 0 to remove' "$tmp/after" ||
  { cat "$tmp/after" >&2; fail "after apply the changed policy still plans changes"; }
echo "ok: apply moved the map elements; the kernel now matches the policy"
