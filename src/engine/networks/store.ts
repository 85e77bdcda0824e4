// Network records: what `network create` asked for and what IPAM chose, one JSON file per network under
// <data-root>/network/networks/, replaced atomically. The three predefined networks (bridge, host, none)
// are records too, made at first start and kept, so their IDs stay stable across restarts as Docker's do.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../common/atomic-file.js';
import { errnoCode, invalidArgument, notFound } from '../../common/errors.js';

export interface NetworkRecord {
  id: string;
  name: string;
  /** "bridge", "host" or "null". */
  driver: string;
  created: string;
  internal: boolean;
  attachable: boolean;
  enableIPv6: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** IPAM config as requested (empty: chosen from the default pools). */
  ipamRequest: { subnet?: string; gateway?: string; ipRange?: string }[];
  /** What IPAM settled on (bridge networks). */
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  bridge?: string;
  isDefault?: boolean;
}

export const PREDEFINED = ['bridge', 'host', 'none'] as const;

export class NetworkStore {
  private readonly byId = new Map<string, NetworkRecord>();

  constructor(private readonly dir: string) {}

  async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const f of await readdir(this.dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        const rec = JSON.parse(await readFile(path.join(this.dir, f), 'utf8')) as NetworkRecord;
        this.byId.set(rec.id, rec);
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') throw e;
      }
    }
  }

  all(): NetworkRecord[] {
    return [...this.byId.values()];
  }

  byName(name: string): NetworkRecord | undefined {
    return this.all().find((n) => n.name === name);
  }

  /** Exact ID, then a unique full name, then a unique ID prefix — moby's lookup order and wording. */
  find(term: string): NetworkRecord {
    const exact = this.byId.get(term);
    if (exact) return exact;
    const named = this.all().filter((n) => n.name === term);
    if (named.length === 1) return named[0]!;
    if (named.length > 1) throw invalidArgument(`network ${term} is ambiguous (${named.length} matches found based on name)`);
    const prefixed = /^[0-9a-f]+$/.test(term) ? this.all().filter((n) => n.id.startsWith(term)) : [];
    if (prefixed.length === 1) return prefixed[0]!;
    if (prefixed.length > 1) throw invalidArgument(`network ${term} is ambiguous (${prefixed.length} matches found based on ID prefix)`);
    throw notFound(`network ${term} not found`);
  }

  tryFind(term: string): NetworkRecord | undefined {
    try {
      return this.find(term);
    } catch {
      return undefined;
    }
  }

  async save(rec: NetworkRecord): Promise<void> {
    await writeFileAtomic(path.join(this.dir, `${rec.id}.json`), `${JSON.stringify(rec, null, 1)}\n`, 0o600);
    this.byId.set(rec.id, rec);
  }

  async remove(id: string): Promise<void> {
    await rm(path.join(this.dir, `${id}.json`), { force: true });
    this.byId.delete(id);
  }
}

export function newNetworkId(): string {
  return randomBytes(32).toString('hex');
}
