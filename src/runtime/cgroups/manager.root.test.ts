// The manager against this host's real cgroups: create with limits, join a process, freeze, measure,
// kill, remove. Runs as root only; everything lives under /berth-test/<test>-<pid> in every hierarchy,
// and leftovers of a crashed earlier run are removed first.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { errnoCode } from '../../common/errors.js';
import type { CgroupLayout } from './detect.js';
import { loadLayout, v1Hierarchies } from './detect.js';
import { nodeCgroupFs as fs } from './fs.js';
import { CgroupManager } from './manager.js';
import { leafDirs } from './plan.js';

const isRoot = process.getuid?.() === 0;
const TEST_ROOT = '/berth-test';
const MiB = 1024 * 1024;

function hierarchyRoots(layout: CgroupLayout): string[] {
  const roots = layout.mode === 'v2' ? [] : [...v1Hierarchies(layout).keys()];
  return layout.unified === undefined ? roots : [...roots, layout.unified];
}

/** Kills and removes every cgroup under /berth-test, then /berth-test itself, in every hierarchy. */
async function cleanTestRoot(layout: CgroupLayout): Promise<void> {
  const names = new Set<string>();
  for (const root of hierarchyRoots(layout)) {
    const entries = await fs.readdir(join(root, TEST_ROOT)).catch((e: unknown) => (errnoCode(e) === 'ENOENT' ? [] : Promise.reject(e)));
    for (const e of entries) if (e.isDirectory) names.add(e.name);
  }
  for (const name of names) {
    const m = new CgroupManager(layout, fs, `${TEST_ROOT}/${name}`);
    await m.killAll();
    await m.destroy();
  }
  for (const root of hierarchyRoots(layout)) {
    await fs.rmdir(join(root, TEST_ROOT)).catch((e: unknown) => (errnoCode(e) === 'ENOENT' ? undefined : Promise.reject(e)));
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('cgroup lifecycle on this host', { skip: !isRoot && 'needs root: creates real cgroups under /berth-test', timeout: 60_000 }, async () => {
  const layout = await loadLayout();
  await cleanTestRoot(layout);
  const m = new CgroupManager(layout, fs, `${TEST_ROOT}/lifecycle-${process.pid}`);
  // The shell waits until it has been moved, then execs sleep: memory the new image touches is then
  // charged to the test cgroup, as it is for a container whose runtime joins the cgroup before exec.
  const child = spawn('sh', ['-c', 'read _ && exec sleep 30'], { stdio: ['pipe', 'ignore', 'inherit'] });
  try {
    await once(child, 'spawn');
    await m.create({
      memory: { limit: 64 * MiB },
      pids: { limit: 32 },
      cpu: { shares: 512, quota: 50000, period: 100000 },
    });
    const pid = child.pid;
    assert.ok(pid !== undefined);
    for (const file of m.procsFiles()) await fs.writeFile(file, String(pid));
    child.stdin?.end('\n');

    const leaf = (controller: string) => (layout.mode === 'v2' ? join(layout.unified ?? '', m.path) : join(layout.v1[controller] ?? '', m.path));
    const read = async (controller: string, file: string) => (await fs.readFile(join(leaf(controller), file))).trim();
    if (layout.mode === 'v2') {
      assert.equal(await read('memory', 'memory.max'), String(64 * MiB));
      assert.equal(await read('pids', 'pids.max'), '32');
      assert.equal(await read('cpu', 'cpu.weight'), '20');
      assert.equal(await read('cpu', 'cpu.max'), '50000 100000');
    } else {
      assert.equal(await read('memory', 'memory.limit_in_bytes'), String(64 * MiB));
      assert.equal(await read('pids', 'pids.max'), '32');
      assert.equal(await read('cpu', 'cpu.shares'), '512');
      assert.equal(await read('cpu', 'cpu.cfs_quota_us'), '50000');
      assert.equal(await read('cpu', 'cpu.cfs_period_us'), '100000');
    }
    const membership = await fs.readFile(`/proc/${pid}/cgroup`);
    assert.match(membership, new RegExp(`:${m.path}\\n`), membership);

    await m.freeze();
    assert.equal(await m.state(), 'frozen');
    await m.thaw();
    assert.equal(await m.state(), 'thawed');

    assert.deepEqual(await m.pids(), [pid]);

    const stats = await until('memory usage to show up', async () => {
      const s = await m.stats();
      return s.memory.usage > 0 ? s : undefined;
    });
    assert.ok(stats.pids.current >= 1, `pids.current ${stats.pids.current}`);
    assert.equal(stats.pids.limit, 32);
    assert.equal(stats.memory.limit, 64 * MiB);
    assert.ok(stats.cpu.totalUsageNs >= 0);
    assert.equal(await m.oomKillCount(), 0);

    const exited = once(child, 'exit');
    await m.killAll('SIGKILL');
    const [, signal] = await exited;
    assert.equal(signal, 'SIGKILL');
    await until('the cgroup to empty', async () => ((await m.pids()).length === 0 ? true : undefined));

    await m.destroy();
    for (const dir of leafDirs(layout, m.path)) assert.equal(await fs.exists(dir), false, `${dir} still exists`);
    await m.destroy();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await cleanTestRoot(layout);
  }
  for (const root of hierarchyRoots(layout)) assert.equal(await fs.exists(join(root, TEST_ROOT)), false);
});
