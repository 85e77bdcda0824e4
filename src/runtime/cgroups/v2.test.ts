import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isEngineError } from '../../common/errors.js';
import type { Resources } from '../../spec/oci-runtime.js';
import { blkioWeightToIoWeight, sharesToWeight, swapToV2 } from './convert.js';
import type { CgroupLayout } from './detect.js';
import { planV2 } from './v2.js';

const R = '/sys/fs/cgroup';
const layout: CgroupLayout = { mode: 'v2', v1: {}, unified: R };
const ENABLE = '+cpu +memory +pids +io +cpuset';

const full: Resources = {
  devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }],
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
  unified: { 'memory.high': '50331648' },
};

test('full resources: exact dirs, writes, procs file and device rules', () => {
  const plan = planV2(layout, '/berth/abc', full, { swapAccounting: true });
  const leaf = (file: string) => `${R}/berth/abc/${file}`;
  assert.deepEqual(plan.dirs, [`${R}/berth`, `${R}/berth/abc`]);
  assert.deepEqual(plan.procsFiles, [leaf('cgroup.procs')]);
  assert.deepEqual(plan.inherit, []);
  assert.deepEqual(plan.deviceRules, full.devices);
  assert.deepEqual(plan.writes, [
    [`${R}/cgroup.subtree_control`, ENABLE],
    [`${R}/berth/cgroup.subtree_control`, ENABLE],
    [leaf('cpuset.cpus'), '0-1'],
    [leaf('cpuset.mems'), '0'],
    [leaf('memory.swap.max'), '67108864'],
    [leaf('memory.max'), '67108864'],
    [leaf('memory.low'), '33554432'],
    [leaf('memory.oom.group'), '1'],
    [leaf('cpu.weight'), '20'],
    [leaf('cpu.max'), '50000 100000'],
    [leaf('pids.max'), '32'],
    [leaf('io.weight'), '4950'],
    [leaf('io.weight'), '8:0 2930'],
    [leaf('io.max'), '8:0 rbps=1048576'],
    [leaf('io.max'), '8:0 wbps=2097152'],
    [leaf('io.max'), '8:0 riops=100'],
    [leaf('io.max'), '8:0 wiops=200'],
    [leaf('memory.high'), '50331648'],
  ]);
});

const leaf = (file: string) => `${R}/x/${file}`;
const limits = (r: Resources, opts = {}) => planV2(layout, '/x', r, opts).writes.filter(([f]) => !f.endsWith('subtree_control') && !f.endsWith('oom.group'));

test('unlimited values are "max"', () => {
  assert.deepEqual(limits({ memory: { limit: -1 }, cpu: { quota: -1, period: 100000 }, pids: { limit: 0 } }, { swapAccounting: true }), [
    [leaf('memory.swap.max'), 'max'],
    [leaf('memory.max'), 'max'],
    [leaf('cpu.max'), 'max 100000'],
    [leaf('pids.max'), 'max'],
  ]);
});

test('swap equal to memory disables swap; without swap accounting that write is dropped', () => {
  assert.deepEqual(limits({ memory: { limit: 100, swap: 100 } }, { swapAccounting: true }), [
    [leaf('memory.swap.max'), '0'],
    [leaf('memory.max'), '100'],
  ]);
  assert.deepEqual(limits({ memory: { limit: 100, swap: 100 } }, { swapAccounting: false }), [[leaf('memory.max'), '100']]);
});

test('BFQ takes the raw blkio weight', () => {
  assert.deepEqual(limits({ blockIO: { weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 300 }] } }, { ioBfq: true }), [
    [leaf('io.bfq.weight'), '500'],
    [leaf('io.bfq.weight'), '8:0 300'],
  ]);
});

test('only controllers the root offers are enabled; asking for a missing one is refused', () => {
  const plan = planV2(layout, '/x', { pids: { limit: 5 } }, { controllers: ['memory', 'pids'] });
  assert.deepEqual(plan.writes, [
    [`${R}/cgroup.subtree_control`, '+memory +pids'],
    [leaf('memory.oom.group'), '1'],
    [leaf('pids.max'), '5'],
  ]);
  assert.throws(() => planV2(layout, '/x', { cpu: { shares: 2 } }, { controllers: ['memory'] }), (e) => isEngineError(e, 'invalid-argument'));
});

test('refusals', () => {
  const invalid = (e: unknown) => isEngineError(e, 'invalid-argument');
  assert.throws(() => planV2(layout, '/x', { unified: { '../escape': '1' } }), invalid);
  assert.throws(() => planV2(layout, '/x', { cpu: { realtimeRuntime: 1000 } }), invalid);
  assert.throws(() => planV2(layout, '/x', { memory: { swap: 100 } }), /without memory limit/);
  assert.throws(() => planV2(layout, '/x', { memory: { limit: 200, swap: 100 } }), /should be >= memory limit/);
  assert.throws(() => planV2(layout, ':berth:x'), /systemd cgroup driver is not supported/);
});

test('conversions match runc', () => {
  assert.equal(sharesToWeight(0), 0);
  assert.equal(sharesToWeight(2), 1);
  assert.equal(sharesToWeight(512), 20);
  assert.equal(sharesToWeight(1024), 39);
  assert.equal(sharesToWeight(262144), 10000);
  assert.equal(sharesToWeight(1), 1);
  assert.equal(sharesToWeight(1_000_000), 10000);
  assert.equal(blkioWeightToIoWeight(0), 0);
  assert.equal(blkioWeightToIoWeight(10), 1);
  assert.equal(blkioWeightToIoWeight(500), 4950);
  assert.equal(blkioWeightToIoWeight(1000), 10000);
  assert.equal(swapToV2(0, -1), -1);
  assert.equal(swapToV2(-1, 100), -1);
  assert.equal(swapToV2(0, 100), 0);
  assert.equal(swapToV2(300, 100), 200);
});
