// A container's Docker configuration → the OCI runtime spec berth-runtime runs, following what dockerd
// produces (daemon/oci_linux.go): the same defaults, mounts, capabilities, seccomp, resources and
// namespaces, so a container behaves as it would under Docker. Pure: facts about the host and the image
// (resolved user, files, cgroup parent) come in as arguments.
import path from 'node:path';
import type { Mount, Namespace, Rlimit, Spec } from '../../spec/oci-runtime.js';
import { invalidArgument } from '../../common/errors.js';
import { CAPABILITIES, DOCKER_DEFAULT_CAPS, defaultMounts, DOCKER_MASKED_PATHS, DOCKER_READONLY_PATHS, dockerDefaultProfile, normalizeCap } from '../../runtime/index.js';
import type { Seccomp } from '../../spec/oci-runtime.js';

/** The Docker-named fields of Config and HostConfig this translation reads (the wire types satisfy it). */
export interface SpecConfig {
  Hostname?: string;
  Domainname?: string;
  Env?: string[] | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
}

export interface SpecHostConfig {
  Binds?: string[] | null;
  Mounts?: { Type?: string; Source?: string; Target?: string; ReadOnly?: boolean; BindOptions?: { Propagation?: string; NonRecursive?: boolean } | null; TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null }[] | null;
  Tmpfs?: Record<string, string> | null;
  NetworkMode?: string;
  PidMode?: string;
  IpcMode?: string;
  UTSMode?: string;
  CgroupnsMode?: string;
  Privileged?: boolean;
  ReadonlyRootfs?: boolean;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  SecurityOpt?: string[] | null;
  Sysctls?: Record<string, string> | null;
  ShmSize?: number;
  OomScoreAdj?: number;
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  MemorySwappiness?: number | null;
  OomKillDisable?: boolean | null;
  NanoCpus?: number;
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  PidsLimit?: number | null;
  BlkioWeight?: number;
  Ulimits?: { Name: string; Soft: number; Hard: number }[] | null;
  Devices?: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[] | null;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
  Init?: boolean | null;
}

/** What the engine resolved before planning: the process, the files it made, and where things go. */
export interface SpecFacts {
  id: string;
  rootfs: string;
  args: string[];
  /** Image Env merged with the container's, in order. */
  env: string[];
  user: { uid: number; gid: number; additionalGids: number[] };
  cwd: string;
  hostname: string;
  /** Files the engine maintains for the container, bind-mounted like Docker's. */
  files: { hostname?: string; hosts?: string; resolvConf?: string };
  cgroupsPath: string;
  /** A namespace path for NetworkMode container:<id> and friends, already resolved to /proc/<pid>/ns/…. */
  joinNamespaces?: Partial<Record<'network' | 'pid' | 'ipc' | 'uts', string>>;
  /** Mounts the engine resolved for volumes (named and anonymous), as OCI mounts. */
  volumeMounts?: Mount[];
  /** Path of the init binary to bind at /sbin/docker-init when HostConfig.Init. */
  initPath?: string;
  arch: 'x86_64' | 'aarch64';
}

const DEFAULT_SHM = 64 * 1024 * 1024;

function capabilitySet(hc: SpecHostConfig): string[] {
  if (hc.Privileged) return [...CAPABILITIES];
  const add = (hc.CapAdd ?? []).map(normalizeCap);
  const drop = (hc.CapDrop ?? []).map(normalizeCap);
  for (const c of [...add, ...drop]) {
    if (c !== 'ALL' && !(CAPABILITIES as readonly string[]).includes(c)) throw invalidArgument(`unknown capability: "${c}"`);
  }
  // Docker's order: ALL added → everything but the drops; ALL dropped → only the adds; otherwise the
  // defaults less the drops, plus the adds (an add wins over a drop of the same capability).
  let caps: string[];
  if (add.includes('ALL')) caps = CAPABILITIES.filter((c) => !drop.includes(c));
  else if (drop.includes('ALL')) caps = add;
  else caps = [...DOCKER_DEFAULT_CAPS.filter((c) => !drop.includes(c)), ...add];
  return [...new Set(caps)];
}

/** `--security-opt` entries: "seccomp=unconfined", "seccomp=<profile JSON>", "no-new-privileges[=true]". */
function securityOptions(hc: SpecHostConfig): { seccomp: 'default' | 'unconfined' | Seccomp; noNewPrivileges: boolean } {
  let seccomp: 'default' | 'unconfined' | Seccomp = hc.Privileged ? 'unconfined' : 'default';
  let noNewPrivileges = false;
  for (const opt of hc.SecurityOpt ?? []) {
    const eq = opt.indexOf('=');
    const sep = eq >= 0 ? eq : opt.indexOf(':');
    const key = sep >= 0 ? opt.slice(0, sep) : opt;
    const value = sep >= 0 ? opt.slice(sep + 1) : '';
    if (key === 'no-new-privileges') {
      if (value !== '' && value !== 'true' && value !== 'false') throw invalidArgument(`invalid --security-opt 2: "${opt}"`);
      noNewPrivileges = value !== 'false';
    } else if (key === 'seccomp') {
      if (value === 'unconfined') seccomp = 'unconfined';
      else if (value === 'builtin' || value === '') seccomp = 'default';
      else {
        try {
          seccomp = JSON.parse(value) as Seccomp;
        } catch (e) {
          throw invalidArgument(`Decoding seccomp profile failed: ${(e as Error).message}`);
        }
      }
    } else if (key === 'apparmor' || key === 'label' || key === 'systempaths' || key === 'mask' || key === 'unmask') {
      // AppArmor and SELinux are not used by Berth; Docker ignores them likewise where unsupported.
    } else {
      // Docker: 1 when the option has no key=value form at all, 2 for an unknown key.
      throw invalidArgument(`invalid --security-opt ${sep >= 0 ? 2 : 1}: "${opt}"`);
    }
  }
  return { seccomp, noNewPrivileges };
}

/** `-v src:dst[:opts]` → an OCI bind mount; named volumes are resolved by the engine before this. */
export function parseBind(spec: string): Mount {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || parts[0] === '' || parts[1] === '') {
    throw invalidArgument(`invalid volume specification: '${spec}'`);
  }
  const [source, destination, mode = ''] = parts as [string, string, string?];
  if (!destination.startsWith('/')) throw invalidArgument(`invalid volume specification: '${spec}': invalid mount config for type "bind": invalid mount path: '${destination}' mount path must be absolute`);
  if (!source.startsWith('/')) throw invalidArgument(`invalid volume specification: '${spec}'`);
  const options = ['rbind'];
  let ro = false;
  let propagation = 'rprivate';
  for (const m of mode.split(',').filter(Boolean)) {
    if (m === 'ro') ro = true;
    else if (m === 'rw') ro = false;
    else if (['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate'].includes(m)) propagation = m;
    else if (m === 'z' || m === 'Z' || m === 'nocopy' || m === 'consistent' || m === 'cached' || m === 'delegated') continue;
    else throw invalidArgument(`invalid mode: ${m}`);
  }
  options.push(ro ? 'ro' : 'rw', propagation);
  return { destination: path.posix.normalize(destination), type: 'bind', source: path.normalize(source), options };
}

function hostConfigMounts(hc: SpecHostConfig): Mount[] {
  const out: Mount[] = [];
  for (const b of hc.Binds ?? []) out.push(parseBind(b));
  for (const m of hc.Mounts ?? []) {
    const target = m.Target ?? '';
    if (!target.startsWith('/')) throw invalidArgument(`invalid mount config for type "${m.Type}": invalid mount path: '${target}' mount path must be absolute`);
    if (m.Type === 'bind') {
      if (!m.Source) throw invalidArgument('invalid mount config for type "bind": field Source must not be empty');
      out.push({
        destination: target,
        type: 'bind',
        source: m.Source,
        options: [m.BindOptions?.NonRecursive ? 'bind' : 'rbind', m.ReadOnly ? 'ro' : 'rw', m.BindOptions?.Propagation || 'rprivate'],
      });
    } else if (m.Type === 'tmpfs') {
      if (m.Source) throw invalidArgument('invalid mount config for type "tmpfs": field Source must be empty');
      const opts = ['nosuid', 'nodev', 'noexec'];
      if (m.TmpfsOptions?.SizeBytes) opts.push(`size=${m.TmpfsOptions.SizeBytes}`);
      if (m.TmpfsOptions?.Mode) opts.push(`mode=${m.TmpfsOptions.Mode.toString(8)}`);
      if (m.ReadOnly) opts.push('ro');
      out.push({ destination: target, type: 'tmpfs', source: 'tmpfs', options: opts });
    } else if (m.Type === 'volume') {
      // Resolved by the engine into facts.volumeMounts.
    } else {
      throw invalidArgument(`mount type unknown: "${m.Type}"`);
    }
  }
  for (const [dest, opts] of Object.entries(hc.Tmpfs ?? {})) {
    if (!dest.startsWith('/')) throw invalidArgument(`invalid tmpfs mount path: '${dest}' mount path must be absolute`);
    // Docker's --tmpfs default: noexec, nosuid, nodev unless the user's options say otherwise.
    const user = opts ? opts.split(',') : [];
    const base = ['noexec', 'nosuid', 'nodev'].filter((o) => !user.includes(o.replace(/^no/, '')));
    out.push({ destination: dest, type: 'tmpfs', source: 'tmpfs', options: [...base, ...user] });
  }
  return out;
}

function namespaces(hc: SpecHostConfig, facts: SpecFacts): Namespace[] {
  const ns: Namespace[] = [{ type: 'mount' }];
  const j = facts.joinNamespaces ?? {};
  const mode = (v: string | undefined) => v ?? '';
  const pick = (type: 'network' | 'pid' | 'ipc' | 'uts', value: string) => {
    if (value === 'host') return;
    if (j[type]) ns.push({ type, path: j[type] });
    else ns.push({ type });
  };
  const net = mode(hc.NetworkMode);
  pick('network', net === 'host' ? 'host' : net);
  pick('pid', mode(hc.PidMode));
  pick('ipc', mode(hc.IpcMode));
  pick('uts', mode(hc.UTSMode));
  if (hc.CgroupnsMode === 'private') ns.push({ type: 'cgroup' });
  return ns;
}

function rlimits(hc: SpecHostConfig): Rlimit[] {
  return (hc.Ulimits ?? []).map((u) => {
    const type = `RLIMIT_${u.Name.toUpperCase()}`;
    if (u.Soft > u.Hard && u.Hard !== -1) throw invalidArgument(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
    return { type, soft: u.Soft < 0 ? 2 ** 64 - 1 : u.Soft, hard: u.Hard < 0 ? 2 ** 64 - 1 : u.Hard };
  });
}

export function specResources(hc: SpecHostConfig): NonNullable<NonNullable<Spec['linux']>['resources']> {
  const r: NonNullable<NonNullable<Spec['linux']>['resources']> = {};
  const memory: NonNullable<typeof r.memory> = {};
  if (hc.Memory) {
    if (hc.Memory < 6 * 1024 * 1024) throw invalidArgument('Minimum memory limit allowed is 6MB');
    memory.limit = hc.Memory;
    // Docker: no --memory-swap means as much swap as memory; -1 means unlimited swap.
    if (hc.MemorySwap === -1) memory.swap = -1;
    else if (hc.MemorySwap) {
      if (hc.MemorySwap < hc.Memory) throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
      memory.swap = hc.MemorySwap;
    } else memory.swap = hc.Memory * 2;
  } else if (hc.MemorySwap && hc.MemorySwap > 0) {
    throw invalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  if (hc.MemoryReservation) memory.reservation = hc.MemoryReservation;
  if (hc.MemorySwappiness !== undefined && hc.MemorySwappiness !== null && hc.MemorySwappiness >= 0) {
    if (hc.MemorySwappiness > 100) throw invalidArgument(`invalid value: ${hc.MemorySwappiness}, valid memory swappiness range is 0-100`);
    memory.swappiness = hc.MemorySwappiness;
  }
  if (hc.OomKillDisable) memory.disableOOMKiller = true;
  if (Object.keys(memory).length) r.memory = memory;

  const cpu: NonNullable<typeof r.cpu> = {};
  if (hc.NanoCpus) {
    if (hc.CpuQuota) throw invalidArgument('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
    if (hc.CpuPeriod) throw invalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
    if (hc.NanoCpus < 0.01e9) throw invalidArgument('Range of CPUs is from 0.01 to the number of CPUs available on the system');
    cpu.period = 100000;
    cpu.quota = Math.round((hc.NanoCpus * 100000) / 1e9);
  }
  if (hc.CpuShares) cpu.shares = hc.CpuShares;
  if (hc.CpuQuota) cpu.quota = hc.CpuQuota;
  if (hc.CpuPeriod) cpu.period = hc.CpuPeriod;
  if (hc.CpusetCpus) cpu.cpus = hc.CpusetCpus;
  if (hc.CpusetMems) cpu.mems = hc.CpusetMems;
  if (Object.keys(cpu).length) r.cpu = cpu;
  if (hc.PidsLimit && hc.PidsLimit > 0) r.pids = { limit: hc.PidsLimit };
  if (hc.BlkioWeight) {
    if (hc.BlkioWeight < 10 || hc.BlkioWeight > 1000) throw invalidArgument('Range of blkio weight is from 10 to 1000');
    r.blockIO = { weight: hc.BlkioWeight };
  }
  r.devices = hc.Privileged ? [{ allow: true, access: 'rwm' }] : [{ allow: false, access: 'rwm' }];
  return r;
}

export function buildSpec(config: SpecConfig, hc: SpecHostConfig, facts: SpecFacts): Spec {
  const caps = capabilitySet(hc);
  const sec = securityOptions(hc);
  const ns = namespaces(hc, facts);
  const hasNet = ns.some((n) => n.type === 'network');
  const hasUts = ns.some((n) => n.type === 'uts' && !n.path);

  const userDev = hostConfigMounts(hc).some((m) => m.destination === '/dev') || (facts.volumeMounts ?? []).some((m) => m.destination === '/dev');
  const mounts = defaultMounts().filter((m) => {
    // No IPC namespace of its own ("none"): no /dev/shm; a user mount at /dev replaces everything below it.
    if (m.destination === '/dev/shm' && hc.IpcMode === 'none') return false;
    return !(userDev && m.destination.startsWith('/dev/'));
  }).map((m) => {
    if (m.destination === '/dev/shm') return { ...m, options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${hc.ShmSize || DEFAULT_SHM}`] };
    if (hc.Privileged && (m.destination === '/sys' || m.destination === '/sys/fs/cgroup')) {
      return { ...m, options: (m.options ?? []).filter((o) => o !== 'ro').concat('rw') };
    }
    return m;
  });
  // Without its own network namespace a container must not see the host's /sys as writable or new.
  if (!hasNet) {
    const i = mounts.findIndex((m) => m.destination === '/sys');
    mounts[i] = { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', hc.Privileged ? 'rw' : 'ro'] };
  }
  const user = [...(facts.volumeMounts ?? []), ...hostConfigMounts(hc)];
  const taken = new Set(user.map((m) => m.destination));
  for (const [file, dest] of [[facts.files.resolvConf, '/etc/resolv.conf'], [facts.files.hostname, '/etc/hostname'], [facts.files.hosts, '/etc/hosts']] as const) {
    if (file && !taken.has(dest)) mounts.push({ destination: dest, type: 'bind', source: file, options: ['rbind', 'rprivate', ...(hc.ReadonlyRootfs ? ['ro'] : [])] });
  }
  if (hc.Init && facts.initPath) mounts.push({ destination: '/sbin/docker-init', type: 'bind', source: facts.initPath, options: ['bind', 'ro'] });
  // User mounts replace defaults at the same destination (e.g. -v /dev/shm) and go after them.
  const all = [...mounts.filter((m) => !taken.has(m.destination)), ...user];

  let seccomp: Seccomp | undefined;
  if (sec.seccomp === 'default') seccomp = dockerDefaultProfile(caps, facts.arch);
  else if (sec.seccomp !== 'unconfined') seccomp = sec.seccomp;

  const args = hc.Init && facts.initPath ? ['/sbin/docker-init', '--', ...facts.args] : facts.args;
  const spec: Spec = {
    ociVersion: '1.0.2',
    process: {
      terminal: config.Tty === true,
      user: { uid: facts.user.uid, gid: facts.user.gid, additionalGids: facts.user.additionalGids },
      args,
      env: facts.env,
      cwd: facts.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits: rlimits(hc),
      noNewPrivileges: sec.noNewPrivileges,
      ...(hc.OomScoreAdj ? { oomScoreAdj: hc.OomScoreAdj } : {}),
    },
    root: { path: facts.rootfs, readonly: hc.ReadonlyRootfs === true },
    hostname: hasUts ? facts.hostname : undefined,
    domainname: hasUts && config.Domainname ? config.Domainname : undefined,
    mounts: all,
    linux: {
      cgroupsPath: facts.cgroupsPath,
      resources: specResources(hc),
      namespaces: ns,
      sysctl: hc.Sysctls ?? undefined,
      seccomp,
      maskedPaths: hc.Privileged ? [] : hc.MaskedPaths ?? DOCKER_MASKED_PATHS,
      readonlyPaths: hc.Privileged ? [] : hc.ReadonlyPaths ?? DOCKER_READONLY_PATHS,
    },
  };
  return spec;
}
