#!/usr/bin/env bash
# Quick start, as root from a clone of the repository: install what is missing, build, start berthd, make a
# busybox image offline (from Debian's busybox-static) and run a container from it with the berth CLI.
# berthd keeps running afterwards; the last lines say how to use and stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build >/dev/null

export BERTH_HOST=${BERTH_HOST:-unix:///run/berth/berth.sock}
sock=${BERTH_HOST#unix://}
berth() { node dist/bin/berth.js "$@"; }

if ! berth version >/dev/null 2>&1; then
  mkdir -p /var/log
  nohup node dist/bin/berthd.js --host "$BERTH_HOST" >/var/log/berthd.log 2>&1 &
  for _ in $(seq 100); do [ -S "$sock" ] && berth version >/dev/null 2>&1 && break; sleep 0.1; done
  berth version >/dev/null || { echo "berthd did not start; see /var/log/berthd.log" >&2; exit 1; }
fi

if ! berth image inspect busybox:latest >/dev/null 2>&1; then
  rootfs=$(mktemp -d /tmp/berth-busybox.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,tmp,root}
  cp /bin/busybox "$rootfs/bin/busybox"
  # Relative links: `busybox --install -s` would point them at this host path, absent inside the container.
  for applet in $(/bin/busybox --list); do [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  berth import --change 'CMD ["sh"]' "$rootfs" busybox:latest >/dev/null
fi

berth run --rm busybox sh -c 'echo "Hello from a Berth container: $(hostname), pid $$, $(id)"; ls /'
echo
echo "berthd is running on $BERTH_HOST (pid $(cat /run/berth.pid 2>/dev/null || echo '?'), log /var/log/berthd.log); stop it with: kill $(cat /run/berth.pid)"
echo "Try:  export DOCKER_HOST=$BERTH_HOST; docker ps -a    or    node dist/bin/berth.js run -it busybox"
