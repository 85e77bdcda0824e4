import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../common/errors.js';
import { CAPABILITIES, DOCKER_DEFAULT_CAPS, DOCKER_MASKED_PATHS, DOCKER_READONLY_PATHS } from '../../runtime/index.js';
import { dockerDefaultProfile } from '../../runtime/seccomp/index.js';
import type { Mount, Spec } from '../../spec/oci-runtime.js';
import { buildSpec, parseBind, specResources, type SpecConfig, type SpecFacts, type SpecHostConfig } from './oci-spec.js';

const MiB = 1024 * 1024;

function facts(extra: Partial<SpecFacts> = {}): SpecFacts {
  return {
    id: 'c0ffee',
    rootfs: '/var/lib/berth/containers/c0ffee/merged',
    args: ['sh', '-c', 'echo hi'],
    env: ['PATH=/usr/bin:/bin', 'HOSTNAME=c0ffee'],
    user: { uid: 0, gid: 0, additionalGids: [] },
    cwd: '/',
    hostname: 'c0ffee',
    files: {},
    cgroupsPath: '/berth/c0ffee',
    arch: 'x86_64',
    ...extra,
  };
}

function spec(hc: SpecHostConfig = {}, config: SpecConfig = {}, f: Partial<SpecFacts> = {}): Spec {
  return buildSpec(config, hc, facts(f));
}

const caps = (s: Spec) => s.process!.capabilities!.bounding!;
const sorted = (a: readonly string[]) => [...a].sort();
const mountsAt = (s: Spec, dest: string): Mount[] => (s.mounts ?? []).filter((m) => m.destination === dest);
const mountAt = (s: Spec, dest: string): Mount => {
  const ms = mountsAt(s, dest);
  assert.equal(ms.length, 1, `exactly one mount at ${dest}, got ${JSON.stringify(ms)}`);
  return ms[0]!;
};
const nsTypes = (s: Spec) => s.linux!.namespaces!.map((n) => n.type);

/** Asserts an invalid-argument EngineError whose message matches. */
function invalid(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EngineError, `an EngineError, got ${String(e)}`);
    assert.equal(e.kind, 'invalid-argument');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('buildSpec: capabilities', () => {
  it("grants Docker's 14 default capabilities in every set but inheritable and ambient", () => {
    const s = spec();
    assert.equal(DOCKER_DEFAULT_CAPS.length, 14);
    assert.deepEqual(sorted(caps(s)), sorted(DOCKER_DEFAULT_CAPS));
    const c = s.process!.capabilities!;
    assert.deepEqual(c.effective, c.bounding);
    assert.deepEqual(c.permitted, c.bounding);
    assert.deepEqual(c.inheritable, []);
    assert.deepEqual(c.ambient, []);
  });

  it('adds and drops in the three spellings (CAP_X, X, lowercase)', () => {
    const s = spec({ CapAdd: ['net_admin', 'SYS_PTRACE', 'CAP_SYS_TIME'], CapDrop: ['chown', 'CAP_KILL', 'Net_Raw'] });
    const got = caps(s);
    for (const c of ['CAP_NET_ADMIN', 'CAP_SYS_PTRACE', 'CAP_SYS_TIME']) assert.ok(got.includes(c), c);
    for (const c of ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_RAW']) assert.ok(!got.includes(c), c);
    assert.equal(got.length, 14 + 3 - 3);
    assert.equal(new Set(got).size, got.length, 'no duplicates');
  });

  it('adding a default capability again does not duplicate it', () => {
    assert.deepEqual(sorted(caps(spec({ CapAdd: ['CHOWN', 'cap_chown'] }))), sorted(DOCKER_DEFAULT_CAPS));
  });

  it('CapAdd ALL grants every capability, minus CapDrop', () => {
    assert.deepEqual(sorted(caps(spec({ CapAdd: ['ALL'] }))), sorted(CAPABILITIES));
    const s = spec({ CapAdd: ['all'], CapDrop: ['NET_RAW', 'sys_admin'] });
    assert.deepEqual(sorted(caps(s)), sorted(CAPABILITIES.filter((c) => c !== 'CAP_NET_RAW' && c !== 'CAP_SYS_ADMIN')));
  });

  it('CapDrop ALL keeps only CapAdd', () => {
    assert.deepEqual(caps(spec({ CapDrop: ['ALL'] })), []);
    assert.deepEqual(sorted(caps(spec({ CapDrop: ['all'], CapAdd: ['chown', 'NET_BIND_SERVICE'] }))), ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE']);
  });

  // Docker (oci/caps.TweakCapabilities): drops apply to the defaults first, then CapAdd is appended.
  it('a capability both dropped and added is kept, as in Docker (drop first, then add)', () => {
    assert.ok(caps(spec({ CapDrop: ['CHOWN'], CapAdd: ['CHOWN'] })).includes('CAP_CHOWN'));
  });

  // Docker: `case inSlice(capAdd, "ALL")` comes before `case inSlice(capDrop, "ALL")`.
  it('CapAdd ALL with CapDrop ALL grants every capability, as in Docker', () => {
    assert.deepEqual(sorted(caps(spec({ CapAdd: ['ALL'], CapDrop: ['ALL'] }))), sorted(CAPABILITIES));
  });

  it('an unknown capability is an invalid argument with the normalised name', () => {
    invalid(() => spec({ CapAdd: ['foo'] }), 'unknown capability: "CAP_FOO"');
    invalid(() => spec({ CapDrop: ['CAP_NOPE'] }), 'unknown capability: "CAP_NOPE"');
  });
});

describe('buildSpec: privileged', () => {
  const s = spec({ Privileged: true, CapDrop: ['ALL'] });

  it('grants every capability whatever CapDrop says', () => {
    assert.deepEqual(sorted(caps(s)), sorted(CAPABILITIES));
  });

  it('runs without seccomp, masked paths or read-only paths', () => {
    assert.equal(s.linux!.seccomp, undefined);
    assert.deepEqual(s.linux!.maskedPaths, []);
    assert.deepEqual(s.linux!.readonlyPaths, []);
  });

  it('mounts /sys and /sys/fs/cgroup read-write', () => {
    for (const d of ['/sys', '/sys/fs/cgroup']) {
      const o = mountAt(s, d).options ?? [];
      assert.ok(!o.includes('ro'), `${d}: ${o.join(',')}`);
      assert.ok(o.includes('rw'), `${d}: ${o.join(',')}`);
    }
  });

  it('allows every device', () => {
    assert.deepEqual(s.linux!.resources!.devices, [{ allow: true, access: 'rwm' }]);
  });

  // moby daemon/oci_linux.go clears "ro" on /sys for privileged containers whatever the network mode
  // (runc mounts sysfs in the host's network namespace too); privileged host-network agents write /sys.
  it('keeps /sys writable for a privileged container on the host network', () => {
    const o = mountAt(spec({ Privileged: true, NetworkMode: 'host' }), '/sys').options ?? [];
    assert.ok(!o.includes('ro'), o.join(','));
  });
});

describe('buildSpec: security options', () => {
  it("applies Docker's default seccomp profile for the container's capabilities", () => {
    const s = spec();
    assert.ok(s.linux!.seccomp, 'a profile');
    assert.equal(s.linux!.seccomp!.defaultAction, 'SCMP_ACT_ERRNO');
    assert.deepEqual(s.linux!.seccomp, dockerDefaultProfile(caps(s), 'x86_64'));
    const admin = spec({ CapAdd: ['SYS_ADMIN'] });
    assert.deepEqual(admin.linux!.seccomp, dockerDefaultProfile(caps(admin), 'x86_64'));
    assert.notDeepEqual(admin.linux!.seccomp, s.linux!.seccomp);
    const arm = spec({}, {}, { arch: 'aarch64' });
    assert.deepEqual(arm.linux!.seccomp, dockerDefaultProfile(caps(arm), 'aarch64'));
  });

  it('seccomp=unconfined (and the old colon form) removes the profile', () => {
    assert.equal(spec({ SecurityOpt: ['seccomp=unconfined'] }).linux!.seccomp, undefined);
    assert.equal(spec({ SecurityOpt: ['seccomp:unconfined'] }).linux!.seccomp, undefined);
  });

  it('seccomp=builtin keeps the default', () => {
    assert.deepEqual(spec({ SecurityOpt: ['seccomp=builtin'] }).linux!.seccomp, spec().linux!.seccomp);
  });

  it('seccomp=<JSON profile> is used as given', () => {
    const profile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] };
    assert.deepEqual(spec({ SecurityOpt: [`seccomp=${JSON.stringify(profile)}`] }).linux!.seccomp, profile);
  });

  it('an undecodable seccomp profile is an invalid argument', () => {
    invalid(() => spec({ SecurityOpt: ['seccomp={not json'] }), /^Decoding seccomp profile failed/);
  });

  it('no-new-privileges, =true and =false', () => {
    assert.equal(spec().process!.noNewPrivileges, false);
    assert.equal(spec({ SecurityOpt: ['no-new-privileges'] }).process!.noNewPrivileges, true);
    assert.equal(spec({ SecurityOpt: ['no-new-privileges=true'] }).process!.noNewPrivileges, true);
    assert.equal(spec({ SecurityOpt: ['no-new-privileges:true'] }).process!.noNewPrivileges, true);
    assert.equal(spec({ SecurityOpt: ['no-new-privileges=false'] }).process!.noNewPrivileges, false);
  });

  it('a bad no-new-privileges value is "invalid --security-opt 2"', () => {
    invalid(() => spec({ SecurityOpt: ['no-new-privileges=maybe'] }), 'invalid --security-opt 2: "no-new-privileges=maybe"');
  });

  it('an option without a separator is "invalid --security-opt 1"', () => {
    invalid(() => spec({ SecurityOpt: ['foo'] }), 'invalid --security-opt 1: "foo"');
  });

  // moby daemon/daemon_unix.go parseSecurityOpt: key=value with an unknown key falls to `default:` → 2.
  it('an unknown key with a value is "invalid --security-opt 2", as in Docker', () => {
    invalid(() => spec({ SecurityOpt: ['foo=bar'] }), 'invalid --security-opt 2: "foo=bar"');
  });

  it('apparmor and label options are accepted and ignored', () => {
    const s = spec({ SecurityOpt: ['apparmor=unconfined', 'label=disable'] });
    assert.deepEqual(s.linux!.seccomp, spec().linux!.seccomp);
  });

  it("masks Docker's paths by default and takes MaskedPaths/ReadonlyPaths from HostConfig", () => {
    assert.deepEqual(spec().linux!.maskedPaths, DOCKER_MASKED_PATHS);
    assert.deepEqual(spec().linux!.readonlyPaths, DOCKER_READONLY_PATHS);
    const s = spec({ MaskedPaths: ['/proc/kcore'], ReadonlyPaths: [] });
    assert.deepEqual(s.linux!.maskedPaths, ['/proc/kcore']);
    assert.deepEqual(s.linux!.readonlyPaths, []);
  });
});

describe('specResources', () => {
  it('has no limits by default and denies all devices', () => {
    assert.deepEqual(specResources({}), { devices: [{ allow: false, access: 'rwm' }] });
  });

  it('Memory sets the limit and twice as much swap when MemorySwap is 0 or unset', () => {
    assert.deepEqual(specResources({ Memory: 64 * MiB }).memory, { limit: 64 * MiB, swap: 128 * MiB });
    assert.deepEqual(specResources({ Memory: 64 * MiB, MemorySwap: 0 }).memory, { limit: 64 * MiB, swap: 128 * MiB });
  });

  it('MemorySwap -1 is unlimited swap; a larger MemorySwap is kept', () => {
    assert.equal(specResources({ Memory: 64 * MiB, MemorySwap: -1 }).memory!.swap, -1);
    assert.equal(specResources({ Memory: 64 * MiB, MemorySwap: 100 * MiB }).memory!.swap, 100 * MiB);
    assert.equal(specResources({ Memory: 64 * MiB, MemorySwap: 64 * MiB }).memory!.swap, 64 * MiB);
  });

  it('MemorySwap below Memory, or without Memory, is an error', () => {
    invalid(() => specResources({ Memory: 64 * MiB, MemorySwap: 32 * MiB }), 'Minimum memoryswap limit should be larger than memory limit, see usage');
    invalid(() => specResources({ MemorySwap: 32 * MiB }), 'You should always set the Memory limit when using Memoryswap limit, see usage');
  });

  it('a memory limit below 6 MiB is an error; 6 MiB is accepted', () => {
    invalid(() => specResources({ Memory: 6 * MiB - 1 }), 'Minimum memory limit allowed is 6MB');
    invalid(() => specResources({ Memory: 4 * MiB }), 'Minimum memory limit allowed is 6MB');
    assert.equal(specResources({ Memory: 6 * MiB }).memory!.limit, 6 * MiB);
  });

  it('MemoryReservation, swappiness (-1/null ignored, >100 rejected) and OomKillDisable', () => {
    const r = specResources({ MemoryReservation: 32 * MiB, MemorySwappiness: 10, OomKillDisable: true });
    assert.deepEqual(r.memory, { reservation: 32 * MiB, swappiness: 10, disableOOMKiller: true });
    assert.equal(specResources({ MemorySwappiness: -1 }).memory, undefined);
    assert.equal(specResources({ MemorySwappiness: null }).memory, undefined);
    invalid(() => specResources({ MemorySwappiness: 101 }), /valid memory swappiness range is 0-100/);
  });

  it('NanoCpus 1.5e9 is quota 150000 over period 100000', () => {
    assert.deepEqual(specResources({ NanoCpus: 1.5e9 }).cpu, { period: 100000, quota: 150000 });
    assert.deepEqual(specResources({ NanoCpus: 0.5e9 }).cpu, { period: 100000, quota: 50000 });
  });

  it('NanoCpus with CpuPeriod is Docker\'s "CPU Period" conflict', () => {
    invalid(() => specResources({ NanoCpus: 1e9, CpuPeriod: 50000 }), 'Conflicting options: Nano CPUs and CPU Period cannot both be set');
  });

  // moby daemon/daemon_unix.go verifyPlatformContainerResources has a separate message for the quota.
  it('NanoCpus with CpuQuota is Docker\'s "CPU Quota" conflict', () => {
    invalid(() => specResources({ NanoCpus: 1e9, CpuQuota: 50000 }), 'Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  });

  it('CpuShares, CpuQuota/CpuPeriod and cpusets', () => {
    assert.deepEqual(specResources({ CpuShares: 512, CpuQuota: 20000, CpuPeriod: 50000, CpusetCpus: '0-1', CpusetMems: '0' }).cpu, {
      shares: 512,
      quota: 20000,
      period: 50000,
      cpus: '0-1',
      mems: '0',
    });
  });

  it('PidsLimit > 0 is a pids limit; 0 and -1 are none', () => {
    assert.deepEqual(specResources({ PidsLimit: 100 }).pids, { limit: 100 });
    assert.equal(specResources({ PidsLimit: 0 }).pids, undefined);
    assert.equal(specResources({ PidsLimit: -1 }).pids, undefined);
    assert.equal(specResources({ PidsLimit: null }).pids, undefined);
  });

  it('BlkioWeight must be within 10..1000', () => {
    assert.deepEqual(specResources({ BlkioWeight: 10 }).blockIO, { weight: 10 });
    assert.deepEqual(specResources({ BlkioWeight: 1000 }).blockIO, { weight: 1000 });
    invalid(() => specResources({ BlkioWeight: 9 }), 'Range of blkio weight is from 10 to 1000');
    invalid(() => specResources({ BlkioWeight: 1001 }), 'Range of blkio weight is from 10 to 1000');
  });

  it('buildSpec carries the resources and the cgroups path', () => {
    const s = spec({ Memory: 64 * MiB, PidsLimit: 50 });
    assert.deepEqual(s.linux!.resources, specResources({ Memory: 64 * MiB, PidsLimit: 50 }));
    assert.equal(s.linux!.cgroupsPath, '/berth/c0ffee');
  });
});

describe('buildSpec: ulimits', () => {
  it('maps names to RLIMIT_* with soft and hard', () => {
    const s = spec({ Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }, { Name: 'nproc', Soft: 100, Hard: 100 }] });
    assert.deepEqual(s.process!.rlimits, [
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 },
      { type: 'RLIMIT_NPROC', soft: 100, hard: 100 },
    ]);
  });

  it('no ulimits → no rlimits', () => {
    assert.deepEqual(spec().process!.rlimits, []);
  });

  it('soft above hard is an invalid argument', () => {
    invalid(() => spec({ Ulimits: [{ Name: 'nofile', Soft: 4096, Hard: 1024 }] }), /soft limit must be less than or equal to hard limit/);
  });
});

describe('buildSpec: /dev/shm', () => {
  it('is 64 MiB by default and ShmSize otherwise', () => {
    assert.ok(mountAt(spec(), '/dev/shm').options!.includes(`size=${64 * MiB}`));
    const o = mountAt(spec({ ShmSize: 128 * MiB }), '/dev/shm').options!;
    assert.ok(o.includes(`size=${128 * MiB}`), o.join(','));
    assert.equal(o.filter((x) => x.startsWith('size=')).length, 1);
  });

  // moby withMounts: "/dev/shm, in case IpcMode is none" is filtered out of the default mounts.
  it('is not mounted with IpcMode none, as in Docker', () => {
    assert.deepEqual(mountsAt(spec({ IpcMode: 'none' }), '/dev/shm'), []);
  });
});

describe('parseBind', () => {
  it('src:dst:ro,rslave → a read-only rbind with rslave propagation', () => {
    assert.deepEqual(parseBind('/a:/b:ro,rslave'), { destination: '/b', type: 'bind', source: '/a', options: ['rbind', 'ro', 'rslave'] });
  });

  it('defaults to rw and rprivate; ignores z/Z/nocopy/consistency flags', () => {
    assert.deepEqual(parseBind('/a:/b'), { destination: '/b', type: 'bind', source: '/a', options: ['rbind', 'rw', 'rprivate'] });
    assert.deepEqual(parseBind('/a:/b:rw,z,shared').options, ['rbind', 'rw', 'shared']);
    assert.deepEqual(parseBind('/a:/b:Z,cached').options, ['rbind', 'rw', 'rprivate']);
  });

  it('normalises paths', () => {
    const m = parseBind('/srv//data/:/mnt/x/../y/');
    assert.equal(m.source, '/srv/data/');
    assert.equal(m.destination, '/mnt/y/');
  });

  it('a relative destination is an error saying the mount path must be absolute', () => {
    invalid(() => parseBind('/a:b'), /mount path must be absolute/);
  });

  it('malformed specifications are errors', () => {
    invalid(() => parseBind('/a'), "invalid volume specification: '/a'");
    invalid(() => parseBind(':/b'), "invalid volume specification: ':/b'");
    invalid(() => parseBind('/a:/b:ro:extra'), "invalid volume specification: '/a:/b:ro:extra'");
    invalid(() => parseBind('/a:/b:bogus'), 'invalid mode: bogus');
  });

  it('a name as the source (a named volume) is not a bind', () => {
    invalid(() => parseBind('data:/b'), "invalid volume specification: 'data:/b'");
  });
});

describe('buildSpec: mounts', () => {
  it('puts Binds after the default mounts', () => {
    const s = spec({ Binds: ['/host/data:/data:ro'] });
    const dests = s.mounts!.map((m) => m.destination);
    assert.equal(dests[dests.length - 1], '/data');
    assert.deepEqual(mountAt(s, '/data'), { destination: '/data', type: 'bind', source: '/host/data', options: ['rbind', 'ro', 'rprivate'] });
    for (const d of ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm']) mountAt(s, d);
  });

  it('Mounts type bind: rbind (or bind when non-recursive), rw/ro, propagation', () => {
    const s = spec({
      Mounts: [
        { Type: 'bind', Source: '/h1', Target: '/c1' },
        { Type: 'bind', Source: '/h2', Target: '/c2', ReadOnly: true, BindOptions: { Propagation: 'rshared', NonRecursive: true } },
      ],
    });
    assert.deepEqual(mountAt(s, '/c1'), { destination: '/c1', type: 'bind', source: '/h1', options: ['rbind', 'rw', 'rprivate'] });
    assert.deepEqual(mountAt(s, '/c2'), { destination: '/c2', type: 'bind', source: '/h2', options: ['bind', 'ro', 'rshared'] });
  });

  it('Mounts type bind without a source, or with a relative target, is an error', () => {
    invalid(() => spec({ Mounts: [{ Type: 'bind', Target: '/c' }] }), /field Source must not be empty/);
    invalid(() => spec({ Mounts: [{ Type: 'bind', Source: '/h', Target: 'c' }] }), /mount path must be absolute/);
  });

  it('Mounts type tmpfs: nosuid,nodev,noexec plus size and octal mode', () => {
    const s = spec({ Mounts: [{ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } }] });
    const m = mountAt(s, '/t');
    assert.equal(m.type, 'tmpfs');
    assert.deepEqual(sorted(m.options!), sorted(['nosuid', 'nodev', 'noexec', 'size=1048576', 'mode=1777']));
    invalid(() => spec({ Mounts: [{ Type: 'tmpfs', Source: '/x', Target: '/t' }] }), /field Source must be empty/);
  });

  it('Mounts type volume are left to the engine (facts.volumeMounts); unknown types are errors', () => {
    const s = spec({ Mounts: [{ Type: 'volume', Source: 'data', Target: '/v' }] });
    assert.deepEqual(mountsAt(s, '/v'), []);
    invalid(() => spec({ Mounts: [{ Type: 'npipe', Source: '/x', Target: '/p' }] }), /mount type unknown/);
  });

  it('facts.volumeMounts are mounted', () => {
    const vol: Mount = { destination: '/v', type: 'bind', source: '/var/lib/berth/volumes/data/_data', options: ['rbind', 'rw', 'rprivate'] };
    assert.deepEqual(mountAt(spec({}, {}, { volumeMounts: [vol] }), '/v'), vol);
  });

  it('Tmpfs defaults to noexec,nosuid,nodev', () => {
    const m = mountAt(spec({ Tmpfs: { '/run': '' } }), '/run');
    assert.equal(m.type, 'tmpfs');
    assert.deepEqual(sorted(m.options!), ['nodev', 'noexec', 'nosuid']);
  });

  it("Tmpfs keeps the user's options, which override the defaults", () => {
    const o = mountAt(spec({ Tmpfs: { '/run': 'exec,size=64m,mode=1770' } }), '/run').options!;
    assert.ok(!o.includes('noexec'), o.join(','));
    for (const x of ['exec', 'size=64m', 'mode=1770', 'nosuid', 'nodev']) assert.ok(o.includes(x), `${x} in ${o.join(',')}`);
    invalid(() => spec({ Tmpfs: { run: '' } }), /mount path must be absolute/);
  });

  it('a user mount replaces the default mount at the same destination', () => {
    const s = spec({ Binds: ['/host/shm:/dev/shm'] });
    assert.deepEqual(mountAt(s, '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/host/shm', options: ['rbind', 'rw', 'rprivate'] });
    const t = spec({ Tmpfs: { '/dev/mqueue': '' } });
    assert.equal(mountAt(t, '/dev/mqueue').type, 'tmpfs');
  });

  // moby withMounts: "all mounts under /dev if a user supplied /dev is present" are dropped.
  it('a user mount at /dev drops the default mounts under /dev, as in Docker', () => {
    const s = spec({ Binds: ['/dev:/dev'] });
    for (const d of ['/dev/pts', '/dev/shm', '/dev/mqueue']) assert.deepEqual(mountsAt(s, d), [], d);
    assert.equal(mountAt(s, '/dev').type, 'bind');
  });
});

describe('buildSpec: /etc/hosts, /etc/hostname, /etc/resolv.conf', () => {
  const files = { hosts: '/c/hosts', hostname: '/c/hostname', resolvConf: '/c/resolv.conf' };

  it('binds the files the engine maintains', () => {
    const s = spec({}, {}, { files });
    assert.deepEqual(mountAt(s, '/etc/hosts'), { destination: '/etc/hosts', type: 'bind', source: '/c/hosts', options: ['rbind', 'rprivate'] });
    assert.equal(mountAt(s, '/etc/hostname').source, '/c/hostname');
    assert.equal(mountAt(s, '/etc/resolv.conf').source, '/c/resolv.conf');
  });

  it('binds only the files given', () => {
    const s = spec({}, {}, { files: { hosts: '/c/hosts' } });
    assert.deepEqual(mountsAt(s, '/etc/hostname'), []);
    assert.deepEqual(mountsAt(s, '/etc/resolv.conf'), []);
    mountAt(s, '/etc/hosts');
  });

  it("a user mount at the same destination wins over the engine's file", () => {
    const s = spec({ Binds: ['/mine/hosts:/etc/hosts:ro'] }, {}, { files });
    assert.equal(mountAt(s, '/etc/hosts').source, '/mine/hosts');
    assert.equal(mountAt(s, '/etc/hostname').source, '/c/hostname');
  });

  // moby container.NetworkMounts: `writable := !container.HostConfig.ReadonlyRootfs`.
  it('are read-only with ReadonlyRootfs, as in Docker', () => {
    const s = spec({ ReadonlyRootfs: true }, {}, { files });
    for (const d of ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) {
      assert.ok(mountAt(s, d).options!.includes('ro'), `${d}: ${mountAt(s, d).options!.join(',')}`);
    }
  });
});

describe('buildSpec: namespaces', () => {
  it('private mount, network, pid, ipc and uts namespaces by default; no cgroup namespace', () => {
    const s = spec();
    assert.deepEqual(sorted(nsTypes(s)), ['ipc', 'mount', 'network', 'pid', 'uts']);
    assert.ok(s.linux!.namespaces!.every((n) => n.path === undefined));
  });

  it('NetworkMode host: no network namespace and /sys bound read-only from the host', () => {
    const s = spec({ NetworkMode: 'host' });
    assert.ok(!nsTypes(s).includes('network'));
    const sys = mountAt(s, '/sys');
    assert.equal(sys.type, 'bind');
    assert.equal(sys.source, '/sys');
    assert.ok(sys.options!.includes('ro'));
    assert.ok(sys.options!.includes('rbind'));
  });

  it('NetworkMode bridge and none: a private network namespace and sysfs', () => {
    for (const mode of ['bridge', 'none', 'default']) {
      const s = spec({ NetworkMode: mode });
      assert.deepEqual(s.linux!.namespaces!.find((n) => n.type === 'network'), { type: 'network' }, mode);
      assert.equal(mountAt(s, '/sys').type, 'sysfs', mode);
    }
  });

  it('NetworkMode container:<x> joins the path resolved in facts.joinNamespaces', () => {
    const s = spec({ NetworkMode: 'container:other' }, {}, { joinNamespaces: { network: '/proc/42/ns/net' } });
    assert.deepEqual(s.linux!.namespaces!.filter((n) => n.type === 'network'), [{ type: 'network', path: '/proc/42/ns/net' }]);
    assert.equal(mountAt(s, '/sys').type, 'sysfs');
  });

  it('PidMode/IpcMode container:<x> join their paths', () => {
    const s = spec({ PidMode: 'container:o', IpcMode: 'container:o' }, {}, { joinNamespaces: { pid: '/proc/7/ns/pid', ipc: '/proc/7/ns/ipc' } });
    assert.deepEqual(s.linux!.namespaces!.find((n) => n.type === 'pid'), { type: 'pid', path: '/proc/7/ns/pid' });
    assert.deepEqual(s.linux!.namespaces!.find((n) => n.type === 'ipc'), { type: 'ipc', path: '/proc/7/ns/ipc' });
  });

  it('PidMode, IpcMode and UTSMode host share the host namespaces', () => {
    assert.ok(!nsTypes(spec({ PidMode: 'host' })).includes('pid'));
    assert.ok(!nsTypes(spec({ IpcMode: 'host' })).includes('ipc'));
    assert.ok(!nsTypes(spec({ UTSMode: 'host' })).includes('uts'));
    assert.ok(nsTypes(spec({ IpcMode: 'private' })).includes('ipc'));
    assert.ok(nsTypes(spec({ IpcMode: 'shareable' })).includes('ipc'));
  });

  it('CgroupnsMode private adds a cgroup namespace; host does not', () => {
    assert.ok(nsTypes(spec({ CgroupnsMode: 'private' })).includes('cgroup'));
    assert.ok(!nsTypes(spec({ CgroupnsMode: 'host' })).includes('cgroup'));
  });
});

describe('buildSpec: hostname and domainname', () => {
  it('are set with a private UTS namespace', () => {
    const s = spec({}, { Domainname: 'example.org' }, { hostname: 'web' });
    assert.equal(s.hostname, 'web');
    assert.equal(s.domainname, 'example.org');
  });

  it('domainname is absent when not configured', () => {
    assert.equal(spec().domainname, undefined);
  });

  it('are absent when sharing the host UTS namespace', () => {
    const s = spec({ UTSMode: 'host' }, { Domainname: 'example.org' }, { hostname: 'web' });
    assert.equal(s.hostname, undefined);
    assert.equal(s.domainname, undefined);
  });
});

describe('buildSpec: init', () => {
  it('Init with an init binary runs it first and binds it read-only at /sbin/docker-init', () => {
    const s = spec({ Init: true }, {}, { initPath: '/usr/libexec/berth/berth-init' });
    assert.deepEqual(s.process!.args, ['/sbin/docker-init', '--', 'sh', '-c', 'echo hi']);
    const m = mountAt(s, '/sbin/docker-init');
    assert.equal(m.type, 'bind');
    assert.equal(m.source, '/usr/libexec/berth/berth-init');
    assert.ok(m.options!.includes('ro'));
  });

  it('without Init the process runs as given, and nothing is bound', () => {
    const s = spec({ Init: false }, {}, { initPath: '/usr/libexec/berth/berth-init' });
    assert.deepEqual(s.process!.args, ['sh', '-c', 'echo hi']);
    assert.deepEqual(mountsAt(s, '/sbin/docker-init'), []);
  });
});

describe('buildSpec: process and root', () => {
  it('carries args, env, cwd and user from facts', () => {
    const s = spec({}, {}, { user: { uid: 1000, gid: 100, additionalGids: [10, 20] }, cwd: '/app' });
    assert.deepEqual(s.process!.user, { uid: 1000, gid: 100, additionalGids: [10, 20] });
    assert.equal(s.process!.cwd, '/app');
    assert.deepEqual(s.process!.env, ['PATH=/usr/bin:/bin', 'HOSTNAME=c0ffee']);
    assert.deepEqual(s.process!.args, ['sh', '-c', 'echo hi']);
    assert.equal(s.root!.path, '/var/lib/berth/containers/c0ffee/merged');
  });

  it('Tty → terminal', () => {
    assert.equal(spec({}, { Tty: true }).process!.terminal, true);
    assert.equal(spec({}, { Tty: false }).process!.terminal, false);
    assert.equal(spec().process!.terminal, false);
  });

  it('ReadonlyRootfs → a read-only root', () => {
    assert.equal(spec({ ReadonlyRootfs: true }).root!.readonly, true);
    assert.equal(spec().root!.readonly, false);
  });

  it('OomScoreAdj is set when non-zero', () => {
    assert.equal(spec({ OomScoreAdj: 500 }).process!.oomScoreAdj, 500);
    assert.equal(spec({ OomScoreAdj: -100 }).process!.oomScoreAdj, -100);
    assert.equal(spec().process!.oomScoreAdj, undefined);
  });

  it('Sysctls are passed through', () => {
    assert.deepEqual(spec({ Sysctls: { 'net.ipv4.ip_forward': '1' } }).linux!.sysctl, { 'net.ipv4.ip_forward': '1' });
    assert.equal(spec().linux!.sysctl, undefined);
  });

  it('is a JSON-serialisable OCI 1.0.2 spec', () => {
    const s = spec({ Binds: ['/a:/b'], Memory: 64 * MiB }, {}, { files: { hosts: '/c/hosts' } });
    assert.equal(s.ociVersion, '1.0.2');
    assert.deepEqual(JSON.parse(JSON.stringify(s)).mounts, s.mounts);
  });
});
