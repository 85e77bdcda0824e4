// Subnet validation and the choice of a free subnet for a new network, pure: the host's routes and the
// other networks' subnets come in as arguments (readHostSubnets gathers the former).
import { invalidArgument, EngineError } from '../common/errors.js';
import { contains, containsCidr, formatCidr, formatIPv4, last, overlaps, parseCidr, parseIPv4, type Cidr } from './cidr.js';
import type { Run } from './run.js';

export interface SubnetConfig {
  subnet: string;
  gateway: string;
  /** Addresses containers get are taken from here (--ip-range); the whole subnet when absent. */
  ipRange?: string;
}

/** Docker's default address pools: 172.17.0.0/16 … 172.31.0.0/16, then 192.168.0.0/16 cut into /20s. */
export function defaultPoolCandidates(): Cidr[] {
  const out: Cidr[] = [];
  for (let b = 17; b <= 31; b++) out.push({ base: ((172 << 24) | (b << 16)) >>> 0, prefix: 16 });
  for (let c = 0; c < 256; c += 16) out.push({ base: ((192 << 24) | (168 << 16) | (c << 8)) >>> 0, prefix: 20 });
  return out;
}

/** The first default pool overlapping neither another network nor a route/address already on the host. */
export function chooseSubnet(taken: readonly Cidr[]): SubnetConfig {
  for (const c of defaultPoolCandidates()) {
    if (taken.some((t) => overlaps(t, c))) continue;
    return { subnet: formatCidr(c), gateway: formatIPv4(c.base + 1) };
  }
  throw new EngineError('unavailable', 'all predefined address pools have been fully subnetted');
}

export function parseSubnet(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw invalidArgument(`invalid CIDR address: ${text}`);
  return { base: c.base, prefix: c.prefix };
}

/**
 * Checks a user's --subnet/--gateway/--ip-range against each other and the other networks' subnets, and
 * fills in the gateway (first host) when missing. Returns normalized strings.
 */
export function validateSubnetConfig(
  req: { subnet: string; gateway?: string; ipRange?: string },
  others: readonly Cidr[],
): SubnetConfig {
  const parsed = parseCidr(req.subnet);
  if (!parsed) throw invalidArgument(`invalid CIDR address: ${req.subnet}`);
  const subnet: Cidr = { base: parsed.base, prefix: parsed.prefix };
  if (parsed.address !== parsed.base) {
    throw invalidArgument(`invalid subnet ${req.subnet}: it should be ${formatCidr(subnet)}`);
  }
  if (subnet.prefix > 30) throw invalidArgument(`invalid subnet ${req.subnet}: too small for containers`);
  if (others.some((o) => overlaps(o, subnet))) {
    throw invalidArgument('Pool overlaps with other one on this address space');
  }
  let gateway = subnet.base + 1;
  if (req.gateway) {
    const g = parseIPv4(req.gateway);
    if (g === undefined) throw invalidArgument(`invalid gateway address ${req.gateway}`);
    if (!contains(subnet, g)) throw invalidArgument(`no matching subnet for gateway ${req.gateway}`);
    gateway = g;
  }
  const out: SubnetConfig = { subnet: formatCidr(subnet), gateway: formatIPv4(gateway) };
  if (req.ipRange) {
    const r = parseCidr(req.ipRange);
    if (!r) throw invalidArgument(`invalid CIDR address: ${req.ipRange}`);
    const range: Cidr = { base: r.base, prefix: r.prefix };
    if (!containsCidr(subnet, range)) throw invalidArgument(`no matching subnet for range ${req.ipRange}`);
    out.ipRange = formatCidr(range);
  }
  return out;
}

/** The addresses containers may get: the range (or subnet) minus network, broadcast and gateway. */
export function assignableBounds(cfg: SubnetConfig): { first: number; last: number; gateway: number } {
  const subnet = parseSubnet(cfg.subnet);
  const range = cfg.ipRange ? parseSubnet(cfg.ipRange) : subnet;
  const first = Math.max(range.base, subnet.base + 1);
  const end = Math.min(last(range), last(subnet) - 1);
  return { first, last: end, gateway: parseIPv4(cfg.gateway)! };
}

interface RouteJson { dst?: string }
interface AddrJson { addr_info?: { family?: string; local?: string; prefixlen?: number }[] }

/** Subnets the host already reaches directly or by route (`ip -j route`, `ip -j -4 addr`), minus default. */
export function hostSubnetsFromJson(routesJson: string, addrsJson: string): Cidr[] {
  const out: Cidr[] = [];
  for (const r of JSON.parse(routesJson || '[]') as RouteJson[]) {
    if (!r.dst || r.dst === 'default') continue;
    const c = parseCidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
    if (c && c.prefix > 0) out.push({ base: c.base, prefix: c.prefix });
  }
  for (const l of JSON.parse(addrsJson || '[]') as AddrJson[]) {
    for (const a of l.addr_info ?? []) {
      if (a.family !== 'inet' || !a.local || a.prefixlen === undefined) continue;
      const c = parseCidr(`${a.local}/${a.prefixlen}`);
      if (c) out.push({ base: c.base, prefix: c.prefix });
    }
  }
  return out;
}

export async function readHostSubnets(run: Run): Promise<Cidr[]> {
  const [routes, addrs] = await Promise.all([run('ip', ['-j', '-4', 'route']), run('ip', ['-j', '-4', 'addr'])]);
  // loopback (127/8) never collides with Docker's pools, but keep it: harmless and honest
  return hostSubnetsFromJson(routes, addrs);
}
