#!/usr/bin/env bash
# Faults during `pbrc apply` (A applied, B being applied), each followed by a comparison of
# the complete listing (apply_lib.sh) with A's or B's: never a mix, foreign objects untouched.
#   - nft rejects the ruleset (PBRC_FAULT=nft-reject);
#   - an ip route fails half-way through the batch: unreachable gateway, missing device;
#   - SIGKILL at every step (PBRC_FAULT=STEP), recovered by `pbrc recover` or the next apply;
#     the state between kill and recovery is checked to be a mix (the test can fail);
#   - the state folder missing, unwritable (a file in the way, a read-only mount), corrupt
#     (generation record, journal);
#   - two applies at once, and an apply waiting for the lock.
. "$(cd "$(dirname "$0")" && pwd)/apply_lib.sh"
reference_states
A=(apply -q --netns "$ns" --state-dir "$st" "$tmp/A.pbr")
B=(apply -q --netns "$ns" --state-dir "$st" "$tmp/B.pbr")
is_state() { listing "$tmp/now"; same "$tmp/state$1" "$tmp/now" "$2: not the state of $1"; }
no_journal() { [ ! -e "$st/pbrapply/journal" ] || fail "$1: journal left behind"; }

PBRC_FAULT=nft-reject pbrc_run 3 "${B[@]}"
has_out "nft rejected the ruleset"
has_out "restored to the state before"
is_state A "nft rejected B"; no_journal "nft rejected B"
echo "ok: nft rejects the ruleset: A's state, exactly"

# wan2's gateway unreachable: its route fails after wan1's routes were replaced.
sed 's|gateway 10.0.2.9;|gateway 10.9.9.1;|' "$tmp/B.pbr" > "$tmp/Bgw.pbr"
pbrc_run 3 "${B[@]:0:$((${#B[@]}-1))}" "$tmp/Bgw.pbr"
has_out "ip -batch failed"
is_state A "unreachable gateway"; no_journal "unreachable gateway"
sed 's|device eth2;|device eth9;|' "$tmp/B.pbr" > "$tmp/Bdev.pbr"
pbrc_run 3 "${B[@]:0:$((${#B[@]}-1))}" "$tmp/Bdev.pbr"
is_state A "missing device"; no_journal "missing device"
echo "ok: a route fails half-way (unreachable gateway, missing device): A's state, exactly"
# The sources are written by a second thread while the kernel changes; when that write fails
# the apply is undone after the kernel work (the commit needs them).
PBRC_FAULT=sources-write pbrc_run 3 "${B[@]}"
has_out "fault injected"
is_state A "sources write failed"; no_journal "sources write failed"
echo "ok: the sources cannot be written: A's state, exactly"


# SIGKILL at each step. Between kill and recovery the kernel may hold a mix (checked once, so
# this test shows it can fail); after recovery it holds A, or B once the commit happened.
for step in snapshot journal nft ip4 ip6 sysctl sources commit; do
  PBRC_FAULT=$step pbrc_run 137 "${B[@]}"
  listing "$tmp/killed"
  if [ "$step" = ip4 ]; then
    ! cmp -s "$tmp/killed" "$tmp/stateA" && ! cmp -s "$tmp/killed" "$tmp/stateB" ||
      fail "killed after ip4: expected a mix before recovery (negative control)"
  fi
  pbrc_run 0 recover --netns "$ns" --state-dir "$st"
  want=A; [ "$step" = commit ] && want=B
  is_state "$want" "SIGKILL at $step, then recover"; no_journal "recover after $step"
  if [ "$want" = B ]; then pbrc_run 0 rollback -q --netns "$ns" --state-dir "$st"; is_state A "rollback"; fi
  echo "ok: SIGKILL at $step: recover gives $want's state"
done
# A snapshot written by an older pbrc (format 1: the table as nft text) is still restored.
in_ns r nft list table inet pbrapply > "$tmp/A.nft.txt" || fail "list A's table"
# Without the generation id record the apply lists the table (format 2, JSON), which is then
# turned into what an older pbrc wrote.
rm -f "$st/pbrapply/$(readlink "$st/pbrapply/current")/nft-genid"
PBRC_FAULT=nft pbrc_run 137 "${B[@]}"
before="$(ls -d "$st"/pbrapply/gen-* | sort | tail -1)/before"
[ -f "$before/nft.json" ] || fail "the snapshot has no nft.json"
cp "$tmp/A.nft.txt" "$before/nft"
rm "$before/nft.json"
sed -i 's|pbrc-snapshot/2|pbrc-snapshot/1|' "$before/snapshot.json"
pbrc_run 0 recover --netns "$ns" --state-dir "$st"
is_state A "SIGKILL at nft, recovered from a format-1 snapshot"
echo "ok: a format-1 snapshot (nft text) is restored"

# The next apply recovers too, before its own plan.
PBRC_FAULT=ip6 pbrc_run 137 "${B[@]}"
pbrc_run 0 apply --netns "$ns" --state-dir "$st" "$tmp/A.pbr"
has_out "recover: the interrupted apply of"
has_out "nothing to change"
is_state A "the next apply after SIGKILL"
echo "ok: SIGKILL, then the next apply recovers first"

# The state folder.
pbrc_run 0 apply -q --netns "$ns" --state-dir "$tmp/new/deeper" "$tmp/B.pbr"
is_state B "apply with a missing state folder"
pbrc_run 0 apply -q --netns "$ns" --state-dir "$tmp/new/deeper" "$tmp/A.pbr"
is_state A "back to A"
touch "$tmp/afile"
pbrc_run 3 apply -q --netns "$ns" --state-dir "$tmp/afile/state" "$tmp/B.pbr"
has_out "afile"
is_state A "a file in the way of the state folder"
cp -a "$st" "$tmp/ro"
timeout 60 unshare -m sh -c "mount --bind '$tmp/ro' '$tmp/ro' && mount -o remount,bind,ro '$tmp/ro' &&
  exec '$PBRC' apply -q --netns '$ns' --state-dir '$tmp/ro' '$tmp/B.pbr'" > "$tmp/out" 2>&1
rc=$?
[ "$rc" = 3 ] || { cat "$tmp/out" >&2; fail "read-only state folder: exit $rc, expected 3"; }
grep -q "Read-only file system" "$tmp/out" || { cat "$tmp/out" >&2; fail "no EROFS message"; }
is_state A "a read-only state folder"
echo "ok: state folder missing (created), in the way, read-only: nothing changes without it"

cur="$(readlink "$st/pbrapply/current")"
echo garbage > "$st/pbrapply/$cur/meta.json"
pbrc_run 0 "${B[@]}"
has_out "warning: the record of the last apply is unreadable"
is_state B "apply over a corrupt record"
pbrc_run 3 rollback -q --netns "$ns" --state-dir "$st"
has_out "no previous applied policy"
pbrc_run 0 "${A[@]}"
is_state A "apply A after a corrupt record"
echo '{"gen": 7' > "$st/pbrapply/journal"
pbrc_run 3 "${B[@]}"
has_out "journal '$st/pbrapply/journal' is corrupt"
is_state A "a corrupt journal"
rm "$st/pbrapply/journal"
echo "ok: a corrupt record (warning, ownership by protocol) and a corrupt journal (refused)"

# The lock: an apply waits while another holds the folder, then runs whole.
# No fixed sleeps (a loaded machine stretches them): the holder says when it holds the lock
# and keeps it until told, and the apply is checked once it says it waits.
timeout 60 flock "$st" sh -c 'touch "$1/held"; while [ ! -e "$1/release" ]; do sleep 0.1; done' \
  sh "$tmp" &
holder=$!
for _ in $(seq 300); do [ -e "$tmp/held" ] && break; sleep 0.1; done
[ -e "$tmp/held" ] || fail "the lock holder did not start"
timeout 60 "$PBRC" apply --netns "$ns" --state-dir "$st" "$tmp/B.pbr" < /dev/null > "$tmp/out" 2>&1 &
waiter=$!
for _ in $(seq 300); do grep -q "waiting for another pbrc" "$tmp/out" && break; sleep 0.1; done
listing "$tmp/now"; same "$tmp/stateA" "$tmp/now" "an apply ran while the lock was held"
touch "$tmp/release"
wait "$holder"; wait "$waiter" || { cat "$tmp/out" >&2; fail "the waiting apply failed"; }
has_out "waiting for another pbrc"
is_state B "the apply that waited"
# Two at once: both succeed, one after the other; the result is one of them, whole.
timeout 60 "$PBRC" "${A[@]}" < /dev/null > "$tmp/out1" 2>&1 & p1=$!
timeout 60 "$PBRC" "${B[@]}" < /dev/null > "$tmp/out2" 2>&1 & p2=$!
wait "$p1" || { cat "$tmp/out1" >&2; fail "concurrent apply A failed"; }
wait "$p2" || { cat "$tmp/out2" >&2; fail "concurrent apply B failed"; }
listing "$tmp/now"
cmp -s "$tmp/now" "$tmp/stateA" || cmp -s "$tmp/now" "$tmp/stateB" ||
  { diff -u "$tmp/stateA" "$tmp/now" >&2; fail "two applies at once left a mix"; }
echo "ok: the lock: an apply waits for the holder; two at once end in one whole state"
# An uplink without carrier: the kernel dumps its routes with the linkdown flag and refuses
# a new route that carries it, so restoring them exactly is what a rollback during an outage
# needs. peth2 down takes eth2's carrier; the snapshot holds linkdown routes. Last, because
# taking a link down and up reorders the kernel's own local routes in the listings.
pbrc_run 0 "${A[@]}"
ip -n "$ns" link set peth2 down
listing "$tmp/stateA_down"
cmp -s "$tmp/stateA" "$tmp/stateA_down" && fail "no carrier: the listing did not change (control)"
grep -q linkdown "$tmp/stateA_down" || fail "no carrier: no linkdown route in the listing"
pbrc_run 3 "${B[@]:0:$((${#B[@]}-1))}" "$tmp/Bgw.pbr"
has_out "ip -batch failed"
has_out "restored to the state before"
is_state A_down "restore with an uplink down"; no_journal "restore with an uplink down"
ip -n "$ns" link set peth2 up
echo "ok: an uplink without carrier: its linkdown routes are restored exactly"
echo "PASS apply_faults"
