#!/usr/bin/env bash
# Property test: random hostile names, strings and file names. For each random policy pbrc
# either rejects it with a diagnostic (exit 1, file:line:col) or every artifact loads in a
# throwaway namespace into exactly the objects the IR describes and nothing else:
#   - nft -f and nft -j -f both load; the listings are equal; the namespace holds a sentinel
#     table and pbrc's table only, with the IR's sets and pbrc's chains, iifnames verbatim;
#   - ip -batch / ip -6 -batch add only protocol-P rules and routes (as many as the IR has);
#     the sentinel rule and main routes are untouched;
#   - sysctl -p applies the sysctl fragment and each key reads back with its value.
# Seedable and bounded: HOSTILE_SEED (default: random, printed), HOSTILE_ROUNDS (default 20).
# The two attacks of issue 8 (a newline file name that flushes the ruleset, "eth1#") are
# fixed rounds that run first.
set -u
export LC_ALL=C  # names hold arbitrary bytes; match them as bytes
shopt -s dotglob  # file names may start with a dot
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$root/tests/lib/netns.sh" || { echo "FAIL: cannot load tests/lib/netns.sh" >&2; exit 1; }
. "$here/hostile_gen.sh" || fail "cannot load hostile_gen.sh"
ns_require
PBRC="${PBRC:-$root/build/pbrc}"
[ -x "$PBRC" ] || fail "no pbrc binary at $PBRC"

seed="${HOSTILE_SEED:-$((RANDOM * 32768 + RANDOM))}"
rounds="${HOSTILE_ROUNDS:-20}"
echo "hostile_names: seed $seed, $rounds rounds (rerun with HOSTILE_SEED=$seed)"
RANDOM=$seed
work="$(mktemp -d /tmp/pbrc-hostile.XXXXXX)"
trap 'rm -rf "$work"; ns_cleanup' EXIT

# check_round DIR: compiles DIR/<policy>; on acceptance loads and verifies everything.
check_round() {
  local dir="$1" label="$2" policy rc
  policy=("$dir"/*.pbr)
  mkdir -p "$dir/out"
  "$PBRC" compile "${policy[0]}" -o "$dir/out" --emit nft,nft-json,ip,sysctl >"$dir/stdout" \
    2>"$dir/stderr"
  rc=$?
  if [ $rc = 1 ]; then
    grep -aqE '^.+:[0-9]+:[0-9]+: error\[E[0-9]{4}\]' "$dir/stderr" ||
      fail "$label: exit 1 without a file:line:col diagnostic: $(head -c 300 "$dir/stderr")"
    ls "$dir/out" | grep -q . && fail "$label: rejected, yet artifacts were written"
    return 1
  fi
  [ $rc = 0 ] || fail "$label: pbrc exited $rc: $(head -c 300 "$dir/stderr")"
  "$PBRC" compile "${policy[0]}" --emit ir >"$dir/ir" 2>/dev/null || fail "$label: --emit ir fails"
  # Devices as pbrc understood them; their names have no blanks once accepted.
  grep -oE ' (dev|iif|oif)=[^ ]*' "$dir/ir" | cut -d= -f2 | sort -u >"$dir/devices"
  load_and_compare "$dir" "$label"
  return 0
}

# An artifact line that is not pbrc's: header lines start with "#", all others with the
# keywords pbrc writes.
check_lines() {
  local f="$1" label="$2" bad
  bad=$(grep -nvaE '^(#|$|table |delete table |	|[{}]$|route (flush|replace) |rule (flush|add) |net[./])' \
    "$f" | head -3)
  [ -z "$bad" ] || fail "$label: $(basename "$f") has a line pbrc does not write: $bad"
}

load_and_compare() {
  local dir="$1" label="$2" ns=h nsn table proto dev want got f fam nftf
  nftf=("$dir"/out/*.nft)
  ns_new $ns
  nsn="$(ns_name $ns)"
  table="$(sed -n 's/^options table=\([^ ]*\) .*/\1/p' "$dir/ir")"
  proto="$(sed -n 's/.* protocol=\([0-9]*\) .*/\1/p' "$dir/ir")"
  for f in "$dir"/out/*; do check_lines "$f" "$label"; done
  while IFS= read -r dev; do
    ip -n "$nsn" link show dev "$dev" >/dev/null 2>&1 && continue
    ip -n "$nsn" link add name "$dev" type veth peer name "p$RANDOM" ||
      fail "$label: the kernel refuses device '$dev' that pbrc accepted"
    ip -n "$nsn" link set dev "$dev" up
  done < "$dir/devices"
  ip -n "$nsn" -4 route replace 10.9.0.0/16 dev "$(head -1 "$dir/devices")"
  ip -n "$nsn" -6 route replace fd09::/64 dev "$(head -1 "$dir/devices")"
  in_ns $ns nft add table ip pbrcsentinel || fail "$label: sentinel table"
  ip -n "$nsn" rule add pref 5 from 192.0.2.99 lookup 77 || fail "$label: sentinel rule"
  ip -n "$nsn" route add default via 10.9.0.254 || fail "$label: sentinel default route"
  for fam in 4 6; do
    ip -n "$nsn" -$fam rule show >"$dir/rules$fam.before"
    ip -n "$nsn" -$fam route show table all | grep -v "proto $proto" >"$dir/routes$fam.before"
  done

  in_ns $ns nft -f "${nftf[0]}" 2>"$dir/nft.err" || fail "$label: nft -f: $(head -3 "$dir/nft.err")"
  in_ns $ns nft list table inet "$table" >"$dir/text.list" || fail "$label: list table $table"
  in_ns $ns nft -j -f "${nftf[0]}.json" 2>"$dir/nft.err" ||
    fail "$label: nft -j -f: $(head -3 "$dir/nft.err")"
  in_ns $ns nft list table inet "$table" >"$dir/json.list" || fail "$label: list table $table"
  cmp -s "$dir/text.list" "$dir/json.list" || fail "$label: text and JSON artifacts differ in the kernel"
  got="$(in_ns $ns nft list tables | sort | tr '\n' ' ')"
  want="$(printf 'table inet %s\ntable ip pbrcsentinel\n' "$table" | sort | tr '\n' ' ')"
  [ "$got" = "$want" ] || fail "$label: tables are '$got', expected '$want'"
  got="$(in_ns $ns nft list sets inet | sed -n 's/^\tset \([^ ]*\) {$/\1/p' | sort)"
  want="$(sed -n 's/^set \([^ ]*\) .*/\1/p' "$dir/ir" | sort)"
  [ "$got" = "$want" ] || fail "$label: sets are '$got', IR has '$want'"
  # Besides the fixed chains, `classify maps;` (the default) adds one mark_tN / reply_tN chain
  # per target: numbered, never named after the policy.
  got="$(sed -n 's/^\tchain \([^ ]*\) {$/\1/p' "$dir/text.list" | grep -Ev '^(mark|reply)_t[0-9]+$' |
    sort | tr '\n' ' ')"
  want="classify classify_stateless classify_stateless_forward output prerouting restore "
  [ "$got" = "$want" ] || fail "$label: chains are '$got', expected '$want'"
  while IFS= read -r dev; do
    grep -qF "iifname \"$dev\"" "$dir/text.list" || fail "$label: no rule matches iifname '$dev'"
  done < "$dir/devices"

  for fam in 4 6; do
    f="${nftf[0]%.nft}.ip"
    [ $fam = 6 ] && f="${f}6"
    ip -n "$nsn" -$fam -batch "$f" 2>"$dir/ip.err" || fail "$label: ip -$fam -batch: $(head -3 "$dir/ip.err")"
    ip -n "$nsn" -$fam rule show >"$dir/rules$fam.after"
    diff <(grep -v " proto $proto *$" "$dir/rules$fam.after") "$dir/rules$fam.before" >/dev/null ||
      fail "$label: ip -$fam -batch changed rules it does not own"
    want=$(grep -c "^ip-rule ip$([ $fam = 6 ] && echo 6) " "$dir/ir")
    got=$(grep -c " proto $proto *$" "$dir/rules$fam.after")
    [ "$got" = "$want" ] || fail "$label: IPv$fam has $got rules of protocol $proto, IR says $want"
    diff <(ip -n "$nsn" -$fam route show table all | grep -v "proto $proto") "$dir/routes$fam.before" \
      >/dev/null || fail "$label: ip -$fam -batch changed routes it does not own"
    want=$(grep -c "^route ip$([ $fam = 6 ] && echo 6) " "$dir/ir")
    got=$(ip -n "$nsn" -$fam route show table all | grep -c "proto $proto")
    [ "$got" = "$want" ] || fail "$label: IPv$fam has $got routes of protocol $proto, IR says $want"
  done

  # The sysctl fragment applies in the namespace, and every key holds its value afterwards.
  f="${nftf[0]%.nft}.sysctl.conf"
  in_ns $ns sysctl -q -p "$f" >/dev/null 2>"$dir/sysctl.err" ||
    fail "$label: sysctl -p: $(head -3 "$dir/sysctl.err")"
  while read -r key _ want; do
    got="$(in_ns $ns sysctl -n "$key")"
    [ "$got" = "$want" ] || fail "$label: sysctl $key is '$got', the fragment says '$want'"
  done < <(grep -v '^#' "$f")
  ns_cleanup
}

# The attacks of issue 8, then random rounds.
accepted=0
rejected=0
attack_header "$work/a1" && check_round "$work/a1" "attack: newline file name" ||
  fail "attack: newline file name must compile (the name is escaped)"
grep -q '^flush ruleset' "$work"/a1/out/* && fail "attack: a header line was injected"
attack_hash_device "$work/a2"
check_round "$work/a2" "attack: device eth1#" && fail "attack: device 'eth1#' was accepted"
grep -q 'E0602' "$work/a2/stderr" || fail "attack: device 'eth1#' without E0602"
# Valid names that are keywords or options elsewhere: each must load like any other.
for dev in -x help dynamic table dev 0 a.b.c 123456789012345; do
  write_policy "$work/e" "edge" "$(policy_text IP A B wan1 wan2 "$dev" eth2 eth3)"
  check_round "$work/e" "edge device '$dev'" || fail "edge device '$dev' was rejected"
  rm -rf "$work/e"
done
for ((i = 1; i <= rounds; i++)); do
  random_policy "$work/r$i"
  if check_round "$work/r$i" "round $i (seed $seed)"; then
    accepted=$((accepted + 1))
  else
    rejected=$((rejected + 1))
  fi
  rm -rf "$work/r$i"
done
# A generator that only produces rejected (or only accepted) policies would test little.
if ((rounds >= 10)); then
  # About half of the rounds are accepted; none accepted in 10+ rounds means a broken test.
  [ $accepted -ge 1 ] || fail "none of $rounds random policies was accepted"
  [ $rejected -ge 1 ] || fail "no random policy was rejected; the generator is too tame"
fi
echo "hostile_names: $accepted accepted and loaded exactly, $rejected rejected with a diagnostic"
