#!/usr/bin/env bash
# The layer table fails the build: in a scratch copy of the tree, configured on its own,
# building the pbrc_check_layers target (part of ALL, and a dependency of every stage
# library) succeeds on the tree as it is and fails, naming the file and the include, for
# each planted violation: a stage including a later stage's header, the IR header including
# the model, a relative include into a later stage's internals, a folder or public header
# the table does not know. Usage: layers_test.sh PATH_TO_CMAKE
set -u
cmake="${1:-cmake}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

tree="$tmp/tree"
mkdir -p "$tree"
cp -r "$root/CMakeLists.txt" "$root/cmake" "$root/grammar" "$root/stdlib" "$root/src" \
  "$root/include" "$root/dist" "$root/docs" "$root/scripts" "$tree/"
if ! timeout 120 "$cmake" -S "$tree" -B "$tree/build" -DPBRC_TESTS=OFF >"$tmp/log" 2>&1; then
  echo "FAIL configure" >&2
  cat "$tmp/log" >&2
  exit 1
fi

check() {  # check NAME WANT(pass|fail) [MESSAGE]: builds the check target
  local name="$1" want="$2" message="${3:-}" rc=0
  timeout 120 "$cmake" --build "$tree/build" --target pbrc_check_layers >"$tmp/log" 2>&1 || rc=$?
  if [ "$want" = pass ] && [ "$rc" = 0 ]; then
    passed=$((passed + 1))
  elif [ "$want" = fail ] && [ "$rc" != 0 ] && grep -qF -- "$message" "$tmp/log"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $rc, wanted $want ${message:+with: $message}" >&2
    tail -20 "$tmp/log" >&2
  fi
}

plant() {  # plant FILE LINE: adds LINE after the file's first #include
  sed -i "0,/^#include/s||$2\n&|" "$tree/$1"
}
restore() {
  cp "$root/$1" "$tree/$1"
}

check clean-tree pass

plant src/emit/nft.cc '#include "pbrc/sema.h"'
check emit-includes-sema fail "src/emit/nft.cc: #include \"pbrc/sema.h\" is stage 'sema', \
not one stage 'emit' may use (emit ir base diag)"
restore src/emit/nft.cc
check restored-1 pass

plant include/pbrc/ir.h '#include "pbrc/model.h"'
check ir-header-includes-model fail "include/pbrc/ir.h: #include \"pbrc/model.h\" is stage 'sema'"
restore include/pbrc/ir.h

plant src/ir/print.cc '#include "../cli/common.h"'
check ir-reaches-cli-internals fail "src/ir/print.cc: #include \"../cli/common.h\" is stage 'cli'"
restore src/ir/print.cc

plant src/base/source.cc '#include "pbrc/diagnostics.h"'
check base-includes-diag fail "src/base/source.cc: #include \"pbrc/diagnostics.h\" is stage 'diag'"
restore src/base/source.cc

mkdir -p "$tree/src/newstage"
printf '#include "pbrc/ir.h"\n' >"$tree/src/newstage/newstage.cc"
check unknown-folder fail "src/newstage/newstage.cc: not in the layer table"
rm -r "$tree/src/newstage"

printf '#pragma once\n' >"$tree/include/pbrc/orphan.h"
check unowned-header fail "include/pbrc/orphan.h: not in the layer table"
rm "$tree/include/pbrc/orphan.h"

plant src/sema/sema.cc '#include "no_such_header.h"'
check missing-header fail \
  "src/sema/sema.cc: #include \"no_such_header.h\" is not a file of this tree"
restore src/sema/sema.cc

check clean-again pass

echo "layers: $passed passed, $failed failed"
[ "$failed" = 0 ]
