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
  /** Hairpin mode on the bridge port (a container reaching its own published port). */
  hairpin?: boolean;
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
  const ifName = o.ifName ?? 'eth0';
  const mtu = o.mtu ? ` mtu ${o.mtu}` : '';
  // The peer is born in the container's namespace with its final name and MAC: moving a device between
  // namespaces (and renaming it there) waits for RCU grace periods, ~60 ms of a container start here.
  // Two processes, not eleven: each `ip` or `nsenter` start costs a few milliseconds too.
  const hostSide = [
    `link add name ${host}${mtu} type veth peer name ${ifName}${mtu} address ${o.mac ?? macForIp(o.address)} netns ${netnsPath}`,
    `link set dev ${host} master ${o.bridge}`,
    ...(o.hairpin ? [`link set dev ${host} type bridge_slave hairpin on`] : []),
    `link set dev ${host} up`,
  ];
  const containerSide = [
    `addr add ${o.address}/${o.prefix} dev ${ifName}`,
    'link set dev lo up',
    `link set dev ${ifName} up`,
    ...(o.gateway ? [`route replace default via ${o.gateway} dev ${ifName}`] : []),
  ];
  try {
    await run('ip', ['-batch', '-'], `${hostSide.join('\n')}\n`);
    await run('nsenter', [`--net=${netnsPath}`, 'ip', '-batch', '-'], `${containerSide.join('\n')}\n`);
  } catch (e) {
    await run('ip', ['link', 'del', 'dev', host]).catch(() => undefined);
    throw e;
  }
  return host;
}

/** Removes the endpoint's veth (the peer in the container goes with it); missing is fine. */
export async function detach(run: Run, hostIfName: string): Promise<void> {
  // One process: a veth that is already gone (its netns died with the container) is not an error.
  await run('ip', ['link', 'del', 'dev', hostIfName]).catch((e: unknown) => {
    if (!(isEngineError(e) && /Cannot find device|does not exist/.test(e.message))) throw e;
  });
}
