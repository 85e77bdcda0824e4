// Build benchmark (issue 6's targets), through the docker CLI's classic builder (DOCKER_BUILDKIT=0) against
// berthd on a temp data root, in a network namespace of its own (RUN steps get the default bridge, as on
// dockerd): the Dockerfile `FROM busybox / RUN echo hello > /a / COPY data/ /data/ / CMD ["sh"]` with 1000
// files of 10 KB in data/. Cold = --no-cache (the steps all run again), cached = every step from the cache.
// Medians of BENCH_N runs; the anchors (../shared/design/anchors.md) were measured the same way on dockerd.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildTestRootfs } from '../test/helpers/rootfs.js';
import { cli, median, repo } from './common.js';

const run = promisify(execFile);
const N = Number(process.env.BENCH_N ?? 7);

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the build benchmark needs root');
  // Under /var/lib, where a real data root lives (and dockerd's anchors were measured): on these machines
  // creating files under /tmp costs several times more, which a build (context, layers) does a lot of.
  mkdirSync('/var/lib/berth-bench', { recursive: true });
  const dir = mkdtempSync('/var/lib/berth-bench/bd-');
  const sock = path.join(dir, 's.sock');
  // Container sockets live under the exec root, which must stay short (unix socket paths).
  const execRoot = mkdtempSync('/run/bd-');
  const ns = `berth-${path.basename(dir)}`;
  spawnSync('ip', ['netns', 'add', ns]);
  spawnSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  process.on('exit', () => spawnSync('ip', ['netns', 'del', ns]));
  const d = spawn('nsenter', [`--net=/run/netns/${ns}`, process.execPath, path.join(repo, 'dist/bin/berthd.js'), '-H', `unix://${sock}`, '--data-root', path.join(dir, 'data'), '--exec-root', execRoot], { stdio: 'ignore' });
  const c = cli();
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, BERTH_HOST: `unix://${sock}`, DOCKER_BUILDKIT: '0' };
  const dk = (args: string[]) => run(c[0]!, [...c.slice(1), ...args], { env, maxBuffer: 1 << 30 });
  const timed = async (args: string[]) => {
    const t = performance.now();
    await dk(args);
    return performance.now() - t;
  };
  try {
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const rootfs = path.join(dir, 'rootfs');
    await buildTestRootfs(rootfs, { probe: false });
    spawnSync('sh', ['-c', `tar -C ${rootfs} -c . | ${c.join(' ')} import - busybox:latest`], { env, stdio: 'ignore' });

    const ctx = path.join(dir, 'ctx');
    mkdirSync(path.join(ctx, 'data'), { recursive: true });
    for (let i = 0; i < 1000; i++) writeFileSync(path.join(ctx, 'data', `f${i}`), randomBytes(10 * 1024));
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo hello > /a\nCOPY data/ /data/\nCMD ["sh"]\n');

    await dk(['build', '-q', ctx]); // warm: the CLI's and berthd's code paths loaded once
    const cold: number[] = [];
    for (let i = 0; i < N; i++) cold.push(await timed(['build', '-q', '--no-cache', ctx]));
    const cached: number[] = [];
    for (let i = 0; i < N; i++) cached.push(await timed(['build', '-q', ctx]));
    const rss = Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${d.pid}/status`, 'utf8'))![1]) / 1024;
    console.log(`build benchmark (${c[0]} CLI, classic builder protocol, median of ${N})`);
    console.log(`  ${'cold build (--no-cache), 1000 files / 10 MB COPY'.padEnd(58)} ${median(cold).toFixed(0)} ms   (BuildKit 449, classic 2182, podman 1900; target ≤400)`);
    console.log(`  ${'fully cached build'.padEnd(58)} ${median(cached).toFixed(0)} ms   (BuildKit 129, classic 623, podman 830; target ≤100)`);
    console.log(`  ${'berthd peak RSS during the runs'.padEnd(58)} ${rss.toFixed(0)} MB`);
  } finally {
    if (d.exitCode === null && d.signalCode === null) {
      d.kill('SIGTERM');
      await new Promise((r) => d.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(execRoot, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
