#!/usr/bin/env bash
# System packages Berth and its tests rely on (Debian/Ubuntu, as root). Only what is missing is installed.
#   gcc, libc6-dev    build native/ (berth-shim) and the tests' static probe
#   busybox-static    the offline base for test and demo root filesystems
#   iproute2          ip(8), used by tests and (later) the network drivers
#   runc, crun        peers: the runtime tests run the same bundles under them and compare
set -euo pipefail
pkgs=(gcc libc6-dev busybox-static iproute2 runc crun)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "Berth needs Node.js 20 or newer" >&2
  exit 1
fi
