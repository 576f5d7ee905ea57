#!/usr/bin/env bash
# Stable rule identity: two rules on one line, and rules on the same line of two imported
# files with the same name in different folders, are four policy rules and must become four
# ip rules at four preferences (they used to share preferences keyed on `basename:line`).
# The batch is loaded by the kernel; its rule list is read back, and `ip route get` shows
# that the router's own traffic to each destination goes to its link's table. The rules are
# `to` rules: only those become selector ip rules (docs/architecture.md, "The ip batches").
# Negative control: the same batch with two selector rules forced onto one preference fails
# the check.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib/netns.sh" || { echo "FAIL: cannot load tests/lib/netns.sh" >&2; exit 1; }
: "${PBRC:?set PBRC to the pbrc binary}"
ns_require
tmp="$(mktemp -d)"
trap 'ns_cleanup; rm -rf "$tmp"' EXIT

mkdir -p "$tmp/x" "$tmp/y"
echo 'policy { to 10.3.0.0/16 via a; }' > "$tmp/x/rules.pbr"
echo 'policy { to 10.4.0.0/16 via b; }' > "$tmp/y/rules.pbr"
cat > "$tmp/ids.pbr" <<'EOF'
import "x/rules.pbr";
import "y/rules.pbr";
link a { device eth1; gateway 10.0.1.1; table 101; }
link b { device eth2; gateway 10.0.2.1; table 102; }
policy { to 10.1.0.0/16 via a; to 10.2.0.0/16 via b; }
EOF
"$PBRC" compile "$tmp/ids.pbr" -o "$tmp" --emit ip,ir || fail "pbrc compile failed"

ns_new r
for d in eth1 eth2 lan0; do
  ip -n "$(ns_name r)" link add "$d" type veth peer name "p$d"
  ip -n "$(ns_name r)" link set "$d" up
done
ip -n "$(ns_name r)" addr add 10.0.1.2/24 dev eth1
ip -n "$(ns_name r)" addr add 10.0.2.2/24 dev eth2
in_ns r sysctl -qw net.ipv4.ip_forward=1

# check_prefs BATCH: the kernel lists four selector rules (to 10.N.0.0/16) at four prefs.
check_prefs() {
  in_ns r ip -batch "$1" || fail "ip -batch $1 failed"
  local prefs n
  prefs="$(in_ns r ip rule show | grep -E 'to 10\.[1-4]\.0\.0/16 lookup' | cut -d: -f1)"
  n="$(echo "$prefs" | grep -c .)"
  [ "$n" = 4 ] || { echo "expected 4 selector rules, the kernel lists $n"; return 1; }
  [ "$(echo "$prefs" | sort -u | wc -l)" = 4 ] ||
    { echo "selector rules share preferences: $(echo $prefs)"; return 1; }
}
out="$(check_prefs "$tmp/ids.ip")" || fail "$out"
echo "ok: four policy rules, four preferences: $(in_ns r ip rule show | grep -E 'to 10\.[1-4]\.' | cut -d: -f1 | tr '\n' ' ')"

for pair in 1:eth1 2:eth2 3:eth1 4:eth2; do
  got="$(in_ns r ip route get "10.${pair%:*}.0.5" | grep -o 'dev [a-z0-9]*')"
  [ "$got" = "dev ${pair#*:}" ] || fail "to 10.${pair%:*}.0.5: route get says '$got', expected dev ${pair#*:}"
  echo "ok: to 10.${pair%:*}.0.5 routes by ${pair#*:}"
done

# Negative control: the two rules of one line on one preference, as before rule ids.
p1="$(sed -n 's/^rule add pref \([0-9]*\) to 10.1.0.0\/16 .*/\1/p' "$tmp/ids.ip" | head -1)"
[ -n "$p1" ] || fail "control: no rule for 10.1.0.0/16 in ids.ip"
sed "s/^rule add pref [0-9]* to 10.2.0.0\/16 /rule add pref $p1 to 10.2.0.0\/16 /" "$tmp/ids.ip" > "$tmp/shared.ip"
if check_prefs "$tmp/shared.ip" >/dev/null; then fail "control: shared preferences were not detected"; fi
echo "ok: control: a batch with a shared preference fails the check"
echo "rule ids passed"
