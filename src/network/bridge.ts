// The bridge driver's kernel side: one Linux bridge per network holding the gateway address, and one veth
// pair per endpoint whose peer becomes the container's eth0. Everything goes through `ip` (iproute2); the
// container's netns is entered by path with nsenter, so a /proc/<pid>/ns/net works as well as a
// bind-mounted netns file.
import { randomBytes } from 'node:crypto';
import { isEngineError } from '../common/errors.js';
import { parseIPv4 } from './cidr.js';
import { setSysctl, type Run } from './run.js';

export interface BridgeSpec {
  /** `berth0` for the default bridge, `br-<12 hex of the network id>` otherwise (see bridgeName). */
  name: string;
  gateway: string;
  prefix: number;
  mtu?: number;
}

export interface AttachOptions {
  bridge: string;
  ifName?: string;
  address: string;
  prefix: number;
  /** Omitted for networks without a default route (none today; kept so --internal could skip it). */
  gateway?: string;
  mac?: string;
  mtu?: number;
  /** Host-side veth name; random `veth<7 hex>` when omitted. */
  hostIfName?: string;
}

export function bridgeName(networkId: string, isDefault = false): string {
  return isDefault ? 'berth0' : `br-${networkId.slice(0, 12)}`;
}

/** Docker's MAC for an IPv4 endpoint: 02:42 followed by the address's four bytes. */
export function macForIp(ip: string): string {
  const n = parseIPv4(ip);
  if (n === undefined) throw new Error(`macForIp: not an IPv4 address: ${ip}`);
  const bytes = [0x02, 0x42, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function randomVethName(): string {
  return `veth${randomBytes(4).toString('hex').slice(0, 7)}`;
}

async function linkExists(run: Run, name: string): Promise<boolean> {
  try {
    await run('ip', ['-j', 'link', 'show', 'dev', name]);
    return true;
  } catch (e) {
    if (isEngineError(e) && /does not exist|Cannot find device/.test(e.message)) return false;
    throw e;
  }
}

/** Creates (or completes, after a crash half-way) the bridge, addresses it and brings it up. */
export async function createBridge(run: Run, spec: BridgeSpec): Promise<void> {
  if (!(await linkExists(run, spec.name))) {
    const mtu = spec.mtu ? ['mtu', String(spec.mtu)] : [];
    await run('ip', ['link', 'add', 'name', spec.name, ...mtu, 'type', 'bridge']);
  }
  const cidr = `${spec.gateway}/${spec.prefix}`;
  const addrs = JSON.parse(await run('ip', ['-j', '-4', 'addr', 'show', 'dev', spec.name])) as {
    addr_info?: { local?: string; prefixlen?: number }[];
  }[];
  const has = addrs.some((l) => (l.addr_info ?? []).some((a) => `${a.local}/${a.prefixlen}` === cidr));
  if (!has) await run('ip', ['addr', 'add', cidr, 'dev', spec.name]);
  await run('ip', ['link', 'set', 'dev', spec.name, 'up']);
}

/** Deletes the bridge; a missing bridge is fine (remove is retried after crashes). */
export async function deleteBridge(run: Run, name: string): Promise<void> {
  if (await linkExists(run, name)) await run('ip', ['link', 'del', 'dev', name]);
}

/** Containers on a bridge reach the outside and each other across bridges only with forwarding on. */
export async function enableIpForward(run: Run): Promise<void> {
  await setSysctl(run, 'net.ipv4.ip_forward', '1');
}

/**
 * Connects the netns at `netnsPath` to the bridge: veth pair, peer moved into the netns and named
 * `ifName`, MAC, address, lo and the link up, default route via the gateway. Returns the host-side name.
 * On failure the host side is deleted, which removes the peer too.
 */
export async function attach(run: Run, netnsPath: string, o: AttachOptions): Promise<string> {
  const host = o.hostIfName ?? randomVethName();
  // a temporary peer name that cannot clash with the container's names once moved (eth0 may exist in host)
  const peer = `${host}p`.slice(0, 15);
  const ifName = o.ifName ?? 'eth0';
  const mtu = o.mtu ? ['mtu', String(o.mtu)] : [];
  await run('ip', ['link', 'add', 'name', host, ...mtu, 'type', 'veth', 'peer', 'name', peer, ...mtu]);
  try {
    await run('ip', ['link', 'set', 'dev', host, 'master', o.bridge]);
    await run('ip', ['link', 'set', 'dev', host, 'up']);
    await run('ip', ['link', 'set', 'dev', peer, 'netns', netnsPath]);
    const inNs = (args: string[]) => run('nsenter', [`--net=${netnsPath}`, 'ip', ...args]);
    await inNs(['link', 'set', 'dev', peer, 'name', ifName]);
    await inNs(['link', 'set', 'dev', ifName, 'address', o.mac ?? macForIp(o.address)]);
    await inNs(['addr', 'add', `${o.address}/${o.prefix}`, 'dev', ifName]);
    await inNs(['link', 'set', 'dev', 'lo', 'up']);
    await inNs(['link', 'set', 'dev', ifName, 'up']);
    if (o.gateway) await inNs(['route', 'replace', 'default', 'via', o.gateway, 'dev', ifName]);
  } catch (e) {
    await run('ip', ['link', 'del', 'dev', host]).catch(() => undefined);
    throw e;
  }
  return host;
}

/** Removes the endpoint's veth (the peer in the container goes with it); missing is fine. */
export async function detach(run: Run, hostIfName: string): Promise<void> {
  if (await linkExists(run, hostIfName)) await run('ip', ['link', 'del', 'dev', hostIfName]);
}

/** Lets a container reach its own published port through the host address (the DNAT sends it back). */
export async function setHairpin(run: Run, hostIfName: string, on: boolean): Promise<void> {
  await run('ip', ['link', 'set', 'dev', hostIfName, 'type', 'bridge_slave', 'hairpin', on ? 'on' : 'off']);
}
