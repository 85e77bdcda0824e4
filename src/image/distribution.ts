// Where each layer's compressed blob is known to live in registries: Docker's v2 metadata service, keyed
// by diff ID. A push asks it which blob digest to check for (and mount from another repository of the same
// registry) instead of compressing and uploading the layer again. Losing this file costs only speed, so it
// is one JSON document replaced atomically; callers serialize writers (the image store's lock).
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../common/atomic-file.js';
import { errnoCode } from '../common/errors.js';

export interface DistributionSource {
  /** Digest of the compressed blob in the registry. */
  digest: string;
  /** Full repository name: `127.0.0.1:5000/team/app`, `docker.io/library/busybox`. */
  repository: string;
  mediaType: string;
  size: number;
}

/** Docker keeps a handful of sources per layer; older ones are dropped first. */
const MAX_SOURCES = 16;

export class DistributionStore {
  private byDiffId = new Map<string, DistributionSource[]>();

  constructor(private readonly file: string) {}

  async load(): Promise<void> {
    try {
      const doc = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, DistributionSource[]>;
      this.byDiffId = new Map(Object.entries(doc).filter(([, v]) => Array.isArray(v)));
    } catch (e) {
      // A damaged file only costs re-uploads; start empty rather than refuse to open the store.
      if (errnoCode(e) !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
    }
  }

  sources(diffId: string): DistributionSource[] {
    return [...(this.byDiffId.get(diffId) ?? [])];
  }

  async add(diffId: string, source: DistributionSource): Promise<void> {
    const list = (this.byDiffId.get(diffId) ?? []).filter((s) => !(s.digest === source.digest && s.repository === source.repository));
    list.unshift(source);
    const next = new Map(this.byDiffId).set(diffId, list.slice(0, MAX_SOURCES));
    await writeFileAtomic(this.file, `${JSON.stringify(Object.fromEntries(next))}\n`, 0o600);
    this.byDiffId = next;
  }

  /** Drops layers no image has any more. */
  async retain(diffIds: ReadonlySet<string>): Promise<void> {
    const next = new Map([...this.byDiffId].filter(([k]) => diffIds.has(k)));
    if (next.size === this.byDiffId.size) return;
    await writeFileAtomic(this.file, `${JSON.stringify(Object.fromEntries(next))}\n`, 0o600);
    this.byDiffId = next;
  }
}
