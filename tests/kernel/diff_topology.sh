# Sourced by differential.sh and maps_equivalence.sh (with $here set): the namespaces
#   cli (cli0, cli1) --lan0/lan1-- rtr --eth1/eth2-- up (up1, up2)
# with addresses, the main table explain --live reads back, static neighbours and sysctls.
. "$here/../lib/netns.sh"
ns_require
command -v python3 >/dev/null || fail "python3 is needed"
PBRC="${PBRC:-$here/../../build/pbrc}"

ns_new rtr; ns_new cli; ns_new up
veth rtr lan0 cli cli0
veth rtr lan1 cli cli1
veth rtr eth1 up up1
veth rtr eth2 up up2
r() { ip -n "$(ns_name rtr)" "$@"; }
c() { ip -n "$(ns_name cli)" "$@"; }
u() { ip -n "$(ns_name up)" "$@"; }
mac() { ip -n "$(ns_name "$1")" -j link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'; }

r addr add 10.99.0.1/24 dev lan0; r addr add fd99::1/64 dev lan0
r addr add 10.99.1.1/24 dev lan1; r addr add fd99:1::1/64 dev lan1
r addr add 10.0.1.2/24 dev eth1; r addr add fd00:1::2/64 dev eth1
r addr add 10.0.2.2/24 dev eth2; r addr add fd00:2::2/64 dev eth2
c addr add 10.99.0.2/24 dev cli0; c addr add fd99::2/64 dev cli0
c addr add 10.99.1.2/24 dev cli1; c addr add fd99:1::2/64 dev cli1
u addr add 10.0.1.1/24 dev up1; u addr add fd00:1::1/64 dev up1
u addr add 10.0.2.1/24 dev up2; u addr add fd00:2::1/64 dev up2
# The main table the model reads back (explain --live): connected routes and a default.
r route add default via 10.0.2.1 dev eth2
r -6 route add default via fd00:2::1 dev eth2
c route add default via 10.99.0.1 dev cli0; c route add default via 10.99.1.1 dev cli1 metric 10
c -6 route add default via fd99::1 dev cli0; c -6 route add default via fd99:1::1 dev cli1 metric 10
u route add default via 10.0.1.2 dev up1; u route add default via 10.0.2.2 dev up2 metric 10
u -6 route add default via fd00:1::2 dev up1; u -6 route add default via fd00:2::2 dev up2 metric 10
# Static neighbours: no ARP or neighbour discovery passes pbrc's chains during the run.
for pair in "rtr lan0 cli cli0 10.99.0.1 fd99::1 10.99.0.2 fd99::2" \
            "rtr lan1 cli cli1 10.99.1.1 fd99:1::1 10.99.1.2 fd99:1::2" \
            "rtr eth1 up up1 10.0.1.2 fd00:1::2 10.0.1.1 fd00:1::1" \
            "rtr eth2 up up2 10.0.2.2 fd00:2::2 10.0.2.1 fd00:2::1"; do
  set -- $pair
  ma=$(mac "$1" "$2"); mb=$(mac "$3" "$4")
  ip -n "$(ns_name "$3")" neigh replace "$5" lladdr "$ma" dev "$4" nud permanent
  ip -n "$(ns_name "$3")" -6 neigh replace "$6" lladdr "$ma" dev "$4" nud permanent
  ip -n "$(ns_name "$1")" neigh replace "$7" lladdr "$mb" dev "$2" nud permanent
  ip -n "$(ns_name "$1")" -6 neigh replace "$8" lladdr "$mb" dev "$2" nud permanent
done
for ns in rtr cli up; do
  in_ns "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
    net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0
  for d in lan0 lan1 eth1 eth2 cli0 cli1 up1 up2; do
    in_ns "$ns" sysctl -qw "net.ipv4.conf.$d.rp_filter=0" 2>/dev/null
  done
done
# Only rtr forwards (a namespace may inherit the host's forwarding): a packet must not come
# back to rtr a second time, nor may rtr's ICMP redirects reach the senders' route caches.
for ns in cli up; do
  in_ns "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 \
    net.ipv4.conf.all.accept_redirects=0 net.ipv6.conf.all.accept_redirects=0
done
in_ns rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
  net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0
