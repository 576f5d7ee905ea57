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

# A file name cannot inject lines into the artifacts printed on stdout either: every line
# that is not artifact text is one of pbrc's '# ==> NAME <==' separators.
mkdir -p "$tmp/inj"
evil="$tmp/inj/"$'x\nflush ruleset\n#.pbr'
cp examples/seed.pbr "$evil"
check stdout-evil-name 0 "$pbrc" compile "$evil" --emit nft,ip
expect stdout-evil-name-no-line bash -c "! grep -qx 'flush ruleset' '$tmp/out'"
expect stdout-evil-name-escaped grep -q '^# ==> x\\x0aflush ruleset\\x0a#\.nft <==$' "$tmp/out"

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

# Keywords: one table (include/pbrc/keywords.h) plus the value matches' keywords
# (include/pbrc/value_matches.h); the scanner reserves exactly those, docs/language.md lists
# exactly those, and fmt quotes each when it is used as a name (else the output would not
# parse again).
kw_src="$( { sed -n '/kKeywords = {/,/};/p' include/pbrc/keywords.h | grep -o '"[a-z_]*"' | tr -d '"'
             sed -n 's/.*kKeyword = "\([a-z_]*\)";.*/\1/p' include/pbrc/value_matches.h; } | sort)"
kw_lex="$( { sed -n 's/^"\([a-z_]*\)" .*make_.*/\1/p' grammar/lexer.l
             sed -n 's/.*kKeyword = "\([a-z_]*\)";.*/\1/p' include/pbrc/value_matches.h; } | sort)"
kw_doc="$(sed -n '/^- Keywords are reserved:/,/`\./p' docs/language.md | tr -d '\n' |
           sed 's/.*reserved: `\([^`]*\)`.*/\1/' | tr -s ' ' '\n' | sort)"
expect keywords-table-not-empty test "$(echo "$kw_src" | wc -w)" -gt 40
expect keywords-scanned test "$kw_src" = "$kw_lex"
expect keywords-documented test "$kw_src" = "$kw_doc"
for kw in $kw_src; do
  expect "fmt-quotes-keyword-$kw" bash -c "printf 'set \"%s\" = 10.0.0.1;\n' $kw |
    '$pbrc' fmt - | grep -q '^set \"$kw\" = '"
done

# Usage mistakes are exit 3, never a silent default.
check emit-only-commas 3 "$pbrc" compile examples/seed.pbr --emit ,,,
expect emit-only-commas-says grep -q "empty artifact kind in --emit ',,,'" "$tmp/err"
check emit-empty 3 "$pbrc" compile examples/seed.pbr --emit ''
check emit-empty-item 3 "$pbrc" compile examples/seed.pbr --emit nft,,ip
check output-empty 3 "$pbrc" compile examples/seed.pbr -o ''
expect output-empty-says grep -q -- "-o needs a folder name" "$tmp/err"
expect output-empty-no-stdout test ! -s "$tmp/out"

# fmt goes on after an unreadable file, reports it, and exits 3.
printf 'set a={1.2.3.4};\n' > "$tmp/ok1.pbr"
check fmt-goes-on 3 "$pbrc" fmt /nonexistent/a.pbr "$tmp/ok1.pbr" "$tmp"
expect fmt-reports-missing grep -q "cannot read '/nonexistent/a.pbr': No such file or directory" "$tmp/err"
expect fmt-reports-dir grep -q "cannot read '$tmp': is a directory" "$tmp/err"
expect fmt-formats-the-rest grep -q '^set a = { 1.2.3.4 };' "$tmp/out"

# '-' is standard input for check and fmt; fmt --write - is a usage error.
check check-stdin-ok 0 "$pbrc" check - < examples/seed.pbr
check check-stdin-errors 1 "$pbrc" check - < tests/diag/E0203-host-bits-set.pbr
expect check-stdin-name grep -q '^<stdin>:1:11: error\[E0203\]' "$tmp/err"
check fmt-stdin 0 "$pbrc" fmt - < "$tmp/ok1.pbr"
expect fmt-stdin-prints grep -q '^set a = { 1.2.3.4 };' "$tmp/out"
check fmt-check-stdin 1 "$pbrc" fmt --check - < "$tmp/ok1.pbr"
expect fmt-check-stdin-name grep -qx '<stdin>' "$tmp/out"
check fmt-write-stdin 3 "$pbrc" fmt --write - < "$tmp/ok1.pbr"
expect fmt-write-stdin-says grep -q "cannot rewrite standard input" "$tmp/err"
check compile-stdin 3 "$pbrc" compile - < examples/seed.pbr
expect compile-stdin-says grep -q "standard input ('-') is not supported" "$tmp/err"

# List files that never end or block are refused at once; the size limit holds while reading.
printf 'set z = file "/dev/zero";\nset u = file "/dev/urandom";\npolicy { to set z via main; to set u via main; }\n' > "$tmp/dev.pbr"
check list-file-devices 1 timeout 10 "$pbrc" check "$tmp/dev.pbr"
expect list-file-dev-zero grep -q "cannot read list file '/dev/zero': is a character device, not a regular file" "$tmp/err"
expect list-file-dev-urandom grep -q "list file '/dev/urandom': is a character device" "$tmp/err"
mkfifo "$tmp/fifo"
printf 'set f = file "fifo";\npolicy { to set f via main; }\n' > "$tmp/fifo.pbr"
check list-file-fifo 1 timeout 10 "$pbrc" check "$tmp/fifo.pbr"
expect list-file-fifo-says grep -q "list file 'fifo': is a FIFO, not a regular file" "$tmp/err"
check policy-fifo 3 timeout 10 "$pbrc" check "$tmp/fifo"
truncate -s 65M "$tmp/huge.txt"
printf 'set h = file "huge.txt";\npolicy { to set h via main; }\n' > "$tmp/huge.pbr"
check list-file-huge 1 timeout 20 "$pbrc" check "$tmp/huge.pbr"
expect list-file-huge-says grep -q "list file 'huge.txt': file is larger than 64 MiB" "$tmp/err"

# Out of memory is a message and exit 3, never SIGABRT: with 64 MiB of address space a small
# policy passes (control) but reading a 60 MB list file runs out (the file is read into one
# buffer of its size, so 96 MiB no longer runs out).
{ head -c 60000000 /dev/zero | tr '\0' ' '; echo; } > "$tmp/big.txt"
for i in $(seq 1000); do echo "10.$((i / 256)).$((i % 256)).0/24"; done >> "$tmp/big.txt"
printf 'set b = file "big.txt";\npolicy { to set b via main; }\n' > "$tmp/oom.pbr"
# (A sanitizer build reserves terabytes of address space and cannot start under any limit:
# there the case is skipped; the normal build runs it.)
if grep -qa __asan_init "$pbrc"; then
  echo "skip: out-of-memory case (sanitizer build)" >&2
else
  check out-of-memory-control 0 prlimit --as=$((64 * 1024 * 1024)) "$pbrc" check examples/seed.pbr
  check out-of-memory 3 prlimit --as=$((64 * 1024 * 1024)) "$pbrc" check "$tmp/oom.pbr"
  expect out-of-memory-says grep -qx 'pbrc: out of memory' "$tmp/err"
fi
check out-of-memory-unlimited 0 "$pbrc" check "$tmp/oom.pbr"

# Names in messages are capped and control bytes escaped (a 10 MB name, terminal escapes).
{ printf 'set '; head -c 10000000 /dev/zero | tr '\0' 'n'; printf ' = { 1.2.3.4 };\n'; } > "$tmp/long.pbr"
check long-name 0 "$pbrc" check "$tmp/long.pbr"
expect long-name-warned grep -q "warning\[W0802\]: set 'nnnn*…' is never used" "$tmp/err"
expect long-name-capped test "$(wc -c < "$tmp/err")" -lt 2000
printf 'set s = file "x\033[31my\001";\npolicy { to set s via main; }\n' > "$tmp/esc.pbr"
check escape-in-name 1 "$pbrc" check "$tmp/esc.pbr"
expect no-raw-escape bash -c "! grep -q $'\e' '$tmp/err'"
expect escape-shown grep -qF "list file 'x\\x1B[31my\\x01'" "$tmp/err"
check escape-in-command 3 "$pbrc" $'x\e[31m'
expect escape-in-command-shown bash -c "grep -qF \"'x\\x1B[31m'\" '$tmp/err' && ! grep -q $'\e' '$tmp/err'"
check escape-in-option 3 "$pbrc" check $'--x\001'
expect escape-in-option-shown grep -qF -- "--x\x01" "$tmp/err"

# A UTF-8 byte order mark at the start is accepted; proto numbers may be hex.
printf '\xef\xbb\xbfset a = { 1.2.3.4 };\npolicy { proto 0x6 to set a via main; }\n' > "$tmp/bom.pbr"
check bom-and-hex-proto 0 "$pbrc" check "$tmp/bom.pbr"
check bom-fmt 0 "$pbrc" fmt "$tmp/bom.pbr"
expect bom-fmt-drops-it bash -c "head -c 3 '$tmp/out' | grep -q '^set'"
printf 'set a = { 1.2.3.4 };\xef\xbb\xbf\n' > "$tmp/bom2.pbr"
check bom-elsewhere 1 "$pbrc" check "$tmp/bom2.pbr"

# diff OLD NEW: a plan with no kernel. 0 no changes, 2 changes pending, 1 errors in a policy,
# 3 usage or system failure; diagnostics on stderr, nothing on stdout when a policy fails.
g=tests/golden/diff
check diff-help 0 "$pbrc" diff --help
check diff-same 0 "$pbrc" diff $g/same.old.pbr $g/same.new.pbr
expect diff-same-summary grep -qx 'plan: 0 to add, 0 to change, 0 to remove' "$tmp/out"
check diff-itself 0 "$pbrc" diff examples/seed.pbr examples/seed.pbr
check diff-changes 2 "$pbrc" diff $g/seed.old.pbr $g/seed.new.pbr
expect diff-summary-last bash -c "tail -n1 '$tmp/out' | grep -qx 'plan: 4 to add, 4 to change, 1 to remove'"
expect diff-no-colour-when-piped bash -c "! grep -q $'\e' '$tmp/out'"
check diff-reverse 2 "$pbrc" diff $g/seed.new.pbr $g/seed.old.pbr
expect diff-reverse-summary bash -c "tail -n1 '$tmp/out' | grep -qx 'plan: 1 to add, 4 to change, 4 to remove'"
check diff-json 2 "$pbrc" diff --format json $g/seed.old.pbr $g/seed.new.pbr
expect diff-json-schema grep -q '"schema": "pbrc-plan/1"' "$tmp/out"
check diff-markdown 2 "$pbrc" diff --format markdown $g/seed.old.pbr $g/seed.new.pbr
expect diff-markdown-block grep -qx '```diff' "$tmp/out"
check diff-full 2 "$pbrc" diff --full $g/seed.old.pbr $g/seed.new.pbr
expect diff-full-all-elements bash -c "! grep -q 'more to add' '$tmp/out'"
check diff-errors 1 "$pbrc" diff $g/seed.old.pbr tests/diag/E0203-host-bits-set.pbr
expect diff-errors-reported grep -q 'error\[E0203\]' "$tmp/err"
expect diff-errors-no-plan test ! -s "$tmp/out"
check diff-missing-file 3 "$pbrc" diff $g/seed.old.pbr /nonexistent/policy.pbr
check diff-netns-with-two-files 3 "$pbrc" diff --netns x $g/seed.old.pbr $g/seed.new.pbr
check diff-no-file 3 "$pbrc" diff
check diff-applied-with-two-files 3 "$pbrc" diff --applied $g/seed.old.pbr $g/seed.old.pbr $g/seed.new.pbr
# diff with `compile -o` folders on either side: the same plan as the artifact goldens
# (but for the lines naming the two sides), folder vs folder, folder vs policy, policy vs
# folder.
sides_out() { grep -v -e '^--- ' -e '^+++ ' -e '"current": ' -e '"desired": ' -e '^### pbrc plan' "$1"; }
for n in seed dualstack insert; do
  mkdir -p "$tmp/dirs/$n"
  cp $g/$n.old.pbr $g/$n.new.pbr "$tmp/dirs/$n/"
  "$pbrc" compile "$tmp/dirs/$n/$n.old.pbr" -o "$tmp/dirs/$n/old" &&
    "$pbrc" compile "$tmp/dirs/$n/$n.new.pbr" -o "$tmp/dirs/$n/new" ||
    { failed=$((failed + 1)); echo "FAIL compile $n for folder diffs" >&2; }
  for fmt in text json markdown; do
    ext=$fmt; [ $fmt = text ] && ext=txt; [ $fmt = markdown ] && ext=md
    sides_out $g/$n.artifacts.plan.$ext > "$tmp/want"
    for sides in "old new" "old $n.new.pbr" "$n.old.pbr new"; do
      set -- $sides
      check "diff-folders-$n-$fmt-$1-$2" 2 "$pbrc" diff --format $fmt "$tmp/dirs/$n/$1" "$tmp/dirs/$n/$2"
      expect "diff-folders-$n-$fmt-$1-$2-plan" bash -c "$(declare -f sides_out); sides_out '$tmp/out' | cmp -s - '$tmp/want'"
    done
  done
done
check diff-folder-itself 0 "$pbrc" diff "$tmp/dirs/seed/old" "$tmp/dirs/seed/seed.old.pbr"
# Torn or foreign folders are refused (exit 3) with the reason.
d="$tmp/dirs/torn"
cp -r "$tmp/dirs/seed/old" "$d"
touch "$d/.seed.old.pbrc-incomplete"
check diff-folder-incomplete 3 "$pbrc" diff "$d" "$tmp/dirs/seed/new"
expect diff-folder-incomplete-says grep -q "is incomplete (an interrupted compile" "$tmp/err"
rm "$d/.seed.old.pbrc-incomplete" "$d/seed.old.ip6"
check diff-folder-missing 3 "$pbrc" diff "$d" "$tmp/dirs/seed/new"
expect diff-folder-missing-says grep -q "'seed.old.ip6' is missing" "$tmp/err"
cp "$tmp/dirs/dualstack/old/dualstack.old.ip6" "$d/seed.old.ip6"
check diff-folder-mixed 3 "$pbrc" diff "$d" "$tmp/dirs/seed/new"
expect diff-folder-mixed-says grep -q "mixes files of different compiles" "$tmp/err"
mkdir -p "$tmp/dirs/empty"
check diff-folder-empty 3 "$pbrc" diff "$tmp/dirs/empty" "$tmp/dirs/seed/new"
expect diff-folder-empty-says grep -q "holds no pbrc artifact set" "$tmp/err"
d="$tmp/dirs/foreign"
cp -r "$tmp/dirs/seed/old" "$d"
echo '{"nftables": []}' > "$d/seed.old.nft.json"
check diff-folder-foreign 3 "$pbrc" diff "$d" "$tmp/dirs/seed/new"
expect diff-folder-foreign-says grep -q "nft.json holds no nft table" "$tmp/err"
cp "$tmp/dirs/dualstack/new/dualstack.new.nft.json" "$tmp/dirs/seed/new/"
check diff-folder-two-sets 3 "$pbrc" diff "$tmp/dirs/seed/old" "$tmp/dirs/seed/new"
expect diff-folder-two-sets-says grep -q "holds 2 artifact sets" "$tmp/err"
# One policy reads the kernel: without root that is a system failure, said as such. (Never
# run here as root: this test must not read the machine's own network.)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  cp $g/seed.old.pbr "$tmp/live.pbr" && chmod -R a+rX "$tmp"
  check diff-live-needs-root 3 setpriv --reuid=65534 --regid=65534 --clear-groups "$pbrc" diff "$tmp/live.pbr"
  expect diff-live-says-root grep -q 'needs root' "$tmp/err"
elif [ "$(id -u)" != 0 ]; then
  check diff-live-needs-root 3 "$pbrc" diff $g/seed.old.pbr
  expect diff-live-says-root grep -q 'needs root' "$tmp/err"
fi
check diff-three-files 3 "$pbrc" diff $g/seed.old.pbr $g/seed.new.pbr $g/same.old.pbr
check diff-bad-format 3 "$pbrc" diff --format xml $g/seed.old.pbr $g/seed.new.pbr
if script -qec true /dev/null >/dev/null 2>&1; then
  script -qec "$pbrc diff $g/seed.old.pbr $g/seed.new.pbr" /dev/null > "$tmp/tty" 2>&1
  expect diff-colour-on-a-terminal grep -q $'\e\[' "$tmp/tty"
  NO_COLOR=1 script -qec "$pbrc diff $g/seed.old.pbr $g/seed.new.pbr" /dev/null > "$tmp/tty" 2>&1
  expect diff-no-colour-with-NO_COLOR bash -c "! grep -q $'\e\[' '$tmp/tty'"
fi

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
