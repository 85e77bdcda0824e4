import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { CgroupLayout } from './detect.js';
import { cgroupMounts, cgroupSymlinks } from './mounts.js';

const R = '/sys/fs/cgroup';
const v1: CgroupLayout = {
  mode: 'v1',
  v1: { cpu: `${R}/cpu,cpuacct`, cpuacct: `${R}/cpu,cpuacct`, memory: `${R}/memory`, 'name=systemd': `${R}/systemd` },
};
const FLAGS = ['nosuid', 'noexec', 'nodev'];

test('v2: one cgroup2 mount', () => {
  const layout: CgroupLayout = { mode: 'v2', v1: {}, unified: R };
  assert.deepEqual(cgroupMounts(layout, '/berth/x', '/sys/fs/cgroup', { readonly: true, cgroupns: true }), [
    { destination: '/sys/fs/cgroup', type: 'cgroup2', source: 'cgroup', options: [...FLAGS, 'ro'] },
  ]);
});

test('v1 with a cgroup namespace: tmpfs plus one cgroup mount per hierarchy', () => {
  assert.deepEqual(cgroupMounts(v1, '/berth/x', '/sys/fs/cgroup', { readonly: true, cgroupns: true }), [
    { destination: '/sys/fs/cgroup', type: 'tmpfs', source: 'tmpfs', options: [...FLAGS, 'mode=755'] },
    { destination: '/sys/fs/cgroup/cpu,cpuacct', type: 'cgroup', source: 'cgroup', options: ['cpu', 'cpuacct', ...FLAGS, 'ro'] },
    { destination: '/sys/fs/cgroup/memory', type: 'cgroup', source: 'cgroup', options: ['memory', ...FLAGS, 'ro'] },
    { destination: '/sys/fs/cgroup/systemd', type: 'cgroup', source: 'cgroup', options: ['name=systemd', ...FLAGS, 'ro'] },
  ]);
});

test('v1 without a cgroup namespace: binds of the container cgroup directories', () => {
  const hybrid: CgroupLayout = { ...v1, mode: 'hybrid', unified: `${R}/unified` };
  assert.deepEqual(cgroupMounts(hybrid, 'berth/x', '/sys/fs/cgroup', { readonly: false, cgroupns: false }), [
    { destination: '/sys/fs/cgroup', type: 'tmpfs', source: 'tmpfs', options: [...FLAGS, 'mode=755'] },
    { destination: '/sys/fs/cgroup/cpu,cpuacct', type: 'bind', source: `${R}/cpu,cpuacct/berth/x`, options: ['rbind', ...FLAGS] },
    { destination: '/sys/fs/cgroup/memory', type: 'bind', source: `${R}/memory/berth/x`, options: ['rbind', ...FLAGS] },
    { destination: '/sys/fs/cgroup/systemd', type: 'bind', source: `${R}/systemd/berth/x`, options: ['rbind', ...FLAGS] },
  ]);
});

test('symlinks for co-mounted controllers', () => {
  assert.deepEqual(cgroupSymlinks(v1, '/sys/fs/cgroup'), [
    { path: '/sys/fs/cgroup/cpu', target: 'cpu,cpuacct' },
    { path: '/sys/fs/cgroup/cpuacct', target: 'cpu,cpuacct' },
  ]);
  assert.deepEqual(cgroupSymlinks({ mode: 'v1', v1: { cpu: `${R}/cpu`, cpuacct: `${R}/cpuacct` } }, '/x'), []);
});
