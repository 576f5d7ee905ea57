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

# Rule handles of the table: a replaced table gets new ones.
handles() { in_ns r nft -a list table inet pbr | grep -E 'handle [0-9]+$' | grep -v elements > "$1"; }
handles "$tmp/h1"
timeout 60 "$PBRC" apply --netns "$ns" --state-dir "$tmp/st" "$tmp/two.pbr" > "$tmp/out" 2>&1 ||
  { cat "$tmp/out" >&2; fail "apply of the changed policy failed"; }
grep -qE '^nft: 0 sets and [0-9]+ maps updated in place in one netlink batch' "$tmp/out" ||
  { cat "$tmp/out" >&2; fail "a map element change was not updated in place"; }
handles "$tmp/h2"
cmp -s "$tmp/h1" "$tmp/h2" || fail "the in-place map update replaced rules"
echo "ok: the moved map elements were updated in place (rule handles kept)"
in_ns r nft list table inet pbr | grep -q '12\.0\.0\.0-192\.167\.255\.255' ||
  fail "the changed region is not in the kernel's maps"
timeout 60 "$PBRC" diff --netns "$ns" "$tmp/two.pbr" > "$tmp/after" 2>/dev/null
grep -q '^plan: 0 to add, 0 to change, 0 to remove' "$tmp/after" ||
  { cat "$tmp/after" >&2; fail "after apply the changed policy still plans changes"; }
echo "ok: apply moved the map elements; the kernel now matches the policy"

# The kernel holds exactly what a fresh load of the changed policy gives: every map element
# with its comment, verdict and its own counter (the map's `counter` given by the kernel).
"$PBRC" compile "$tmp/two.pbr" -o "$tmp/c" > /dev/null || fail "compile of the changed policy"
ns_new f
in_ns f nft -f "$tmp/c/two.nft" || fail "a fresh load of the changed policy failed"
maps_of() {  # the maps' elements, counter values zeroed, sorted
  in_ns "$1" nft -j list table inet pbr | python3 -c '
import json, sys
for item in json.load(sys.stdin)["nftables"]:
    m = item.get("map")
    if not m: continue
    for e in m.get("elem", []):
        el = e[0].get("elem") if isinstance(e[0], dict) else None
        if el is not None and "counter" in el: el["counter"] = "present"
        print(m["name"], json.dumps(e, sort_keys=True))' | sort
}
maps_of r > "$tmp/applied"; maps_of f > "$tmp/fresh"
[ -s "$tmp/fresh" ] || fail "the fresh load lists no map element"
grep -q '"counter": "present"' "$tmp/fresh" || fail "the fresh load's elements have no counter"
diff -u "$tmp/fresh" "$tmp/applied" >&2 || fail "the maps updated in place differ from a fresh load"
echo "ok: the maps updated in place list exactly as a fresh load (comments, verdicts, counters)"

# And back: the first policy again, in place, gives its own maps back.
timeout 60 "$PBRC" apply --netns "$ns" --state-dir "$tmp/st" "$one" > "$tmp/out" 2>&1 ||
  { cat "$tmp/out" >&2; fail "apply back to maps.pbr failed"; }
grep -q 'maps updated in place' "$tmp/out" || { cat "$tmp/out" >&2; fail "the way back replaced the table"; }
timeout 60 "$PBRC" diff --netns "$ns" "$one" > "$tmp/back" 2>/dev/null
grep -q '^plan: 0 to add, 0 to change, 0 to remove' "$tmp/back" ||
  { cat "$tmp/back" >&2; fail "after the way back maps.pbr still plans changes"; }
echo "ok: the way back is in place too and plans nothing after"

# `counters off;` changes the maps' declaration, not only elements: the kernel would give
# elements added in place the map's old `counter`, so the table is replaced, and the maps
# then count nothing.
sed 's/counters on;/counters off;/' "$one" > "$tmp/nocount.pbr"
cmp -s "$one" "$tmp/nocount.pbr" && fail "could not derive the policy without counters"
timeout 60 "$PBRC" apply --netns "$ns" --state-dir "$tmp/st" "$tmp/nocount.pbr" > "$tmp/out" 2>&1 ||
  { cat "$tmp/out" >&2; fail "apply without counters failed"; }
grep -q 'replaced in one transaction' "$tmp/out" ||
  { cat "$tmp/out" >&2; fail "turning counters off did not replace the table"; }
in_ns r nft list table inet pbr | grep -A3 '^\tmap ' | grep -q '^\t\tcounter$' &&
  fail "a map still counts after counters off"
timeout 60 "$PBRC" diff --netns "$ns" "$tmp/nocount.pbr" > "$tmp/nc" 2>/dev/null
grep -q '^plan: 0 to add, 0 to change, 0 to remove' "$tmp/nc" ||
  { cat "$tmp/nc" >&2; fail "after counters off the policy still plans changes"; }
echo "ok: counters off replaces the table; its maps count nothing"

# A set too big for a map (its rule stays linear) next to mapped rules: the plan's private
# listing loads sets trimmed to one placeholder element, and must still plan the maps and
# the linear rule the policy has (planned on the whole sets), so the applied policy plans
# nothing and a change of the big list is an element change only.
big="$tmp/big.txt"
awk 'BEGIN { for (i = 0; i < 10000; i += 2) printf "10.%d.%d.0/24\n", 100 + int(i / 256), i % 256 }' > "$big"  # not adjacent: 5000 intervals
cat > "$tmp/big.pbr" <<POLICY
options { classify maps; }
set lan = { 192.168.0.0/16 };
set many = { file "$big" };
link a { device a0; gateway 192.0.2.1; }
link b { device b0; gateway 198.51.100.1; }
policy {
  to set lan via main;
  to set many via a;
  from 192.168.1.0/24 via b;
}
POLICY
"$PBRC" compile --emit ir "$tmp/big.pbr" -o "$tmp/bigc" > /dev/null || fail "compile big.pbr"
grep -q 'rules=1 linear: needs more than' "$tmp/bigc/big.ir" ||
  { cat "$tmp/bigc/big.ir" >&2; fail "the big set's rule is not linear (the test needs it)"; }
timeout 120 "$PBRC" apply -q --netns "$ns" --state-dir "$tmp/st2" "$tmp/big.pbr" 2>/dev/null ||
  fail "apply of big.pbr failed"
timeout 120 "$PBRC" diff --netns "$ns" "$tmp/big.pbr" > "$tmp/bigsame" 2>/dev/null
grep -q '^plan: 0 to add, 0 to change, 0 to remove' "$tmp/bigsame" ||
  { cat "$tmp/bigsame" >&2; fail "a policy with a set too big for a map plans changes against itself"; }
sed -i '$d' "$big"; echo 10.250.0.0/24 >> "$big"
timeout 120 "$PBRC" apply --netns "$ns" --state-dir "$tmp/st2" "$tmp/big.pbr" > "$tmp/out" 2>&1 ||
  { cat "$tmp/out" >&2; fail "apply of the changed big list failed"; }
grep -q 'sets updated in place' "$tmp/out" || { cat "$tmp/out" >&2; fail "a big list change replaced the table"; }
echo "ok: a set too big for a map: planned from the whole sets, its change is in place"
