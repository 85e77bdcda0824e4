#!/bin/sh
# Builds the C programs Berth needs (mechanism only: see docs/architecture.md). Run by `npm install`/`npm ci`.
# Linked statically when libc.a is there: no dynamic loader at each container start (~0.5-1 ms less), and
# berth-init must be static anyway (it runs inside images that may have no libc). Both compile in parallel.
set -e
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/out"
CC=${CC:-cc}
flags="-O2 -std=gnu11 -Wall -Wextra -Wno-unused-parameter"
shim_src="$here/shim.c $here/container.c $here/log.c $here/overlay.c $here/plan.c $here/util.c"

build_shim() {
  # shellcheck disable=SC2086
  $CC $flags -static -o "$here/out/berth-shim.tmp" $shim_src 2>/dev/null ||
    $CC $flags -o "$here/out/berth-shim.tmp" $shim_src
  mv "$here/out/berth-shim.tmp" "$here/out/berth-shim"
}
build_init() {
  if $CC $flags -static -o "$here/out/berth-init.tmp" "$here/init.c" 2>/dev/null; then
    mv "$here/out/berth-init.tmp" "$here/out/berth-init"
  else
    echo "native/build.sh: no static libc (libc6-dev): berth-init not built, --init unavailable" >&2
  fi
}

# berth-overlay: the shim's overlay mounting on its own, for the snapshotter's root tests and bench/snapshot.ts.
build_overlay_tool() {
  $CC $flags -o "$here/out/berth-overlay.tmp" "$here/overlay-tool.c" "$here/overlay.c"
  mv "$here/out/berth-overlay.tmp" "$here/out/berth-overlay"
}

build_init &
init_pid=$!
build_overlay_tool &
tool_pid=$!
build_shim
wait $init_pid
wait $tool_pid
