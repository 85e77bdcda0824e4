#!/usr/bin/env bash
# System packages Berth and its tests rely on (Debian/Ubuntu, as root). Only what is missing is installed.
#   gcc, libc6-dev    build native/ (berth-shim) and the tests' static probe
#   busybox-static    the offline base for test and demo root filesystems
#   iproute2          ip(8), used by tests and (later) the network drivers
#   runc, crun        peers: the runtime tests run the same bundles under them and compare
#   tar, zstd, attr   layer extraction (GNU tar), zstd layers, setfattr for overlay opaque directories
#   docker-registry   distribution 2.8, the registry the e2e tests push to and pull from beside Berth's own
#   skopeo            reads and writes Berth's registry and OCI archives in the e2e tests
#   iptables, curl    bridge networks' NAT and filter rules (iptables-nft); curl fetches published ports in tests
#   docker.io's CLI is not needed: tests use the docker CLI when /usr/bin/docker or /usr/local/bin/docker exists
set -euo pipefail
pkgs=(gcc libc6-dev busybox-static iproute2 runc crun tar zstd attr docker-registry skopeo iptables curl)
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
