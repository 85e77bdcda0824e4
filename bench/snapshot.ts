// Snapshot benchmark: per container, the overlay snapshotter's prepare (dirs + short links), the real
// mount of its description and the unmount (native/out/berth-overlay: the shim's own mounting code, N
// mounts in one private mount namespace), then remove; for a 1-layer and a 50-layer image, through the
// new mount API (what the shim uses) and mount(2). Prints mean and median ms per op. Target: ≤ 3 ms per
// container for prepare + mount. BENCH_N containers (200), under BENCH_DIR (the temp dir; its filesystem
// decides what mkdir costs: ~0.5 ms each on a loaded VM's ext4, ~5 µs on tmpfs).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OverlaySnapshotter } from '../src/image/snapshot/overlay.js';
import type { SnapshotMount } from '../src/image/snapshot/snapshotter.js';
import { overlayParams } from '../src/runtime/plan.js';
import { repoRoot } from '../test/helpers/rootfs.js';

const N = Number(process.env.BENCH_N ?? 200);
const TOOL = path.join(repoRoot(), 'native', 'out', 'berth-overlay');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function makeImage(root: string, layers: number): string[] {
  return Array.from({ length: layers }, (_, i) => {
    const d = path.join(root, 'layers', `${layers}`.padStart(4, '0') + i.toString(16).padStart(60, '0'), 'diff');
    mkdirSync(path.join(d, 'etc'), { recursive: true });
    writeFileSync(path.join(d, 'etc', `f${i}`), `${i}\n`);
    return d;
  });
}

/** Mounts and unmounts each description in one private namespace; [mount ms, umount ms] per container. */
function mountAll(items: { m: SnapshotMount; target: string }[], legacy: boolean): Promise<[number, number][]> {
  return new Promise((resolve, reject) => {
    const child = spawn(TOOL, legacy ? ['bench', '--legacy'] : ['bench'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`berth-overlay bench exited ${code}: ${err.trim()}`));
      resolve(out.trim().split('\n').map((l) => l.split(' ').map((ns) => Number(ns) / 1e6) as [number, number]));
    });
    for (const { m, target } of items) {
      const data = m.options.join(',');
      child.stdin.write([m.baseDir, target, data, ...overlayParams(data)].join('\t') + '\n');
    }
    child.stdin.end();
  });
}

const HEADERS = ['prepare', 'again', 'mount', 'umount', 'remove', 'prep+mount', 'all'];

async function run(work: string, layers: number, legacy: boolean, n = N): Promise<string> {
  const root = path.join(work, `image-${layers}`);
  const parents = makeImage(root, layers);
  const s = new OverlaySnapshotter({ root, dirOf: (k) => path.join(work, 'containers', k, 'fs') });
  const keys = Array.from({ length: n }, (_, i) => `c${layers}-${legacy ? 'l' : 'n'}-${i}`.padEnd(64, '0'));
  const timed = async (key: string, f: (key: string) => Promise<unknown>) => {
    const t = performance.now();
    await f(key);
    return performance.now() - t;
  };
  const items: { m: SnapshotMount; target: string }[] = [];
  const prepare: number[] = [];
  const again: number[] = [];
  for (const key of keys) prepare.push(await timed(key, (k) => s.prepare(k, parents)));
  // A start prepares again (its dirs exist): what a `docker start` pays.
  for (const key of keys) again.push(await timed(key, async (k) => items.push({ m: await s.prepare(k, parents), target: s.paths(k).merged })));
  const mounted = await mountAll(items, legacy);
  const remove: number[] = [];
  for (const key of keys) remove.push(await timed(key, (k) => s.remove(k)));
  const mount = mounted.map((x) => x[0]);
  const umount = mounted.map((x) => x[1]);
  const prepMount = prepare.map((p, i) => p + mount[i]!);
  const all = prepMount.map((p, i) => p + umount[i]! + remove[i]!);
  const fmt = (xs: number[]) => `${mean(xs).toFixed(2)}/${median(xs).toFixed(2)}`.padEnd(11);
  return `${String(layers).padStart(2)} layer${layers > 1 ? 's' : ' '}  ${(legacy ? 'mount(2)' : 'new API').padEnd(9)} ${[prepare, again, mount, umount, remove, prepMount, all].map(fmt).join(' ')}`;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the snapshot benchmark needs root (it mounts, in a private namespace)');
  const work = mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'berth-bench-snap-'));
  try {
    await run(path.join(work, 'warmup'), 1, false, 20);
    const lines = [`overlay snapshot per container in ${work}, ${N} containers, ms mean/median`];
    lines.push(`image      mount     ${HEADERS.map((h) => h.padEnd(11)).join(' ')}`);
    for (const layers of [1, 50]) for (const legacy of [false, true]) lines.push(await run(work, layers, legacy));
    lines.push('prepare: first (makes the dirs), again: at start (dirs exist); prep+mount = prepare + mount;');
    lines.push('all = prepare + mount + umount + remove (a container namespace unmounts as it dies, off berthd\'s path)');
    console.log(lines.join('\n'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
