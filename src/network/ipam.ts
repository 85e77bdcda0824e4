// Address allocation per network with its state in one JSON file (written atomically after every change),
// so berthd hands out the same view after a restart; recover() reconciles it with the containers that are
// actually alive. Addresses are handed out sequentially after the last one given, wrapping around, so a
// just-released address is not reused at once (a stale ARP entry or DNS answer would then hit a stranger).
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../common/atomic-file.js';
import { conflict, EngineError, errnoCode, invalidArgument, notFound } from '../common/errors.js';
import { contains, formatIPv4, last, parseIPv4 } from './cidr.js';
import { assignableBounds, parseSubnet, type SubnetConfig } from './pools.js';

interface NetworkState extends SubnetConfig {
  /** Last address handed out (a number), where the next search starts. */
  cursor: number;
  /** containerKey → address. */
  claims: Record<string, string>;
}

interface StateFile {
  version: 1;
  networks: Record<string, NetworkState>;
}

export interface Claim {
  networkId: string;
  containerKey: string;
  ip: string;
}

export class Ipam {
  private state: StateFile = { version: 1, networks: {} };
  /** Serializes mutations so two concurrent allocations never pick the same address or interleave writes. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly file: string) {}

  static async open(file: string): Promise<Ipam> {
    const ipam = new Ipam(file);
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as StateFile;
      if (parsed && parsed.version === 1 && parsed.networks) ipam.state = parsed;
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
    }
    return ipam;
  }

  /** Registers a network's subnet (idempotent for the same config). */
  addNetwork(networkId: string, cfg: SubnetConfig): Promise<void> {
    return this.mutate(() => {
      const cur = this.state.networks[networkId];
      if (cur && cur.subnet === cfg.subnet && cur.gateway === cfg.gateway && cur.ipRange === cfg.ipRange) return;
      const first = assignableBounds(cfg).first;
      this.state.networks[networkId] = { ...cfg, cursor: first - 1, claims: cur?.claims ?? {} };
    });
  }

  removeNetwork(networkId: string): Promise<void> {
    return this.mutate(() => {
      delete this.state.networks[networkId];
    });
  }

  network(networkId: string): SubnetConfig | undefined {
    const n = this.state.networks[networkId];
    return n && { subnet: n.subnet, gateway: n.gateway, ...(n.ipRange ? { ipRange: n.ipRange } : {}) };
  }

  networks(): string[] {
    return Object.keys(this.state.networks);
  }

  claimOf(networkId: string, containerKey: string): string | undefined {
    return this.state.networks[networkId]?.claims[containerKey];
  }

  /**
   * Gives `containerKey` an address on the network: its existing one if it has one, `preferred` (--ip)
   * when free, else the next free one after the cursor.
   */
  allocate(networkId: string, containerKey: string, preferred?: string): Promise<string> {
    return this.mutate(() => {
      const n = this.net(networkId);
      const have = n.claims[containerKey];
      if (have && (!preferred || preferred === have)) return have;
      const used = new Set(Object.values(n.claims));
      if (have) used.delete(have);
      const b = assignableBounds(n);
      if (preferred) {
        const p = parseIPv4(preferred);
        if (p === undefined) throw invalidArgument(`invalid IPv4 address: ${preferred}`);
        const subnet = parseSubnet(n.subnet);
        // the network and broadcast addresses are never a host's
        if (!contains(subnet, p) || p === subnet.base || p === last(subnet)) {
          throw invalidArgument(`Invalid address ${preferred}: It does not belong to any of this network's subnets`);
        }
        if (used.has(preferred) || p === b.gateway) throw conflict('Address already in use');
        n.claims[containerKey] = preferred;
        return preferred;
      }
      const count = b.last - b.first + 1;
      for (let i = 1; i <= count; i++) {
        const cand = b.first + ((n.cursor - b.first + i) % count + count) % count;
        if (cand === b.gateway) continue;
        const ip = formatIPv4(cand);
        if (used.has(ip)) continue;
        n.cursor = cand;
        n.claims[containerKey] = ip;
        return ip;
      }
      throw new EngineError('unavailable', 'no available IPv4 addresses on this network\'s address pools');
    });
  }

  release(networkId: string, containerKey: string): Promise<void> {
    return this.mutate(() => {
      const n = this.state.networks[networkId];
      if (n) delete n.claims[containerKey];
    });
  }

  /**
   * Makes the claims exactly the live ones (berthd start): claims of containers that are gone are dropped,
   * live ones missing from the file (a crash between start and write) are added. Unknown networks are skipped.
   */
  recover(live: readonly Claim[]): Promise<void> {
    return this.mutate(() => {
      for (const n of Object.values(this.state.networks)) n.claims = {};
      for (const c of live) {
        const n = this.state.networks[c.networkId];
        if (n) n.claims[c.containerKey] = c.ip;
      }
    });
  }

  private net(networkId: string): NetworkState {
    const n = this.state.networks[networkId];
    if (!n) throw notFound(`network ${networkId} not found`);
    return n;
  }

  private mutate<T>(fn: () => T): Promise<T> {
    const next = this.queue.then(async () => {
      const before = JSON.stringify(this.state);
      try {
        const out = fn();
        await writeFileAtomic(this.file, JSON.stringify(this.state, null, 1), 0o600, false);
        return out;
      } catch (e) {
        this.state = JSON.parse(before) as StateFile;
        throw e;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
