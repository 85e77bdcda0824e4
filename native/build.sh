#!/bin/sh
# Builds the C programs Berth needs (mechanism only: see docs/architecture.md). Run by `npm install`/`npm ci`.
set -e
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/out"
CC=${CC:-cc}
$CC -O2 -std=gnu11 -Wall -Wextra -Wno-unused-parameter -o "$here/out/berth-shim.tmp" \
  "$here/shim.c" "$here/container.c" "$here/log.c" "$here/plan.c" "$here/util.c"
mv "$here/out/berth-shim.tmp" "$here/out/berth-shim"
