// Resource limits under Berth's runtime: the kernel enforces what linux.resources asks for (memory → OOM
// kill, pids → fork fails), the values land in the container's cgroup files, and the freezer and stats
// work on a live container.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pollUntil } from '../../helpers/cleanup.js';
import {
  alive,
  assertNoTrace,
  cgroupDir,
  procState,
  probeSpec,
  pureCgroupV2,
  runToEnd,
  withContainer,
} from '../../helpers/runtime.js';

const MiB = 1024 * 1024;

function cgFile(id: string, controller: string, file: string): string {
  return readFileSync(join(cgroupDir(id, controller), file), 'utf8').trim();
}

test('memory limit: allocating past it ends in an OOM kill', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const spec = probeSpec(['/probe', 'alloc', '200']);
    // swap = limit: memory+swap may not exceed the limit, so the probe cannot escape into swap.
    spec.linux!.resources = { ...spec.linux!.resources, memory: { limit: 32 * MiB, swap: 32 * MiB } };
    const bundle = await makeBundle(spec);
    const { pid, exit, stdout, stderr } = await runToEnd(rt, id, bundle);
    assert.deepEqual(
      { exitCode: exit.exitCode, signal: exit.signal, oomKilled: exit.oomKilled },
      { exitCode: 137, signal: 9, oomKilled: true },
    );
    assert.doesNotMatch(stdout, /"allocated":200/);
    const reached = [...stderr.matchAll(/allocated (\d+) MiB/g)].map((m) => Number(m[1]));
    assert.ok(reached.length > 0 && Math.max(...reached) < 40, `allocated up to ${Math.max(0, ...reached)} MiB under a 32 MiB limit`);
    assert.equal((await rt.state(id)).status, 'stopped');
    await rt.delete(id);
    await assertNoTrace(rt, id, [pid]);
  });
});

test('pids limit contains a fork bomb and the host is unharmed', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const spec = probeSpec(['/probe', 'forkbomb', '100']);
    spec.linux!.resources = { ...spec.linux!.resources, pids: { limit: 20 } };
    const bundle = await makeBundle(spec);
    const { pid, exit, stdout } = await runToEnd(rt, id, bundle);
    assert.equal(exit.exitCode, 0);
    const r = JSON.parse(stdout.trim()) as { forked: number; failedErrno: string | null };
    assert.ok(r.forked < 20, `forked ${r.forked} children under a limit of 20`);
    assert.equal(r.failedErrno, 'EAGAIN');
    // With the pid namespace's init gone the kernel kills the sleeping children.
    await pollUntil(async () => (await rt.ps(id)).length === 0, { timeoutMs: 5000, what: 'the fork bomb children to die' });
    assert.equal(execFileSync('/bin/sh', ['-c', 'echo forked'], { encoding: 'utf8' }), 'forked\n', 'the host can no longer fork');
    await rt.delete(id);
    await assertNoTrace(rt, id, [pid]);
  });
});

test('cpu, cpuset, pids and memory values are in the container cgroup files', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const spec = probeSpec(['/probe', 'sleep', '30']);
    spec.linux!.resources = {
      ...spec.linux!.resources,
      cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0', mems: '0' },
      pids: { limit: 20 },
      memory: { limit: 64 * MiB, swap: 128 * MiB },
    };
    const bundle = await makeBundle(spec);
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' }, start: true });
    if (pureCgroupV2()) {
      assert.equal(cgFile(id, 'cpu', 'cpu.max'), '50000 100000');
      assert.equal(cgFile(id, 'cpuset', 'cpuset.cpus'), '0');
      assert.equal(cgFile(id, 'cpuset', 'cpuset.mems'), '0');
      assert.equal(cgFile(id, 'pids', 'pids.max'), '20');
      assert.equal(cgFile(id, 'memory', 'memory.max'), String(64 * MiB));
      // v2 counts swap alone: OCI's memory+swap total minus the memory limit.
      assert.equal(cgFile(id, 'memory', 'memory.swap.max'), String(64 * MiB));
    } else {
      assert.equal(cgFile(id, 'cpu', 'cpu.shares'), '512');
      assert.equal(cgFile(id, 'cpu', 'cpu.cfs_quota_us'), '50000');
      assert.equal(cgFile(id, 'cpu', 'cpu.cfs_period_us'), '100000');
      assert.equal(cgFile(id, 'cpuset', 'cpuset.cpus'), '0');
      assert.equal(cgFile(id, 'cpuset', 'cpuset.mems'), '0');
      assert.equal(cgFile(id, 'pids', 'pids.max'), '20');
      assert.equal(cgFile(id, 'memory', 'memory.limit_in_bytes'), String(64 * MiB));
      assert.equal(cgFile(id, 'memory', 'memory.memsw.limit_in_bytes'), String(128 * MiB));
      // The process itself is in each of them.
      for (const c of ['cpu', 'cpuset', 'pids', 'memory', 'freezer', 'devices']) {
        assert.ok(cgFile(id, c, 'cgroup.procs').split('\n').includes(String(pid)), `pid ${pid} not in the ${c} cgroup`);
      }
      // Docker's default device rules: deny all, then the standard nodes.
      assert.match(cgFile(id, 'devices', 'devices.list'), /^c 1:3 rwm$/m);
      assert.doesNotMatch(cgFile(id, 'devices', 'devices.list'), /^a \*:\* rwm$/m);
    }
    await rt.delete(id, true);
    await assertNoTrace(rt, id, [pid]);
  });
});

test('pause freezes the processes and resume thaws them', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'sleep', '30']));
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' }, start: true });
    assert.equal((await rt.state(id)).status, 'running');
    await rt.pause(id);
    assert.equal((await rt.state(id)).status, 'paused');
    // A frozen task shows as stopped (T, v2) or in uninterruptible sleep (D, v1 freezer).
    await pollUntil(() => ['T', 'D'].includes(procState(pid) ?? ''), { timeoutMs: 5000, what: `pid ${pid} to be frozen (state ${procState(pid)})` });
    if (!pureCgroupV2()) assert.equal(cgFile(id, 'freezer', 'freezer.state'), 'FROZEN');
    await assert.rejects(rt.pause(id), { name: 'EngineError', kind: 'conflict' });
    await rt.resume(id);
    assert.equal((await rt.state(id)).status, 'running');
    await pollUntil(() => procState(pid) === 'S', { timeoutMs: 5000, what: `pid ${pid} to sleep again (state ${procState(pid)})` });
    await assert.rejects(rt.resume(id), { name: 'EngineError', kind: 'conflict' });
    // A paused container can still be removed: delete thaws it before the kill.
    await rt.pause(id);
    await rt.delete(id, true);
    assert.ok(!alive(pid));
    await assertNoTrace(rt, id, [pid]);
  });
});

test('stats report memory usage and pids', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const spec = probeSpec(['/probe', 'sleep', '30']);
    spec.linux!.resources = { ...spec.linux!.resources, pids: { limit: 50 } };
    const bundle = await makeBundle(spec);
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' }, start: true });
    const s = await rt.stats(id);
    assert.ok(s.memory.usage > 0, `memory usage ${s.memory.usage}`);
    assert.ok(s.pids.current >= 1, `pids.current ${s.pids.current}`);
    assert.equal(s.pids.limit, 50);
    assert.ok(s.cpu.totalUsageNs > 0, `cpu usage ${s.cpu.totalUsageNs}`);
    await rt.delete(id, true);
    await assertNoTrace(rt, id, [pid]);
  });
});
