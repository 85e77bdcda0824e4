import assert from 'node:assert/strict';
import { test } from 'node:test';

import { EngineError } from '../common/errors.js';
import { defaultSpec } from './default-spec.js';
import { decodePlan, encodePlan } from './plan-codec.js';
import { planExec, planLaunch, type LaunchPlan } from './plan.js';

type Rec = { tag: string; fields: string[] };

/** The smallest plan: every optional field absent, every flag false, every list empty. */
function minimal(over: Partial<LaunchPlan> = {}): LaunchPlan {
  return {
    id: 'c1',
    cloneFlags: 0,
    join: [],
    usernsJoin: false,
    premounts: [],
    readonlyRoot: false,
    mounts: [],
    devices: [],
    symlinks: [],
    sysctls: [],
    maskedPaths: [],
    readonlyPaths: [],
    cwd: '/',
    args: ['sh'],
    env: [],
    uid: 0,
    gid: 0,
    groups: [],
    rlimits: [],
    noNewPrivileges: false,
    cgroupProcs: [],
    ...over,
  };
}

/** A plan with every field set. */
function full(): LaunchPlan {
  return {
    id: 'c1',
    foreground: true,
    inherit: true,
    autostart: true,
    reportFd: 3,
    pidFile: '/run/c1/pid',
    exitFile: '/run/c1/exit',
    ctlSock: '/run/c1/ctl.sock',
    attachSock: '/run/c1/attach.sock',
    log: { path: '/var/log/c1.log', maxSize: 10485760, maxFiles: 3 },
    stdin: true,
    stdinOnce: true,
    terminal: { rows: 24, cols: 80 },
    oomFile: { path: '/sys/fs/cgroup/c1/memory.events', key: 'oom_kill' },
    cgroupProcs: ['/sys/fs/cgroup/c1/cgroup.procs', '/sys/fs/cgroup/pids/c1/cgroup.procs'],
    cloneFlags: 0x6c020000,
    join: [{ type: 0x40000000, path: '/run/netns/c1' }],
    uidMap: '0 100000 65536\n',
    gidMap: '0 100000 65536\n',
    usernsJoin: true,
    hostname: 'box',
    domainname: 'example.org',
    rootfs: '/bundle/rootfs',
    premounts: [{ source: 'overlay', target: '/bundle/rootfs', fstype: 'overlay', flags: 0, data: 'lowerdir=/a:/b,upperdir=/u,workdir=/w' }],
    rootPropagation: 0x84000,
    readonlyRoot: true,
    mounts: [
      { source: 'proc', target: '/proc', fstype: 'proc', flags: 14, data: '', propagation: 0 },
      { source: '/srv/data', target: '/data', fstype: '', flags: 0x5000, data: '', propagation: 0x44000 },
    ],
    devices: [{ path: '/dev/null', mode: 0o20666, major: 1, minor: 3, uid: 0, gid: 0 }],
    symlinks: [['/proc/self/fd', '/dev/fd']],
    sysctls: [['/proc/sys/net/ipv4/ip_forward', '1']],
    maskedPaths: ['/proc/kcore', '/proc/keys'],
    readonlyPaths: ['/proc/sys'],
    cwd: '/work',
    args: ['sh', '-c', 'echo hi'],
    env: ['PATH=/bin', 'A=b'],
    uid: 1000,
    gid: 1001,
    groups: [10, 27],
    umask: 18,
    rlimits: [{ type: 'RLIMIT_NOFILE', soft: '1024', hard: '18446744073709551615' }],
    caps: { bounding: 0xa80425fbn, effective: 0xa80425fbn, permitted: 0xa80425fbn, inheritable: 0n, ambient: 1n << 40n },
    noNewPrivileges: true,
    seccomp: { flags: 1, program: Buffer.from([0x20, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00]) },
    oomScoreAdj: -500,
  };
}

const FULL_RECORDS: Rec[] = [
  { tag: 'id', fields: ['c1'] },
  { tag: 'foreground', fields: [] },
  { tag: 'inherit', fields: [] },
  { tag: 'autostart', fields: [] },
  { tag: 'report', fields: ['3'] },
  { tag: 'pidfile', fields: ['/run/c1/pid'] },
  { tag: 'exitfile', fields: ['/run/c1/exit'] },
  { tag: 'ctlsock', fields: ['/run/c1/ctl.sock'] },
  { tag: 'attachsock', fields: ['/run/c1/attach.sock'] },
  { tag: 'log', fields: ['/var/log/c1.log', '10485760', '3'] },
  { tag: 'stdin', fields: [] },
  { tag: 'stdinonce', fields: [] },
  { tag: 'terminal', fields: ['24', '80'] },
  { tag: 'oomfile', fields: ['/sys/fs/cgroup/c1/memory.events', 'oom_kill'] },
  { tag: 'cgroupprocs', fields: ['/sys/fs/cgroup/c1/cgroup.procs'] },
  { tag: 'cgroupprocs', fields: ['/sys/fs/cgroup/pids/c1/cgroup.procs'] },
  { tag: 'clone', fields: [String(0x6c020000)] },
  { tag: 'setns', fields: [String(0x40000000), '/run/netns/c1'] },
  { tag: 'uidmap', fields: ['0 100000 65536\n'] },
  { tag: 'gidmap', fields: ['0 100000 65536\n'] },
  { tag: 'usernsjoin', fields: [] },
  { tag: 'hostname', fields: ['box'] },
  { tag: 'domainname', fields: ['example.org'] },
  { tag: 'rootfs', fields: ['/bundle/rootfs'] },
  { tag: 'premount', fields: ['overlay', '/bundle/rootfs', 'overlay', '0', 'lowerdir=/a:/b,upperdir=/u,workdir=/w'] },
  { tag: 'rootprop', fields: [String(0x84000)] },
  { tag: 'readonly', fields: [] },
  { tag: 'mount', fields: ['proc', '/proc', 'proc', '14', '', '0'] },
  { tag: 'mount', fields: ['/srv/data', '/data', '', String(0x5000), '', String(0x44000)] },
  { tag: 'mknod', fields: ['/dev/null', String(0o20666), '1', '3', '0', '0'] },
  { tag: 'symlink', fields: ['/proc/self/fd', '/dev/fd'] },
  { tag: 'sysctl', fields: ['/proc/sys/net/ipv4/ip_forward', '1'] },
  { tag: 'ropath', fields: ['/proc/sys'] },
  { tag: 'masked', fields: ['/proc/kcore'] },
  { tag: 'masked', fields: ['/proc/keys'] },
  { tag: 'cwd', fields: ['/work'] },
  { tag: 'args', fields: ['sh', '-c', 'echo hi'] },
  { tag: 'env', fields: ['PATH=/bin', 'A=b'] },
  { tag: 'user', fields: ['1000', '1001'] },
  { tag: 'groups', fields: ['10', '27'] },
  { tag: 'umask', fields: ['18'] },
  { tag: 'rlimit', fields: ['RLIMIT_NOFILE', '1024', '18446744073709551615'] },
  { tag: 'caps', fields: ['00000000a80425fb', '00000000a80425fb', '00000000a80425fb', '0000000000000000', '0000010000000000'] },
  { tag: 'nnp', fields: [] },
  { tag: 'seccomp', fields: ['1', '2000000004000000'] },
  { tag: 'oomscoreadj', fields: ['-500'] },
];

const byTag = (recs: Rec[], tag: string) => recs.filter((r) => r.tag === tag);
const invalid = (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument' && /NUL/.test(e.message);

test('a full plan round-trips through encode and decode', () => {
  assert.deepEqual(decodePlan(encodePlan(full())), FULL_RECORDS);
});

test('the minimal plan, byte for byte', () => {
  const buf = encodePlan(minimal());
  assert.ok(Buffer.isBuffer(buf));
  assert.equal(
    buf.toString('utf8'),
    'id\x001\x00c1\x00' +
      'clone\x001\x000\x00' +
      'cwd\x001\x00/\x00' +
      'args\x001\x00sh\x00' +
      'env\x000\x00' +
      'user\x002\x000\x000\x00',
  );
});

test('record layout: tag, count, fields, each NUL-terminated', () => {
  const text = encodePlan(full()).toString('utf8');
  assert.ok(text.endsWith('\0'));
  assert.ok(text.includes('\0log\x003\x00/var/log/c1.log\x0010485760\x003\x00'));
  assert.ok(text.includes('\0mount\x006\x00/srv/data\x00/data\x00\x00' + `${0x5000}\x00\x00${0x44000}\x00`));
  assert.ok(text.includes('\0mknod\x006\x00/dev/null\x008630\x001\x003\x000\x000\x00'));
  assert.ok(text.includes('\0setns\x002\x001073741824\x00/run/netns/c1\x00'));
  assert.ok(text.includes('\0uidmap\x001\x000 100000 65536\n\x00'));
  assert.ok(text.includes('\0nnp\x000\x00seccomp\x002\x001\x002000000004000000\x00'));
});

test('flags are zero-field records, present only when true', () => {
  const flags: [keyof LaunchPlan, string][] = [
    ['foreground', 'foreground'], ['inherit', 'inherit'], ['autostart', 'autostart'], ['stdin', 'stdin'],
    ['stdinOnce', 'stdinonce'], ['usernsJoin', 'usernsjoin'], ['noNewPrivileges', 'nnp'],
  ];
  for (const [key, tag] of flags) {
    const on = decodePlan(encodePlan(minimal({ [key]: true })));
    assert.deepEqual(byTag(on, tag), [{ tag, fields: [] }], `${key}: true`);
    assert.ok(encodePlan(minimal({ [key]: true })).toString().includes(`\0${tag}\x000\x00`));
    assert.deepEqual(byTag(decodePlan(encodePlan(minimal({ [key]: false }))), tag), [], `${key}: false`);
    assert.deepEqual(byTag(decodePlan(encodePlan(minimal({ [key]: undefined }))), tag), [], `${key}: undefined`);
  }
  const ro = decodePlan(encodePlan(minimal({ rootfs: '/r', readonlyRoot: true })));
  assert.deepEqual(byTag(ro, 'readonly'), [{ tag: 'readonly', fields: [] }]);
  assert.deepEqual(byTag(decodePlan(encodePlan(minimal({ rootfs: '/r' }))), 'readonly'), []);
});

test('optional records are absent when their value is', () => {
  const tags = decodePlan(encodePlan(minimal())).map((r) => r.tag);
  assert.deepEqual(tags, ['id', 'clone', 'cwd', 'args', 'env', 'user']);
});

test('a premount with a base dir carries it and its fsconfig parameters after the data', () => {
  const premounts = [{
    source: 'overlay', target: '/r', fstype: 'overlay', flags: 0, data: 'lowerdir=l/A:l/B,upperdir=/u,workdir=/w',
    baseDir: '/img', params: ['lowerdir+=l/A', 'lowerdir+=l/B', 'upperdir=/u', 'workdir=/w'],
  }];
  assert.deepEqual(byTag(decodePlan(encodePlan(minimal({ rootfs: '/r', premounts }))), 'premount'), [{
    tag: 'premount',
    fields: ['overlay', '/r', 'overlay', '0', 'lowerdir=l/A:l/B,upperdir=/u,workdir=/w', '/img', 'lowerdir+=l/A', 'lowerdir+=l/B', 'upperdir=/u', 'workdir=/w'],
  }]);
  const noBase = [{ ...premounts[0]!, baseDir: '' }];
  assert.equal(byTag(decodePlan(encodePlan(minimal({ rootfs: '/r', premounts: noBase }))), 'premount')[0]!.fields[5], '', 'params without a base dir keep the slot');
  const bad = [{ ...premounts[0]!, params: ['lowerdir+=a\0b'] }];
  assert.throws(() => encodePlan(minimal({ rootfs: '/r', premounts: bad })), /NUL/);
});

test('without a rootfs there are no rootfs records', () => {
  const p = minimal({ readonlyRoot: true, rootPropagation: 0x84000, premounts: [{ source: 'overlay', target: '/r', fstype: 'overlay', flags: 0, data: 'x' }] });
  const tags = decodePlan(encodePlan(p)).map((r) => r.tag);
  for (const t of ['rootfs', 'readonly', 'rootprop', 'premount']) assert.ok(!tags.includes(t), t);
});

test('numbers that are zero are still written', () => {
  const recs = decodePlan(encodePlan(minimal({ reportFd: 0, umask: 0, oomScoreAdj: 0, rootfs: '/r', rootPropagation: 0 })));
  assert.deepEqual(byTag(recs, 'report'), [{ tag: 'report', fields: ['0'] }]);
  assert.deepEqual(byTag(recs, 'umask'), [{ tag: 'umask', fields: ['0'] }]);
  assert.deepEqual(byTag(recs, 'oomscoreadj'), [{ tag: 'oomscoreadj', fields: ['0'] }]);
  assert.deepEqual(byTag(recs, 'rootprop'), [{ tag: 'rootprop', fields: ['0'] }]);
});

test('caps are five masks of 16 hex digits', () => {
  const caps = { bounding: (1n << 64n) - 1n, effective: 0n, permitted: 1n, inheritable: 1n << 63n, ambient: 0xa80425fbn };
  const [rec] = byTag(decodePlan(encodePlan(minimal({ caps }))), 'caps');
  assert.deepEqual(rec, {
    tag: 'caps',
    fields: ['ffffffffffffffff', '0000000000000000', '0000000000000001', '8000000000000000', '00000000a80425fb'],
  });
  for (const f of rec!.fields) assert.match(f, /^[0-9a-f]{16}$/);
  assert.deepEqual(byTag(decodePlan(encodePlan(minimal())), 'caps'), []);
});

test('the seccomp program is written as hex, with its flags', () => {
  const program = Buffer.from([0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x7f, 0x15, 0x00, 0x01, 0x00, 0x3e, 0x00, 0x00, 0xc0]);
  const [rec] = byTag(decodePlan(encodePlan(minimal({ seccomp: { flags: 0, program } }))), 'seccomp');
  assert.deepEqual(rec, { tag: 'seccomp', fields: ['0', '060000000000ff7f150001003e0000c0'] });
  assert.deepEqual(Buffer.from(rec!.fields[1]!, 'hex'), program);
});

test('a NUL byte inside any value is rejected', () => {
  const bad = 'a\0b';
  const edits: [string, Partial<LaunchPlan>][] = [
    ['id', { id: bad }],
    ['pidFile', { pidFile: bad }],
    ['log', { log: { path: bad, maxSize: 1, maxFiles: 1 } }],
    ['cgroupProcs', { cgroupProcs: [bad] }],
    ['join', { join: [{ type: 0x40000000, path: bad }] }],
    ['uidMap', { uidMap: `0 0 1\n${bad}` }],
    ['hostname', { hostname: bad }],
    ['rootfs', { rootfs: bad }],
    ['premounts', { rootfs: '/r', premounts: [{ source: 'overlay', target: '/r', fstype: 'overlay', flags: 0, data: bad }] }],
    ['mount source', { mounts: [{ source: bad, target: '/x', fstype: 'tmpfs', flags: 0, data: '', propagation: 0 }] }],
    ['mount data', { mounts: [{ source: 'tmpfs', target: '/x', fstype: 'tmpfs', flags: 0, data: bad, propagation: 0 }] }],
    ['device', { devices: [{ path: bad, mode: 0, major: 0, minor: 0, uid: 0, gid: 0 }] }],
    ['symlink', { symlinks: [['/x', bad]] }],
    ['sysctl value', { sysctls: [['/proc/sys/kernel/hostname', bad]] }],
    ['masked', { maskedPaths: [bad] }],
    ['ropath', { readonlyPaths: [bad] }],
    ['cwd', { cwd: bad }],
    ['args', { args: ['sh', bad] }],
    ['env', { env: ['A=1', `B=${bad}`] }],
    ['env name', { env: ['\0=1'] }],
    ['rlimit', { rlimits: [{ type: 'RLIMIT_NOFILE', soft: bad, hard: '1' }] }],
    ['oomFile key', { oomFile: { path: '/x', key: bad } }],
  ];
  for (const [name, edit] of edits) {
    assert.throws(() => encodePlan(minimal(edit)), invalid, name);
  }
});

test('args and env with spaces, newlines, quotes, empty strings and UTF-8 survive', () => {
  const args = ['sh', '-c', 'echo "a  b" \'c\' $HOME\n\techo done', '', ' ', 'héllo wörld', '日本語', '🚀', '\\0', 'a=b=c'];
  const env = ['A=with space', 'B=line1\nline2', 'C="quoted"', "D='single'", 'E=', 'É=ünïcödé 🐳', 'F=a\r\nb'];
  const recs = decodePlan(encodePlan(minimal({ args, env, hostname: 'hôte', cwd: '/répertoire avec espace' })));
  assert.deepEqual(byTag(recs, 'args'), [{ tag: 'args', fields: args }]);
  assert.deepEqual(byTag(recs, 'env'), [{ tag: 'env', fields: env }]);
  assert.deepEqual(byTag(recs, 'hostname'), [{ tag: 'hostname', fields: ['hôte'] }]);
  assert.deepEqual(byTag(recs, 'cwd'), [{ tag: 'cwd', fields: ['/répertoire avec espace'] }]);
});

test('an empty env is a record with zero fields', () => {
  assert.deepEqual(byTag(decodePlan(encodePlan(minimal({ env: [] }))), 'env'), [{ tag: 'env', fields: [] }]);
});

test('a plan made from the default spec encodes and decodes', () => {
  const p = planLaunch(defaultSpec(), '/b', { cgroupProcs: ['/sys/fs/cgroup/x/cgroup.procs'] }, { id: 'x' });
  const recs = decodePlan(encodePlan(p));
  assert.deepEqual(recs[0], { tag: 'id', fields: ['x'] });
  assert.deepEqual(byTag(recs, 'clone'), [{ tag: 'clone', fields: [String(0x6c020000)] }]);
  assert.deepEqual(byTag(recs, 'rootfs'), [{ tag: 'rootfs', fields: ['/b/rootfs'] }]);
  assert.equal(byTag(recs, 'mount').length, p.mounts.length);
  assert.equal(byTag(recs, 'mknod').length, p.devices.length);
  assert.equal(byTag(recs, 'symlink').length, p.symlinks.length);
  assert.equal(byTag(recs, 'masked').length, p.maskedPaths.length);
  assert.equal(byTag(recs, 'ropath').length, p.readonlyPaths.length);
  assert.deepEqual(byTag(recs, 'caps')[0]!.fields.slice(0, 3), ['00000000a80425fb', '00000000a80425fb', '00000000a80425fb']);
  assert.deepEqual(byTag(recs, 'rlimit'), [{ tag: 'rlimit', fields: ['RLIMIT_NOFILE', '1024', '1024'] }]);
  for (const r of recs) for (const f of r.fields) assert.ok(!f.includes('\0'));
});

test('an exec plan has no rootfs work on the wire', () => {
  const p = planExec(defaultSpec().process, 42, ['mount', 'network'], { cgroupProcs: [] }, { id: 'e' });
  const recs = decodePlan(encodePlan(p));
  assert.deepEqual(byTag(recs, 'setns'), [
    { tag: 'setns', fields: [String(0x00020000), '/proc/42/ns/mnt'] },
    { tag: 'setns', fields: [String(0x40000000), '/proc/42/ns/net'] },
  ]);
  const tags = new Set(recs.map((r) => r.tag));
  for (const t of ['rootfs', 'mount', 'mknod', 'symlink', 'sysctl', 'masked', 'ropath', 'readonly', 'uidmap']) {
    assert.ok(!tags.has(t), t);
  }
});

test('decodePlan of an empty buffer is no records', () => {
  assert.deepEqual(decodePlan(Buffer.alloc(0)), []);
});
