#!/usr/bin/env bash
# `cmake --install BUILD` into a DESTDIR puts the binary, the man page (roff, rendered here
# by `man -l` and groff, and its markdown source) and the systemd unit
# where the README says, and the unit runs the installed binary.
set -u
build="${1:?usage: install_test.sh BUILD_DIR}"
fail() { echo "FAIL: $*" >&2; exit 1; }
dest="$(mktemp -d)"
trap 'rm -rf "$dest"' EXIT
# The configured prefix (the unit names the binary by its full path, fixed at configure time).
prefix="$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")"
[ -n "$prefix" ] || fail "no CMAKE_INSTALL_PREFIX in $build/CMakeCache.txt"
DESTDIR="$dest" cmake --install "$build" > "$dest.log" 2>&1 ||
  { cat "$dest.log" >&2; rm -f "$dest.log"; fail "cmake --install failed"; }
rm -f "$dest.log"
[ -x "$dest$prefix/bin/pbrc" ] || fail "no executable $prefix/bin/pbrc"
"$dest$prefix/bin/pbrc" --version | grep -q '^pbrc ' || fail "the installed pbrc does not run"
"$dest$prefix/bin/pbrc" help apply | grep -q -- '--confirm' || fail "the installed pbrc has no apply"
[ -s "$dest$prefix/share/doc/pbrc/pbrc.1.md" ] || fail "no man page"
grep -q '^\*\*apply\*\* POLICY' "$dest$prefix/share/doc/pbrc/pbrc.1.md" || fail "man page lacks apply"
# The roff man page renders (`man -l`, groff warnings on) with its sections and commands.
man1="$dest$prefix/share/man/man1/pbrc.1"
[ -s "$man1" ] || fail "no roff man page $prefix/share/man/man1/pbrc.1"
head -1 "$man1" | grep -q '^\.TH PBRC 1 ' || fail "man page has no .TH PBRC 1 title"
groff -man -Tutf8 -ww -z "$man1" 2> "$dest/groff.err" || fail "groff cannot format the man page"
[ ! -s "$dest/groff.err" ] || { cat "$dest/groff.err" >&2; fail "groff warns about the man page"; }
MANWIDTH=100 man -l "$man1" 2> /dev/null | col -b > "$dest/man.txt" || fail "man -l failed"
for section in NAME SYNOPSIS DESCRIPTION COMMANDS "STATE FOLDER" "EXIT STATUS" ENVIRONMENT FILES; do
  grep -qx "$section" "$dest/man.txt" || fail "the rendered man page lacks section $section"
done
for cmd in check fmt compile diff apply rollback confirm recover; do
  grep -qE "^ {7}$cmd( |\$)" "$dest/man.txt" || fail "the rendered man page lacks command $cmd"
done
grep -qF 'pbrc apply [--netns NAME]' "$dest/man.txt" || fail "the synopsis lost its dashes"
! grep -qE '\\f|\*\*' "$dest/man.txt" || fail "markup left in the rendered man page"
unit="$dest$prefix/lib/systemd/system/pbrc-apply@.service"
[ -s "$unit" ] || fail "no systemd unit"
grep -q '^After=network-online.target' "$unit" || fail "unit not after network-online.target"
grep -q '^Wants=network-online.target' "$unit" || fail "unit does not want network-online.target"
grep -qF "exec \"$prefix/bin/pbrc\" apply -q" "$unit" || fail "unit does not run the installed pbrc"
! grep -q '@PBRC_BIN@' "$unit" || fail "unit not configured"
grep -qxF "Documentation=man:pbrc(1) file:$prefix/share/doc/pbrc/pbrc.1.md" "$unit" || fail "unit's documentation"
echo "PASS install"
