#!/usr/bin/env bash
# The nftables generation id fast path of `pbrc apply` (docs/architecture.md, "Trusting the
# generation id"): when nothing committed an nft change since the last apply, the plan and the
# element changes come from the recorded generation and the table is not listed; otherwise
# the table is listed. Every result is compared byte for byte with a fresh `nft -f` of the
# compiled artifact in another namespace.
# Negative controls: an element added by hand to pbrc's set survives only if the fast path is
# wrongly taken (the result would then differ from the reference); a commit injected between
# the plan and the batch must make the kernel refuse the batch (the retry says so).
. "$(cd "$(dirname "$0")" && pwd)/apply_lib.sh"

# X1 and X2 differ only in the elements of `office`; one file name for both (rule comments
# name it, an in-place change keeps the rules).
mkdir "$tmp/X1" "$tmp/X2"
sed 's|10.20.0.0/24, 10.20.1.0/24, 2001:db8:20::/48|10.20.0.0/24, 10.20.1.0/24, 10.21.0.0/16, 2001:db8:20::/48|' \
  "$tmp/A.pbr" > "$tmp/X1/x.pbr"
sed 's|10.20.0.0/24, 10.20.1.0/24, 2001:db8:20::/48|10.20.0.0/24, 10.22.0.0/16, 2001:db8:20::/48, 2001:db8:22::/48|' \
  "$tmp/A.pbr" > "$tmp/X2/x.pbr"
for p in X1 X2; do
  "$PBRC" compile "$tmp/$p/x.pbr" -o "$tmp/$p" > /dev/null || fail "compile $p"
  ns_new "ref$p"
  in_ns "ref$p" nft -f "$tmp/$p/x.nft" || fail "nft -f $p/x.nft"
  in_ns "ref$p" nft list table inet pbrapply | python3 "$here/../lib/nft_sorted.py" > "$tmp/$p.ref" ||
    fail "list ref $p"
done
! cmp -s "$tmp/X1.ref" "$tmp/X2.ref" || fail "X1 and X2 list the same (negative control)"
table() { in_ns r nft list table inet pbrapply 2>&1 | python3 "$here/../lib/nft_sorted.py" > "$1"; }
fast="without listing the table"
apply_to() {  # apply_to P: apply P, its table must equal a fresh load of P
  pbrc_run 0 apply --netns "$ns" --state-dir "$st" "$tmp/$1/x.pbr"
  table "$tmp/now"; same "$tmp/$1.ref" "$tmp/now" "after applying $1: not the listing of nft -f"
}
slow_path() { grep -qF "$fast" "$tmp/out" && { cat "$tmp/out" >&2; fail "$1: the fast path was taken"; }; has_out "listing the table"; }

apply_to X1
apply_to X2; has_out "$fast"; has_out "updated in place in one netlink batch"
has_out "planning from its record"
apply_to X1; has_out "$fast"
echo "ok: nothing committed in between: the fast path, exact"

in_ns r nft add table inet pbrc_other || fail "foreign table"
apply_to X2; slow_path "after a foreign table"
apply_to X1; has_out "$fast"
in_ns r nft delete table inet pbrc_other || fail "delete the foreign table"
echo "ok: (a) a foreign table moved the genid: the table was listed, exact; then fast again"

in_ns r nft add element inet pbrapply office_v4 '{ 10.99.0.0/16 }' || fail "hand element"
apply_to X2; slow_path "after an element added by hand"
echo "ok: (b) an element added by hand to pbrc's set: listed and removed, exact"

gen="$(readlink "$st/pbrapply/current")"
[ -s "$st/pbrapply/$gen/nft-genid" ] || fail "no generation id recorded for $gen"
echo 'pbrc-nft-genid/1 x!' > "$st/pbrapply/$gen/nft-genid"
apply_to X1; slow_path "after a corrupt record"
rm "$st/pbrapply/$(readlink "$st/pbrapply/current")/nft-genid"
apply_to X2; slow_path "after a missing record"
echo "ok: (c) a corrupt or missing record: listed, exact"

# A record made by another pbrc binary (an upgrade): its sources might compile into another
# table, so the first apply of the new binary lists; the copy then records its own id.
apply_to X1
cp "$PBRC" "$tmp/pbrc-other"
PBRC_SAVED="$PBRC"; PBRC="$tmp/pbrc-other"
apply_to X2; slow_path "after another pbrc binary made the record"
apply_to X1; has_out "$fast"
PBRC="$PBRC_SAVED"
apply_to X2; slow_path "back to the first binary"
echo "ok: (c2) a record of another pbrc binary: listed, exact; then fast for the new one"

# The nft-state record (the last generation's plan state) damaged or missing: the id still
# proves the table, which is then compiled again from the recorded sources.
gen="$(readlink "$st/pbrapply/current")"
[ -s "$st/pbrapply/$gen/nft-state" ] || fail "no nft-state record for $gen"
printf x >> "$st/pbrapply/$gen/nft-state"
apply_to X1; has_out "$fast"; has_out "compiling it again"
grep -qF "planning from its record" "$tmp/out" && fail "a damaged nft-state record was used"
rm "$st/pbrapply/$(readlink "$st/pbrapply/current")/nft-state"
apply_to X2; has_out "$fast"; has_out "compiling it again"
echo "ok: (d) a damaged or missing nft-state record: compiled again, exact"

# A failure after a fast-path change restores the recorded generation's table exactly.
apply_to X1
listing "$tmp/before"
PBRC_FAULT=ip6 pbrc_run 137 apply --netns "$ns" --state-dir "$st" "$tmp/X2/x.pbr"
has_out "$fast"
pbrc_run 0 recover --netns "$ns" --state-dir "$st"
listing "$tmp/now"; same "$tmp/before" "$tmp/now" "recover after a killed fast-path apply"
# The restore committed: listed once more, nothing to change, and that listing is recorded.
pbrc_run 0 apply --netns "$ns" --state-dir "$st" "$tmp/X1/x.pbr"
slow_path "after a recover"; has_out "nothing to change"
PBRC_FAULT=elements-reject pbrc_run 3 apply --netns "$ns" --state-dir "$st" "$tmp/X2/x.pbr"
has_out "$fast"; has_out "the kernel refused the element batch"
listing "$tmp/now"; same "$tmp/before" "$tmp/now" "a refused fast-path batch changed something"
echo "ok: a killed or refused fast-path apply returns exactly to the state before"

apply_to X1; has_out "nothing to change"
apply_to X2; has_out "$fast"
pbrc_run 0 rollback --netns "$ns" --state-dir "$st"
listing "$tmp/now"; same "$tmp/before" "$tmp/now" "rollback after a fast-path apply"
echo "ok: rollback after a fast-path apply restores exactly"

# Another program commits between the plan and the batch: the kernel refuses the batch
# (its generation id moved), nothing changed, and apply plans again from a listing.
apply_to X1; has_out "$fast"
PBRC_FAULT=genid-race pbrc_run 0 apply --netns "$ns" --state-dir "$st" "$tmp/X2/x.pbr"
has_out "$fast"; has_out "another program changed nftables since the plan"
table "$tmp/now"; same "$tmp/X2.ref" "$tmp/now" "after a refused batch and the retry"
in_ns r nft list table inet pbrc_fault_race > /dev/null || fail "the concurrent commit was lost"
echo "ok: a commit between the plan and the batch: refused, retried from a listing, exact"
# Only set elements changed above, so the ip batches were skipped; routes removed by hand are
# a plan change, and the batches run again (negative control for that skip).
has_out "ip: rules, routes and sysctls already as the policy wants them"
in_ns r nft delete table inet pbrc_fault_race || fail "delete the race table"
listing "$tmp/x2"
in_ns r ip route flush table all proto 251 || fail "flush pbrc's routes"
listing "$tmp/now"; ! cmp -s "$tmp/x2" "$tmp/now" || fail "the flush removed nothing (negative control)"
pbrc_run 0 apply --netns "$ns" --state-dir "$st" "$tmp/X2/x.pbr"
has_out "ip: rules and routes of both families"
listing "$tmp/now"; same "$tmp/x2" "$tmp/now" "routes removed by hand were not put back"
echo "ok: ip batches skipped when only elements change, run when the kernel's routes differ"
echo "PASS apply_genid"
