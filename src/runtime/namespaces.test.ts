import assert from 'node:assert/strict';
import { test } from 'node:test';

import { EngineError } from '../common/errors.js';
import type { Namespace, NamespaceType } from '../spec/oci-runtime.js';
import { CLONE_FLAG, PROC_NS_NAME, planNamespaces } from './namespaces.js';

const invalid = (re: RegExp) => (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument' && re.test(e.message);

const CLONE_NEWNS = 0x00020000;
const CLONE_NEWCGROUP = 0x02000000;
const CLONE_NEWUTS = 0x04000000;
const CLONE_NEWIPC = 0x08000000;
const CLONE_NEWUSER = 0x10000000;
const CLONE_NEWPID = 0x20000000;
const CLONE_NEWNET = 0x40000000;
const CLONE_NEWTIME = 0x00000080;

test('the kernel flag of each namespace type', () => {
  assert.deepEqual(CLONE_FLAG, {
    mount: CLONE_NEWNS, cgroup: CLONE_NEWCGROUP, uts: CLONE_NEWUTS, ipc: CLONE_NEWIPC, user: CLONE_NEWUSER,
    pid: CLONE_NEWPID, network: CLONE_NEWNET, time: CLONE_NEWTIME,
  });
});

test('the /proc/PID/ns name of each namespace type', () => {
  assert.equal(PROC_NS_NAME.mount, 'mnt');
  assert.equal(PROC_NS_NAME.network, 'net');
  for (const t of ['cgroup', 'uts', 'ipc', 'user', 'pid', 'time'] as NamespaceType[]) assert.equal(PROC_NS_NAME[t], t);
});

test('no namespaces', () => {
  for (const p of [planNamespaces(), planNamespaces([])]) {
    assert.equal(p.cloneFlags, 0);
    assert.deepEqual(p.join, []);
    assert.equal(p.has('mount'), false);
    assert.equal(p.isNew('mount'), false);
  }
});

test("Docker's namespaces are all created", () => {
  const p = planNamespaces([{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }]);
  assert.equal(p.cloneFlags, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
  assert.equal(p.cloneFlags, 0x6c020000);
  assert.deepEqual(p.join, []);
  for (const t of ['pid', 'network', 'ipc', 'uts', 'mount'] as NamespaceType[]) {
    assert.equal(p.has(t), true);
    assert.equal(p.isNew(t), true);
  }
  for (const t of ['user', 'cgroup', 'time'] as NamespaceType[]) {
    assert.equal(p.has(t), false);
    assert.equal(p.isNew(t), false);
  }
});

test('a namespace with a path is joined, not created', () => {
  const p = planNamespaces([
    { type: 'mount' },
    { type: 'network', path: '/var/run/netns/c1' },
    { type: 'ipc', path: '/proc/42/ns/ipc' },
    { type: 'time', path: '/proc/42/ns/time' },
  ]);
  assert.equal(p.cloneFlags, CLONE_NEWNS);
  assert.deepEqual(p.join, [
    { type: CLONE_NEWNET, path: '/var/run/netns/c1' },
    { type: CLONE_NEWIPC, path: '/proc/42/ns/ipc' },
    { type: CLONE_NEWTIME, path: '/proc/42/ns/time' },
  ]);
  assert.equal(p.has('network'), true);
  assert.equal(p.isNew('network'), false);
  assert.equal(p.isNew('mount'), true);
});

test('an empty path means a new namespace', () => {
  const p = planNamespaces([{ type: 'user', path: '' }]);
  assert.equal(p.cloneFlags, CLONE_NEWUSER);
  assert.equal(p.isNew('user'), true);
});

test('a namespace type given twice is rejected', () => {
  assert.throws(() => planNamespaces([{ type: 'pid' }, { type: 'pid', path: '/proc/1/ns/pid' }]), invalid(/duplicate.*pid/));
});

test('an unknown namespace type is rejected', () => {
  assert.throws(() => planNamespaces([{ type: 'bogus' as NamespaceType }]), invalid(/bogus.*not supported/));
  assert.throws(() => planNamespaces([{ type: 'net' as NamespaceType }]), invalid(/net/));
});

test('a namespace type named after an Object.prototype member is rejected', () => {
  for (const t of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
    assert.throws(() => planNamespaces([{ type: t } as unknown as Namespace]), invalid(/not supported/), t);
  }
});

test('a relative namespace path is rejected', () => {
  assert.throws(() => planNamespaces([{ type: 'network', path: 'var/run/netns/c1' }]), invalid(/absolute/));
});

test('a new time namespace is rejected', () => {
  assert.throws(() => planNamespaces([{ type: 'time' }]), invalid(/time/));
});
