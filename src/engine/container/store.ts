// Containers on disk (one directory each, config.v2.json written atomically) and in memory, with Docker's
// lookup rules (full ID, then exact name, then unique ID prefix) and a lock per container so that
// concurrent API calls on one container run one at a time.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../common/atomic-file.js';
import { conflict, errnoCode, invalidArgument, notFound } from '../../common/errors.js';
import type { ContainerRecord } from './model.js';

export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly byName = new Map<string, string>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(readonly root: string) {}

  dir(id: string): string {
    return path.join(this.root, id);
  }

  /** Reads every container's record; a directory without a readable record is skipped and reported. */
  async load(warn: (msg: string) => void = () => undefined): Promise<ContainerRecord[]> {
    await mkdir(this.root, { recursive: true, mode: 0o710 });
    for (const id of await readdir(this.root)) {
      try {
        const rec = JSON.parse(await readFile(path.join(this.root, id, 'config.v2.json'), 'utf8')) as ContainerRecord;
        this.byId.set(rec.id, rec);
        this.byName.set(rec.name, rec.id);
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') await rm(path.join(this.root, id), { recursive: true, force: true }).catch(() => undefined);
        else warn(`container ${id}: unreadable record skipped: ${(e as Error).message}`);
      }
    }
    return [...this.byId.values()];
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  find(ref: string): ContainerRecord | undefined {
    if (!ref) return undefined;
    const full = this.byId.get(ref);
    if (full) return full;
    const byName = this.byName.get(ref.startsWith('/') ? ref : `/${ref}`);
    if (byName) return this.byId.get(byName);
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    let found: ContainerRecord | undefined;
    for (const [id, rec] of this.byId) {
      if (!id.startsWith(ref)) continue;
      if (found) throw invalidArgument(`multiple IDs found with provided prefix: ${ref}`);
      found = rec;
    }
    return found;
  }

  get(ref: string): ContainerRecord {
    const c = this.find(ref);
    if (!c) throw notFound(`No such container: ${ref}`);
    return c;
  }

  nameTaken(name: string): boolean {
    return this.byName.has(name);
  }

  /** Claims a name for an id; Docker's conflict message if another container has it. */
  reserveName(name: string, id: string): void {
    const owner = this.byName.get(name);
    if (owner && owner !== id) {
      throw conflict(`Conflict. The container name "${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    this.byName.set(name, id);
  }

  releaseName(name: string, id: string): void {
    if (this.byName.get(name) === id) this.byName.delete(name);
  }

  async save(rec: ContainerRecord): Promise<void> {
    this.byId.set(rec.id, rec);
    this.byName.set(rec.name, rec.id);
    await writeFileAtomic(path.join(this.dir(rec.id), 'config.v2.json'), JSON.stringify(rec));
  }

  async remove(rec: ContainerRecord): Promise<void> {
    this.byId.delete(rec.id);
    this.releaseName(rec.name, rec.id);
    await rm(this.dir(rec.id), { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  }

  /** Runs fn after every earlier fn for the same id has settled. */
  lock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return next;
  }
}
