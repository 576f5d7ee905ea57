#!/usr/bin/env bash
# `cmake --install BUILD` into a DESTDIR puts the binary, the man page and the systemd unit
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
unit="$dest$prefix/lib/systemd/system/pbrc-apply@.service"
[ -s "$unit" ] || fail "no systemd unit"
grep -q '^After=network-online.target' "$unit" || fail "unit not after network-online.target"
grep -q '^Wants=network-online.target' "$unit" || fail "unit does not want network-online.target"
grep -qF "exec \"$prefix/bin/pbrc\" apply -q" "$unit" || fail "unit does not run the installed pbrc"
! grep -q '@PBRC_BIN@' "$unit" || fail "unit not configured"
grep -qxF "Documentation=file:$prefix/share/doc/pbrc/pbrc.1.md" "$unit" || fail "unit's documentation"
echo "PASS install"
