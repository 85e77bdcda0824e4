// Runtime benchmark: container start (create + start + wait + delete of `true`) through Berth's runtime
// library (what berthd does), through the berth-runtime CLI, and through runc and crun on the same bundle;
// then the shim's memory with 20 sleeping containers. Prints medians and ratios from one run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Runtime, defaultSpec } from '../src/runtime/index.js';
import { makeBundle } from '../test/helpers/rootfs.js';

const N = Number(process.env.BENCH_N ?? 30);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function timeCommand(argv: string[], cwd: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const r = spawnSync(argv[0]!, argv.slice(1).map((a) => a.replace('{i}', String(i))), { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    out.push(performance.now() - t);
    if (r.status !== 0) throw new Error(r.stderr.trim().split('\n').pop() || `exited ${r.status}`);
  }
  return out;
}

function pss(pid: number): number {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(/^Pss:\s+(\d+) kB/m.exec(text)![1]) / 1024;
}

function ppid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the runtime benchmark needs root');
  const work = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
  const bundle = path.join(work, 'bundle');
  const root = path.join(work, 'state');
  try {
    await makeBundle(bundle, defaultSpec({ args: ['true'] }));
    const rt = new Runtime(root);
    const rows: [string, number][] = [];

    const lib: number[] = [];
    for (let i = 0; i < N + 3; i++) {
      const id = `bench-lib-${i}`;
      const t = performance.now();
      await rt.create(id, bundle, { start: true, io: { mode: 'pipes' } });
      await rt.wait(id);
      await rt.delete(id);
      if (i >= 3) lib.push(performance.now() - t); // the first runs warm up caches
    }
    rows.push(['berth runtime library (create+start+wait+delete)', median(lib)]);

    const cli = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../bin/berth-runtime.js');
    rows.push(['berth-runtime run (CLI, includes Node start)', median(timeCommand([process.execPath, cli, '--root', root, 'run', 'bench-cli-{i}'], bundle))]);
    for (const peer of ['crun', 'runc']) {
      const bin = which(peer);
      if (!bin) {
        rows.push([`${peer} run (not installed)`, NaN]);
        continue;
      }
      try {
        rows.push([`${peer} run`, median(timeCommand([bin, '--root', path.join(work, peer), 'run', `bench-${peer}-{i}`], bundle))]);
      } catch (e) {
        rows.push([`${peer} run: fails here: ${(e as Error).message.slice(0, 70)}`, NaN]);
      }
    }
    const base = rows[0]![1];
    console.log(`\nContainer start, median of ${N} (ms), ratio to Berth's library path:`);
    for (const [name, ms] of rows) console.log(`  ${name.padEnd(60)} ${Number.isNaN(ms) ? '     -' : ms.toFixed(1).padStart(6)}  ${Number.isNaN(ms) ? '' : `${(ms / base).toFixed(2)}x`}`);

    // Shim memory: 20 containers sleeping, PSS of each shim (the container's parent).
    const pids: number[] = [];
    const spec = { ...defaultSpec({ args: ['sleep', '600'] }), root: { path: path.join(bundle, 'rootfs') } };
    for (let i = 0; i < 20; i++) {
      const r = await rt.create(`bench-sleep-${i}`, bundle, { spec, start: true, io: { mode: 'pipes', log: { path: path.join(work, `log-${i}`), maxSize: 0, maxFiles: 1 } } });
      pids.push(r.pid);
    }
    const shims = pids.map(ppid);
    const values = shims.map(pss);
    const rss = shims.map((p) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'))![1]) / 1024);
    console.log(`\nberth-shim memory with 20 sleeping containers: PSS median ${median(values).toFixed(2)} MB, total ${values.reduce((a, b) => a + b, 0).toFixed(1)} MB; RSS median ${median(rss).toFixed(2)} MB`);
    console.log('  (conmon 0.40 MB PSS, containerd-shim 2.9 MB PSS on this kind of machine: see anchors.md)');
    for (let i = 0; i < 20; i++) await rt.delete(`bench-sleep-${i}`, true);
  } finally {
    for (const peer of ['crun', 'runc']) {
      const dir = path.join(work, peer);
      if (existsSync(dir)) for (const id of execFileSync('ls', [dir], { encoding: 'utf8' }).split('\n').filter(Boolean)) spawnSync(peer, ['--root', dir, 'delete', '-f', id]);
    }
    const rt = new Runtime(root);
    for (const id of await rt.list()) await rt.delete(id, true).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
