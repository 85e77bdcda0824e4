// OCI runtime spec → the flat launch plan the C helper carries out. Pure: everything it needs to know about
// the host (cgroup files, architecture, the compiled seccomp program) comes in through `HostFacts`, so
// every decision here is unit-tested without root.
import path from 'node:path';
import type { Mount, NamespaceType, Spec } from '../spec/oci-runtime.js';
import { invalidArgument } from '../common/errors.js';
import { capMask } from './capabilities.js';
import { DEV_SYMLINKS, deviceMode, withDefaultDevices } from './devices.js';
import { MS, parseMountOptions, rootPropagation } from './mount-options.js';
import { CLONE_FLAG, PROC_NS_NAME, planNamespaces, type NamespacePlan } from './namespaces.js';

export interface PlanMount {
  source: string;
  target: string;
  fstype: string;
  flags: number;
  data: string;
  propagation: number;
}

/** Annotation naming an overlay (its mount options) to assemble at root.path inside the container's mount
 * namespace before it is entered: Berth's own extension, used by berthd for image rootfs. */
export const OVERLAY_ANNOTATION = 'dev.berth.rootfs.overlay';
/** The directory the overlay's relative paths (short `l/<name>` lowerdirs) resolve against: the shim
 * changes into it for the mount, so a 200-layer lowerdir list stays under mount(2)'s one-page limit. */
export const OVERLAY_BASEDIR_ANNOTATION = 'dev.berth.rootfs.overlay.basedir';

export interface PlanPremount {
  source: string;
  target: string;
  fstype: string;
  flags: number;
  /** mount(2)'s option string: the shim's fallback when the new mount API is missing. */
  data: string;
  /** Where relative option paths resolve ('' or absent: the shim's cwd, i.e. only absolute paths work). */
  baseDir?: string;
  /** The same options as fsconfig parameters, one lower layer each (`lowerdir+=…`): no page limit. */
  params?: string[];
}

export interface PlanDevice {
  path: string;
  mode: number;
  major: number;
  minor: number;
  uid: number;
  gid: number;
}

/** What the shim does with stdio, its sockets and its files; decided by the caller (berthd or the CLI). */
export interface ShimSettings {
  id: string;
  foreground?: boolean;
  /** The container uses the shim's own stdio instead of pipes (runc's pass-through mode). */
  inherit?: boolean;
  autostart?: boolean;
  reportFd?: number;
  pidFile?: string;
  exitFile?: string;
  ctlSock?: string;
  attachSock?: string;
  log?: { path: string; maxSize: number; maxFiles: number };
  stdin?: boolean;
  stdinOnce?: boolean;
}

export interface HostFacts {
  /** Whether the host has /proc/kcore (the container's /dev/core points there only then, as with runc). */
  kcore?: boolean;
  cgroupProcs: string[];
  oomFile?: { path: string; key: string };
  /** Mounts that give the container its view of /sys/fs/cgroup (they depend on the host's layout). */
  cgroupMounts?: (destination: string, readonly: boolean, cgroupns: boolean) => Mount[];
  /** Compiles the spec's seccomp section; absent when the spec has none. */
  seccomp?: { flags: number; program: Buffer };
}

export interface LaunchPlan extends ShimSettings {
  cloneFlags: number;
  join: { type: number; path: string }[];
  uidMap?: string;
  gidMap?: string;
  usernsJoin: boolean;
  hostname?: string;
  domainname?: string;
  /** A new cgroup namespace: made by the container after it has joined its cgroups (so it is rooted there). */
  cgroupns?: boolean;
  rootfs?: string;
  premounts: PlanPremount[];
  rootPropagation?: number;
  readonlyRoot: boolean;
  mounts: PlanMount[];
  devices: PlanDevice[];
  symlinks: [target: string, link: string][];
  sysctls: [file: string, value: string][];
  maskedPaths: string[];
  readonlyPaths: string[];
  terminal?: { rows: number; cols: number };
  cwd: string;
  args: string[];
  env: string[];
  uid: number;
  gid: number;
  groups: number[];
  umask?: number;
  rlimits: { type: string; soft: string; hard: string }[];
  caps?: { bounding: bigint; effective: bigint; permitted: bigint; inheritable: bigint; ambient: bigint };
  noNewPrivileges: boolean;
  seccomp?: { flags: number; program: Buffer };
  oomScoreAdj?: number;
  cgroupProcs: string[];
  oomFile?: { path: string; key: string };
}

const RLIMIT_TYPES = new Set([
  'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC',
  'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_LOCKS', 'RLIMIT_SIGPENDING', 'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME',
]);

/** JSON numbers above 2^53 are inexact; the runtime spec writes RLIM_INFINITY as 2^64-1. */
function rlimitValue(v: unknown, type: string): string {
  if (typeof v !== 'number' || Number.isNaN(v)) throw invalidArgument(`rlimit ${type}: soft and hard must be numbers`);
  if (!Number.isFinite(v) || v < 0 || v >= 2 ** 63) return '18446744073709551615';
  return String(Math.trunc(v));
}

const IPC_SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall',
  'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/** Only sysctls that belong to a namespace the container owns may be set (runc's rule), else the write
 * would change the host. */
export function checkSysctl(key: string, ns: NamespacePlan): void {
  if (!/^[a-z0-9_]+(\.[a-zA-Z0-9_\-]+)+$/.test(key) || key.includes('..')) {
    throw invalidArgument(`sysctl "${key}" is not valid`);
  }
  if (IPC_SYSCTLS.has(key) || key.startsWith('fs.mqueue.')) {
    if (ns.isNew('ipc')) return;
    throw invalidArgument(`sysctl "${key}" is not allowed as it conflicts with the OCI "ipc" namespace`);
  }
  if (key.startsWith('net.')) {
    if (ns.has('network') ) return;
    throw invalidArgument(`sysctl "${key}" is not allowed in host network namespace`);
  }
  if (key === 'kernel.hostname' || key === 'kernel.domainname') {
    if (ns.isNew('uts')) return;
    throw invalidArgument(`sysctl "${key}" is not allowed as it conflicts with the OCI "uts" namespace`);
  }
  throw invalidArgument(`sysctl "${key}" is not in a separate kernel namespace`);
}

function idMap(list: { containerID: number; hostID: number; size: number }[] | undefined): string | undefined {
  if (!list || list.length === 0) return undefined;
  return list.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

function absolute(p: string, what: string): string {
  if (!p.startsWith('/')) throw invalidArgument(`${what} must be an absolute path: ${p}`);
  return path.posix.normalize(p);
}

function planMounts(spec: Spec, bundle: string, host: HostFacts, ns: NamespacePlan): PlanMount[] {
  const out: PlanMount[] = [];
  const expand = (m: Mount): Mount[] => {
    if (m.type !== 'cgroup' && m.type !== 'cgroup2') return [m];
    if (!host.cgroupMounts) return [m];
    const ro = (m.options ?? []).includes('ro');
    return host.cgroupMounts(m.destination, ro, ns.has('cgroup'));
  };
  for (const original of spec.mounts ?? []) {
    if (typeof original?.destination !== 'string' || original.destination === '') {
      throw invalidArgument('mount destination must not be empty');
    }
    for (const m of expand(original)) {
      const destination = m.destination.startsWith('/') ? m.destination : `/${m.destination}`;
      const opts = parseMountOptions(m.options);
      let flags = opts.flags;
      const isBind = m.type === 'bind' || (flags & MS.BIND) !== 0;
      if (isBind) flags |= MS.BIND;
      let source = m.source ?? '';
      if (isBind) {
        if (!source) throw invalidArgument(`bind mount to ${destination} has no source`);
        // A relative bind source is relative to the bundle, as in runc.
        if (!source.startsWith('/')) source = path.resolve(bundle, source);
      }
      out.push({
        source,
        target: path.posix.normalize(destination),
        fstype: isBind ? '' : m.type ?? '',
        flags,
        data: opts.data,
        propagation: opts.propagation,
      });
    }
  }
  return out;
}

type ProcessPart = Pick<LaunchPlan, 'terminal' | 'cwd' | 'args' | 'env' | 'uid' | 'gid' | 'groups' | 'umask' |
  'rlimits' | 'caps' | 'noNewPrivileges' | 'oomScoreAdj'>;

function planProcess(proc: Spec['process']): ProcessPart {
  if (!proc) throw invalidArgument('process must be set');
  if (!Array.isArray(proc.args) || proc.args.length === 0) throw invalidArgument('args must not be empty');
  const bad = proc.args.findIndex((a) => typeof a !== 'string');
  if (bad >= 0) throw invalidArgument(`args[${bad}] must be a string`);
  if (!proc.user || typeof proc.user.uid !== 'number' || typeof proc.user.gid !== 'number') {
    throw invalidArgument('process.user.uid and process.user.gid must be numbers');
  }
  if (typeof proc.cwd !== 'string' || proc.cwd === '') throw invalidArgument('cwd property must not be empty');
  const rlimits = (proc.rlimits ?? []).map((r) => {
    if (!RLIMIT_TYPES.has(r.type)) throw invalidArgument(`rlimit type "${r.type}" is not supported`);
    return { type: r.type, soft: rlimitValue(r.soft, r.type), hard: rlimitValue(r.hard, r.type) };
  });
  const c = proc.capabilities;
  return {
    terminal: proc.terminal
      ? { rows: proc.consoleSize?.height || 24, cols: proc.consoleSize?.width || 80 }
      : undefined,
    cwd: absolute(proc.cwd, 'cwd'),
    args: proc.args,
    env: proc.env ?? [],
    uid: proc.user.uid,
    gid: proc.user.gid,
    groups: proc.user.additionalGids ?? [],
    umask: proc.user.umask,
    rlimits,
    caps: c
      ? {
          bounding: capMask(c.bounding),
          effective: capMask(c.effective),
          permitted: capMask(c.permitted),
          inheritable: capMask(c.inheritable),
          ambient: capMask(c.ambient),
        }
      : undefined,
    noNewPrivileges: proc.noNewPrivileges === true,
    oomScoreAdj: proc.oomScoreAdj,
  };
}

export function planLaunch(spec: Spec, bundle: string, host: HostFacts, shim: ShimSettings): LaunchPlan {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw invalidArgument('config.json must hold a JSON object');
  }
  if (typeof spec.ociVersion !== 'string' || spec.ociVersion === '') throw invalidArgument('ociVersion must be set');
  const process = planProcess(spec.process);
  if (!spec.root || typeof spec.root.path !== 'string' || spec.root.path === '') {
    throw invalidArgument('root.path must be set');
  }
  const linux = spec.linux ?? {};
  const ns = planNamespaces(linux.namespaces);
  if (!ns.has('mount')) throw invalidArgument('a mount namespace is required (linux.namespaces has no "mount")');
  const newUser = ns.isNew('user');
  const uidMap = idMap(linux.uidMappings);
  const gidMap = idMap(linux.gidMappings);
  if (newUser && (!uidMap || !gidMap)) throw invalidArgument('user namespaces enabled, but no mapping found');
  if (!ns.has('user') && (uidMap || gidMap)) throw invalidArgument('user namespaces not enabled, but mappings found');
  if (spec.hostname && !ns.isNew('uts')) throw invalidArgument('unable to set hostname without a private UTS namespace');
  if (spec.domainname && !ns.isNew('uts')) throw invalidArgument('unable to set domainname without a private UTS namespace');
  const rootProp = rootPropagation(linux.rootfsPropagation);
  if (linux.rootfsPropagation && rootProp === undefined) {
    throw invalidArgument(`rootfsPropagation=${linux.rootfsPropagation} is not supported`);
  }

  const devices = withDefaultDevices(linux.devices).map((d) => {
    // Normalise before checking: "/dev/../etc/passwd" must not pass as a device path.
    const p = typeof d.path === 'string' ? path.posix.normalize(d.path) : '';
    if (!p.startsWith('/dev/')) throw invalidArgument(`device path must be under /dev: ${d.path}`);
    return {
      path: p,
      mode: deviceMode(d),
      major: d.major ?? 0,
      minor: d.minor ?? 0,
      uid: d.uid ?? 0,
      gid: d.gid ?? 0,
    };
  });
  const mounts = planMounts(spec, bundle, host, ns);
  const hasDevpts = mounts.some((m) => m.target === '/dev/pts');
  const symlinks = DEV_SYMLINKS.filter(([, link]) => link !== '/dev/ptmx' || hasDevpts).map(
    ([t, l]) => [t, l] as [string, string],
  );
  if (host.kcore && mounts.some((m) => m.target === '/proc')) symlinks.push(['/proc/kcore', '/dev/core']);
  const sysctls: [string, string][] = Object.entries(linux.sysctl ?? {}).map(([k, v]) => {
    checkSysctl(k, ns);
    return [`/proc/sys/${k.replace(/\./g, '/')}`, String(v)];
  });

  return {
    ...shim,
    ...process,
    cloneFlags: ns.cloneFlags & ~CLONE_FLAG.cgroup,
    cgroupns: ns.isNew('cgroup'),
    join: ns.join,
    uidMap: newUser ? uidMap : undefined,
    gidMap: newUser ? gidMap : undefined,
    usernsJoin: ns.has('user') && !newUser,
    hostname: spec.hostname || undefined,
    domainname: spec.domainname || undefined,
    rootfs: path.resolve(bundle, spec.root.path),
    premounts: planOverlay(spec.annotations, path.resolve(bundle, spec.root.path)),
    rootPropagation: rootProp,
    readonlyRoot: spec.root.readonly === true,
    mounts,
    devices,
    symlinks,
    sysctls,
    maskedPaths: (linux.maskedPaths ?? []).map((p) => absolute(p, 'masked path')),
    readonlyPaths: (linux.readonlyPaths ?? []).map((p) => absolute(p, 'readonly path')),
    seccomp: host.seccomp,
    cgroupProcs: host.cgroupProcs,
    oomFile: host.oomFile,
  };
}

function planOverlay(annotations: Record<string, string> | undefined, target: string): PlanPremount[] {
  const data = annotations?.[OVERLAY_ANNOTATION];
  if (!data) return [];
  const baseDir = annotations?.[OVERLAY_BASEDIR_ANNOTATION] ?? '';
  if (baseDir && !path.isAbsolute(baseDir)) throw invalidArgument(`${OVERLAY_BASEDIR_ANNOTATION} must be an absolute path: ${baseDir}`);
  return [{ source: 'overlay', target, fstype: 'overlay', flags: 0, data, baseDir, params: overlayParams(data) }];
}

/**
 * Overlay's mount(2) options as fsconfig parameters: `lowerdir=a:b` becomes `lowerdir+=a`, `lowerdir+=b`
 * (one call per layer, so the whole list is not bound by a page), other options pass as they are. Options
 * this cannot restate faithfully (backslash escapes, `::` data-only layers) give [] and the shim uses
 * mount(2) with the string.
 */
export function overlayParams(data: string): string[] {
  if (data.includes('\\')) return [];
  const out: string[] = [];
  for (const opt of data.split(',')) {
    if (!opt) continue;
    if (!opt.startsWith('lowerdir=')) {
      out.push(opt);
      continue;
    }
    const value = opt.slice('lowerdir='.length);
    if (value.includes('::')) return [];
    for (const dir of value.split(':')) {
      if (!dir) return [];
      out.push(`lowerdir+=${dir}`);
    }
  }
  return out;
}

/** A plan for a process that joins a running container (exec): its namespaces by path, no rootfs work. */
export function planExec(
  proc: Spec['process'],
  pid: number,
  namespaces: readonly NamespaceType[],
  host: HostFacts,
  shim: ShimSettings,
): LaunchPlan {
  return {
    ...shim,
    ...planProcess(proc),
    cloneFlags: 0,
    join: namespaces.map((t) => ({ type: CLONE_FLAG[t], path: `/proc/${pid}/ns/${PROC_NS_NAME[t]}` })),
    usernsJoin: namespaces.includes('user'),
    readonlyRoot: false,
    premounts: [],
    mounts: [],
    devices: [],
    symlinks: [],
    sysctls: [],
    maskedPaths: [],
    readonlyPaths: [],
    seccomp: host.seccomp,
    cgroupProcs: host.cgroupProcs,
    oomFile: host.oomFile,
  };
}
