import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isEngineError } from '../../common/errors.js';
import { detectLayout, parseMountinfo, v1Hierarchies } from './detect.js';

// Ubuntu 18.04-style pure v1: cpu and cpuacct co-mounted (with cpu → cpu,cpuacct symlinks on disk).
const V1 = `\
22 27 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
25 22 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd
29 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct
30 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory
31 25 0:29 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,net_cls,net_prio
32 25 0:30 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,cpuset,clone_children
33 25 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,pids
34 25 0:32 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,freezer
`;

const V2 = `\
22 27 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
26 22 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

// This build host: separate cpu and cpuacct mounts, no optional fields, cgroup2 under unified.
const HYBRID = `\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

test('pure v1 with co-mounted cpu,cpuacct', () => {
  const layout = detectLayout(V1);
  assert.equal(layout.mode, 'v1');
  assert.equal(layout.unified, undefined);
  assert.deepEqual(layout.v1, {
    'name=systemd': '/sys/fs/cgroup/systemd',
    cpu: '/sys/fs/cgroup/cpu,cpuacct',
    cpuacct: '/sys/fs/cgroup/cpu,cpuacct',
    memory: '/sys/fs/cgroup/memory',
    net_cls: '/sys/fs/cgroup/net_cls,net_prio',
    net_prio: '/sys/fs/cgroup/net_cls,net_prio',
    cpuset: '/sys/fs/cgroup/cpuset',
    pids: '/sys/fs/cgroup/pids',
    freezer: '/sys/fs/cgroup/freezer',
  });
  const h = v1Hierarchies(layout);
  assert.deepEqual(h.get('/sys/fs/cgroup/cpu,cpuacct'), ['cpu', 'cpuacct']);
  assert.equal(h.size, 7);
});

test('pure v2', () => {
  assert.deepEqual(detectLayout(V2), { mode: 'v2', v1: {}, unified: '/sys/fs/cgroup' });
});

test('hybrid: separate cpu and cpuacct, cgroup2 under unified', () => {
  const layout = detectLayout(HYBRID);
  assert.equal(layout.mode, 'hybrid');
  assert.equal(layout.unified, '/sys/fs/cgroup/unified');
  assert.equal(layout.v1.cpu, '/sys/fs/cgroup/cpu');
  assert.equal(layout.v1.cpuacct, '/sys/fs/cgroup/cpuacct');
  assert.equal(layout.v1['name=systemd'], '/sys/fs/cgroup/systemd');
  assert.equal(Object.keys(layout.v1).length, 9);
});

test('a named hierarchy beside cgroup2 is still pure v2', () => {
  const text = V2 + '40 31 0:37 / /run/systemd-v1 rw,relatime - cgroup cgroup rw,name=systemd\n';
  assert.equal(detectLayout(text).mode, 'v2');
});

test('the first mount of a hierarchy wins and escaped paths are decoded', () => {
  const text = '50 1 0:40 / /a\\040b rw - cgroup cgroup rw,memory\n51 1 0:40 / /later rw - cgroup cgroup rw,memory\n';
  assert.deepEqual(detectLayout(text).v1, { memory: '/a b' });
  assert.equal(parseMountinfo(text)[0]?.mountpoint, '/a b');
});

test('no cgroup mounts at all is an error', () => {
  assert.throws(() => detectLayout('22 27 0:20 / /sys rw - sysfs sysfs rw\n'), (e) => isEngineError(e, 'unavailable'));
});
