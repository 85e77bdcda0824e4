// Container records → Docker's JSON: inspect (GET /containers/{id}/json) and list (GET /containers/json),
// with the docker CLI's status strings ("Up 5 seconds", "Exited (0) 2 minutes ago").
import { mountsJSON } from '../volumes/container-mounts.js';
import type { ContainerRecord } from '../container/model.js';
import { ZERO_TIME } from '../container/model.js';

export function humanDuration(seconds: number): string {
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

function since(iso: string, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
}

export function statusString(c: ContainerRecord, now = Date.now()): string {
  const s = c.state;
  switch (s.status) {
    case 'running':
    case 'paused': {
      const health = s.health && s.health.status !== 'none' ? ` (${s.health.status === 'starting' ? 'health: starting' : s.health.status})` : '';
      return `Up ${humanDuration(since(s.startedAt, now))}${s.status === 'paused' ? ' (Paused)' : health}`;
    }
    case 'restarting':
      return `Restarting (${s.exitCode}) ${humanDuration(since(s.finishedAt, now))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    default:
      return s.finishedAt === ZERO_TIME ? 'Created' : `Exited (${s.exitCode}) ${humanDuration(since(s.finishedAt, now))} ago`;
  }
}

function mountPoints(c: ContainerRecord) {
  // Records made with the volume service carry their resolved mounts (names, volume paths, modes).
  if (c.mountPoints) return mountsJSON(c.mountPoints);
  const out: Record<string, unknown>[] = [];
  for (const b of c.hostConfig.Binds ?? []) {
    const [src, dst, mode = ''] = String(b).split(':');
    out.push({ Type: 'bind', Source: src, Destination: dst, Mode: mode, RW: !mode.split(',').includes('ro'), Propagation: 'rprivate' });
  }
  for (const m of c.hostConfig.Mounts ?? []) {
    out.push({ Type: m.Type, Source: m.Source ?? '', Destination: m.Target, Mode: '', RW: !m.ReadOnly, Propagation: m.Type === 'bind' ? m.BindOptions?.Propagation || 'rprivate' : '' });
  }
  return out;
}

/** Network facts for the JSON, from the network service (absent: no network drivers, as in unit tests). */
export interface NetworkView {
  settings(c: ContainerRecord): Record<string, unknown>;
  summaryPorts(c: ContainerRecord): unknown[];
}

export function inspectJSON(c: ContainerRecord, opts: { execIds?: string[]; graphDriver?: Record<string, string>; network?: NetworkView } = {}) {
  const s = c.state;
  return {
    Id: c.id,
    Created: c.created,
    Path: c.path,
    Args: c.args,
    State: {
      Status: s.status,
      Running: s.status === 'running' || s.status === 'paused' || s.status === 'restarting',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt,
      FinishedAt: s.finishedAt,
      ...(s.health ? { Health: { Status: s.health.status, FailingStreak: s.health.failingStreak, Log: s.health.log.map((l) => ({ Start: l.start, End: l.end, ExitCode: l.exitCode, Output: l.output })) } } : {}),
    },
    Image: c.imageId,
    ResolvConfPath: c.resolvConfPath,
    HostnamePath: c.hostnamePath,
    HostsPath: c.hostsPath,
    LogPath: c.logPath,
    Name: c.name,
    RestartCount: c.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: opts.execIds?.length ? opts.execIds : null,
    HostConfig: c.hostConfig,
    GraphDriver: { Name: 'overlay2', Data: opts.graphDriver ?? {} },
    Mounts: mountPoints(c),
    Config: {
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Cmd: null,
      Entrypoint: null,
      Env: null,
      Labels: {},
      OnBuild: null,
      ...c.config,
      Image: c.imageRef,
    },
    NetworkSettings: { ...networkSettings(c), ...(opts.network?.settings(c) ?? {}) },
  };
}

/** The fields without network drivers; the network service's view overrides them. */
function networkSettings(c: ContainerRecord) {
  return {
    Bridge: '',
    SandboxID: '',
    SandboxKey: c.state.pid ? `/proc/${c.state.pid}/ns/net` : '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: {},
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: '',
    Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    MacAddress: '',
    Networks: {},
  };
}

export function summaryJSON(c: ContainerRecord, now = Date.now(), network?: NetworkView) {
  const command = [c.path, ...c.args].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
  return {
    Id: c.id,
    Names: [c.name],
    Image: c.imageRef,
    ImageID: c.imageId,
    Command: command,
    Created: Math.floor(Date.parse(c.created) / 1000),
    Ports: network?.summaryPorts(c) ?? [],
    Labels: c.config.Labels ?? {},
    State: c.state.status,
    Status: statusString(c, now),
    HostConfig: { NetworkMode: c.hostConfig.NetworkMode ?? 'bridge' },
    NetworkSettings: { Networks: (network?.settings(c).Networks as Record<string, unknown> | undefined) ?? {} },
    Mounts: mountPoints(c),
  };
}
