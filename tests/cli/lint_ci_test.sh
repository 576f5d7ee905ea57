#!/usr/bin/env bash
# pbrc lint and explain in CI: exit codes of --deny/--allow, the formats, SARIF validated
# against the SARIF 2.1.0 schema (tests/lint/sarif/, with python3-jsonschema), and the two
# CI integrations as shipped: the lint steps of examples/ci/github-actions.yml and the hooks
# of .pre-commit-hooks.yaml, run the way GitHub and pre-commit run them.
# Usage: lint_ci_test.sh PATH_TO_PBRC
set -u
pbrc="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
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

# A workspace like a user's repository: pbrc on PATH, policies/ with one finding each way.
mkdir -p "$tmp/bin" "$tmp/ws/policies"
ln -s "$pbrc" "$tmp/bin/pbrc"
export PATH="$tmp/bin:$PATH"
cp "$root/tests/diag/W0901-shadowed.pbr" "$tmp/ws/policies/shadowed.pbr"
cp "$root/examples/seed.pbr" "$tmp/ws/policies/seed.pbr"
cd "$tmp/ws"

check lint-warn-exit0 0 pbrc lint policies/shadowed.pbr
expect lint-text grep -q '^policies/shadowed.pbr:10:3: warning\[W0901\]' "$tmp/err"
check lint-deny-warnings 1 pbrc lint --deny warnings policies/shadowed.pbr
expect lint-denied-is-error grep -q 'error\[W0901\]' "$tmp/err"
check lint-deny-code 1 pbrc lint --deny W0901 policies/shadowed.pbr
check lint-deny-other 0 pbrc lint --deny W0902 policies/shadowed.pbr
check lint-allow 0 pbrc lint --allow W0901 --deny warnings policies/shadowed.pbr
expect lint-allow-silent test ! -s "$tmp/err"
check lint-clean 0 pbrc lint --deny warnings policies/seed.pbr
check lint-bad-code 3 pbrc lint --deny W9999 policies/seed.pbr
check lint-bad-format 3 pbrc lint --format xml policies/seed.pbr
check lint-errors 1 pbrc lint "$root/tests/diag/E0203-host-bits-set.pbr"
check lint-stdin 0 pbrc lint - < policies/shadowed.pbr
expect lint-stdin-name grep -q '^<stdin>:10:3: warning\[W0901\]' "$tmp/err"
check lint-json 0 pbrc lint --format json policies/shadowed.pbr
expect lint-json-code grep -q '"code": "W0901"' "$tmp/out"

# GitHub workflow commands, one line per finding, properties escaped.
check lint-github 0 pbrc lint --format github policies/shadowed.pbr
expect lint-github-line grep -q '^::warning file=policies/shadowed.pbr,line=10,col=3,endLine=10,endColumn=[0-9]*,title=W0901 shadowed::this rule never matches' "$tmp/out"

# SARIF 2.1.0, validated against the schema.
check lint-sarif 0 pbrc lint --format sarif policies/shadowed.pbr policies/seed.pbr
cp "$tmp/out" "$tmp/lint.sarif"
validate() {
  python3 - "$root/tests/lint/sarif/sarif-2.1.0.json" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = list(cls(schema).iter_errors(doc))
for e in errors[:5]:
    print("sarif:", "/".join(map(str, e.absolute_path)), e.message, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}
if python3 -c 'import jsonschema' 2>/dev/null; then
  check sarif-valid 0 validate "$tmp/lint.sarif"
  expect sarif-result grep -q '"ruleId": "W0901"' "$tmp/lint.sarif"
  # Negative control: the validator rejects a log without its required version.
  sed 's/"version": "2.1.0"/"version": "9"/' "$tmp/lint.sarif" > "$tmp/bad.sarif"
  check sarif-invalid-rejected 1 validate "$tmp/bad.sarif"
elif [ -n "${CI:-}" ]; then
  failed=$((failed + 1)); echo "FAIL python3-jsonschema is missing (scripts/setup.sh)" >&2
else
  echo "SKIP sarif validation: python3-jsonschema missing" >&2
fi

# The example workflow's lint steps, as GitHub runs them (bash -e in the workspace).
workflow="$root/examples/ci/github-actions.yml"
steps=$(sed -n 's/^ *run: \(pbrc lint.*\)$/\1/p' "$workflow")
expect workflow-has-steps test "$(printf '%s\n' "$steps" | grep -c .)" -ge 2
while IFS= read -r step; do
  [ -n "$step" ] || continue
  check "workflow: $step" 1 bash -ec "$step"  # the shadowed policy fails --deny W0901
done <<< "$(printf '%s\n' "$steps" | grep -- '--deny')"
while IFS= read -r step; do
  [ -n "$step" ] || continue
  check "workflow: $step" 0 bash -ec "$step"
done <<< "$(printf '%s\n' "$steps" | grep -v -- '--deny')"
expect workflow-sarif-written test -s pbrc.sarif

# The pre-commit hooks as pre-commit calls them: ENTRY FILES... on the matching files.
hooks="$root/.pre-commit-hooks.yaml"
lint_entry=$(sed -n '/id: pbrc-lint/,/files:/s/^ *entry: //p' "$hooks")
fmt_entry=$(sed -n '/id: pbrc-fmt/,/files:/s/^ *entry: //p' "$hooks")
expect hook-entries test -n "$lint_entry" -a -n "$fmt_entry"
check hook-lint-fails 1 $lint_entry policies/shadowed.pbr policies/seed.pbr
check hook-lint-passes 0 $lint_entry policies/seed.pbr
check hook-fmt-passes 0 $fmt_entry policies/seed.pbr
printf 'link w{device eth1;}\npolicy{via w;}\n' > policies/ugly.pbr
check hook-fmt-fails 1 $fmt_entry policies/ugly.pbr

# explain: exit codes and a bad packet.
check explain-ok 0 pbrc explain policies/seed.pbr 'from 223.5.5.5 to 114.114.114.114 iif lan0'
expect explain-rule grep -q '^rule:    policies/seed.pbr:38: from set A to set B via eth1;' "$tmp/out"
check explain-bad-packet 1 pbrc explain policies/seed.pbr 'from 1.2.3.4 to 5.6.7.8 iif'
expect explain-e0901 grep -q '^<packet 1>:1:28: error\[E0910\]' "$tmp/err"
check explain-no-packet 3 pbrc explain policies/seed.pbr
check explain-netns-needs-live 3 pbrc explain --netns x policies/seed.pbr 'from 1.2.3.4 to 5.6.7.8 iif a'
check explain-json 0 pbrc explain --format json policies/seed.pbr 'from 1.2.3.4 to 5.6.7.8 iif a'
expect explain-json-schema grep -q '"schema": "pbrc-explain/1"' "$tmp/out"

echo "lint_ci_test: $passed passed, $failed failed"
[ "$failed" = 0 ]
