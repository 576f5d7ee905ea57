#!/usr/bin/env bash
# Scenario 15: `pbrc apply` puts a policy on the router and packets follow it; a try
# (--confirm) of a policy that swaps the uplinks moves the flows, and its rollback by the
# watchdog moves them back, with the applying process gone.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
state="$E2E_TMP/state"
rtr="$(ns_name rtr)"
src="$here_e2e/policies/firstmatch.pbr"
sed -e 's/^  via wan1;/  via wan2;/' "$src" > "$E2E_TMP/swapped.pbr"
cmp -s "$src" "$E2E_TMP/swapped.pbr" && fail "the swapped policy is the same"

timeout 60 "$PBRC" apply -q --netns "$rtr" --state-dir "$state" "$src" < /dev/null ||
  fail "pbrc apply firstmatch failed"
expect_flow cli udp isp1 "after apply: the catch-all via wan1" --from 10.98.1.2 --to 8.8.8.8
expect_flow cli udp isp2 "after apply: the narrower rule via wan2" --from 10.98.1.2 --to 198.51.100.7

timeout 60 "$PBRC" apply -q --confirm 3 --netns "$rtr" --state-dir "$state" "$E2E_TMP/swapped.pbr" \
  < /dev/null || fail "pbrc apply --confirm swapped failed"
expect_flow cli udp isp2 "on trial: the catch-all via wan2" --from 10.98.1.2 --to 8.8.8.8
for _ in $(seq 15); do
  [ -e "$state/pbr/confirm" ] || break
  sleep 1
done
[ ! -e "$state/pbr/confirm" ] || fail "the try was not rolled back within 15 seconds"
expect_flow cli udp isp1 "rolled back: the catch-all via wan1 again" --from 10.98.1.2 --to 8.8.8.8
echo "scenario 15 passed"
