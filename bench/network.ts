// Network benchmark (issue 5's targets), through the docker CLI against a berthd that runs in a network
// namespace made for the run (its bridges and rules never touch the host's network):
//   run --rm on the default bridge minus run --rm --network none (what networking adds to a start);
//   TCP throughput container → container over a bridge as a ratio of loopback inside one container;
//   a connection through a published port (the userland proxy) against one straight to the container.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildTestRootfs } from '../test/helpers/rootfs.js';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const N = Number(process.env.BENCH_N ?? 20);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the network benchmark needs root');
  const dir = mkdtempSync('/tmp/bn-');
  const ns = path.basename(dir);
  spawnSync('ip', ['netns', 'add', ns]);
  spawnSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const sock = path.join(dir, 's.sock');
  const d = spawn('nsenter', [`--net=/run/netns/${ns}`, process.execPath, path.join(repo, 'dist/bin/berthd.js'), '-H', `unix://${sock}`, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'run'), '--pidfile', path.join(dir, 'pid')], { stdio: 'ignore' });
  const c = spawnSync('sh', ['-c', 'command -v docker']).status === 0 ? ['docker'] : [process.execPath, path.join(repo, 'dist/bin/berth.js')];
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, BERTH_HOST: `unix://${sock}` };
  const dk = async (args: string[]) => (await run(c[0]!, [...c.slice(1), ...args], { env, maxBuffer: 1 << 26 })).stdout;
  const onHost = async (args: string[]) => (await run('nsenter', [`--net=/run/netns/${ns}`, ...args], { maxBuffer: 1 << 26 })).stdout;
  const timed = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const rows: string[] = [];
  const row = (name: string, value: string) => rows.push(`  ${name.padEnd(62)} ${value}`);
  try {
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const rootfs = path.join(dir, 'rootfs');
    await buildTestRootfs(rootfs, { probe: false });
    await dk(['import', rootfs, 'busybox']).catch(async () => {
      spawnSync('sh', ['-c', `tar -C ${rootfs} -c . | ${c.join(' ')} import - busybox`], { env });
    });

    await dk(['run', '--rm', 'busybox', 'true']);
    const none: number[] = [];
    const bridge: number[] = [];
    for (let i = 0; i < N; i++) {
      none.push(await timed(() => dk(['run', '--rm', '--network', 'none', 'busybox', 'true'])));
      bridge.push(await timed(() => dk(['run', '--rm', 'busybox', 'true'])));
    }
    row('run --rm: default bridge minus --network none (median)', `${(median(bridge) - median(none)).toFixed(1)} ms  (${median(bridge).toFixed(1)} - ${median(none).toFixed(1)}; docker adds ~95, target ≤ 15)`);

    // Throughput: a 300 MB file served by busybox httpd and fetched with busybox wget, timed inside the
    // client, from another container on a user network and from the server's own loopback.
    await dk(['network', 'create', 'bench']);
    await dk(['run', '-d', '--name', 'sink', '--network', 'bench', '--tmpfs', '/w', 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/w/big bs=1M count=300 2>/dev/null; exec httpd -f -p 80 -h /w']);
    await dk(['run', '-d', '--name', 'sender', '--network', 'bench', 'busybox', 'sleep', '600']);
    await new Promise((r) => setTimeout(r, 1500));
    // /proc/uptime (10 ms steps): busybox-static's `time` reports 0 here.
    const seconds = async (container: string, host: string) => {
      const out = await dk(['exec', container, 'sh', '-c', `read a _ < /proc/uptime; wget -q -O /dev/null http://${host}/big; read b _ < /proc/uptime; echo $a $b`]);
      const [a, b] = out.trim().split(/\s+/).map(Number);
      return b! - a!;
    };
    const bridged = await seconds('sender', 'sink');
    const loop = await seconds('sink', '127.0.0.1');
    row('TCP container → container over a bridge / loopback (300 MB over HTTP)', `${(300 / bridged).toFixed(0)} / ${(300 / loop).toFixed(0)} MB/s = ${(loop / bridged).toFixed(2)}  (target ≥ 0.8)`);

    // A connection through a published port vs straight to the container (curl from the "host").
    await dk(['run', '-d', '--name', 'web', '-p', '8080:80', 'busybox', 'sh', '-c', 'mkdir -p /w && echo ok > /w/index.html && exec httpd -f -p 80 -h /w']);
    await new Promise((r) => setTimeout(r, 300));
    const ip = (await dk(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'web'])).trim();
    const curlN = async (url: string) => {
      const out = await onHost(['sh', '-c', `for i in $(seq 200); do curl -s -o /dev/null -w '%{time_total}\\n' ${url}; done`]);
      return median(out.split('\n').filter(Boolean).map((s) => Number(s) * 1000));
    };
    const viaProxy = await curlN('http://127.0.0.1:8080/');
    const direct = await curlN(`http://${ip}/`);
    row('HTTP request through a published port (127.0.0.1) / direct (median)', `${viaProxy.toFixed(2)} / ${direct.toFixed(2)} ms`);
    await dk(['rm', '-f', 'sink', 'sender', 'web']);
    await dk(['network', 'rm', 'bench']);

    console.log(`network (${c[0] === 'docker' ? 'docker CLI' : 'berth CLI'} → berthd in its own network namespace, one run)`);
    for (const r of rows) console.log(r);
  } finally {
    const left = (await dk(['ps', '-aq']).catch(() => '')).split('\n').filter(Boolean);
    if (left.length) await dk(['rm', '-f', ...left]).catch(() => undefined);
    d.kill('SIGTERM');
    await new Promise((r) => d.once('exit', r));
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
