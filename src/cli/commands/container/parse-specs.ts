// Small value syntaxes of `run`/`create` flags, parsed as docker parses them: ulimits, published ports
// (nat.ParsePortSpecs), devices, restart policies, env/label files and the --network family.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type { FlagValues } from '../../framework/flags.js';
import { goPathError } from '../../util/oserror.js';

const ULIMITS = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

export interface Ulimit {
  Name: string;
  Hard: number;
  Soft: number;
}

function parseInt10(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

/** go-units ParseUlimit: "nofile=1024:2048" → {Name, Soft, Hard}. */
export function parseUlimit(val: string): Ulimit {
  const eq = val.indexOf('=');
  if (eq < 0) throw new Error(`invalid ulimit argument: ${val}`);
  const name = val.slice(0, eq);
  if (!ULIMITS.has(name)) throw new Error(`invalid ulimit type: ${name}`);
  const parts = val.slice(eq + 1).split(':');
  if (parts.length > 2) {
    throw new Error(`too many limit value arguments - ${val.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  }
  const soft = parseInt10(parts[0]!);
  const hard = parts.length === 2 ? parseInt10(parts[1]!) : soft;
  if (hard !== -1) {
    if (soft === -1) throw new Error(`ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${hard}`);
    if (soft > hard) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  }
  return { Name: name, Hard: hard, Soft: soft };
}

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/** nat.ParsePortRange; any failure is reported by the caller in its own words. */
function parsePortRange(r: string): [number, number] | undefined {
  const num = (x: string | undefined) => (x !== undefined && /^\d+$/.test(x) && Number(x) <= 65535 ? Number(x) : undefined);
  const parts = r.split('-');
  const start = num(parts[0]);
  const end = parts.length === 1 ? start : num(parts[1]);
  if (start === undefined || end === undefined || end < start) return undefined;
  return [start, end];
}

/** nat.ParsePortSpecs for `-p`: exposed ports and their host bindings, with nat's errors. */
export function parsePortSpecs(specs: readonly string[]): {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, PortBinding[]>;
} {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const raw of specs) {
    const parts = raw.split(':');
    const n = parts.length;
    let containerPort = parts[n - 1]!;
    let ip = n >= 3 ? parts.slice(0, n - 2).join(':') : '';
    const hostPort = n >= 2 ? parts[n - 2]! : '';
    const slash = containerPort.split('/');
    let proto = 'tcp';
    if (containerPort === '' || slash[0] === '') {
      containerPort = '';
    } else {
      if (slash.length > 1 && slash[1] !== '') proto = slash[1]!;
      containerPort = slash[0]!;
    }
    if (ip.startsWith('[')) {
      if (!ip.endsWith(']')) throw new Error(`invalid IP address ${ip}: address ${ip}: missing ']' in address`);
      ip = ip.slice(1, -1);
    }
    if (ip !== '' && !isIP(ip)) throw new Error(`invalid IP address: ${ip}`);
    if (containerPort === '') throw new Error(`no port specified: ${raw}<empty>`);
    const c = parsePortRange(containerPort);
    if (!c) throw new Error(`invalid containerPort: ${containerPort}`);
    let h: [number, number] = [0, 0];
    if (hostPort !== '') {
      const parsed = parsePortRange(hostPort);
      if (!parsed) throw new Error(`invalid hostPort: ${hostPort}`);
      h = parsed;
    }
    if (hostPort !== '' && c[1] - c[0] !== h[1] - h[0] && c[1] !== c[0]) {
      throw new Error(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
    if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw new Error(`invalid proto: ${proto}`);
    for (let i = 0; i <= c[1] - c[0]; i++) {
      const key = `${c[0] + i}/${proto.toLowerCase()}`;
      let hp = hostPort === '' ? '' : String(h[0] + i);
      if (c[0] === c[1] && h[0] !== h[1]) hp = `${hp}-${h[1]}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: ip, HostPort: hp });
    }
  }
  return { exposed, bindings };
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

function validDeviceMode(mode: string): boolean {
  if (mode === '') return false;
  const seen = new Set<string>();
  for (const c of mode) {
    if (!'rwm'.includes(c) || seen.has(c)) return false;
    seen.add(c);
  }
  return true;
}

/** `--device /dev/x[:/dev/y][:rwm]` for a Linux daemon. */
export function parseDevice(device: string): DeviceMapping {
  if ((device.match(/:/g) ?? []).length > 2 || device.split(':')[0] === '') throw new Error(`bad format for path: ${device}`);
  const arr = device.split(':');
  let src = arr[0]!;
  let dst = '';
  let permissions = 'rwm';
  if (arr.length === 3) {
    if (!validDeviceMode(arr[2]!)) throw new Error(`bad mode specified: ${arr[2]}`);
    permissions = arr[2]!;
    dst = arr[1]!;
  } else if (arr.length === 2) {
    if (validDeviceMode(arr[1]!)) permissions = arr[1]!;
    else dst = arr[1]!;
  }
  src = arr.length === 1 ? path.posix.normalize(src) : src;
  if (dst === '') dst = src;
  else dst = path.posix.normalize(dst);
  if (!dst.startsWith('/')) throw new Error(`${dst} is not an absolute path`);
  return { PathOnHost: src, PathInContainer: dst, CgroupPermissions: permissions };
}

/** opts.ParseRestartPolicy: the daemon validates the name. */
export function parseRestartPolicy(policy: string): { Name: string; MaximumRetryCount: number } {
  if (policy === '') return { Name: '', MaximumRetryCount: 0 };
  const i = policy.indexOf(':');
  const name = i < 0 ? policy : policy.slice(0, i);
  const count = i < 0 ? '' : policy.slice(i + 1);
  if (i >= 0 && name === '') throw new Error('invalid restart policy format: no policy provided before colon');
  let max = 0;
  if (count !== '') {
    if (!/^[+-]?\d+$/.test(count)) throw new Error('invalid restart policy format: maximum retry count must be an integer');
    max = Number(count);
  }
  return { Name: name, MaximumRetryCount: max };
}

/**
 * kvfile.Parse (env and label files): KEY=VALUE lines, comments and blank lines skipped, a bare KEY taken
 * from `lookup` (the environment, for env files) or dropped.
 */
export function parseKVFile(filename: string, lookup?: (key: string) => string | undefined): string[] {
  let text: string;
  try {
    text = readFileSync(filename, 'utf8');
  } catch (e) {
    throw goPathError('open', filename, e);
  }
  try {
    return parseKVText(text, lookup);
  } catch (e) {
    throw new Error(`invalid env file (${filename}): ${(e as Error).message}`);
  }
}

export function parseKVText(text: string, lookup?: (key: string) => string | undefined): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  for (const raw of lines) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (key === '') throw new Error(`no variable name on line '${line}'`);
    if (/[ \t]/.test(key)) throw new Error(`variable '${key}' contains whitespaces`);
    if (eq >= 0) {
      out.push(line);
      continue;
    }
    const v = lookup?.(line);
    if (v !== undefined) out.push(`${key}=${v}`);
  }
  return out;
}

function endpoint(aliases: string[] | null, ipam: Record<string, unknown> | null, mac: string): Record<string, unknown> {
  return {
    IPAMConfig: ipam,
    Links: null,
    Aliases: aliases,
    MacAddress: mac,
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

function isUserDefined(mode: string): boolean {
  return !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
}

/** docker's parseNetworkOpts, for the short `--network NAME` form. */
export function networking(f: FlagValues): { mode: string; endpoints: Record<string, unknown> } {
  const nets = [...f.list('network'), ...f.list('net')];
  const aliases = f.list('network-alias');
  const ip = f.string('ip');
  const ip6 = f.string('ip6');
  const mac = f.string('mac-address');
  const ipam = ip || ip6 ? { IPv4Address: ip, IPv6Address: ip6, LinkLocalIPs: null } : null;
  const mode = nets[0] ?? 'default';
  const first = (target: string) => {
    if (!isUserDefined(target) && aliases.length > 0) throw new Error('network-scoped aliases are only supported for user-defined networks');
    return endpoint(aliases.length > 0 ? aliases : null, ipam, mac);
  };
  const endpoints: Record<string, unknown> = {};
  if (nets.length === 0) {
    endpoints.default = first('default');
    return { mode, endpoints };
  }
  let userDefined = false;
  let builtin = false;
  nets.forEach((target, i) => {
    if (target.trim() === '') throw new Error('no name set for network');
    if (isUserDefined(target)) userDefined = true;
    else builtin = true;
    if (endpoints[target] !== undefined) throw new Error(`network ${JSON.stringify(target)} is specified multiple times`);
    const ep = i === 0 ? first(target) : endpoint(null, null, '');
    // a lone network without options is left to the daemon, as docker does
    if (i === 0 && nets.length === 1 && aliases.length === 0 && ipam === null && mac === '') return;
    endpoints[target] = ep;
  });
  if (userDefined && builtin) {
    throw new Error('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  }
  return { mode, endpoints };
}
