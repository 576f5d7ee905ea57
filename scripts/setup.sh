#!/usr/bin/env bash
# Installs what pbrc needs to build and test on Debian 12. Idempotent: installs only missing
# packages, and runs apt-get update only when something is missing. Needs root to install.
set -euo pipefail

packages=(
  build-essential cmake pkg-config bison flex
  libnftables-dev libnftnl-dev libmnl-dev nlohmann-json3-dev libboost-program-options-dev libgtest-dev googletest
  nftables iproute2 iputils-ping procps conntrack strace util-linux
  clang libclang-rt-14-dev clang-format python3 python3-jsonschema groff-base man-db
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "setup: missing packages: ${missing[*]}; run as root (sudo $0)" >&2
  exit 3
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
