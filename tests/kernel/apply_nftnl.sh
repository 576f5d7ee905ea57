#!/usr/bin/env bash
# `pbrc apply` sends set elements as its own libnftnl netlink batch; the kernel must end with
# exactly what `nft -f` of the compiled artifact gives (`nft list table` compared byte for
# byte with a fresh load in another namespace), for the edge cases of the interval encoding:
# a set starting at address 0, one reaching the last address (no end key), single
# addresses, IPv4 and IPv6; first a load into an empty namespace (table loaded dormant, then
# elements and wake-up in one batch), then an in-place change and back.
# Negative controls: the kernel refusing the batch (an element of a missing set at its end)
# leaves the table exactly as before, both in place and on a first load. A SIGKILL between
# the dormant load and its batch is undone by `pbrc recover`.
. "$(cd "$(dirname "$0")" && pwd)/apply_lib.sh"

edges() {  # edges V4 V6: a policy with set `edge` = V4 + V6 and set `mid`
  sed -e "s|10.20.0.0/24, 10.20.1.0/24, 2001:db8:20::/48|$1, $2|" \
      -e 's|  from 10.30.0.0/16 via wan2;|  to set mid via wan2;|' "$tmp/A.pbr" |
    sed 's|^set office = |set mid = { 10.9.0.0/16, 10.11.0.0/16, 2001:db8:9::/48 };\nset office = |'
}
# One file name for both (rule comments name it; an in-place change keeps the rules).
mkdir "$tmp/E" "$tmp/E2"
edges "0.0.0.0/8, 10.1.0.0/16, 10.3.0.5, 255.255.255.0/24" "::/16, 2001:db8::/32, ffff::/16" > "$tmp/E/edge.pbr"
edges "10.1.0.0/16, 10.3.0.6, 10.4.0.0/24, 255.255.255.255" "2001:db8::/32, 2001:db9::1, fffe::/16" > "$tmp/E2/edge.pbr"
for p in E E2; do
  "$PBRC" compile "$tmp/$p/edge.pbr" -o "$tmp/$p" > /dev/null || fail "compile $p"
  ns_new "ref$p"
  in_ns "ref$p" nft -f "$tmp/$p/edge.nft" || fail "nft -f $p/edge.nft"
  in_ns "ref$p" nft list table inet pbrapply | python3 "$here/../lib/nft_sorted.py" > "$tmp/$p.ref" ||
    fail "list ref $p"
done
grep -q '0.0.0.0/8' "$tmp/E.ref" && grep -q '255.255.255.0/24' "$tmp/E.ref" && grep -q 'ffff::/16' "$tmp/E.ref" ||
  fail "the reference lacks the edge elements"
table() { in_ns r nft list table inet pbrapply 2>&1 | python3 "$here/../lib/nft_sorted.py" > "$1"; }
listing "$tmp/none"

PBRC_FAULT=elements-reject pbrc_run 3 apply --netns "$ns" --state-dir "$st" "$tmp/E/edge.pbr"
has_out "the kernel refused the element batch"
listing "$tmp/now"; same "$tmp/none" "$tmp/now" "a refused first load left something behind"
echo "ok: a refused batch on a first load leaves no table (negative control)"

# Killed between the dormant table and its batch: a dormant table is there (it does nothing),
# and recover removes it.
PBRC_FAULT=nft-dormant pbrc_run 137 apply --netns "$ns" --state-dir "$st" "$tmp/E/edge.pbr"
in_ns r nft list table inet pbrapply 2>&1 | grep -q 'flags dormant' ||
  fail "killed after the dormant load: no dormant table (negative control)"
pbrc_run 0 recover --netns "$ns" --state-dir "$st"
listing "$tmp/now"; same "$tmp/none" "$tmp/now" "recover after a kill between the two steps"
echo "ok: SIGKILL between the dormant load and its batch: recover removes the table"

pbrc_run 0 apply --netns "$ns" --state-dir "$st" "$tmp/E/edge.pbr"
has_out "loaded dormant, then its"
table "$tmp/now"; same "$tmp/E.ref" "$tmp/now" "first load: not the listing of nft -f"
echo "ok: first load equals nft -f"

pbrc_run 0 apply --netns "$ns" --state-dir "$st" "$tmp/E2/edge.pbr"
has_out "updated in place in one netlink batch"
table "$tmp/now"; same "$tmp/E2.ref" "$tmp/now" "in-place change: not the listing of nft -f"
! cmp -s "$tmp/E.ref" "$tmp/E2.ref" || fail "E and E2 list the same (negative control)"
echo "ok: in-place change equals nft -f"

listing "$tmp/before"
PBRC_FAULT=elements-reject pbrc_run 3 apply --netns "$ns" --state-dir "$st" "$tmp/E/edge.pbr"
has_out "the kernel refused the element batch"
listing "$tmp/now"; same "$tmp/before" "$tmp/now" "a refused in-place batch changed something"
echo "ok: a refused in-place batch changes nothing (negative control)"

pbrc_run 0 apply --netns "$ns" --state-dir "$st" "$tmp/E/edge.pbr"
has_out "updated in place in one netlink batch"
table "$tmp/now"; same "$tmp/E.ref" "$tmp/now" "back to E in place: not the listing of nft -f"
timeout 60 "$PBRC" diff --netns "$ns" --state-dir "$st" "$tmp/E/edge.pbr" > "$tmp/plan" 2>&1 ||
  { cat "$tmp/plan" >&2; fail "diff after the in-place change back is not empty"; }
echo "ok: back to E in place equals nft -f; diff is empty"
echo "PASS apply_nftnl"
