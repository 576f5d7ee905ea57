#!/usr/bin/env bash
# A generation whose sources file is damaged (a disk error, an editor): the commands that do
# not need those sources must not be stopped by them (review of f08d89f, which made reading
# them lazy in apply but not in rollback, the watchdog's rollback of a try, or PendingTry).
#   - rollback to A while the current generation B has damaged sources: needs A's only;
#   - an unconfirmed try of B whose sources were damaged meanwhile: the watchdog must still
#     roll back to A (it needs B's snapshot and `previous`, not its sources);
#   - the same policy applied again over damaged sources: a warning, a new generation, and
#     the table kept (not loaded again: its rule handles stay), as for a change of the
#     sources alone (a comment appended to the policy), whose plan is empty;
#   - a fast path over damaged sources lists the table instead (a restore of its snapshot
#     would compile them).
. "$(cd "$(dirname "$0")" && pwd)/apply_lib.sh"
reference_states
bad=0
gen_dir() { echo "$st/pbrapply/$(readlink "$st/pbrapply/current")"; }
damage() { printf 'pbrc-sources/1\n5\na.p' > "$(gen_dir)/sources"; }

pbrc_run 0 apply -q --netns "$ns" --state-dir "$st" "$tmp/B.pbr"
damage
timeout 60 "$PBRC" rollback -q --netns "$ns" --state-dir "$st" < /dev/null > "$tmp/out" 2> "$tmp/err"
rc=$?
listing "$tmp/now"
if [ "$rc" != 0 ] || ! cmp -s "$tmp/now" "$tmp/stateA"; then
  cat "$tmp/out" "$tmp/err" >&2
  echo "FAIL: rollback from B with damaged sources: exit $rc, expected 0 and A's state" >&2
  bad=1
else
  echo "ok: rollback does not need the current generation's sources"
fi

pbrc_run 0 apply -q --netns "$ns" --state-dir "$st" "$tmp/A.pbr"  # A, whatever came above
cp "$tmp/stateA" "$tmp/before"
pbrc_run 0 apply -q --confirm 3 --netns "$ns" --state-dir "$st" "$tmp/B.pbr"
damage
log="$st/pbrapply/watchdog.log"
for _ in $(seq 12); do
  listing "$tmp/now"; cmp -s "$tmp/now" "$tmp/before" && break; sleep 1
done
if cmp -s "$tmp/now" "$tmp/before"; then
  echo "ok: the watchdog rolls back a try whose sources are damaged"
else
  cat "$log" >&2
  echo "FAIL: the unconfirmed try of B (damaged sources) was not rolled back" >&2
  bad=1
fi

handles() { in_ns r nft -a list table inet pbrapply | grep -o 'handle [0-9]*' > "$1"; }
pbrc_run 0 apply -q --netns "$ns" --state-dir "$st" "$tmp/A.pbr"
pbrc_run 0 apply --netns "$ns" --state-dir "$st" "$tmp/A.pbr"
has_out "nothing to change"
handles "$tmp/h0"
damage
gen="$(readlink "$st/pbrapply/current")"
pbrc_run 0 apply --netns "$ns" --state-dir "$st" "$tmp/A.pbr"
has_out "warning: '$st/pbrapply/$gen/sources' is corrupt"
has_out "the table is listed"
has_out "the policy is recorded again as a new generation"
has_out "already as the policy wants it"
[ "$(readlink "$st/pbrapply/current")" != "$gen" ] || fail "no new generation over damaged sources"
handles "$tmp/h1"
same "$tmp/h0" "$tmp/h1" "the table was loaded again over damaged sources"
listing "$tmp/now"; same "$tmp/stateA" "$tmp/now" "not A's state after an apply over damaged sources"
pbrc_run 0 apply --netns "$ns" --state-dir "$st" "$tmp/A.pbr"
has_out "nothing to change"
echo "ok: damaged sources: a warning, a new generation, the table kept"
# The sources alone change (a comment at the end: no rule moves): the table is kept.
echo "# reviewed 2026-11-26" >> "$tmp/A.pbr"
gen="$(readlink "$st/pbrapply/current")"
pbrc_run 0 apply --netns "$ns" --state-dir "$st" "$tmp/A.pbr"
has_out "already as the policy wants it"
[ "$(readlink "$st/pbrapply/current")" != "$gen" ] || fail "no new generation for new sources"
handles "$tmp/h2"
same "$tmp/h0" "$tmp/h2" "the table was loaded again for a comment"
listing "$tmp/now"; same "$tmp/stateA" "$tmp/now" "not A's state after a comment"
pbrc_run 0 rollback -q --netns "$ns" --state-dir "$st"
listing "$tmp/now"; same "$tmp/stateA" "$tmp/now" "not A's state after rolling back a comment"
echo "ok: a change of the sources alone keeps the table"
[ "$bad" = 0 ] || fail "see above"
