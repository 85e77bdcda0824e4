import assert from 'node:assert/strict';
import { test } from 'node:test';

import { EngineError } from '../common/errors.js';
import type { Mount, Namespace, NamespaceType, Spec } from '../spec/oci-runtime.js';
import { DOCKER_MASKED_PATHS, DOCKER_READONLY_PATHS, defaultSpec } from './default-spec.js';
import { MS } from './mount-options.js';
import { planNamespaces } from './namespaces.js';
import { OVERLAY_ANNOTATION, OVERLAY_BASEDIR_ANNOTATION, checkSysctl, overlayParams, planExec, planLaunch, type HostFacts, type LaunchPlan } from './plan.js';

const CLONE_NEWNS = 0x00020000;
const CLONE_NEWCGROUP = 0x02000000;
const CLONE_NEWUTS = 0x04000000;
const CLONE_NEWIPC = 0x08000000;
const CLONE_NEWUSER = 0x10000000;
const CLONE_NEWPID = 0x20000000;
const CLONE_NEWNET = 0x40000000;
const DOCKER_CLONE = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const DOCKER_CAPS = 0xa80425fbn;
const RLIM_INFINITY = '18446744073709551615';
const BUNDLE = '/run/berth/bundles/c1';
const ROOTFS = '/run/berth/bundles/c1/rootfs';

type CgroupCall = { destination: string; readonly: boolean; cgroupns: boolean };

/** Host facts whose cgroupMounts records its calls and gives one cgroup2 mount. */
function hostFacts(extra: Partial<HostFacts> = {}): HostFacts & { calls: CgroupCall[] } {
  const calls: CgroupCall[] = [];
  return {
    calls,
    kcore: true,
    cgroupProcs: ['/sys/fs/cgroup/berth/c1/cgroup.procs'],
    oomFile: { path: '/sys/fs/cgroup/berth/c1/memory.events', key: 'oom_kill' },
    cgroupMounts: (destination, readonly, cgroupns) => {
      calls.push({ destination, readonly, cgroupns });
      return [{ destination, type: 'cgroup2', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', ...(readonly ? ['ro'] : [])] }];
    },
    ...extra,
  };
}

const spec = (edit: (s: Spec) => void = () => {}): Spec => {
  const s = structuredClone(defaultSpec());
  edit(s);
  return s;
};
const plan = (s: Spec, host: HostFacts = hostFacts()) => planLaunch(s, BUNDLE, host, { id: 'c1' });
const withNs = (...extra: Namespace[]) => (s: Spec) => {
  s.linux!.namespaces!.push(...extra);
};
const withoutNs = (t: NamespaceType) => (s: Spec) => {
  s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== t);
};

/** The plan without its undefined properties, so it compares with a literal. */
function defined(p: LaunchPlan): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
}

function invalid(re: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof EngineError, `expected an EngineError, got ${String(e)}`);
    assert.equal(e.kind, 'invalid-argument');
    assert.match(e.message, re);
    return true;
  };
}

const NOSUID_NOEXEC_NODEV = MS.NOSUID | MS.NOEXEC | MS.NODEV;
const defaultDevice = (path: string, major: number, minor: number) => ({ path, mode: S_IFCHR | 0o666, major, minor, uid: 0, gid: 0 });
const DEFAULT_DEVICES = [
  defaultDevice('/dev/null', 1, 3),
  defaultDevice('/dev/zero', 1, 5),
  defaultDevice('/dev/full', 1, 7),
  defaultDevice('/dev/random', 1, 8),
  defaultDevice('/dev/urandom', 1, 9),
  defaultDevice('/dev/tty', 5, 0),
];

test("a Docker-like spec becomes the whole plan", () => {
  const host = hostFacts({ seccomp: { flags: 0, program: Buffer.from([6, 0, 0, 0, 0, 0, 0xff, 0x7f]) } });
  const p = planLaunch(spec(), BUNDLE, host, { id: 'c1', foreground: true, exitFile: '/run/berth/c1/exit' });
  assert.deepEqual(defined(p), {
    id: 'c1',
    foreground: true,
    exitFile: '/run/berth/c1/exit',
    cwd: '/',
    args: ['sh'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
    uid: 0,
    gid: 0,
    groups: [],
    rlimits: [{ type: 'RLIMIT_NOFILE', soft: '1024', hard: '1024' }],
    caps: { bounding: DOCKER_CAPS, effective: DOCKER_CAPS, permitted: DOCKER_CAPS, inheritable: 0n, ambient: 0n },
    noNewPrivileges: false,
    cloneFlags: DOCKER_CLONE,
    cgroupns: false,
    join: [],
    usernsJoin: false,
    hostname: 'berth',
    rootfs: ROOTFS,
    premounts: [],
    readonlyRoot: false,
    mounts: [
      { source: 'proc', target: '/proc', fstype: 'proc', flags: NOSUID_NOEXEC_NODEV, data: '', propagation: 0 },
      { source: 'tmpfs', target: '/dev', fstype: 'tmpfs', flags: MS.NOSUID | MS.STRICTATIME, data: 'mode=755,size=65536k', propagation: 0 },
      { source: 'devpts', target: '/dev/pts', fstype: 'devpts', flags: MS.NOSUID | MS.NOEXEC, data: 'newinstance,ptmxmode=0666,mode=0620,gid=5', propagation: 0 },
      { source: 'sysfs', target: '/sys', fstype: 'sysfs', flags: NOSUID_NOEXEC_NODEV | MS.RDONLY, data: '', propagation: 0 },
      { source: 'cgroup', target: '/sys/fs/cgroup', fstype: 'cgroup2', flags: NOSUID_NOEXEC_NODEV | MS.RDONLY, data: '', propagation: 0 },
      { source: 'mqueue', target: '/dev/mqueue', fstype: 'mqueue', flags: NOSUID_NOEXEC_NODEV, data: '', propagation: 0 },
      { source: 'shm', target: '/dev/shm', fstype: 'tmpfs', flags: NOSUID_NOEXEC_NODEV, data: 'mode=1777,size=67108864', propagation: 0 },
    ],
    devices: DEFAULT_DEVICES,
    symlinks: [
      ['/proc/self/fd', '/dev/fd'],
      ['/proc/self/fd/0', '/dev/stdin'],
      ['/proc/self/fd/1', '/dev/stdout'],
      ['/proc/self/fd/2', '/dev/stderr'],
      ['pts/ptmx', '/dev/ptmx'],
      ['/proc/kcore', '/dev/core'],
    ],
    sysctls: [],
    maskedPaths: DOCKER_MASKED_PATHS,
    readonlyPaths: DOCKER_READONLY_PATHS,
    seccomp: { flags: 0, program: Buffer.from([6, 0, 0, 0, 0, 0, 0xff, 0x7f]) },
    cgroupProcs: ['/sys/fs/cgroup/berth/c1/cgroup.procs'],
    oomFile: { path: '/sys/fs/cgroup/berth/c1/memory.events', key: 'oom_kill' },
  });
  assert.deepEqual(host.calls, [{ destination: '/sys/fs/cgroup', readonly: true, cgroupns: false }]);
});

test('planLaunch does not modify the spec', () => {
  const s = spec((x) => {
    x.mounts!.push({ destination: '/data', type: 'bind', source: 'data', options: ['rbind'] });
  });
  const copy = structuredClone(s);
  plan(s);
  assert.deepEqual(s, copy);
});

// ---- namespaces

test('namespaces given by path are joined', () => {
  const p = plan(spec((s) => {
    s.linux!.namespaces = [
      { type: 'mount' },
      { type: 'pid' },
      { type: 'network', path: '/run/berth/netns/c1' },
      { type: 'ipc', path: '/proc/77/ns/ipc' },
      { type: 'uts' },
    ];
  }));
  assert.equal(p.cloneFlags, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS);
  assert.deepEqual(p.join, [
    { type: CLONE_NEWNET, path: '/run/berth/netns/c1' },
    { type: CLONE_NEWIPC, path: '/proc/77/ns/ipc' },
  ]);
});

test('a cgroup namespace is made after the cgroups are joined (not at clone) and the cgroup mounts are told so', () => {
  const host = hostFacts();
  const p = plan(spec(withNs({ type: 'cgroup' })), host);
  // Cloned into it, the namespace would be rooted at the shim's cgroup instead of the container's.
  assert.equal(p.cloneFlags & CLONE_NEWCGROUP, 0);
  assert.equal(p.cloneFlags, DOCKER_CLONE);
  assert.equal(p.cgroupns, true);
  assert.deepEqual(host.calls, [{ destination: '/sys/fs/cgroup', readonly: true, cgroupns: true }]);
});

test('a user namespace takes its mappings', () => {
  const p = plan(spec((s) => {
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  }));
  assert.equal(p.cloneFlags, DOCKER_CLONE | CLONE_NEWUSER);
  assert.equal(p.uidMap, '0 100000 65536\n');
  assert.equal(p.gidMap, '0 100000 65536\n');
  assert.equal(p.usernsJoin, false);
});

test('several mappings become several lines', () => {
  const p = plan(spec((s) => {
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }, { containerID: 1, hostID: 100000, size: 65535 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  }));
  assert.equal(p.uidMap, '0 1000 1\n1 100000 65535\n');
  assert.equal(p.gidMap, '0 100000 65536\n');
});

test('a joined user namespace is marked, and its mappings are not written', () => {
  const p = plan(spec((s) => {
    s.linux!.namespaces!.push({ type: 'user', path: '/proc/77/ns/user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  }));
  assert.equal(p.usernsJoin, true);
  assert.equal(p.uidMap, undefined);
  assert.equal(p.gidMap, undefined);
  assert.equal(p.cloneFlags, DOCKER_CLONE);
  assert.deepEqual(p.join, [{ type: CLONE_NEWUSER, path: '/proc/77/ns/user' }]);
});

test('a new user namespace without mappings is rejected', () => {
  assert.throws(() => plan(spec(withNs({ type: 'user' }))), invalid(/user namespace.*no mapping/));
  assert.throws(() => plan(spec((s) => {
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  })), invalid(/no mapping/));
  assert.throws(() => plan(spec((s) => {
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  })), invalid(/no mapping/));
});

test('mappings without a user namespace are rejected', () => {
  assert.throws(() => plan(spec((s) => {
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  })), invalid(/not enabled.*mappings/));
  assert.throws(() => plan(spec((s) => {
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  })), invalid(/mappings/));
});

test('a hostname needs a private UTS namespace', () => {
  assert.throws(() => plan(spec(withoutNs('uts'))), invalid(/hostname.*UTS/));
  const p = plan(spec((s) => {
    withoutNs('uts')(s);
    delete s.hostname;
  }));
  assert.equal(p.hostname, undefined);
  assert.equal(p.cloneFlags, DOCKER_CLONE & ~CLONE_NEWUTS);
});

test('a domain name is planned with a private UTS namespace', () => {
  const p = plan(spec((s) => {
    s.domainname = 'example.org';
  }));
  assert.equal(p.domainname, 'example.org');
});

test('a domain name without a private UTS namespace is rejected (it would change the host)', () => {
  assert.throws(
    () => plan(spec((s) => {
      withoutNs('uts')(s);
      delete s.hostname;
      s.domainname = 'example.org';
    })),
    invalid(/domainname|domain name/i),
  );
});

test('a mount namespace is required', () => {
  assert.throws(() => plan(spec(withoutNs('mount'))), invalid(/mount namespace/));
});

test('invalid namespace lists are rejected', () => {
  assert.throws(() => plan(spec(withNs({ type: 'pid' }))), invalid(/duplicate.*pid/));
  assert.throws(() => plan(spec(withNs({ type: 'bogus' as NamespaceType }))), invalid(/bogus/));
  assert.throws(() => plan(spec(withNs({ type: 'cgroup', path: 'proc/1/ns/cgroup' }))), invalid(/absolute/));
});

// ---- rootfs and mounts

test('root.path is resolved against the bundle; an absolute one is kept', () => {
  assert.equal(plan(spec()).rootfs, ROOTFS);
  assert.equal(plan(spec((s) => { s.root = { path: '/var/lib/berth/rootfs/c1' }; })).rootfs, '/var/lib/berth/rootfs/c1');
  assert.equal(plan(spec((s) => { s.root = { path: '../shared/rootfs', readonly: true }; })).rootfs, '/run/berth/bundles/shared/rootfs');
});

test('a read-only root', () => {
  assert.equal(plan(spec((s) => { s.root!.readonly = true; })).readonlyRoot, true);
  assert.equal(plan(spec()).readonlyRoot, false);
});

test('rootfsPropagation becomes the propagation flags', () => {
  assert.equal(plan(spec()).rootPropagation, undefined);
  assert.equal(plan(spec((s) => { s.linux!.rootfsPropagation = 'rslave'; })).rootPropagation, MS.SLAVE | MS.REC);
  assert.equal(plan(spec((s) => { s.linux!.rootfsPropagation = 'shared'; })).rootPropagation, MS.SHARED);
});

test('an unknown rootfsPropagation is rejected', () => {
  assert.throws(() => plan(spec((s) => { s.linux!.rootfsPropagation = 'sideways'; })), invalid(/rootfsPropagation|propagation/));
});

test('the overlay annotation becomes a premount at the rootfs', () => {
  const p = plan(spec((s) => {
    s.annotations = { [OVERLAY_ANNOTATION]: 'lowerdir=/l1:/l2,upperdir=/u,workdir=/w' };
  }));
  assert.deepEqual(p.premounts, [
    {
      source: 'overlay', target: ROOTFS, fstype: 'overlay', flags: 0, data: 'lowerdir=/l1:/l2,upperdir=/u,workdir=/w', baseDir: '',
      params: ['lowerdir+=/l1', 'lowerdir+=/l2', 'upperdir=/u', 'workdir=/w'],
    },
  ]);
  assert.deepEqual(plan(spec((s) => { s.annotations = { other: 'x' }; })).premounts, []);
});

test('the overlay base dir annotation makes short relative lowerdirs resolve there', () => {
  const data = 'lowerdir=l/AAAA:l/BBBB,upperdir=/c/fs/upper,workdir=/c/fs/work';
  const p = plan(spec((s) => {
    s.annotations = { [OVERLAY_ANNOTATION]: data, [OVERLAY_BASEDIR_ANNOTATION]: '/var/lib/berth/image' };
  }));
  assert.equal(p.premounts[0]!.baseDir, '/var/lib/berth/image');
  assert.deepEqual(p.premounts[0]!.params, ['lowerdir+=l/AAAA', 'lowerdir+=l/BBBB', 'upperdir=/c/fs/upper', 'workdir=/c/fs/work']);
  assert.equal(p.premounts[0]!.target, ROOTFS);
  assert.throws(
    () => plan(spec((s) => { s.annotations = { [OVERLAY_ANNOTATION]: data, [OVERLAY_BASEDIR_ANNOTATION]: 'relative/dir' }; })),
    invalid(/must be an absolute path/),
  );
});

test('overlay options become one fsconfig parameter per layer, or none when they cannot be restated', () => {
  assert.deepEqual(overlayParams('ro,lowerdir=a:b:c'), ['ro', 'lowerdir+=a', 'lowerdir+=b', 'lowerdir+=c']);
  assert.deepEqual(overlayParams('lowerdir=a,upperdir=/u,workdir=/w,index=off'), ['lowerdir+=a', 'upperdir=/u', 'workdir=/w', 'index=off']);
  assert.deepEqual(overlayParams('lowerdir=a\\:b,upperdir=/u'), [], 'escaped separators: mount(2) parses them');
  assert.deepEqual(overlayParams('lowerdir=a::d'), [], 'data-only lowers');
  assert.deepEqual(overlayParams('lowerdir=a:,upperdir=/u'), [], 'an empty layer is left for the kernel to reject');
  const many = Array.from({ length: 500 }, (_, i) => `l/${String(i).padStart(16, '0')}`);
  const params = overlayParams(`lowerdir=${many.join(':')},upperdir=/u,workdir=/w`);
  assert.equal(params.length, 502);
  assert.equal(params[499], `lowerdir+=${many[499]}`);
});

const mountOf = (m: Mount) => plan(spec((s) => { s.mounts = [m]; })).mounts;

test('mount options become flags, propagation and data', () => {
  assert.deepEqual(mountOf({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['ro', 'nosuid', 'nodev', 'noexec', 'mode=1777', 'size=10m'] }), [
    { source: 'tmpfs', target: '/tmp', fstype: 'tmpfs', flags: MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC, data: 'mode=1777,size=10m', propagation: 0 },
  ]);
  assert.deepEqual(mountOf({ destination: '/data', type: 'none', source: '/srv/data', options: ['rbind', 'rw', 'rprivate'] }), [
    { source: '/srv/data', target: '/data', fstype: '', flags: MS.BIND | MS.REC, data: '', propagation: MS.PRIVATE | MS.REC },
  ]);
  assert.deepEqual(mountOf({ destination: '/data', source: '/srv/data', options: ['bind', 'ro', 'shared'] }), [
    { source: '/srv/data', target: '/data', fstype: '', flags: MS.BIND | MS.RDONLY, data: '', propagation: MS.SHARED },
  ]);
});

test('a mount of type bind is a bind mount even without a bind option', () => {
  assert.deepEqual(mountOf({ destination: '/etc/hosts', type: 'bind', source: '/var/lib/berth/c1/hosts', options: ['ro'] }), [
    { source: '/var/lib/berth/c1/hosts', target: '/etc/hosts', fstype: '', flags: MS.BIND | MS.RDONLY, data: '', propagation: 0 },
  ]);
});

test('a relative bind source is relative to the bundle', () => {
  assert.equal(mountOf({ destination: '/data', type: 'bind', source: 'data', options: ['rbind'] })[0]!.source, `${BUNDLE}/data`);
  assert.equal(mountOf({ destination: '/data', type: 'bind', source: './a/../b', options: [] })[0]!.source, `${BUNDLE}/b`);
});

test('a source that is not a bind is passed as is', () => {
  assert.equal(mountOf({ destination: '/x', type: 'tmpfs', source: 'relative' })[0]!.source, 'relative');
  assert.equal(mountOf({ destination: '/x', type: 'tmpfs' })[0]!.source, '');
});

test('mount destinations are normalised', () => {
  assert.equal(mountOf({ destination: '/a//b/./c/', type: 'tmpfs', source: 'tmpfs' })[0]!.target, '/a/b/c/');
  assert.equal(mountOf({ destination: '/a/b/../c', type: 'tmpfs', source: 'tmpfs' })[0]!.target, '/a/c');
});

test('cgroup mounts are replaced by the host facts, with their read-only bit', () => {
  const host = hostFacts({
    cgroupMounts: (destination, readonly, cgroupns) => {
      host.calls.push({ destination, readonly, cgroupns });
      return [
        { destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
        { destination: `${destination}/memory`, type: 'bind', source: '/sys/fs/cgroup/memory/berth/c1', options: ['rbind'] },
      ];
    },
  });
  const p = plan(spec((s) => {
    s.mounts = [{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'rw'] }];
  }), host);
  assert.deepEqual(host.calls, [{ destination: '/sys/fs/cgroup', readonly: false, cgroupns: false }]);
  assert.deepEqual(p.mounts, [
    { source: 'tmpfs', target: '/sys/fs/cgroup', fstype: 'tmpfs', flags: MS.NOSUID, data: 'mode=755', propagation: 0 },
    { source: '/sys/fs/cgroup/memory/berth/c1', target: '/sys/fs/cgroup/memory', fstype: '', flags: MS.BIND | MS.REC, data: '', propagation: 0 },
  ]);
});

test('cgroup2 mounts are replaced too', () => {
  const host = hostFacts();
  plan(spec((s) => { s.mounts = [{ destination: '/sys/fs/cgroup', type: 'cgroup2', source: 'cgroup2', options: ['ro'] }]; }), host);
  assert.equal(host.calls.length, 1);
});

test('without a cgroupMounts fact, a cgroup mount is kept as it is', () => {
  const p = plan(spec(), { cgroupProcs: [] });
  const m = p.mounts.find((x) => x.target === '/sys/fs/cgroup');
  assert.deepEqual(m, { source: 'cgroup', target: '/sys/fs/cgroup', fstype: 'cgroup', flags: NOSUID_NOEXEC_NODEV | MS.RDONLY, data: '', propagation: 0 });
});

test('a mount without a destination is rejected', () => {
  assert.throws(() => mountOf({ type: 'tmpfs', source: 'tmpfs' } as Mount), invalid(/destination/));
  assert.throws(() => mountOf({ destination: '', type: 'tmpfs', source: 'tmpfs' }), invalid(/destination/));
});

test('a bind mount without a source is rejected', () => {
  assert.throws(() => mountOf({ destination: '/data', type: 'bind', options: ['rbind'] }), invalid(/bind.*\/data.*source/));
  assert.throws(() => mountOf({ destination: '/data', type: 'none', source: '', options: ['bind'] }), invalid(/source/));
});

// ---- devices and /dev symlinks

test('the default devices are always created, as character devices 0666', () => {
  const p = plan(spec((s) => { delete s.linux!.devices; }));
  assert.deepEqual(p.devices, DEFAULT_DEVICES);
  for (const d of p.devices) assert.equal(d.mode, 0o20666);
});

test('spec devices are added, and override a default of the same path', () => {
  const p = plan(spec((s) => {
    s.linux!.devices = [
      { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o600, uid: 0, gid: 0 },
      { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 },
      { path: '/dev/sdb', type: 'b', major: 8, minor: 16, fileMode: 0o660, uid: 0, gid: 6 },
    ];
  }));
  assert.deepEqual(p.devices.filter((d) => d.path === '/dev/null'), [{ path: '/dev/null', mode: S_IFCHR | 0o600, major: 1, minor: 3, uid: 0, gid: 0 }]);
  assert.deepEqual(p.devices.find((d) => d.path === '/dev/fuse'), { path: '/dev/fuse', mode: S_IFCHR | 0o666, major: 10, minor: 229, uid: 0, gid: 0 });
  assert.deepEqual(p.devices.find((d) => d.path === '/dev/sdb'), { path: '/dev/sdb', mode: S_IFBLK | 0o660, major: 8, minor: 16, uid: 0, gid: 6 });
  assert.equal(p.devices.length, 8);
});

test('a device with no numbers, mode or owner gets zeros and 0666', () => {
  const p = plan(spec((s) => { s.linux!.devices = [{ path: '/dev/thing', type: 'c' }]; }));
  assert.deepEqual(p.devices.find((d) => d.path === '/dev/thing'), { path: '/dev/thing', mode: S_IFCHR | 0o666, major: 0, minor: 0, uid: 0, gid: 0 });
});

test('a device outside /dev is rejected', () => {
  for (const path of ['/etc/evil', 'dev/null', '/dev', '/devnull']) {
    assert.throws(() => plan(spec((s) => { s.linux!.devices = [{ path, type: 'c', major: 1, minor: 3 }]; })), invalid(/\/dev/), path);
  }
});

test('a device path that climbs out of /dev is rejected', () => {
  assert.throws(
    () => plan(spec((s) => { s.linux!.devices = [{ path: '/dev/../etc/evil', type: 'c', major: 1, minor: 3 }]; })),
    invalid(/\/dev/),
  );
});

test('/dev/ptmx links to pts/ptmx only when /dev/pts is mounted', () => {
  const withPts = plan(spec());
  assert.ok(withPts.symlinks.some(([t, l]) => t === 'pts/ptmx' && l === '/dev/ptmx'));
  const noPts = plan(spec((s) => { s.mounts = s.mounts!.filter((m) => m.destination !== '/dev/pts'); }));
  assert.ok(!noPts.symlinks.some(([, l]) => l === '/dev/ptmx'));
  assert.ok(noPts.symlinks.some(([, l]) => l === '/dev/fd'));
});

test('/dev/core links to /proc/kcore only when /proc is mounted and the host has /proc/kcore (as runc)', () => {
  assert.ok(plan(spec()).symlinks.some(([t, l]) => t === '/proc/kcore' && l === '/dev/core'));
  const noProc = plan(spec((s) => { s.mounts = s.mounts!.filter((m) => m.destination !== '/proc'); }));
  assert.ok(!noProc.symlinks.some(([, l]) => l === '/dev/core'));
  const noKcore = planLaunch(spec(), BUNDLE, hostFacts({ kcore: false }), { id: 'c1' });
  assert.ok(!noKcore.symlinks.some(([, l]) => l === '/dev/core'));
});

test('the std symlinks are always there', () => {
  const p = plan(spec((s) => { s.mounts = []; }));
  assert.deepEqual(p.symlinks, [
    ['/proc/self/fd', '/dev/fd'],
    ['/proc/self/fd/0', '/dev/stdin'],
    ['/proc/self/fd/1', '/dev/stdout'],
    ['/proc/self/fd/2', '/dev/stderr'],
  ]);
});

// ---- sysctls

test('sysctls map to /proc/sys files', () => {
  const p = plan(spec((s) => {
    s.linux!.sysctl = {
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.src_valid_mark': '1',
      'kernel.shmmax': '68719476736',
      'fs.mqueue.msg_max': '100',
      'kernel.domainname': 'example.org',
    };
  }));
  assert.deepEqual(p.sysctls, [
    ['/proc/sys/net/ipv4/ip_forward', '1'],
    ['/proc/sys/net/ipv4/conf/all/src_valid_mark', '1'],
    ['/proc/sys/kernel/shmmax', '68719476736'],
    ['/proc/sys/fs/mqueue/msg_max', '100'],
    ['/proc/sys/kernel/domainname', 'example.org'],
  ]);
});

test('a sysctl that would change the host is rejected', () => {
  assert.throws(() => plan(spec((s) => { s.linux!.sysctl = { 'kernel.pid_max': '100000' }; })), invalid(/kernel\.pid_max/));
  assert.throws(() => plan(spec((s) => {
    withoutNs('network')(s);
    s.linux!.sysctl = { 'net.ipv4.ip_forward': '1' };
  })), invalid(/net\.ipv4\.ip_forward.*network/));
  assert.throws(() => plan(spec((s) => {
    withoutNs('ipc')(s);
    s.linux!.sysctl = { 'kernel.shmmax': '1' };
  })), invalid(/kernel\.shmmax.*ipc/));
});

test('checkSysctl: namespaced sysctls need their namespace', () => {
  const docker = planNamespaces([{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }]);
  const host = planNamespaces([{ type: 'mount' }]);
  const joined = planNamespaces([{ type: 'mount' }, { type: 'ipc', path: '/proc/1/ns/ipc' }, { type: 'uts', path: '/proc/1/ns/uts' }]);
  for (const key of ['net.core.somaxconn', 'net.ipv4.ping_group_range', 'kernel.msgmax', 'kernel.sem', 'kernel.shm_rmid_forced',
    'fs.mqueue.queues_max', 'kernel.hostname', 'kernel.domainname']) {
    assert.doesNotThrow(() => checkSysctl(key, docker), key);
    assert.throws(() => checkSysctl(key, host), invalid(/not allowed/), key);
  }
  assert.throws(() => checkSysctl('kernel.shmmax', joined), invalid(/ipc/));
  assert.throws(() => checkSysctl('kernel.hostname', joined), invalid(/uts/));
});

test('checkSysctl: sysctls of no namespace are rejected', () => {
  const docker = planNamespaces([{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }]);
  for (const key of ['kernel.pid_max', 'vm.overcommit_memory', 'fs.file-max', 'kernel.core_pattern']) {
    assert.throws(() => checkSysctl(key, docker), invalid(/not in a separate kernel namespace/), key);
  }
});

test('checkSysctl: malformed keys are rejected', () => {
  const docker = planNamespaces([{ type: 'network' }, { type: 'mount' }]);
  for (const key of ['', 'net', 'net..ipv4', 'net/ipv4/ip_forward', '../net.x', 'net.ipv4.ip_forward/../../x', 'net.ipv4 x', 'NET.ipv4.ip_forward']) {
    assert.throws(() => checkSysctl(key, docker), invalid(/not valid/), key);
  }
});

// ---- process

test('rlimits: 2^64-1 becomes RLIM_INFINITY exactly', () => {
  const p = plan(spec((s) => {
    s.process!.rlimits = [
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 18446744073709552000 },
      { type: 'RLIMIT_CORE', soft: 18446744073709552000, hard: 18446744073709552000 },
      { type: 'RLIMIT_NPROC', soft: 0, hard: 4096 },
    ];
  }));
  assert.deepEqual(p.rlimits, [
    { type: 'RLIMIT_NOFILE', soft: '1024', hard: RLIM_INFINITY },
    { type: 'RLIMIT_CORE', soft: RLIM_INFINITY, hard: RLIM_INFINITY },
    { type: 'RLIMIT_NPROC', soft: '0', hard: '4096' },
  ]);
});

test('rlimits parsed from JSON text', () => {
  const s = JSON.parse(JSON.stringify(spec()).replace('"hard":1024', '"hard":18446744073709551615')) as Spec;
  assert.deepEqual(plan(s).rlimits, [{ type: 'RLIMIT_NOFILE', soft: '1024', hard: RLIM_INFINITY }]);
});

test('an unknown rlimit type is rejected', () => {
  assert.throws(() => plan(spec((s) => { s.process!.rlimits = [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }]; })), invalid(/RLIMIT_BOGUS/));
  assert.throws(() => plan(spec((s) => { s.process!.rlimits = [{ type: 'nofile', soft: 1, hard: 1 }]; })), invalid(/nofile/));
});

test('capabilities become 64-bit masks', () => {
  const p = plan(spec((s) => {
    s.process!.capabilities = {
      bounding: ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_CHECKPOINT_RESTORE'],
      effective: ['CAP_NET_ADMIN'],
      permitted: ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN'],
      inheritable: [],
      ambient: ['CAP_NET_ADMIN'],
    };
  }));
  assert.deepEqual(p.caps, {
    bounding: (1n << 12n) | (1n << 21n) | (1n << 40n),
    effective: 1n << 12n,
    permitted: (1n << 12n) | (1n << 21n),
    inheritable: 0n,
    ambient: 1n << 12n,
  });
});

test('missing capability sets are empty; no capabilities section means no caps', () => {
  assert.deepEqual(plan(spec((s) => { s.process!.capabilities = { bounding: ['CAP_KILL'] }; })).caps, {
    bounding: 1n << 5n, effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n,
  });
  assert.equal(plan(spec((s) => { delete s.process!.capabilities; })).caps, undefined);
});

test('an unknown capability is rejected', () => {
  assert.throws(() => plan(spec((s) => { s.process!.capabilities = { bounding: ['CAP_BOGUS'] }; })), invalid(/CAP_BOGUS/));
});

test('user, groups, umask, env, nnp, oom score, terminal', () => {
  const p = plan(spec((s) => {
    s.process!.user = { uid: 1000, gid: 1000, additionalGids: [10, 27], umask: 0o027 };
    s.process!.env = ['A=1'];
    s.process!.noNewPrivileges = true;
    s.process!.oomScoreAdj = 500;
    s.process!.terminal = true;
    s.process!.consoleSize = { height: 50, width: 132 };
    s.process!.cwd = '/home/user/./src/';
  }));
  assert.equal(p.uid, 1000);
  assert.equal(p.gid, 1000);
  assert.deepEqual(p.groups, [10, 27]);
  assert.equal(p.umask, 0o027);
  assert.deepEqual(p.env, ['A=1']);
  assert.equal(p.noNewPrivileges, true);
  assert.equal(p.oomScoreAdj, 500);
  assert.deepEqual(p.terminal, { rows: 50, cols: 132 });
  assert.equal(p.cwd, '/home/user/src/');
});

test('a terminal without a console size is 24x80; no env is an empty env', () => {
  const p = plan(spec((s) => {
    s.process!.terminal = true;
    delete s.process!.env;
  }));
  assert.deepEqual(p.terminal, { rows: 24, cols: 80 });
  assert.deepEqual(p.env, []);
  assert.equal(plan(spec()).terminal, undefined);
});

test('masked and read-only paths must be absolute', () => {
  assert.throws(() => plan(spec((s) => { s.linux!.maskedPaths = ['proc/kcore']; })), invalid(/masked path.*absolute.*proc\/kcore/));
  assert.throws(() => plan(spec((s) => { s.linux!.readonlyPaths = ['proc/sys']; })), invalid(/readonly path.*absolute/));
});

test('a spec without a linux section has no mount namespace', () => {
  assert.throws(() => plan(spec((s) => { delete s.linux; })), invalid(/mount namespace/));
});

// ---- invalid input

const cases: [string, (s: Spec) => unknown, RegExp][] = [
  ['missing ociVersion', (s) => delete (s as Partial<Spec>).ociVersion, /ociVersion/],
  ['empty ociVersion', (s) => (s.ociVersion = ''), /ociVersion/],
  ['missing process', (s) => delete s.process, /process/],
  ['empty args', (s) => (s.process!.args = []), /args/],
  ['missing args', (s) => delete s.process!.args, /args/],
  ['non-string arg', (s) => (s.process!.args = ['sh', 3 as unknown as string]), /args?/],
  ['missing user', (s) => delete (s.process as Partial<Spec['process'] & object>).user, /uid/],
  ['missing uid', (s) => delete (s.process!.user as { uid?: number }).uid, /uid/],
  ['missing gid', (s) => delete (s.process!.user as { gid?: number }).gid, /gid/],
  ['string uid', (s) => (s.process!.user.uid = '0' as unknown as number), /uid/],
  ['relative cwd', (s) => (s.process!.cwd = 'home'), /cwd.*absolute/],
  ['empty cwd', (s) => (s.process!.cwd = ''), /cwd/],
  ['missing root', (s) => delete s.root, /root\.path/],
  ['empty root.path', (s) => (s.root = { path: '' }), /root\.path/],
  ['no mount namespace', withoutNs('mount'), /mount/],
  ['duplicate namespace', withNs({ type: 'network', path: '/run/netns/x' }), /duplicate/],
  ['unknown namespace type', withNs({ type: 'nett' as NamespaceType }), /nett/],
  ['relative namespace path', withNs({ type: 'cgroup', path: 'ns/cgroup' }), /absolute/],
  ['device outside /dev', (s) => (s.linux!.devices = [{ path: '/tmp/null', type: 'c', major: 1, minor: 3 }]), /\/dev/],
  ['mount without destination', (s) => s.mounts!.push({ type: 'tmpfs' } as Mount), /destination/],
  ['bind without source', (s) => s.mounts!.push({ destination: '/data', type: 'bind' }), /source/],
];

for (const [name, edit, re] of cases) {
  test(`invalid input: ${name}`, () => {
    assert.throws(() => plan(spec((s) => { edit(s); })), invalid(re));
  });
}

test('invalid input: not a JSON object', () => {
  for (const bad of [null, undefined, [], 'spec', 42, true]) {
    assert.throws(() => plan(bad as unknown as Spec), invalid(/JSON object/), String(bad));
  }
});

test('invalid input: the message for a non-string arg is not about an empty list', () => {
  assert.throws(
    () => plan(spec((s) => { s.process!.args = ['sh', 3 as unknown as string]; })),
    invalid(/string/),
  );
});

// ---- exec

const PID = 4242;

test('planExec joins the namespaces of the running process and does no rootfs work', () => {
  const host = hostFacts({ seccomp: { flags: 1, program: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) } });
  const proc = structuredClone(defaultSpec({ args: ['ps', 'aux'] }).process);
  const p = planExec(proc, PID, ['user', 'mount', 'network', 'pid', 'ipc', 'uts', 'cgroup'], host, { id: 'c1-exec1', stdin: true });
  assert.deepEqual(defined(p), {
    id: 'c1-exec1',
    stdin: true,
    cwd: '/',
    args: ['ps', 'aux'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
    uid: 0,
    gid: 0,
    groups: [],
    rlimits: [{ type: 'RLIMIT_NOFILE', soft: '1024', hard: '1024' }],
    caps: { bounding: DOCKER_CAPS, effective: DOCKER_CAPS, permitted: DOCKER_CAPS, inheritable: 0n, ambient: 0n },
    noNewPrivileges: false,
    cloneFlags: 0,
    join: [
      { type: CLONE_NEWUSER, path: '/proc/4242/ns/user' },
      { type: CLONE_NEWNS, path: '/proc/4242/ns/mnt' },
      { type: CLONE_NEWNET, path: '/proc/4242/ns/net' },
      { type: CLONE_NEWPID, path: '/proc/4242/ns/pid' },
      { type: CLONE_NEWIPC, path: '/proc/4242/ns/ipc' },
      { type: CLONE_NEWUTS, path: '/proc/4242/ns/uts' },
      { type: CLONE_NEWCGROUP, path: '/proc/4242/ns/cgroup' },
    ],
    usernsJoin: true,
    readonlyRoot: false,
    premounts: [],
    mounts: [],
    devices: [],
    symlinks: [],
    sysctls: [],
    maskedPaths: [],
    readonlyPaths: [],
    seccomp: { flags: 1, program: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) },
    cgroupProcs: ['/sys/fs/cgroup/berth/c1/cgroup.procs'],
    oomFile: { path: '/sys/fs/cgroup/berth/c1/memory.events', key: 'oom_kill' },
  });
  assert.equal(p.rootfs, undefined);
  assert.equal(p.hostname, undefined);
  assert.deepEqual(host.calls, [], 'no cgroup mounts for exec');
});

test('planExec without a user namespace does not join one', () => {
  const p = planExec(structuredClone(defaultSpec().process), PID, ['mount', 'pid'], { cgroupProcs: [] }, { id: 'e' });
  assert.equal(p.usernsJoin, false);
  assert.deepEqual(p.join, [
    { type: CLONE_NEWNS, path: '/proc/4242/ns/mnt' },
    { type: CLONE_NEWPID, path: '/proc/4242/ns/pid' },
  ]);
});

test('planExec validates the process', () => {
  const host: HostFacts = { cgroupProcs: [] };
  assert.throws(() => planExec(undefined, PID, ['mount'], host, { id: 'e' }), invalid(/process/));
  const proc = structuredClone(defaultSpec().process)!;
  assert.throws(() => planExec({ ...proc, args: [] }, PID, ['mount'], host, { id: 'e' }), invalid(/args/));
  assert.throws(() => planExec({ ...proc, cwd: 'x' }, PID, ['mount'], host, { id: 'e' }), invalid(/cwd/));
  assert.throws(() => planExec({ ...proc, rlimits: [{ type: 'RLIMIT_X', soft: 1, hard: 1 }] }, PID, ['mount'], host, { id: 'e' }), invalid(/RLIMIT_X/));
});
