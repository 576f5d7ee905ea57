# The benchmarks' forwarding topology (sourced by dataplane_bench.sh and restore_bench.sh
# after tests/lib/netns.sh): a sender, a router and a sink namespace per configuration.
mac() { ip -n "$(ns_name "$1")" -br link show "$2" | awk '{ print $3 }'; }
# topo C: namespaces sC, rC, kC. snd owns 10.78.0.0/16 (the flows' sources); the sink owns
# 10.79.0.1 (matched by the last rule) and 10.79.1.1 (by none) and drops all UDP to port 9
# in a raw-priority chain, counting it per input device (k1: wan1, k2: main).
topo() {
  local c="$1" s="s$1" r="r$1" k="k$1"
  ns_new "$s"; ns_new "$r"; ns_new "$k"
  veth "$s" eth0 "$r" lan0
  veth "$r" eth1 "$k" k1
  veth "$r" eth2 "$k" k2
  ip -n "$(ns_name "$s")" addr add 10.77.0.2/24 dev eth0
  ip -n "$(ns_name "$s")" route add default via 10.77.0.1
  ip -n "$(ns_name "$s")" route add local 10.78.0.0/16 dev lo
  ip -n "$(ns_name "$s")" neigh add 10.77.0.1 lladdr "$(mac "$r" lan0)" dev eth0 nud permanent
  ip -n "$(ns_name "$r")" addr add 10.77.0.1/24 dev lan0
  ip -n "$(ns_name "$r")" addr add 10.0.1.2/24 dev eth1
  ip -n "$(ns_name "$r")" addr add 10.0.2.2/24 dev eth2
  ip -n "$(ns_name "$r")" route add 10.78.0.0/16 via 10.77.0.2
  ip -n "$(ns_name "$r")" route add default via 10.0.2.1
  ip -n "$(ns_name "$r")" neigh add 10.0.1.1 lladdr "$(mac "$k" k1)" dev eth1 nud permanent
  ip -n "$(ns_name "$r")" neigh add 10.0.2.1 lladdr "$(mac "$k" k2)" dev eth2 nud permanent
  ip -n "$(ns_name "$k")" addr add 10.0.1.1/24 dev k1
  ip -n "$(ns_name "$k")" addr add 10.0.2.1/24 dev k2
  ip -n "$(ns_name "$k")" addr add 10.79.0.1/32 dev lo
  ip -n "$(ns_name "$k")" addr add 10.79.1.1/32 dev lo
  in_ns "$k" nft -f - <<'NFT' || fail "sink ruleset of $c"
table inet sink {
  counter c1 {}
  counter c2 {}
  chain pre {
    type filter hook prerouting priority raw;
    iifname "k1" udp dport 9 counter name "c1" drop
    iifname "k2" udp dport 9 counter name "c2" drop
  }
}
NFT
}
