#!/usr/bin/env bash
# The command line as a user meets it: exit codes, output formats, fmt modes, compile output
# files, determinism, and no partial output on errors. Usage: cli_test.sh PATH_TO_PBRC
set -u
pbrc="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
check() {  # check NAME WANT_RC CMD...
  local name="$1" want="$2"; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" = "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $rc, expected $want" >&2
    head -20 "$tmp/out" "$tmp/err" >&2
  fi
}
expect() {  # expect NAME CONDITION-COMMAND...
  local name="$1"; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name" >&2; fi
}

cd "$root"
check version 0 "$pbrc" --version
expect version-text grep -q '^pbrc [0-9]' "$tmp/out"
check help 0 "$pbrc" --help
check help-cmd 0 "$pbrc" help compile
check cmd-help 0 "$pbrc" fmt --help
check no-args 3 "$pbrc"
check unknown-cmd 3 "$pbrc" frobnicate
check bad-flag 3 "$pbrc" check --frob examples/seed.pbr
check missing-file 3 "$pbrc" check /nonexistent/policy.pbr
check check-ok 0 "$pbrc" check examples/seed.pbr
check check-errors 1 "$pbrc" check tests/diag/E0203-host-bits-set.pbr
expect diag-has-location grep -q '^tests/diag/E0203-host-bits-set.pbr:1:11: error\[E0203\]' "$tmp/err"
expect no-colour-when-piped bash -c "! grep -q $'\e' '$tmp/err'"
check check-allocation 1 "$pbrc" check tests/diag/E0405-marks-exhausted.pbr
expect check-reports-allocation grep -q 'error\[E0405\]' "$tmp/err"
check json 1 "$pbrc" check --format json tests/diag/E0203-host-bits-set.pbr
expect json-fields grep -q '"code": "E0203"' "$tmp/out"
expect json-help grep -q '"help": "use' "$tmp/out"
# Colour only on a terminal, and never with NO_COLOR (needs a pseudo-terminal from `script`).
if script -qec true /dev/null >/dev/null 2>&1; then
  script -qec "$pbrc check tests/diag/E0203-host-bits-set.pbr" /dev/null > "$tmp/tty" 2>&1
  expect colour-on-a-terminal grep -q $'\e\[' "$tmp/tty"
  NO_COLOR=1 script -qec "$pbrc check tests/diag/E0203-host-bits-set.pbr" /dev/null > "$tmp/tty" 2>&1
  expect no-colour-with-NO_COLOR bash -c "! grep -q $'\e\[' '$tmp/tty'"
elif [ -n "${CI:-}" ]; then
  failed=$((failed + 1)); echo "FAIL: no pseudo-terminal to test colour on" >&2
else
  echo "skip: no pseudo-terminal ('script' failed); colour not tested" >&2
fi
check bad-format 3 "$pbrc" check --format xml examples/seed.pbr

# fmt: prints, checks, writes; refuses files with syntax errors.
printf 'set a={1.2.3.4};  # keep me\npolicy{to set a via main;}\n' > "$tmp/u.pbr"
check fmt-check-dirty 1 "$pbrc" fmt --check "$tmp/u.pbr"
check fmt-print 0 "$pbrc" fmt "$tmp/u.pbr"
expect fmt-keeps-comment grep -q '# keep me' "$tmp/out"
check fmt-write 0 "$pbrc" fmt --write "$tmp/u.pbr"
check fmt-check-clean 0 "$pbrc" fmt --check "$tmp/u.pbr"
check fmt-exclusive 3 "$pbrc" fmt --check --write "$tmp/u.pbr"
printf 'set a = {\n' > "$tmp/broken.pbr"
check fmt-broken 1 "$pbrc" fmt "$tmp/broken.pbr"

# compile: all artifacts into a directory, byte-identical across runs.
check compile-o 0 "$pbrc" compile examples/operators.pbr -o "$tmp/a"
check compile-o-again 0 "$pbrc" compile examples/operators.pbr -o "$tmp/b"
for s in nft nft.json ip ip6 sysctl.conf ir; do
  expect "artifact-$s" test -s "$tmp/a/operators.$s"
done
expect deterministic diff -r "$tmp/a" "$tmp/b"
check compile-stdout 0 "$pbrc" compile examples/seed.pbr --emit nft
expect stdout-is-nft grep -q '^table inet pbr {' "$tmp/out"
check bad-emit 3 "$pbrc" compile examples/seed.pbr --emit foo
# A policy with errors writes nothing, and leaves earlier output untouched.
cp -r "$tmp/a" "$tmp/c"
cp tests/diag/E0402-mark-outside-mask.pbr "$tmp/operators.pbr"
check compile-errors 1 "$pbrc" compile "$tmp/operators.pbr" -o "$tmp/c"
expect no-partial-output diff -r "$tmp/a" "$tmp/c"
check compile-errors-stdout 1 "$pbrc" compile "$tmp/operators.pbr"
expect nothing-on-stdout test ! -s "$tmp/out"

# The examples are the tests: every examples/NAME.pbr has its end-to-end scenario
# tests/e2e/ex_NAME.sh (docs/testing.md), and every such scenario has its example.
for ex in examples/*.pbr; do
  name="$(basename "$ex" .pbr)"
  expect "e2e-scenario-for-$name" test -f "tests/e2e/ex_$name.sh"
done
for sc in tests/e2e/ex_*.sh; do
  name="$(basename "$sc" .sh)"
  expect "example-for-$name" test -f "examples/${name#ex_}.pbr"
done

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
