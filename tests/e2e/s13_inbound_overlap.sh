#!/usr/bin/env bash
# Scenario 13: a connection that arrives on an uplink keeps it even when a policy rule would
# claim it. A port forward on eth2 (tcp/udp 8080 to a LAN host) and a service on the router
# itself (tcp/udp 7001) are reached through isp2 while the main table points at isp3 and the
# policy steers `dport 8080, 7001` (then, in a variant, everything: `via wan1;`) to wan1. The
# answers must go back through isp2, with rp_filter off and strict. Control: the same ruleset
# with the inbound pins moved after the policy's rules (pbrc's old order) loses them.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
e2e_inbound_services
ip netns exec "$(ns_name srv)" timeout 600 "$PROBE" serve --port 8080 --seconds 600 >/dev/null 2>&1 &
disown
sleep 0.3

answer() {  # answer PROTO PORT: what the probe from srv to 10.0.2.2 gets back
  in_ns srv "$PROBE" "$1" --to 10.0.2.2 --port "$2" --timeout-ms 1000 | head -1
}
expect_answers() {  # expect_answers WHAT: all four inbound connections answered through isp2
  local p port ans
  for p in udp tcp; do
    for port in 8080 7001; do
      ans="$(answer $p $port)"
      [ "$ans" = "SEEN 10.200.2.2" ] ||
        fail "$1: $p to port $port on eth2: expected the answer back through isp2, got '$ans'"
    done
  done
  echo "ok: $1: port forward and router service on eth2 answered through eth2 (udp, tcp)"
}
# with_old_order POLICY: pbrc's ruleset with the inbound pins moved to the end of classify.
# Derived from the policy's `classify linear;` form (with maps the pins are map elements).
with_old_order() {
  sed 's/^options {/options {\n  classify linear;/' "$1" >"$E2E_TMP/old-order-linear.pbr"
  grep -q 'classify linear;' "$E2E_TMP/old-order-linear.pbr" || fail "could not derive the linear policy"
  local lin
  lin="$(e2e_compile "$E2E_TMP/old-order-linear.pbr")"
  awk '/^\tchain classify \{/ { in_c = 1 }
       in_c && / inbound -> / { held = held $0 "\n"; next }
       in_c && /^\t\}/ { printf "%s", held; in_c = 0 }
       { print }' "$lin.nft" >"$E2E_TMP/old-order.nft"
  [ "$(grep -c ' inbound -> ' "$E2E_TMP/old-order.nft")" = "$(grep -c ' inbound -> ' "$lin.nft")" ] ||
    fail "could not derive the old-order ruleset"
  cmp -s "$lin.nft" "$E2E_TMP/old-order.nft" && fail "the old-order ruleset is the same as pbrc's"
  in_ns rtr nft -f "$E2E_TMP/old-order.nft" || fail "cannot load the old-order ruleset"
}

sed 's/^  proto tcp, udp dport 8080, 7001 via wan1;/  via wan1;/' \
  "$here_e2e/policies/inbound-overlap.pbr" >"$E2E_TMP/inbound-catchall.pbr"
grep -q '^  via wan1;' "$E2E_TMP/inbound-catchall.pbr" || fail "could not derive the catch-all policy"
for policy in "$here_e2e/policies/inbound-overlap.pbr" "$E2E_TMP/inbound-catchall.pbr"; do
  what="$(basename "$policy" .pbr)"
  base="$(e2e_compile "$policy")"
  e2e_rp_filter 0
  in_ns rtr conntrack -F >/dev/null 2>&1
  e2e_apply "$base"
  expect_answers "$what"
  expect_flow cli udp isp1 "$what: the policy still steers LAN traffic" --from 10.98.1.2 --to 8.8.8.8 --port 8080
  e2e_strict_rp
  in_ns rtr conntrack -F >/dev/null 2>&1
  expect_answers "$what, strict rp_filter"
  with_old_order "$policy"
  in_ns rtr conntrack -F >/dev/null 2>&1
  ans="$(answer tcp 8080)"
  [ "$ans" = TIMEOUT ] || fail "control ($what): with the pins after the rules the port forward still answered ('$ans')"
  ans="$(answer udp 7001)"
  [ "$ans" = TIMEOUT ] || fail "control ($what): with the pins after the rules the router service still answered ('$ans')"
  echo "ok: control ($what): with the pins after the policy's rules both connections are lost"
done
echo "scenario 13 passed"
