#!/usr/bin/env bash
# `pbrc explain --live --netns NAME` against a real kernel (issue 11). Policy A's artifacts
# are loaded into a throwaway namespace; then:
#   - control: explain A agrees (kernel line, no DISAGREE, JSON disagreements [] and
#     ruleset null) and exits 0;
#   - explain B (the kernel holds A; B steers the flow to wan2) reports that the kernel does
#     not hold the policy (text and JSON) and exits 2;
#   - a route of wan1's table tampered (another gateway): DISAGREE gateway, exit 2;
#   - the ip rules that look up wan1's table deleted: the kernel routes by main, DISAGREE
#     device and table, exit 2;
#   - after loading A again (after each tampering), explain A agrees again (exit 0).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib/netns.sh" || { echo "FAIL: cannot load tests/lib/netns.sh" >&2; exit 1; }
: "${PBRC:?set PBRC to the pbrc binary}"
ns_require
command -v python3 >/dev/null || fail "python3 is needed"
tmp="$(mktemp -d)"
trap 'ns_cleanup; rm -rf "$tmp"' EXIT

cat > "$tmp/A.pbr" <<'POLICY'
options {
  nft table pbrexplain;
  mark mask 0xf;
  preference 500-519;
  table ids 5000-5099;
}

link wan1 {
  device eth1;
  gateway 10.0.1.1;
}

link wan2 {
  device eth2;
  gateway 10.0.2.1;
}

policy {
  from 10.30.0.0/16 via wan1;
  proto udp dport 53 to 0.0.0.0/0 via wan2;
}
POLICY
sed -e 's|from 10.30.0.0/16 via wan1;|from 10.30.0.0/16 via wan2;|' "$tmp/A.pbr" > "$tmp/B.pbr"
cmp -s "$tmp/A.pbr" "$tmp/B.pbr" && fail "B is A"
"$PBRC" compile "$tmp/A.pbr" -o "$tmp" || fail "pbrc compile A failed"
"$PBRC" check "$tmp/B.pbr" || fail "policy B has errors"

ns_new r
ns="$(ns_name r)"
for d in eth1 eth2 lan0; do
  ip -n "$ns" link add "$d" type veth peer name "p$d"
  ip -n "$ns" link set "$d" up
  ip -n "$ns" link set "p$d" up
done
ip -n "$ns" addr add 10.0.1.2/24 dev eth1
ip -n "$ns" addr add 10.0.2.2/24 dev eth2
ip -n "$ns" addr add 10.30.0.1/16 dev lan0
ip -n "$ns" route add default via 10.0.2.1 dev eth2  # main: the model reads it back
in_ns r sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
  net.ipv4.conf.default.rp_filter=0 || fail "sysctl in the namespace"
for d in eth1 eth2 lan0; do in_ns r sysctl -qw "net.ipv4.conf.$d.rp_filter=0"; done

load_a() {
  in_ns r nft -f "$tmp/A.nft" || fail "nft -f A.nft"
  in_ns r ip -batch "$tmp/A.ip" || fail "ip -batch A.ip"
  in_ns r ip -6 -batch "$tmp/A.ip6" || fail "ip -6 -batch A.ip6"
  in_ns r sysctl -q -p "$tmp/A.sysctl.conf" >/dev/null || fail "sysctl -p A.sysctl.conf"
}
load_a
# wan1's table and the ip rules that look it up (its fwmark, the source rule), as A's ip
# batch writes them.
table=$(sed -n 's/^route .* dev eth1 .*table \([0-9]*\).*/\1/p' "$tmp/A.ip" | head -n1)
[ -n "$table" ] || { cat "$tmp/A.ip" >&2; fail "no route of wan1 in A.ip"; }
mapfile -t rules < <(grep -E "^rule add .* lookup $table protocol 250$" "$tmp/A.ip" | cut -d' ' -f3-)
grep -q "fwmark" <<<"${rules[*]}" || { cat "$tmp/A.ip" >&2; fail "no fwmark rule of table $table in A.ip"; }
pkt='from 10.30.1.1 to 198.51.100.7 proto tcp sport 40000 dport 80 iif lan0'

# explain WANT_RC POLICY [--format json]: bounded, output in $tmp/out.
explain() {
  local want="$1" policy="$2"; shift 2
  timeout 60 "$PBRC" explain --live --netns "$ns" "$@" "$policy" "$pkt" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  [ "$rc" = "$want" ] || { cat "$tmp/out" "$tmp/err" >&2; fail "explain $policy $*: exit $rc, expected $want"; }
}
has() { grep -qF -- "$1" "$tmp/out" || { cat "$tmp/out" >&2; fail "output lacks: $1"; }; }
lacks() { ! grep -qF -- "$1" "$tmp/out" || { cat "$tmp/out" >&2; fail "output has: $1"; }; }
# json EXPR: a Python expression over the parsed output `j` that must be true.
json() {
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
    "$tmp/out" "$1" || { cat "$tmp/out" >&2; fail "json: $1"; }
}

agrees() {
  explain 0 "$tmp/A.pbr"
  has "kernel:  dev eth1 via 10.0.1.1 table $table"
  lacks "DISAGREE"
  explain 0 "$tmp/A.pbr" --format json
  json 'j["packets"][0]["kernel"] == {"dev": "eth1", "gateway": "10.0.1.1", "table": "'"$table"'"}'
  json 'j["packets"][0]["disagreements"] == [] and j["ruleset"] is None'
}
agrees
echo "ok: control: the kernel holds A and agrees with the model (exit 0)"

# B steers the flow to wan2: the route for B's mark agrees, the loaded ruleset does not.
explain 2 "$tmp/B.pbr"
has "DISAGREE the kernel does not hold this policy:"
has "kernel:  dev eth2 via 10.0.2.1"
explain 2 "$tmp/B.pbr" --format json
json 'j["packets"][0]["disagreements"] == []'
json 'j["ruleset"].startswith("the kernel does not hold this policy:")'
echo "ok: the kernel holds A, explain B reports the ruleset (text and JSON, exit 2)"

ip -n "$ns" route replace default via 10.0.1.9 dev eth1 table "$table" || fail "tamper route"
explain 2 "$tmp/A.pbr"
has "DISAGREE gateway: kernel '10.0.1.9', model '10.0.1.1'"
has "DISAGREE the kernel does not hold this policy:"
explain 2 "$tmp/A.pbr" --format json
json '"gateway: kernel '"'"'10.0.1.9'"'"', model '"'"'10.0.1.1'"'"'" in j["packets"][0]["disagreements"]'
json 'j["packets"][0]["kernel"]["gateway"] == "10.0.1.9"'
echo "ok: a tampered route of wan1's table is a gateway disagreement (exit 2)"
load_a

for r in "${rules[@]}"; do ip -n "$ns" rule del $r || fail "ip rule del $r"; done
explain 2 "$tmp/A.pbr"
has "DISAGREE device: kernel eth2, model eth1"
has "DISAGREE table: kernel main, model $table"
explain 2 "$tmp/A.pbr" --format json
json '"table: kernel main, model '"$table"'" in j["packets"][0]["disagreements"]'
json 'j["packets"][0]["kernel"] == {"dev": "eth2", "gateway": "10.0.2.1", "table": "main"}'
echo "ok: without the ip rules of wan1's table the kernel routes by main: device and table disagree (exit 2)"

load_a
agrees
echo "ok: restored, the kernel agrees again (exit 0)"
