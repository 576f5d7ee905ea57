#!/usr/bin/env bash
# Scenario 6: first match wins across overlapping rules; `main` exemptions keep the LAN (and
# the suppress rule keeps connected destinations) on the main table; a source-address rule
# routes by source; a catch-all takes the rest.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
e2e_apply "$here_e2e/policies/firstmatch.pbr"

expect_flow cli udp isp2 "198.51.100.7: the earlier, narrower rule wins" --from 10.98.1.2 --to 198.51.100.7
expect_flow cli udp isp1 "198.51.100.8: the broader rule" --from 10.98.1.2 --to 198.51.100.8
expect_flow cli udp isp2 "source 10.98.1.3: the source-address rule" --from 10.98.1.3 --to 8.8.8.8
expect_flow cli tcp isp1 "source 10.98.1.2: the catch-all" --from 10.98.1.2 --to 8.8.8.8
expect_ping_local cli "LAN destination 10.98.3.2 stays on main" -I 10.98.1.2 10.98.3.2
reset_counters
in_ns cli ping -q -c 2 -i 0.2 -W 2 -I 10.98.1.2 10.0.2.1 >/dev/null ||
  fail "connected destination 10.0.2.1 (isp2's address) is not reachable: it left by the catch-all"
[ "$(isp_counter isp1 echo)" = 0 ] || fail "the ping to the connected 10.0.2.1 went out via isp1"
echo "ok: connected destination 10.0.2.1 reached directly, not via the catch-all"
expect_flow rtr udp isp1 "router's own traffic follows the catch-all too" --to 8.8.8.8
echo "scenario 6 passed"
