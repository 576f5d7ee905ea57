#!/usr/bin/env bash
# Scenario 12: echo replies that conntrack cannot match (INVALID), under strict rp_filter,
# are classified by the first rule that matches them reversed. A reply from 192.168.100.201
# on eth1 answers `from set lan to set far via wan1` and passes although the exemption
# `to set lan via main;` comes first; a reply from 192.168.100.200 on eth2 answers the
# earlier, narrower `... to set near via wan2` and passes. The same reply from
# 192.168.100.200 arriving on eth1 is not the reply of any steered flow (its flow left by
# wan2), so the walk stops at the wan2 rule and the later wan1 rule cannot claim it: strict
# rp_filter drops it, as it drops such a reply of a tracked connection. pbrc's old order
# (every forward rule, then every reversed rule, no stop) gets both wrong.
set -u
. "$(dirname "$0")/lib.sh" || exit 1
e2e_default_uplinks
e2e_build
e2e_strict_rp
# Both forms: the reply maps (the default) and the linear chains, whose stop rules the
# control below removes.
sed 's/^options {/options {\n  classify linear;/' "$here_e2e/policies/stateless-stop.pbr" \
  >"$E2E_TMP/stateless-stop-linear.pbr"
grep -q 'classify linear;' "$E2E_TMP/stateless-stop-linear.pbr" || fail "could not derive the linear policy"
for policy in "$here_e2e/policies/stateless-stop.pbr" "$E2E_TMP/stateless-stop-linear.pbr"; do
  base="$(e2e_compile "$policy")"
  what="$(basename "$base")"
  e2e_apply "$base"
  expect_invalid_reply isp1 192.168.100.201 10.98.1.2 "$what: reply of a wan1 flow on eth1"
  expect_invalid_reply isp2 192.168.100.200 10.98.1.2 "$what: reply of a wan2 flow on eth2"
  if invalid_reply_arrives isp1 192.168.100.200 10.98.1.2; then
    fail "$what: a reply of a wan2 flow arriving on eth1 was accepted: a later reversed rule claimed it"
  fi
  echo "ok: $what: a reply of a wan2 flow arriving on eth1 is dropped by strict rp_filter"
done
grep -q 'vmap @reply_m' "$E2E_TMP/out/stateless-stop.nft" || fail "the default artifact has no reply maps"

# Control (linear form): without the rules that end the walk, the later wan1 rule claims
# that reply.
grep -v ': stop"' "$base.nft" >"$E2E_TMP/nostop.nft"
[ "$(grep -c 'goto classify_stateless_forward' "$E2E_TMP/nostop.nft")" = 1 ] ||
  fail "could not derive the ruleset without stop rules"
in_ns rtr nft -f "$E2E_TMP/nostop.nft" || fail "cannot load the ruleset without stop rules"
invalid_reply_arrives isp1 192.168.100.200 10.98.1.2 ||
  fail "control: without the stop rules the reply on eth1 was still dropped"
echo "ok: control: without the stop rules the wan1 rule claims it and strict rp_filter passes it"
echo "scenario 12 passed"
