# Shared helpers for tests that touch the kernel. Everything runs inside network namespaces
# this script creates, with names unique to the run; they are deleted on exit and on signals.
# Nothing here ever runs nft, ip rule/route or sysctl in the root namespace.
#
# Use: . tests/lib/netns.sh; ns_require; ns_new NAME; in_ns NAME cmd...; (cleanup is automatic)

PBRC_RUN_ID="${PBRC_RUN_ID:-pbrc$$$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')}"
NS_CREATED=()

ns_cleanup() {
  local ns
  for ns in "${NS_CREATED[@]}"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  NS_CREATED=()
}
trap ns_cleanup EXIT
trap 'ns_cleanup; exit 130' INT TERM HUP PIPE

# Skips (exit 77) without root or namespace support; in CI a skip is a failure.
ns_require() {
  local why=""
  if [ "$(id -u)" != 0 ]; then why="needs root"
  elif ! command -v ip >/dev/null || ! command -v nft >/dev/null; then why="needs ip and nft"
  elif ! ip netns add "${PBRC_RUN_ID}-probe" 2>/dev/null; then why="cannot create network namespaces"
  else ip netns del "${PBRC_RUN_ID}-probe"; fi
  if [ -n "$why" ]; then
    if [ -n "${CI:-}" ]; then echo "FAIL: kernel tests $why, and CI must run them" >&2; exit 1; fi
    echo "SKIP: kernel tests $why" >&2
    exit 77
  fi
}

# ns_new SHORT: creates namespace "$PBRC_RUN_ID-SHORT" with lo up; prints nothing.
ns_new() {
  local ns="${PBRC_RUN_ID}-$1"
  ip netns add "$ns" || { echo "cannot create namespace $ns" >&2; exit 1; }
  NS_CREATED+=("$ns")
  ip -n "$ns" link set lo up
  # No duplicate address detection: addresses (link-local ones too) are usable at once.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

ns_name() { echo "${PBRC_RUN_ID}-$1"; }

# in_ns SHORT cmd...: runs a command inside the namespace, bounded to 30 seconds.
in_ns() {
  local ns="${PBRC_RUN_ID}-$1"; shift
  timeout 30 ip netns exec "$ns" "$@"
}

# veth SHORT_A DEV_A SHORT_B DEV_B: a veth pair between two namespaces, both ends up.
veth() {
  local tmp="v$$$RANDOM"
  ip link add "${tmp}a" netns "$(ns_name "$1")" type veth peer name "${tmp}b" netns "$(ns_name "$3")"
  ip -n "$(ns_name "$1")" link set "${tmp}a" name "$2"
  ip -n "$(ns_name "$3")" link set "${tmp}b" name "$4"
  ip -n "$(ns_name "$1")" link set "$2" up
  ip -n "$(ns_name "$3")" link set "$4" up
}

fail() { echo "FAIL: $*" >&2; exit 1; }
