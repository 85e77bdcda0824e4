import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isEngineError } from '../../common/errors.js';
import type { Resources } from '../../spec/oci-runtime.js';
import type { CgroupLayout } from './detect.js';
import { deviceRuleLine, planV1 } from './v1.js';

const R = '/sys/fs/cgroup';
const layout: CgroupLayout = {
  mode: 'v1',
  v1: {
    blkio: `${R}/blkio`, cpu: `${R}/cpu,cpuacct`, cpuacct: `${R}/cpu,cpuacct`, cpuset: `${R}/cpuset`,
    devices: `${R}/devices`, freezer: `${R}/freezer`, memory: `${R}/memory`, pids: `${R}/pids`,
  },
};

const full: Resources = {
  devices: [
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
    { allow: true, type: 'c', major: 136, minor: null, access: 'rwm' },
    { allow: false, type: 'b', major: 8, minor: 0, access: 'w' },
  ],
  memory: { limit: 67108864, reservation: 33554432, swap: 134217728, swappiness: 10, disableOOMKiller: true },
  cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0-1', mems: '0' },
  pids: { limit: 32 },
  blockIO: {
    weight: 500,
    weightDevice: [{ major: 8, minor: 0, weight: 300 }],
    throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
    throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 2097152 }],
    throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 100 }],
    throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 200 }],
  },
};

test('full resources: exact dirs, writes, procs files and cpuset inheritance', () => {
  const plan = planV1(layout, '/berth/abc', full);
  assert.deepEqual(plan.dirs, [
    `${R}/blkio/berth`, `${R}/blkio/berth/abc`,
    `${R}/cpu,cpuacct/berth`, `${R}/cpu,cpuacct/berth/abc`,
    `${R}/cpuset/berth`, `${R}/cpuset/berth/abc`,
    `${R}/devices/berth`, `${R}/devices/berth/abc`,
    `${R}/freezer/berth`, `${R}/freezer/berth/abc`,
    `${R}/memory/berth`, `${R}/memory/berth/abc`,
    `${R}/pids/berth`, `${R}/pids/berth/abc`,
  ]);
  assert.deepEqual(plan.procsFiles, [
    `${R}/blkio/berth/abc/cgroup.procs`, `${R}/cpu,cpuacct/berth/abc/cgroup.procs`, `${R}/cpuset/berth/abc/cgroup.procs`,
    `${R}/devices/berth/abc/cgroup.procs`, `${R}/freezer/berth/abc/cgroup.procs`, `${R}/memory/berth/abc/cgroup.procs`,
    `${R}/pids/berth/abc/cgroup.procs`,
  ]);
  assert.deepEqual(plan.inherit, [
    `${R}/cpuset/berth/cpuset.cpus`, `${R}/cpuset/berth/cpuset.mems`,
    `${R}/cpuset/berth/abc/cpuset.cpus`, `${R}/cpuset/berth/abc/cpuset.mems`,
  ]);
  const c = (ctl: string, file: string) => `${R}/${ctl}/berth/abc/${file}`;
  assert.deepEqual(plan.writes, [
    [c('cpuset', 'cpuset.cpus'), '0-1'],
    [c('cpuset', 'cpuset.mems'), '0'],
    [c('devices', 'devices.deny'), 'a'],
    [c('devices', 'devices.allow'), 'c 1:3 rwm'],
    [c('devices', 'devices.allow'), 'c 136:* rwm'],
    [c('devices', 'devices.deny'), 'b 8:0 w'],
    [c('memory', 'memory.limit_in_bytes'), '67108864'],
    [c('memory', 'memory.memsw.limit_in_bytes'), '134217728'],
    [c('memory', 'memory.soft_limit_in_bytes'), '33554432'],
    [c('memory', 'memory.swappiness'), '10'],
    [c('memory', 'memory.oom_control'), '1'],
    [c('cpu,cpuacct', 'cpu.shares'), '512'],
    [c('cpu,cpuacct', 'cpu.cfs_period_us'), '100000'],
    [c('cpu,cpuacct', 'cpu.cfs_quota_us'), '50000'],
    [c('pids', 'pids.max'), '32'],
    [c('blkio', 'blkio.weight'), '500'],
    [c('blkio', 'blkio.weight_device'), '8:0 300'],
    [c('blkio', 'blkio.throttle.read_bps_device'), '8:0 1048576'],
    [c('blkio', 'blkio.throttle.write_bps_device'), '8:0 2097152'],
    [c('blkio', 'blkio.throttle.read_iops_device'), '8:0 100'],
    [c('blkio', 'blkio.throttle.write_iops_device'), '8:0 200'],
  ]);
});

const mem = (file: string) => `${R}/memory/x/${file}`;

test('memory+swap write order follows the direction of the change', () => {
  // Growing past the current limit: memsw first, or the new limit would exceed the old memsw.
  const grow = planV1(layout, 'x', { memory: { limit: 512, swap: 1024 } }, { currentMemoryLimit: 256 });
  assert.deepEqual(grow.writes, [[mem('memory.memsw.limit_in_bytes'), '1024'], [mem('memory.limit_in_bytes'), '512']]);
  // Shrinking below the current limit: limit first.
  const shrink = planV1(layout, 'x', { memory: { limit: 128, swap: 256 } }, { currentMemoryLimit: 512 });
  assert.deepEqual(shrink.writes, [[mem('memory.limit_in_bytes'), '128'], [mem('memory.memsw.limit_in_bytes'), '256']]);
  // A new cgroup is unlimited: limit first.
  const fresh = planV1(layout, 'x', { memory: { limit: 128, swap: 256 } });
  assert.deepEqual(fresh.writes.map(([f]) => f), [mem('memory.limit_in_bytes'), mem('memory.memsw.limit_in_bytes')]);
  // Unlimited swap always goes first.
  const unlimitedSwap = planV1(layout, 'x', { memory: { limit: 128, swap: -1 } }, { currentMemoryLimit: 64 });
  assert.deepEqual(unlimitedSwap.writes, [[mem('memory.memsw.limit_in_bytes'), '-1'], [mem('memory.limit_in_bytes'), '128']]);
});

test('unlimited memory takes memsw along only when swap accounting exists', () => {
  assert.deepEqual(planV1(layout, 'x', { memory: { limit: -1 } }).writes, [
    [mem('memory.memsw.limit_in_bytes'), '-1'],
    [mem('memory.limit_in_bytes'), '-1'],
  ]);
  assert.deepEqual(planV1(layout, 'x', { memory: { limit: -1 } }, { swapAccounting: false }).writes, [[mem('memory.limit_in_bytes'), '-1']]);
});

test('BFQ weight files when blkio.weight is absent', () => {
  const plan = planV1(layout, 'x', { blockIO: { weight: 100, weightDevice: [{ major: 8, minor: 16, weight: 200 }] } }, { blkioCfqWeight: false });
  assert.deepEqual(plan.writes, [
    [`${R}/blkio/x/blkio.bfq.weight`, '100'],
    [`${R}/blkio/x/blkio.bfq.weight_device`, '8:16 200'],
  ]);
});

test('pids limit ≤ 0 is unlimited', () => {
  assert.deepEqual(planV1(layout, 'x', { pids: { limit: 0 } }).writes, [[`${R}/pids/x/pids.max`, 'max']]);
  assert.deepEqual(planV1(layout, 'x', { pids: { limit: -1 } }).writes, [[`${R}/pids/x/pids.max`, 'max']]);
});

test('hybrid: same v1 writes, plus the cgroup2 directory and procs file', () => {
  const hybrid: CgroupLayout = { mode: 'hybrid', v1: { memory: `${R}/memory` }, unified: `${R}/unified` };
  const plan = planV1(hybrid, '/berth/abc', { memory: { limit: 100 } }, { swapAccounting: false });
  assert.deepEqual(plan.dirs, [`${R}/memory/berth`, `${R}/memory/berth/abc`, `${R}/unified/berth`, `${R}/unified/berth/abc`]);
  assert.deepEqual(plan.procsFiles, [`${R}/memory/berth/abc/cgroup.procs`, `${R}/unified/berth/abc/cgroup.procs`]);
  assert.deepEqual(plan.writes, [[`${R}/memory/berth/abc/memory.limit_in_bytes`, '100']]);
});

test('refusals: unified map, systemd paths, escaping paths, bad values, missing controllers', () => {
  const invalid = (e: unknown) => isEngineError(e, 'invalid-argument');
  assert.throws(() => planV1(layout, 'x', { unified: { 'memory.high': '1' } }), invalid);
  assert.throws(() => planV1(layout, 'system.slice:berth:abc', {}), /systemd cgroup driver is not supported/);
  assert.throws(() => planV1(layout, '/berth/../..', {}), invalid);
  assert.throws(() => planV1(layout, '/', {}), invalid);
  assert.throws(() => planV1(layout, 'x', { memory: { swappiness: 101 } }), invalid);
  assert.throws(() => planV1(layout, 'x', { memory: { limit: 200, swap: 100 } }), invalid);
  assert.throws(() => planV1(layout, 'x', { hugepageLimits: [{ pageSize: '2MB', limit: 1 }] }), /hugetlb cgroup controller/);
  assert.throws(() => planV1(layout, 'x', { devices: [{ allow: true, type: 'c', access: 'rwx' }] }), invalid);
});

test('relative paths start at the hierarchy root', () => {
  assert.deepEqual(planV1({ mode: 'v1', v1: { pids: '/p' } }, 'a/b').dirs, ['/p/a', '/p/a/b']);
});

test('device rule lines', () => {
  assert.equal(deviceRuleLine({ allow: true }), 'a');
  assert.equal(deviceRuleLine({ allow: true, type: 'b', major: 8, access: 'r' }), 'b 8:* r');
  assert.equal(deviceRuleLine({ allow: true, type: 'c', major: -1, minor: 5 }), 'c *:5 rwm');
});
