// The image store's small JSON files: one record per image (`images/<id-hex>.json`: when it was stored,
// when last tagged) and the references (`repositories.json`: full normalized reference → image ID). Each is
// replaced whole by tmp + fsync + rename; callers serialize writers (the image store's lock), because
// writeFileAtomic's temporary name is per process, not per call.
import { mkdir, readdir, readFile, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../common/atomic-file.js';
import { errnoCode } from '../common/errors.js';
import { SHA256_HEX, sha256Hex } from './digest.js';
import { fsyncDir } from './fs-util.js';

export interface ImageRecord {
  id: string;
  /** When this store got the image (RFC 3339). */
  storedAt: string;
  lastTagTime?: string;
  parent?: string;
}

interface RepositoriesFile {
  references: Record<string, string>;
}

export class MetadataStore {
  private readonly recordsDir: string;
  private readonly repositoriesFile: string;

  constructor(private readonly root: string) {
    this.recordsDir = path.join(root, 'images');
    this.repositoriesFile = path.join(root, 'repositories.json');
  }

  async init(): Promise<void> {
    await mkdir(this.recordsDir, { recursive: true, mode: 0o700 });
    // Temporary files of writes a crash interrupted.
    for (const dir of [this.root, this.recordsDir]) {
      for (const name of await readdir(dir)) if (name.endsWith('.tmp')) await rm(path.join(dir, name), { force: true });
    }
  }

  async recordIds(): Promise<string[]> {
    const names = await readdir(this.recordsDir);
    return names
      .map((n) => (n.endsWith('.json') ? n.slice(0, -'.json'.length) : ''))
      .filter((hex) => SHA256_HEX.test(hex))
      .map((hex) => `sha256:${hex}`);
  }

  async readRecord(id: string): Promise<ImageRecord> {
    return JSON.parse(await readFile(this.recordPath(id), 'utf8')) as ImageRecord;
  }

  async writeRecord(rec: ImageRecord): Promise<void> {
    const out: ImageRecord = { id: rec.id, storedAt: rec.storedAt };
    if (rec.lastTagTime !== undefined) out.lastTagTime = rec.lastTagTime;
    if (rec.parent !== undefined) out.parent = rec.parent;
    await writeFileAtomic(this.recordPath(rec.id), `${JSON.stringify(out)}\n`, 0o600);
  }

  async deleteRecord(id: string): Promise<void> {
    try {
      await unlink(this.recordPath(id));
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
    }
    await fsyncDir(this.recordsDir);
  }

  async readReferences(): Promise<Map<string, string>> {
    try {
      const file = JSON.parse(await readFile(this.repositoriesFile, 'utf8')) as RepositoriesFile;
      return new Map(Object.entries(file.references ?? {}));
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return new Map();
      throw e;
    }
  }

  async writeReferences(refs: ReadonlyMap<string, string>): Promise<void> {
    const sorted = [...refs].sort(([a], [b]) => a.localeCompare(b));
    const file: RepositoriesFile = { references: Object.fromEntries(sorted) };
    await writeFileAtomic(this.repositoriesFile, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  }

  private recordPath(id: string): string {
    return path.join(this.recordsDir, `${sha256Hex(id)}.json`);
  }
}
