// Docker's port publishing specs, pure: the API's PortBindings map and the CLI's `-p` syntax
// ([ip:][hostPort:]containerPort[/proto], ranges like 8000-8010:80-90, IPv6 hosts in brackets).
import { invalidArgument } from '../common/errors.js';
import type { PortMap } from '../spec/engine-api/container.js';

export type Proto = 'tcp' | 'udp' | 'sctp';

export interface PortMapping {
  proto: Proto;
  containerPort: number;
  /** '' = every address. */
  hostIp: string;
  /** 0 = pick one from the ephemeral range. */
  hostPort: number;
  /** Set for a host range `8000-8010` given for one container port: any free port in hostPort..hostPortEnd. */
  hostPortEnd?: number;
}

function parseRange(text: string): [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a < 1 || b > 65535 || b < a) return undefined;
  return [a, b];
}

function parseProto(text: string): Proto {
  const p = text.toLowerCase();
  if (p === 'tcp' || p === 'udp' || p === 'sctp') return p;
  throw invalidArgument(`invalid proto: ${text}`);
}

/** "80/tcp" → [80, 'tcp']; the API's PortMap keys. */
export function parsePortKey(key: string): { port: number; proto: Proto } {
  const slash = key.lastIndexOf('/');
  const port = slash < 0 ? key : key.slice(0, slash);
  const proto = slash < 0 ? 'tcp' : parseProto(key.slice(slash + 1));
  const r = parseRange(port);
  if (!r || r[0] !== r[1]) throw invalidArgument(`invalid containerPort: ${port}`);
  return { port: r[0], proto };
}

/** HostConfig.PortBindings → mappings (one per binding; an empty list publishes to a random port). */
export function mappingsFromPortBindings(map: PortMap | null | undefined): PortMapping[] {
  const out: PortMapping[] = [];
  for (const [key, bindings] of Object.entries(map ?? {})) {
    const { port, proto } = parsePortKey(key);
    const list = bindings && bindings.length > 0 ? bindings : [{ HostIp: '', HostPort: '' }];
    for (const b of list) {
      const hostIp = (b.HostIp ?? '').replace(/^\[|\]$/g, '');
      const hp = b.HostPort ?? '';
      if (hp === '' || hp === '0') {
        out.push({ proto, containerPort: port, hostIp, hostPort: 0 });
        continue;
      }
      const r = parseRange(hp);
      if (!r) throw invalidArgument(`invalid hostPort: ${hp}`);
      const m: PortMapping = { proto, containerPort: port, hostIp, hostPort: r[0] };
      if (r[1] !== r[0]) m.hostPortEnd = r[1];
      out.push(m);
    }
  }
  return out;
}

export interface ParsedPortSpec {
  /** ExposedPorts keys ("80/tcp"). */
  exposed: string[];
  /** HostConfig.PortBindings. */
  bindings: PortMap;
}

/** One `-p` value → what the CLI puts into Config.ExposedPorts and HostConfig.PortBindings. */
export function parsePortSpec(spec: string): ParsedPortSpec {
  const slash = spec.lastIndexOf('/');
  const hasProto = slash >= 0 && !spec.slice(slash).includes(':') && !spec.slice(slash).includes(']');
  const raw = hasProto ? spec.slice(0, slash) : spec;
  const proto = hasProto ? parseProto(spec.slice(slash + 1)) : 'tcp';
  const parts = raw.split(':');
  let ip = '';
  let hostText = '';
  const containerText = parts[parts.length - 1]!;
  if (parts.length === 2) hostText = parts[0]!;
  else if (parts.length >= 3) {
    hostText = parts[parts.length - 2]!;
    ip = parts.slice(0, -2).join(':');
  }
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip !== '' && !/^[\d.]+$/.test(ip) && !/^[0-9a-fA-F:.]+$/.test(ip)) throw invalidArgument(`invalid IP address: ${ip}`);
  if (containerText === '') throw invalidArgument(`no port specified: ${spec}<empty>`);
  const cr = parseRange(containerText);
  if (!cr) throw invalidArgument(`invalid containerPort: ${containerText}`);
  const hr = hostText === '' ? undefined : parseRange(hostText);
  if (hostText !== '' && !hr) throw invalidArgument(`invalid hostPort: ${hostText}`);
  const count = cr[1] - cr[0] + 1;
  if (hr && hr[1] - hr[0] + 1 !== count && count !== 1) {
    throw invalidArgument(`invalid ranges specified for container and host Ports: ${containerText} and ${hostText}`);
  }
  const exposed: string[] = [];
  const bindings: PortMap = {};
  for (let i = 0; i < count; i++) {
    const key = `${cr[0] + i}/${proto}`;
    let hostPort = '';
    // one container port with a host range: Docker keeps the range and picks a free port in it at start
    if (hr) hostPort = count === 1 ? (hr[0] === hr[1] ? String(hr[0]) : `${hr[0]}-${hr[1]}`) : String(hr[0] + i);
    exposed.push(key);
    (bindings[key] ??= []).push({ HostIp: ip, HostPort: hostPort });
  }
  return { exposed, bindings };
}
