#!/usr/bin/env bash
# `pbrc apply --confirm SECONDS` (try mode), A applied, B on trial:
#   - not confirmed: the detached watchdog rolls back to A's listing after the deadline, with
#     the applying process long gone;
#   - the watchdog killed too: nothing rolls back by itself (negative control), and the next
#     pbrc (recover) rolls back once the deadline has passed;
#   - `pbrc confirm`, and the same apply --confirm again, keep B past the deadline;
#   - SIGKILL between the pending confirmation and the commit: recover gives A.
. "$(cd "$(dirname "$0")" && pwd)/apply_lib.sh"
reference_states
try_b() { pbrc_run 0 apply -q --confirm "$1" --netns "$ns" --state-dir "$st" "$tmp/B.pbr"; }
is_state() { listing "$tmp/now"; same "$tmp/state$1" "$tmp/now" "$2: not the state of $1"; }
log="$st/pbrapply/watchdog.log"
# wait_state X SECONDS: polls until the listing is X's.
wait_state() {
  for _ in $(seq "$2"); do
    listing "$tmp/now"; cmp -s "$tmp/now" "$tmp/state$1" && return 0; sleep 1
  done
  diff -u "$tmp/state$1" "$tmp/now" >&2; fail "not back to $1 after $2 seconds"
}

try_b 2
is_state B "right after the try"
[ -e "$st/pbrapply/confirm" ] || fail "no pending confirmation"
wait_state A 10
grep -q "(a try, not confirmed) was undone" "$log" || { cat "$log" >&2; fail "the watchdog did not roll back"; }
[ ! -e "$st/pbrapply/confirm" ] || fail "pending confirmation left"
echo "ok: an unconfirmed try is rolled back by the watchdog after the apply process exited"

: > "$log"
try_b 4
sleep 0.5
pid="$(sed -n 's/^watchdog \([0-9]*\):.*/\1/p' "$log" | tail -1)"
[ -n "$pid" ] || { cat "$log" >&2; fail "no watchdog started"; }
kill -9 "$pid" || fail "cannot kill the watchdog $pid"
sleep 5
is_state B "watchdog killed, before any other pbrc (negative control)"
pbrc_run 0 recover --netns "$ns" --state-dir "$st"
has_out "(a try, not confirmed) was undone"
is_state A "recover after the deadline with the watchdog killed"
echo "ok: the watchdog killed too: the next pbrc rolls back after the deadline"

try_b 5
pbrc_run 0 confirm --state-dir "$st"
has_out "confirmed: gen-"
sleep 6
is_state B "confirmed try after the deadline"
pbrc_run 3 confirm --state-dir "$st"
has_out "nothing is on trial"
pbrc_run 0 rollback -q --netns "$ns" --state-dir "$st"
is_state A "rollback after a confirmed try"
try_b 5
try_b 5
has_out "confirmed: gen-"
sleep 6
is_state B "a try confirmed by the same apply again"
pbrc_run 0 rollback -q --netns "$ns" --state-dir "$st"
is_state A "rollback"
echo "ok: pbrc confirm and the same apply --confirm again keep the try past its deadline"

try_b 30
pbrc_run 3 apply -q --netns "$ns" --state-dir "$st" "$tmp/A.pbr"
has_out "is on trial"
pbrc_run 0 rollback --netns "$ns" --state-dir "$st"
has_out "(a try, not confirmed) was undone"
is_state A "rollback of a try in progress"
echo "ok: during a try another policy is refused; rollback ends the try at once"

PBRC_FAULT=confirm pbrc_run 137 apply -q --confirm 2 --netns "$ns" --state-dir "$st" "$tmp/B.pbr"
pbrc_run 0 recover --netns "$ns" --state-dir "$st"
is_state A "SIGKILL after the pending confirmation was written"
[ ! -e "$st/pbrapply/confirm" ] || fail "pending confirmation of an undone apply left"
echo "ok: SIGKILL between the pending confirmation and the commit: A's state"
# On a terminal (script(1) gives apply a pty): a key keeps the try, no key rolls back (exit 5).
if command -v script > /dev/null; then
  on_tty() {  # on_tty INPUT_COMMAND POLICY: apply --confirm 3 on a pty fed by INPUT_COMMAND
    $1 | timeout 30 script -qec "'$PBRC' apply -q --confirm 3 --netns '$ns' --state-dir '$st' '$2'" \
      /dev/null > "$tmp/out" 2>&1
  }
  on_tty "eval sleep 1; printf x" "$tmp/B.pbr" || { cat "$tmp/out" >&2; fail "tty: key press"; }
  has_out "confirmed: gen-"
  sleep 3; is_state B "a try kept by a key press"
  pbrc_run 0 rollback -q --netns "$ns" --state-dir "$st"
  on_tty "sleep 6" "$tmp/B.pbr"
  rc=$?
  [ "$rc" = 5 ] || { cat "$tmp/out" >&2; fail "tty without a key: exit $rc, expected 5"; }
  is_state A "a try on a terminal without a key press"
  echo "ok: on a terminal a key press keeps the try; without one it is rolled back (exit 5)"
  # Another command ends the try while the terminal waits (as the watchdog does when it takes
  # the lock first at the deadline): the exit status says what the kernel holds.
  { sleep 1; "$PBRC" rollback -q --netns "$ns" --state-dir "$st" > "$tmp/other" 2>&1; } &
  on_tty "sleep 6" "$tmp/B.pbr"
  rc=$?
  wait
  [ "$rc" = 5 ] || { cat "$tmp/out" "$tmp/other" >&2; fail "try rolled back elsewhere: exit $rc, expected 5"; }
  has_out "was rolled back by another command"
  is_state A "a try on a terminal rolled back by another command"
  { sleep 1; "$PBRC" confirm --state-dir "$st" > "$tmp/other" 2>&1; } &
  on_tty "sleep 6" "$tmp/B.pbr"
  rc=$?
  wait
  [ "$rc" = 0 ] || { cat "$tmp/out" "$tmp/other" >&2; fail "try confirmed elsewhere: exit $rc, expected 0"; }
  has_out "confirmed by another command"
  sleep 1; is_state B "a try on a terminal confirmed by another command"
  pbrc_run 0 rollback -q --netns "$ns" --state-dir "$st"
  echo "ok: a try ended by another command while the terminal waits: exit 5 rolled back, 0 kept"
fi
echo "PASS apply_confirm"
