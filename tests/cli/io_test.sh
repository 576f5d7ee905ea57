#!/usr/bin/env bash
# Writing files as an unlucky operator meets it: `compile -o` sets are all-or-nothing (full
# disk, planted symlinks, 20 compiles into one folder at once, an interrupted set repaired),
# `fmt --write` keeps mode, owner and links or refuses, and never leaves a temp file, even
# when killed. The full-disk cases use a 256 KiB tmpfs in a private mount namespace (root);
# nothing here touches the network. Usage: io_test.sh PATH_TO_PBRC
set -u
pbrc="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
skipped=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*" >&2; }
expect() {  # expect NAME CONDITION-COMMAND...
  local name="$1"; shift
  if "$@"; then ok; else fail "$name"; fi
}
run() {  # run WANT_RC NAME CMD... (stdout/stderr in $tmp/out, $tmp/err)
  local want="$1" name="$2"; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" = "$want" ]; then ok; else fail "$name: exit $rc, expected $want"; cat "$tmp/err" >&2; fi
}
# Only the artifact files and the lock file: no temp file, no marker.
only_artifacts() {
  local extra
  extra="$(ls -A "$1" | grep -v -e '^x\.\(nft\|nft\.json\|ip\|ip6\|sysctl\.conf\|ir\)$' \
                                  -e '^\.pbrc\.lock$')"
  [ -z "$extra" ] || { echo "unexpected files in $1: $extra" >&2; return 1; }
}
# The artifact set in $1 equals the reference set $2 (no dot files compared).
same_set() {
  local s
  for s in nft nft.json ip ip6 sysctl.conf ir; do
    cmp -s "$1/x.$s" "$2/x.$s" || return 1
  done
}

cd "$root"
# Two policies with the same file name, so they write the same artifact names.
mkdir -p "$tmp/A" "$tmp/B"
cp examples/seed.pbr "$tmp/A/x.pbr"
cp examples/dualstack.pbr "$tmp/B/x.pbr"
run 0 ref-a "$pbrc" compile "$tmp/A/x.pbr" -o "$tmp/refA"
run 0 ref-b "$pbrc" compile "$tmp/B/x.pbr" -o "$tmp/refB"
expect refs-differ bash -c "! diff -q '$tmp/refA/x.nft' '$tmp/refB/x.nft' >/dev/null"
expect ref-no-temp only_artifacts "$tmp/refA"
# Negative control: the set comparison catches a mixed set.
cp -r "$tmp/refA" "$tmp/mixed" && cp "$tmp/refB/x.ip" "$tmp/mixed/x.ip"
expect control-mixed-is-caught bash -c "! { $(declare -f same_set); same_set '$tmp/mixed' '$tmp/refA' || same_set '$tmp/mixed' '$tmp/refB'; }"

# --- planted symlinks: never written through ---
d="$tmp/plant"
mkdir -p "$d"
echo victim > "$tmp/victim"
ln -s "$tmp/victim" "$d/x.ip.tmp"     # the name older versions used for their temp file
ln -s "$tmp/victim" "$d/x.nft"        # the target itself
run 0 planted-symlinks "$pbrc" compile "$tmp/A/x.pbr" -o "$d"
expect victim-untouched grep -qx victim "$tmp/victim"
expect symlink-replaced-by-file bash -c "[ -f '$d/x.nft' ] && [ ! -L '$d/x.nft' ]"
expect planted-set-complete same_set "$d" "$tmp/refA"
rm "$d/x.ip.tmp"
ln -s "$tmp/victim" "$tmp/lockplant" && mkdir "$tmp/lockdir" && mv "$tmp/lockplant" "$tmp/lockdir/.pbrc.lock"
run 3 planted-lock "$pbrc" compile "$tmp/A/x.pbr" -o "$tmp/lockdir"
expect planted-lock-errno grep -q "cannot open lock file .*: Too many levels of symbolic links" "$tmp/err"
expect planted-lock-victim grep -qx victim "$tmp/victim"

# --- an interrupted set (crash between renames) is reported and repaired ---
d="$tmp/crash"
cp -r "$tmp/refA" "$d"
cp "$tmp/refB/x.ip" "$d/x.ip"          # half renamed ...
: > "$d/.x.pbrc-incomplete"            # ... and the marker the crash left
: > "$d/.x.nft.pbrc-out-deadbeef"      # a named temp of the crashed compile
run 0 repair "$pbrc" compile "$tmp/A/x.pbr" -o "$d"
expect repair-note grep -q "note: replaced the artifact set .* left incomplete" "$tmp/err"
expect repaired-set same_set "$d" "$tmp/refA"
expect repaired-clean only_artifacts "$d"

# --- 20 compiles into one folder at once, readers under the shared lock ---
d="$tmp/race"
run 0 race-seed "$pbrc" compile "$tmp/A/x.pbr" -o "$d"
refA="$(cat "$tmp"/refA/x.{nft,nft.json,ip,ip6,sysctl.conf,ir} | md5sum)"
refB="$(cat "$tmp"/refB/x.{nft,nft.json,ip,ip6,sysctl.conf,ir} | md5sum)"
reader() {
  local i snap
  for i in $(seq 60); do
    snap="$(flock -s "$d/.pbrc.lock" cat "$d"/x.{nft,nft.json,ip,ip6,sysctl.conf,ir} | md5sum)"
    [ "$snap" = "$refA" ] || [ "$snap" = "$refB" ] || echo "mixed snapshot $i"
  done
}
reader > "$tmp/reader.log" 2>&1 &
rpid=$!
pids=()
for i in $(seq 20); do
  p="$tmp/A/x.pbr"; [ $((i % 2)) = 0 ] && p="$tmp/B/x.pbr"
  "$pbrc" compile "$p" -o "$d" 2>>"$tmp/race.err" &
  pids+=($!)
done
rcs=0
for p in "${pids[@]}"; do wait "$p" || rcs=$((rcs + 1)); done
wait "$rpid"
expect race-all-succeeded test "$rcs" = 0
expect race-consistent bash -c "{ $(declare -f same_set); same_set '$d' '$tmp/refA' || same_set '$d' '$tmp/refB'; }"
expect race-readers-saw-whole-sets test ! -s "$tmp/reader.log"
expect race-clean only_artifacts "$d"

# --- fmt --write: mode, owner, symlink, hard link, read-only ---
printf 'set a={1.2.3.4};\npolicy{to set a via main;}\n' > "$tmp/u.pbr"
"$pbrc" fmt "$tmp/u.pbr" > "$tmp/u.formatted"
f="$tmp/m.pbr"; cp "$tmp/u.pbr" "$f"; chmod 0640 "$f"; chown 1234:2345 "$f" 2>/dev/null
run 0 fmt-mode-owner "$pbrc" fmt --write "$f"
expect fmt-mode-kept test "$(stat -c %a "$f")" = 640
if [ "$(id -u)" = 0 ]; then
  expect fmt-owner-kept test "$(stat -c %u:%g "$f")" = 1234:2345
fi
expect fmt-written cmp -s "$f" "$tmp/u.formatted"
mkdir "$tmp/links"; cp "$tmp/u.pbr" "$tmp/links/real.pbr"; ln -s real.pbr "$tmp/links/via.pbr"
run 0 fmt-symlink "$pbrc" fmt --write "$tmp/links/via.pbr"
expect fmt-symlink-kept test -L "$tmp/links/via.pbr"
expect fmt-symlink-target-written cmp -s "$tmp/links/real.pbr" "$tmp/u.formatted"
cp "$tmp/u.pbr" "$tmp/links/h1.pbr"; ln "$tmp/links/h1.pbr" "$tmp/links/h2.pbr"
run 3 fmt-hard-link "$pbrc" fmt --write "$tmp/links/h1.pbr"
expect fmt-hard-link-message grep -q "has 2 hard links" "$tmp/err"
expect fmt-hard-link-untouched bash -c "cmp -s '$tmp/links/h1.pbr' '$tmp/u.pbr' && [ \$(stat -c %h '$tmp/links/h2.pbr') = 2 ]"
cp "$tmp/u.pbr" "$tmp/links/ro.pbr"; chmod 0444 "$tmp/links/ro.pbr"
run 3 fmt-read-only "$pbrc" fmt --write "$tmp/links/ro.pbr"
expect fmt-read-only-message grep -q "is read-only (mode 0444)" "$tmp/err"
expect fmt-read-only-untouched cmp -s "$tmp/links/ro.pbr" "$tmp/u.pbr"
expect fmt-no-temp-files bash -c "[ -z \"\$(ls -A '$tmp/links' | grep pbrc)\" ]"

# --- fmt --write interrupted: the file has no name while it is written (O_TMPFILE) and is
# named only between linkat and rename; killing it at any moment leaves old or new text ---
big="$tmp/kill/big.pbr"
mkdir "$tmp/kill"
for i in $(seq 60000); do echo "set s$i={10.$((i / 256 % 256)).$((i % 256)).0/24};"; done > "$big"
cp "$big" "$tmp/big.orig"
"$pbrc" fmt "$big" > "$tmp/big.formatted"
if command -v strace >/dev/null; then
  # LeakSanitizer cannot run under ptrace: in a sanitizer build it would print an error and
  # change the exit status of every traced pbrc. Leaks are checked by the other tests.
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
  cp "$tmp/u.pbr" "$tmp/kill/s.pbr"
  strace -f -qq -e trace=openat,linkat,renameat,renameat2,write -o "$tmp/strace" \
    "$pbrc" fmt --write "$tmp/kill/s.pbr" >/dev/null 2>&1
  expect fmt-opens-o-tmpfile grep -q 'O_TMPFILE' "$tmp/strace"
  # The call right after the link is the rename of the same name: nothing in between.
  expect fmt-link-then-rename bash -c \
    "awk '/linkat\\(/{l=1; next} l{print; exit}' '$tmp/strace' | grep -q rename"
  expect fmt-no-write-after-link bash -c "awk '/linkat\\(/{l=1} l && /write\\(/{exit 1}' '$tmp/strace'"
  rm -f "$tmp/kill/s.pbr"
  # Killed (SIGKILL) while its data is being synced: strace holds every fsync for 3 s.
  killed_in() {  # killed_in SYSCALLS WHEN PBRC-ARGS...: SIGKILL while held in the WHENth call
    local calls="$1" when="$2"; shift 2
    strace -f -qq -o /dev/null -e trace="$calls" -e inject="$calls:delay_enter=3000000:when=$when" \
      "$pbrc" "$@" >/dev/null 2>&1 &
    local s=$! child=""
    sleep 1  # pbrc starts and is held in its first fsync by then
    child="$(pgrep -P "$s" | head -1)"
    if [ -n "$child" ]; then kill -KILL "$child"; else echo "no pbrc under strace" >&2; fi
    wait "$s" 2>/dev/null
  }
  mkdir "$tmp/kill2"
  cp "$tmp/u.pbr" "$tmp/kill2/k.pbr"
  killed_in fsync 1 fmt --write "$tmp/kill2/k.pbr"
  expect fmt-killed-in-fsync-unchanged cmp -s "$tmp/kill2/k.pbr" "$tmp/u.pbr"
  expect fmt-killed-in-fsync-no-temp test "$(ls -A "$tmp/kill2")" = k.pbr
  # Saved by an editor while pbrc formatted it (held in fsync): the edit wins.
  cp "$tmp/u.pbr" "$tmp/kill2/e.pbr"
  strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=2000000:when=1 \
    "$pbrc" fmt --write "$tmp/kill2/e.pbr" >/dev/null 2>"$tmp/edit.err" &
  p=$!
  sleep 1; echo 'set edited = { 1.2.3.4 };' > "$tmp/kill2/e.pbr"
  wait "$p"
  expect fmt-edited-meanwhile-exit3 test $? = 3
  expect fmt-edited-meanwhile-says grep -q "changed while it was formatted; not rewritten" "$tmp/edit.err"
  expect fmt-edited-meanwhile-kept grep -qx 'set edited = { 1.2.3.4 };' "$tmp/kill2/e.pbr"
  expect fmt-edited-meanwhile-no-temp test "$(ls -A "$tmp/kill2" | tr '\n' ' ')" = "e.pbr k.pbr "
  cp -r "$tmp/refA" "$tmp/killset"
  killed_in fsync 1 compile "$tmp/B/x.pbr" -o "$tmp/killset"
  expect compile-killed-in-fsync-old-set same_set "$tmp/killset" "$tmp/refA"
  expect compile-killed-in-fsync-no-temp only_artifacts "$tmp/killset"
  # Killed between two renames: the marker says the set is incomplete; the next compile
  # repairs it.
  killed_in renameat,renameat2 2 compile "$tmp/B/x.pbr" -o "$tmp/killset"
  expect killed-in-rename-marker test -e "$tmp/killset/.x.pbrc-incomplete"
  expect killed-in-rename-mixed bash -c "! { $(declare -f same_set); same_set '$tmp/killset' '$tmp/refA' || same_set '$tmp/killset' '$tmp/refB'; }"
  run 0 killed-in-rename-repair "$pbrc" compile "$tmp/A/x.pbr" -o "$tmp/killset"
  expect killed-in-rename-note grep -q "note: replaced the artifact set" "$tmp/err"
  expect killed-in-rename-repaired same_set "$tmp/killset" "$tmp/refA"
  expect killed-in-rename-clean only_artifacts "$tmp/killset"
fi
for delay in 0.02 0.05 0.1 0.15 0.2 0.3 0.4 0.6; do
  for sig in KILL TERM; do
    cp "$tmp/big.orig" "$big"
    "$pbrc" fmt --write "$big" 2>/dev/null &
    p=$!
    sleep "$delay"; kill -s "$sig" "$p" 2>/dev/null; wait "$p" 2>/dev/null
    left="$(ls -A "$tmp/kill")"
    if [ "$left" != big.pbr ]; then fail "fmt-killed-$sig-$delay leaves: $left"; else ok; fi
    if cmp -s "$big" "$tmp/big.orig" || cmp -s "$big" "$tmp/big.formatted"; then ok
    else fail "fmt-killed-$sig-$delay: file is neither old nor new"; fi
  done
done

# --- internal error (exit 4): an emitter throws after its first piece reached the output
# (test hook PBRC_TEST_FAIL_EMIT, docs/testing.md); the previous set stays whole, no temp
# file or marker is left, and nothing is printed on stdout ---
d="$tmp/internal"
cp -r "$tmp/refA" "$d"
for s in nft nft.json ip6 ir; do
  run 4 "internal-$s" env PBRC_TEST_FAIL_EMIT="$s" "$pbrc" compile "$tmp/B/x.pbr" -o "$d"
  expect "internal-$s-message" grep -qx \
    'pbrc: internal error: emitter failed on purpose (PBRC_TEST_FAIL_EMIT)' "$tmp/err"
  expect "internal-$s-old-set" same_set "$d" "$tmp/refA"
  expect "internal-$s-no-temp" only_artifacts "$d"
done
run 4 internal-stdout env PBRC_TEST_FAIL_EMIT=ip "$pbrc" compile "$tmp/B/x.pbr"
expect internal-stdout-empty test ! -s "$tmp/out"
# Control: the same compile without the hook replaces the set.
run 0 internal-control "$pbrc" compile "$tmp/B/x.pbr" -o "$d"
expect internal-control-new-set same_set "$d" "$tmp/refB"

# --- full disk: a 256 KiB tmpfs in a private mount namespace ---
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
  mnt="$tmp/mnt"; mkdir "$mnt"
  unshare -m bash -c '
    set -u
    pbrc="$1" tmp="$2" mnt="$3"
    mount -t tmpfs -o size=256k pbrc-io-test "$mnt" || exit 99
    "$pbrc" compile "$tmp/A/x.pbr" -o "$mnt/out" || exit 98
    cp "$tmp/u.pbr" "$mnt/u.pbr"
    dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null
    "$pbrc" compile "$tmp/B/x.pbr" -o "$mnt/out" 2>"$tmp/enospc.err"; echo "compile=$?"
    "$pbrc" fmt --write "$mnt/u.pbr" 2>"$tmp/enospc-fmt.err"; echo "fmt=$?"
    mkdir -p "$tmp/after"; cp -a "$mnt/out/." "$tmp/after/"; cp "$mnt/u.pbr" "$tmp/after-u.pbr"
    ls -A "$mnt" > "$tmp/after-top"
    rm "$mnt/fill"
    "$pbrc" compile "$tmp/B/x.pbr" -o "$mnt/out" || exit 97
    mkdir -p "$tmp/after2"; cp -a "$mnt/out/." "$tmp/after2/"
  ' _ "$pbrc" "$tmp" "$mnt" > "$tmp/enospc.out" 2>&1
  expect enospc-compile-exit3 grep -qx compile=3 "$tmp/enospc.out"
  expect enospc-errno-text grep -q "No space left on device" "$tmp/enospc.err"
  expect enospc-says-unchanged grep -q "were not changed" "$tmp/enospc.err"
  expect enospc-old-set-intact same_set "$tmp/after" "$tmp/refA"
  expect enospc-no-temp only_artifacts "$tmp/after"
  expect enospc-fmt-exit3 grep -qx fmt=3 "$tmp/enospc.out"
  expect enospc-fmt-errno grep -q "No space left on device" "$tmp/enospc-fmt.err"
  expect enospc-fmt-untouched cmp -s "$tmp/after-u.pbr" "$tmp/u.pbr"
  expect enospc-fmt-no-temp test "$(tr '\n' ' ' < "$tmp/after-top")" = "fill out u.pbr "
  expect enospc-then-space same_set "$tmp/after2" "$tmp/refB"
  grep -q . "$tmp/enospc.out" && grep -v '^compile=\|^fmt=' "$tmp/enospc.out" >&2
elif [ -n "${CI:-}" ]; then
  fail "full-disk cases need root and mount namespaces"
else
  skipped=$((skipped + 1)); echo "skip: full-disk cases need root and unshare -m" >&2
fi

echo "io: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
