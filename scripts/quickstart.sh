#!/usr/bin/env bash
# Quick start: install, build, make a busybox bundle from local files (no registry needed) and run it with
# Berth's runtime. Run as root from the repository: bash scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build >/dev/null
bundle=$(mktemp -d /tmp/berth-quickstart.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/sys" "$bundle/rootfs/dev" "$bundle/rootfs/etc" "$bundle/rootfs/tmp"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
"$bundle/rootfs/bin/busybox" --install -s "$bundle/rootfs/bin"
echo 'root:x:0:0:root:/root:/bin/sh' > "$bundle/rootfs/etc/passwd"
cd "$bundle"
node "$OLDPWD/dist/bin/berth-runtime.js" spec
# Not interactive: replace the spec's default `sh` on a terminal with one command.
node -e '
const fs = require("fs"); const s = JSON.parse(fs.readFileSync("config.json"));
s.process.terminal = false;
s.process.args = ["sh", "-c", "echo Hello from a Berth container: pid $$ on $(hostname); ls /"];
fs.writeFileSync("config.json", JSON.stringify(s, null, 2));'
node "$OLDPWD/dist/bin/berth-runtime.js" run "quickstart-$$"
