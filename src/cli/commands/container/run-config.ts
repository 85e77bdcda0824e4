// Turns `run`/`create` flags into the body of POST /containers/create, field for field what docker's
// parse() builds and encoding/json writes (same members, same order, same nulls), so berthd sees the same
// request from berth as from the docker CLI. Pure: files are read through the given context.
import type { FlagValues } from '../../framework/flags.js';
import { parseTmpfs, splitVolumes, type MountSpec } from './mounts.js';
import { networking, parseDevice, parseKVFile, parsePortSpecs, parseRestartPolicy, type Ulimit } from './parse-specs.js';

export interface ConfigContext {
  cwd: string;
  /** Looks up the local environment, for `-e NAME` and bare names in env files. */
  lookupEnv: (name: string) => string | undefined;
  /** [height, width] of the local terminal, [0, 0] without one. */
  consoleSize: [number, number];
}

export interface CreateRequest {
  body: Record<string, unknown>;
  autoRemove: boolean;
  tty: boolean;
  openStdin: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
}

function healthcheck(f: FlagValues): Record<string, unknown> | undefined {
  const cmd = f.string('health-cmd');
  const interval = f.number('health-interval');
  const timeout = f.number('health-timeout');
  const startPeriod = f.number('health-start-period');
  const startInterval = f.number('health-start-interval');
  const retries = f.number('health-retries');
  const any = cmd !== '' || interval !== 0 || timeout !== 0 || startPeriod !== 0 || retries !== 0 || startInterval !== 0;
  if (f.bool('no-healthcheck')) {
    if (any) throw new Error('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  if (interval < 0) throw new Error('--health-interval cannot be negative');
  if (timeout < 0) throw new Error('--health-timeout cannot be negative');
  if (retries < 0) throw new Error('--health-retries cannot be negative');
  if (startPeriod < 0) throw new Error('--health-start-period cannot be negative');
  if (startInterval < 0) throw new Error('--health-start-interval cannot be negative');
  const h: Record<string, unknown> = {};
  if (cmd !== '') h.Test = ['CMD-SHELL', cmd];
  if (interval) h.Interval = interval;
  if (timeout) h.Timeout = timeout;
  if (startPeriod) h.StartPeriod = startPeriod;
  if (startInterval) h.StartInterval = startInterval;
  if (retries) h.Retries = retries;
  return h;
}

function securityOpts(opts: string[]): { opts: string[] | null; masked: string[] | null; readonly: string[] | null } {
  let masked: string[] | null = null;
  let ro: string[] | null = null;
  const out: string[] = [];
  for (const opt of opts) {
    let i = opt.indexOf('=');
    if (i < 0 && opt !== 'no-new-privileges') i = opt.indexOf(':');
    const key = i < 0 ? opt : opt.slice(0, i);
    const val = i < 0 ? '' : opt.slice(i + 1);
    if ((i < 0 || val === '') && key !== 'no-new-privileges') throw new Error(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    if (opt === 'systempaths=unconfined') {
      masked = [];
      ro = [];
      continue;
    }
    out.push(opt);
  }
  return { opts: opts.length > 0 ? out : null, masked, readonly: ro };
}

function kvMap(values: readonly string[]): Record<string, string> {
  const m: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    m[i < 0 ? v : v.slice(0, i)] = i < 0 ? '' : v.slice(i + 1);
  }
  return m;
}

const orNull = <T>(a: T[]): T[] | null => (a.length > 0 ? a : null);

/** encoding/json writes Go maps with sorted keys; the body's maps follow suit. */
function goMap<T>(m: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}

/** The Go client's normalizeCapabilities: "net_admin" → "CAP_NET_ADMIN", deduplicated and sorted. */
export function normalizeCapabilities(caps: readonly string[]): string[] | null {
  const set = new Set<string>();
  for (const raw of caps) {
    const c = raw.trim().toUpperCase();
    set.add(c === 'ALL' || c.startsWith('CAP_') ? c : `CAP_${c}`);
  }
  return orNull([...set].sort());
}

/** docker's parse(): flags, image and command → the create request. Throws Error with docker's wording. */
export function buildCreateRequest(f: FlagValues, image: string, args: readonly string[], ctx: ConfigContext): CreateRequest {
  const attach = f.list('attach');
  let attachStdin = attach.includes('stdin');
  let attachStdout = attach.includes('stdout');
  let attachStderr = attach.includes('stderr');
  if (f.bool('interactive')) attachStdin = true;
  if (attach.length === 0) {
    attachStdout = true;
    attachStderr = true;
  }
  const swappiness = f.number('memory-swappiness');
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    throw new Error(`invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);
  }
  const { binds, volumes } = splitVolumes(f.list('volume'), ctx.cwd);
  const mounts = f.get<MountSpec[]>('mount') ?? [];
  const tmpfs = parseTmpfs(f.list('tmpfs'));
  const entrypoint = f.string('entrypoint') !== '' ? [f.string('entrypoint')] : f.changed('entrypoint') ? [''] : null;
  const ports = parsePortSpecs(f.list('publish'));
  for (const e of f.list('expose')) {
    if (e.includes(':')) throw new Error(`invalid port format for --expose: ${e}`);
    const [port, proto = 'tcp'] = e.split('/');
    const m = /^(\d+)(?:-(\d+))?$/.exec(port!);
    if (!m) throw new Error(`invalid range format for --expose: ${e}, error: invalid start port '${port}': invalid syntax`);
    for (let p = Number(m[1]); p <= Number(m[2] ?? m[1]); p++) ports.exposed[`${p}/${proto}`] ??= {};
  }
  const devices = f.list('device').map(parseDevice);
  const env: string[] = [];
  for (const file of f.list('env-file')) env.push(...parseKVFile(file, ctx.lookupEnv));
  for (const e of f.list('env')) {
    const v = e.includes('=') ? undefined : ctx.lookupEnv(e);
    env.push(v === undefined ? e : `${e}=${v}`);
  }
  const labels: string[] = [];
  for (const file of f.list('label-file')) labels.push(...parseKVFile(file));
  labels.push(...f.list('label'));
  for (const [flagName, what] of [['pid', 'PID'], ['uts', 'UTS'], ['userns', 'USER'], ['cgroupns', 'CGROUP']] as const) {
    const v = f.string(flagName);
    const ok = flagName === 'userns' ? v === '' || v === 'host' : flagName === 'cgroupns' ? ['', 'host', 'private'].includes(v) : v === '' || v === 'host' || (flagName === 'pid' && v.startsWith('container:'));
    if (!ok) throw new Error(`--${flagName}: invalid ${what} mode`);
  }
  const restart = parseRestartPolicy(f.string('restart'));
  const logOpts = f.list('log-opt');
  if (f.string('log-driver') === 'none' && logOpts.length > 0) throw new Error('invalid logging opts for driver none');
  const security = securityOpts(f.list('security-opt'));
  const health = healthcheck(f);
  const net = networking(f);
  const ulimits = new Map<string, Ulimit>();
  for (const u of f.get<Ulimit[]>('ulimit') ?? []) ulimits.set(u.Name, u);
  const tty = f.bool('tty');
  const openStdin = f.bool('interactive');

  const config: Record<string, unknown> = {
    Hostname: f.string('hostname'),
    Domainname: f.string('domainname'),
    User: f.string('user'),
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
  };
  if (Object.keys(ports.exposed).length > 0) config.ExposedPorts = goMap(ports.exposed);
  Object.assign(config, { Tty: tty, OpenStdin: openStdin, StdinOnce: openStdin && attachStdin, Env: orNull(env) });
  config.Cmd = args.length > 0 ? [...args] : null;
  if (health) config.Healthcheck = health;
  Object.assign(config, { Image: image, Volumes: goMap(volumes), WorkingDir: f.string('workdir'), Entrypoint: entrypoint });
  Object.assign(config, { OnBuild: null, Labels: goMap(kvMap(labels)) });
  if (f.string('stop-signal')) config.StopSignal = f.string('stop-signal');
  if (f.changed('stop-timeout')) config.StopTimeout = f.number('stop-timeout');

  const host: Record<string, unknown> = {
    Binds: orNull(binds),
    ContainerIDFile: f.string('cidfile'),
    LogConfig: { Type: f.string('log-driver'), Config: goMap(kvMap(logOpts)) },
    NetworkMode: net.mode,
    PortBindings: goMap(ports.bindings),
    RestartPolicy: restart,
    AutoRemove: f.bool('rm'),
    VolumeDriver: '',
    VolumesFrom: orNull(f.list('volumes-from')),
    ConsoleSize: ctx.consoleSize,
    CapAdd: normalizeCapabilities(f.list('cap-add')),
    CapDrop: normalizeCapabilities(f.list('cap-drop')),
    CgroupnsMode: f.string('cgroupns'),
    Dns: f.list('dns'),
    DnsOptions: [...f.list('dns-option'), ...f.list('dns-opt')],
    DnsSearch: f.list('dns-search'),
    ExtraHosts: orNull(f.list('add-host')),
    GroupAdd: orNull(f.list('group-add')),
    IpcMode: f.string('ipc'),
    Cgroup: '',
    Links: orNull(f.list('link')),
    OomScoreAdj: f.number('oom-score-adj'),
    PidMode: f.string('pid'),
    Privileged: f.bool('privileged'),
    PublishAllPorts: f.bool('publish-all'),
    ReadonlyRootfs: f.bool('read-only'),
    SecurityOpt: security.opts,
  };
  if (Object.keys(tmpfs).length > 0) host.Tmpfs = goMap(tmpfs);
  Object.assign(host, { UTSMode: f.string('uts'), UsernsMode: f.string('userns'), ShmSize: f.number('shm-size') });
  const sysctls = kvMap(f.list('sysctl'));
  if (Object.keys(sysctls).length > 0) host.Sysctls = goMap(sysctls);
  if (f.string('runtime')) host.Runtime = f.string('runtime');
  Object.assign(host, {
    Isolation: '',
    CpuShares: f.number('cpu-shares'),
    Memory: f.number('memory'),
    NanoCpus: f.number('cpus'),
    CgroupParent: f.string('cgroup-parent'),
    BlkioWeight: f.number('blkio-weight'),
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: f.number('cpu-period'),
    CpuQuota: f.number('cpu-quota'),
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: f.string('cpuset-cpus'),
    CpusetMems: f.string('cpuset-mems'),
    Devices: devices,
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: f.number('memory-reservation'),
    MemorySwap: f.number('memory-swap'),
    MemorySwappiness: swappiness,
    OomKillDisable: f.bool('oom-kill-disable'),
    PidsLimit: f.number('pids-limit'),
    Ulimits: [...ulimits.values()],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
  });
  if (mounts.length > 0) host.Mounts = mounts;
  Object.assign(host, { MaskedPaths: security.masked, ReadonlyPaths: security.readonly });
  if (f.changed('init')) host.Init = f.bool('init');
  if (f.bool('rm') && restart.Name !== '' && restart.Name !== 'no') {
    throw new Error('conflicting options: cannot specify both --restart and --rm');
  }
  return {
    body: { ...config, HostConfig: host, NetworkingConfig: { EndpointsConfig: goMap(net.endpoints) } },
    autoRemove: f.bool('rm'),
    tty,
    openStdin,
    attachStdin,
    attachStdout,
    attachStderr,
  };
}
