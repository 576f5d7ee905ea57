#!/usr/bin/env bash
# Scenario 8: re-applying the same artifacts changes nothing and drops no packet; a changed
# policy replaces the old one in one step; a ruleset with a broken element is rejected by the
# kernel as a whole and leaves the previous state routing as before.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
base="$(e2e_compile "$repo/examples/seed.pbr")"
e2e_apply "$base"
in_ns rtr nft list ruleset > "$E2E_TMP/before"
ip -n "$(ns_name rtr)" rule > "$E2E_TMP/rules-before"

# A steady ping through the steered path while the artifacts are applied ten times.
reset_counters
ip netns exec "$(ns_name cli)" timeout 20 ping -q -c 60 -i 0.05 -W 1 -I 223.5.5.5 114.114.114.114 >"$E2E_TMP/ping" &
pid=$!
for i in $(seq 10); do e2e_apply "$base"; sleep 0.1; done
wait $pid || fail "packets were lost while re-applying: $(grep loss "$E2E_TMP/ping")"
grep -q ' 0% packet loss' "$E2E_TMP/ping" || fail "re-apply lost packets: $(grep loss "$E2E_TMP/ping")"
[ "$(isp_counter isp1 echo)" = 60 ] || fail "isp1 counted $(isp_counter isp1 echo) of 60 echo requests during re-apply"
echo "ok: 10 re-applies under traffic: 60/60 replies, all via isp1"
in_ns rtr nft list ruleset | diff -u "$E2E_TMP/before" - >&2 || fail "re-applying changed the ruleset"
ip -n "$(ns_name rtr)" rule | diff -u "$E2E_TMP/rules-before" - >&2 || fail "re-applying changed the ip rules"
echo "ok: re-applying leaves the ruleset and the ip rules identical"

# A changed policy: A->B now via eth2.
sed 's/from set A to set B via eth1;/from set A to set B via eth2;/' "$repo/examples/seed.pbr" > "$E2E_TMP/changed.pbr"
grep -q 'via eth2;' "$E2E_TMP/changed.pbr" || fail "could not derive the changed policy"
changed="$(e2e_compile "$E2E_TMP/changed.pbr")"
e2e_apply "$changed"
in_ns rtr conntrack -F >/dev/null 2>&1
expect_flow cli udp isp2 "changed policy: A->B now via eth2" --from 223.5.5.5 --to 114.114.114.114
[ "$(in_ns rtr nft list tables | wc -l)" = 1 ] || fail "more than one table after the change"

# A broken element: an overlapping interval in a set (what auto-merge would hide). The kernel
# rejects the whole transaction; nothing of the old state may change.
in_ns rtr nft list ruleset > "$E2E_TMP/good"
sed 's/^\(\t\t\t\)114.114.114.114$/\1114.114.114.114, 114.114.114.0\/24/' "$changed.nft" > "$E2E_TMP/broken.nft"
cmp -s "$changed.nft" "$E2E_TMP/broken.nft" && fail "could not break the ruleset"
if in_ns rtr nft -f "$E2E_TMP/broken.nft" 2>"$E2E_TMP/err"; then fail "the broken ruleset loaded"; fi
echo "ok: the kernel rejected the broken ruleset: $(head -1 "$E2E_TMP/err")"
in_ns rtr nft list ruleset | diff -u "$E2E_TMP/good" - >&2 || fail "the failed load changed the ruleset"
in_ns rtr conntrack -F >/dev/null 2>&1
expect_flow cli udp isp2 "after the failed load the previous policy still routes" --from 223.5.5.5 --to 114.114.114.114
echo "scenario 8 passed"
