// Docker's `local` volume driver on disk: <root>/<name>/_data holds the data, <root>/<name>/volume.json the
// record (labels, options, creation time). The records are the truth: a restarted berthd lists the same
// volumes. Nothing here mounts anything (see options.ts).
import { lstat, mkdir, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../common/atomic-file.js';
import { conflict, errnoCode, notFound } from '../common/errors.js';
import { LOCAL_DRIVER, isValidVolumeName, validateVolumeName } from './names.js';
import { validateLocalOptions } from './options.js';

export interface VolumeRecord {
  name: string;
  driver: string;
  /** RFC 3339, seconds precision with the local offset, as Docker shows it. */
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
}

const RECORD = 'volume.json';

/** Go's time.Format(time.RFC3339) of now, in the host's zone: "2025-01-02T03:04:05Z" or "…+02:00". */
export function rfc3339Now(d = new Date()): string {
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  if (off === 0) return `${local}Z`;
  const a = Math.abs(off);
  return `${local}${off > 0 ? '+' : '-'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

export class LocalDriver {
  readonly name = LOCAL_DRIVER;
  private readonly volumes = new Map<string, VolumeRecord>();

  constructor(readonly root: string) {}

  /** Reads every record; a directory without one (made by an older tool) still counts as a volume. */
  async load(log: (m: string) => void = () => undefined): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o701 });
    this.volumes.clear();
    for (const name of await readdir(this.root)) {
      if (!isValidVolumeName(name)) continue;
      const dir = path.join(this.root, name);
      if (!(await lstat(dir)).isDirectory()) continue;
      try {
        const rec = JSON.parse(await readFile(path.join(dir, RECORD), 'utf8')) as VolumeRecord;
        this.volumes.set(name, { ...rec, name, driver: LOCAL_DRIVER, labels: rec.labels ?? {}, options: rec.options ?? {} });
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') log(`volume ${name}: unreadable record, using defaults: ${(e as Error).message}`);
        const st = await lstat(dir);
        this.volumes.set(name, { name, driver: LOCAL_DRIVER, createdAt: rfc3339Now(st.mtime), labels: {}, options: {} });
      }
    }
  }

  dataPath(name: string): string {
    return path.join(this.root, name, '_data');
  }

  list(): VolumeRecord[] {
    return [...this.volumes.values()];
  }

  get(name: string): VolumeRecord | undefined {
    return this.volumes.get(name);
  }

  /** Creates the volume, or returns the existing one of that name (Docker's create is idempotent). */
  async create(name: string, opts: { labels?: Record<string, string> | null; options?: Record<string, string> | null } = {}): Promise<{ record: VolumeRecord; created: boolean }> {
    validateVolumeName(name);
    const existing = this.volumes.get(name);
    if (existing) return { record: existing, created: false };
    const options = validateLocalOptions(opts.options);
    const dir = path.join(this.root, name);
    const rec: VolumeRecord = { name, driver: LOCAL_DRIVER, createdAt: rfc3339Now(), labels: { ...(opts.labels ?? {}) }, options: { ...options } };
    // Claimed before the first await, so two concurrent creates of one name make one volume.
    this.volumes.set(name, rec);
    try {
      await mkdir(dir, { mode: 0o701 });
      await mkdir(path.join(dir, '_data'), { mode: 0o755 });
      await writeFileAtomic(path.join(dir, RECORD), JSON.stringify(rec), 0o600);
    } catch (e) {
      this.volumes.delete(name);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      if (errnoCode(e) === 'EEXIST') throw conflict(`create ${name}: volume already exists under ${dir}`);
      throw e;
    }
    return { record: rec, created: true };
  }

  /** Removes the record first (a crash leaves data but no volume), then the data. */
  async remove(name: string): Promise<void> {
    if (!this.volumes.has(name)) throw notFound(`get ${name}: no such volume`);
    const dir = path.join(this.root, name);
    await rm(path.join(dir, RECORD), { force: true });
    this.volumes.delete(name);
    await rm(dir, { recursive: true, force: true });
    await rmdir(dir).catch(() => undefined);
  }

  /** Bytes of the files under _data; -1 for an unknown volume. */
  async usage(name: string): Promise<number> {
    const rec = this.volumes.get(name);
    if (!rec) return -1;
    // Volumes backed by a device or tmpfs keep nothing here: their _data stays empty, as Docker reports it.
    return dirSize(this.dataPath(name));
  }
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else total += await lstat(p).then((s) => s.size, () => 0);
  }
  return total;
}
