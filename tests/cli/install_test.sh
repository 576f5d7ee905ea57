#!/usr/bin/env bash
# `cmake --install BUILD` into a DESTDIR puts the binary, the man page and the systemd unit
# where the README says, and the unit runs the installed binary.
set -u
build="${1:?usage: install_test.sh BUILD_DIR}"
fail() { echo "FAIL: $*" >&2; exit 1; }
dest="$(mktemp -d)"
trap 'rm -rf "$dest"' EXIT
DESTDIR="$dest" cmake --install "$build" --prefix /usr > "$dest.log" 2>&1 ||
  { cat "$dest.log" >&2; rm -f "$dest.log"; fail "cmake --install failed"; }
rm -f "$dest.log"
[ -x "$dest/usr/bin/pbrc" ] || fail "no executable usr/bin/pbrc"
"$dest/usr/bin/pbrc" --version | grep -q '^pbrc ' || fail "the installed pbrc does not run"
"$dest/usr/bin/pbrc" help apply | grep -q -- '--confirm' || fail "the installed pbrc has no apply"
[ -s "$dest/usr/share/doc/pbrc/pbrc.1.md" ] || fail "no man page"
grep -q '^\*\*apply\*\* POLICY' "$dest/usr/share/doc/pbrc/pbrc.1.md" || fail "man page lacks apply"
unit="$dest/usr/lib/systemd/system/pbrc-apply@.service"
[ -s "$unit" ] || fail "no systemd unit"
grep -q '^After=network-online.target' "$unit" || fail "unit not after network-online.target"
grep -q '^Wants=network-online.target' "$unit" || fail "unit does not want network-online.target"
grep -q 'exec "/usr/bin/pbrc" apply -q' "$unit" || fail "unit does not run the installed pbrc"
! grep -q '@PBRC_BIN@' "$unit" || fail "unit not configured"
grep -q '^Documentation=file:/usr/share/doc/pbrc/pbrc.1.md' "$unit" || fail "unit's documentation"
echo "PASS install"
