import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isEngineError } from '../../common/errors.js';
import type { CgroupLayout } from './detect.js';
import { fakeErrno, FakeCgroupFs } from './fake-fs.js';
import { CgroupManager } from './manager.js';

const R = '/sys/fs/cgroup';
const v1: CgroupLayout = {
  mode: 'hybrid',
  v1: { cpu: `${R}/cpu`, cpuset: `${R}/cpuset`, freezer: `${R}/freezer`, memory: `${R}/memory`, pids: `${R}/pids` },
  unified: `${R}/unified`,
};
const v2: CgroupLayout = { mode: 'v2', v1: {}, unified: R };
const FAST = { freezeTimeoutMs: 50, busyTimeoutMs: 200, pollMs: 1 };

/** A v1/hybrid host whose new cgroups come with the knobs the manager probes. */
function v1Host(): FakeCgroupFs {
  const fs = new FakeCgroupFs(Object.values(v1.v1).concat(`${R}/unified`), {
    [`${R}/cpuset/cpuset.cpus`]: '0-3\n',
    [`${R}/cpuset/cpuset.mems`]: '0\n',
  });
  fs.knobs = (dir): Record<string, string> =>
    dir.startsWith(`${R}/cpuset/`) ? { 'cpuset.cpus': '\n', 'cpuset.mems': '\n' }
    : dir.startsWith(`${R}/memory/`) ? { 'memory.limit_in_bytes': '9223372036854771712\n', 'memory.memsw.limit_in_bytes': '9223372036854771712\n' }
    : dir.startsWith(`${R}/freezer/`) ? { 'freezer.state': 'THAWED\n' }
    : {};
  return fs;
}

function v2Host(): FakeCgroupFs {
  const fs = new FakeCgroupFs([R], { [`${R}/cgroup.controllers`]: 'cpuset cpu io memory pids\n' });
  fs.knobs = () => ({ 'cgroup.events': 'populated 0\nfrozen 0\n', 'memory.swap.max': 'max\n' });
  // cgroup.freeze takes effect at once here; the kernel reports it in cgroup.events.
  fs.onWrite = (path, value) => {
    if (path.endsWith('/cgroup.freeze')) fs.files.set(path.replace('cgroup.freeze', 'cgroup.events'), `populated 1\nfrozen ${value}\n`);
  };
  return fs;
}

test('v1 create: levels made one by one, cpuset copied down, then the limits', async () => {
  const fs = v1Host();
  fs.addDir(`${R}/pids/berth`); // already there: not created, so never removed
  const m = new CgroupManager(v1, fs, '/berth/abc');
  await m.create({ memory: { limit: 1048576, swap: 2097152 }, pids: { limit: 10 }, cpu: { shares: 512 } });
  assert.deepEqual(fs.calls, [
    { op: 'mkdir', path: `${R}/cpu/berth` }, { op: 'mkdir', path: `${R}/cpu/berth/abc` },
    { op: 'mkdir', path: `${R}/cpuset/berth` }, { op: 'mkdir', path: `${R}/cpuset/berth/abc` },
    { op: 'mkdir', path: `${R}/freezer/berth` }, { op: 'mkdir', path: `${R}/freezer/berth/abc` },
    { op: 'mkdir', path: `${R}/memory/berth` }, { op: 'mkdir', path: `${R}/memory/berth/abc` },
    { op: 'mkdir', path: `${R}/pids/berth/abc` },
    { op: 'mkdir', path: `${R}/unified/berth` }, { op: 'mkdir', path: `${R}/unified/berth/abc` },
    { op: 'write', path: `${R}/cpuset/berth/cpuset.cpus`, value: '0-3' },
    { op: 'write', path: `${R}/cpuset/berth/cpuset.mems`, value: '0' },
    { op: 'write', path: `${R}/cpuset/berth/abc/cpuset.cpus`, value: '0-3' },
    { op: 'write', path: `${R}/cpuset/berth/abc/cpuset.mems`, value: '0' },
    { op: 'write', path: `${R}/memory/berth/abc/memory.limit_in_bytes`, value: '1048576' },
    { op: 'write', path: `${R}/memory/berth/abc/memory.memsw.limit_in_bytes`, value: '2097152' },
    { op: 'write', path: `${R}/cpu/berth/abc/cpu.shares`, value: '512' },
    { op: 'write', path: `${R}/pids/berth/abc/pids.max`, value: '10' },
  ]);
  assert.deepEqual(m.procsFiles(), ['cpu', 'cpuset', 'freezer', 'memory', 'pids', 'unified'].map((c) => `${R}/${c}/berth/abc/cgroup.procs`));
});

test('v2 create: each parent enables controllers before its child exists', async () => {
  const fs = v2Host();
  await new CgroupManager(v2, fs, '/berth/abc').create({ pids: { limit: 5 } });
  const enable = '+cpu +memory +pids +io +cpuset';
  assert.deepEqual(fs.calls, [
    { op: 'write', path: `${R}/cgroup.subtree_control`, value: enable },
    { op: 'mkdir', path: `${R}/berth` },
    { op: 'write', path: `${R}/berth/cgroup.subtree_control`, value: enable },
    { op: 'mkdir', path: `${R}/berth/abc` },
    { op: 'write', path: `${R}/berth/abc/memory.oom.group`, value: '1' },
    { op: 'write', path: `${R}/berth/abc/pids.max`, value: '5' },
  ]);
});

test('a refused write rolls back the directories it created and names file and errno', async () => {
  const fs = v1Host();
  fs.addDir(`${R}/memory/berth`);
  const before = new Set(fs.dirs);
  fs.fail('write', `${R}/memory/berth/abc/memory.limit_in_bytes`, 'EINVAL');
  const m = new CgroupManager(v1, fs, '/berth/abc');
  await assert.rejects(m.create({ memory: { limit: 1 } }), (e) => {
    assert.ok(isEngineError(e, 'invalid-argument'));
    assert.match(e.message, /memory\/berth\/abc\/memory\.limit_in_bytes: invalid argument \(EINVAL\)/);
    return true;
  });
  assert.deepEqual(new Set(fs.dirs), before);
  assert.ok(fs.dirs.has(`${R}/memory/berth`), 'a directory that existed before stays');
});

test('a failed mkdir rolls back too, and a failed cleanup is reported with it', async () => {
  const fs = v1Host();
  fs.fail('mkdir', `${R}/pids/berth`, 'ENOSPC');
  fs.fail('rmdir', `${R}/cpu/berth`, 'EBUSY', 1);
  await assert.rejects(new CgroupManager(v1, fs, '/berth/abc').create(), (e) => {
    assert.ok(isEngineError(e, 'internal'));
    assert.match(e.message, /creating \/sys\/fs\/cgroup\/pids\/berth: no space left on device \(ENOSPC\)/);
    assert.match(e.message, /cleanup also failed: .*cpu\/berth/);
    return true;
  });
  assert.ok(!fs.dirs.has(`${R}/memory/berth`));
});

test('invalid resources fail before anything is touched', async () => {
  const fs = v1Host();
  await assert.rejects(new CgroupManager(v1, fs, '/berth/abc').create({ unified: { 'memory.high': '1' } }), (e) => isEngineError(e, 'invalid-argument'));
  assert.deepEqual(fs.calls, []);
  assert.throws(() => new CgroupManager(v1, fs, 'user.slice:berth:abc'), /systemd cgroup driver is not supported/);
});

test('update writes only the given limits, ordered against the current ones', async () => {
  const fs = v1Host();
  const m = new CgroupManager(v1, fs, '/berth/abc');
  await assert.rejects(m.update({ pids: { limit: 1 } }), (e) => isEngineError(e, 'not-found'));
  await m.create({ memory: { limit: 100, swap: 200 } });
  fs.calls.length = 0;
  fs.setFile(`${R}/memory/berth/abc/memory.limit_in_bytes`, '100\n');
  await m.update({ memory: { limit: 300, swap: 600 } });
  assert.deepEqual(fs.writes(), [
    [`${R}/memory/berth/abc/memory.memsw.limit_in_bytes`, '600'],
    [`${R}/memory/berth/abc/memory.limit_in_bytes`, '300'],
  ]);
});

test('v1 freeze, state and thaw', async () => {
  const fs = v1Host();
  const m = new CgroupManager(v1, fs, '/berth/abc', FAST);
  await m.create();
  assert.equal(await m.state(), 'thawed');
  await m.freeze();
  assert.equal(await m.state(), 'frozen');
  await m.thaw();
  assert.equal(await m.state(), 'thawed');
});

test('a freeze that never completes times out and thaws again', async () => {
  const fs = v1Host();
  const m = new CgroupManager(v1, fs, '/berth/abc', FAST);
  await m.create();
  fs.onWrite = (path, value) => {
    if (path.endsWith('freezer.state') && value === 'FROZEN') fs.files.set(path, 'FREEZING\n');
  };
  await assert.rejects(m.freeze(), /timed out after 50 ms freezing/);
  assert.equal(fs.files.get(`${R}/freezer/berth/abc/freezer.state`), 'THAWED');
});

test('v2 freeze reads completion from cgroup.events', async () => {
  const fs = v2Host();
  const m = new CgroupManager(v2, fs, '/berth/abc', FAST);
  await m.create();
  await m.freeze();
  assert.equal(await m.state(), 'frozen');
  await m.thaw();
  assert.equal(await m.state(), 'thawed');
});

test('pids are collected from child cgroups; killAll freezes, signals each, thaws', async () => {
  const fs = v1Host();
  const signals: Array<[number, string | number]> = [];
  const m = new CgroupManager(v1, fs, '/berth/abc', {
    ...FAST,
    kill: (pid, sig) => {
      if (pid === 12) throw fakeErrno('ESRCH', 'kill', String(pid)); // already gone: fine
      signals.push([pid, sig]);
    },
  });
  await m.create();
  fs.setFile(`${R}/freezer/berth/abc/cgroup.procs`, '10\n11\n');
  fs.setFile(`${R}/freezer/berth/abc/sub/cgroup.procs`, '12\n11\n');
  assert.deepEqual(await m.pids(), [10, 11, 12]);
  fs.calls.length = 0;
  await m.killAll('SIGTERM');
  assert.deepEqual(signals, [[10, 'SIGTERM'], [11, 'SIGTERM']]);
  assert.deepEqual(fs.writes(), [
    [`${R}/freezer/berth/abc/freezer.state`, 'FROZEN'],
    [`${R}/freezer/berth/abc/freezer.state`, 'THAWED'],
  ]);
  await new CgroupManager(v1, fs, '/berth/missing').killAll();
});

test('v2 SIGKILL uses cgroup.kill when the kernel has it', async () => {
  const fs = v2Host();
  const m = new CgroupManager(v2, fs, '/berth/abc', { kill: () => assert.fail('no per-pid kill expected') });
  await m.create();
  fs.setFile(`${R}/berth/abc/cgroup.kill`, '');
  fs.calls.length = 0;
  await m.killAll();
  assert.deepEqual(fs.writes(), [[`${R}/berth/abc/cgroup.kill`, '1']]);
});

test('destroy removes child cgroups, retries while busy, and is idempotent', async () => {
  const fs = v1Host();
  const m = new CgroupManager(v1, fs, '/berth/abc', FAST);
  await m.create();
  fs.addDir(`${R}/memory/berth/abc/nested`);
  fs.fail('rmdir', `${R}/pids/berth/abc`, 'EBUSY', 2);
  await m.destroy();
  for (const c of ['cpu', 'cpuset', 'freezer', 'memory', 'pids', 'unified']) {
    assert.ok(!fs.dirs.has(`${R}/${c}/berth/abc`), c);
    assert.ok(fs.dirs.has(`${R}/${c}/berth`), `${c} parent stays`);
  }
  await m.destroy();
});

test('destroy gives up on a cgroup that stays busy, after trying every hierarchy', async () => {
  const fs = v1Host();
  const m = new CgroupManager(v1, fs, '/berth/abc', { ...FAST, busyTimeoutMs: 20 });
  await m.create();
  fs.fail('rmdir', `${R}/cpu/berth/abc`, 'EBUSY');
  await assert.rejects(m.destroy(), /removing \/sys\/fs\/cgroup\/cpu\/berth\/abc: resource busy or locked \(EBUSY\)/);
  assert.ok(!fs.dirs.has(`${R}/memory/berth/abc`));
});

test('OOM counter location and value', async () => {
  const fs = v1Host();
  const m1 = new CgroupManager(v1, fs, '/berth/abc');
  assert.deepEqual(m1.oomFile(), { path: `${R}/memory/berth/abc/memory.oom_control`, key: 'oom_kill' });
  fs.setFile(`${R}/memory/berth/abc/memory.oom_control`, 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  assert.equal(await m1.oomKillCount(), 2);
  const m2 = new CgroupManager(v2, new FakeCgroupFs([], { [`${R}/x/memory.events`]: 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n' }), '/x');
  assert.deepEqual(m2.oomFile(), { path: `${R}/x/memory.events`, key: 'oom_kill' });
  assert.equal(await m2.oomKillCount(), 1);
});

test('stats read the v1 hierarchies; a missing cgroup is not-found', async () => {
  const fs = v1Host();
  const m = new CgroupManager(v1, fs, '/berth/abc');
  await assert.rejects(m.stats(), (e) => isEngineError(e, 'not-found'));
  await m.create({ memory: { limit: 4096 } });
  fs.setFile(`${R}/memory/berth/abc/memory.usage_in_bytes`, '1024\n');
  fs.setFile(`${R}/pids/berth/abc/pids.current`, '1\n');
  const s = await m.stats();
  assert.equal(s.memory.usage, 1024);
  assert.equal(s.memory.limit, 4096);
  assert.equal(s.pids.current, 1);
  assert.deepEqual(s.cpu.perCpuNs, []);
});
