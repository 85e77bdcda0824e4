// Blob uploads in progress: uploads/<uuid>/data grows with each PATCH, info names the repository. Bytes are
// hashed as they are written; the running sha256 lives in memory per upload, so finishing a 1 GB upload does
// not read it back. After a restart (or a failed chunk) that state is gone and the file is hashed once at
// the end instead: the digest a client gives is always checked against bytes we hashed ourselves.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errnoCode } from '../../common/errors.js';
import { registryError } from './errors.js';
import type { Storage } from './storage.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Large buffers cut per-chunk overhead: the hash and the disk both go faster in 1 MiB steps. */
export const STREAM_CHUNK = 1 << 20;

export interface UploadState {
  uuid: string;
  name: string;
  size: number;
}

interface RunningHash {
  hash: Hash;
  offset: number;
}

export class Uploads {
  private readonly hashes = new Map<string, RunningHash>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly storage: Storage) {}

  private dir(uuid: string): string {
    return path.join(this.storage.uploadDir, uuid);
  }

  private dataPath(uuid: string): string {
    return path.join(this.dir(uuid), 'data');
  }

  /**
   * Removes uploads nobody has touched for `maxAgeMs` (distribution purges week-old ones at startup too):
   * a client that died mid-push leaves its partial data behind otherwise.
   */
  async purgeStale(maxAgeMs: number, now = Date.now()): Promise<string[]> {
    const removed: string[] = [];
    for (const uuid of await readdir(this.storage.uploadDir)) {
      if (!UUID.test(uuid)) continue;
      const st = await stat(this.dataPath(uuid)).catch(() => stat(this.dir(uuid)).catch(() => undefined));
      if (st && now - st.mtimeMs > maxAgeMs) {
        await this.remove(uuid);
        removed.push(uuid);
      }
    }
    return removed;
  }

  async create(name: string): Promise<UploadState> {
    const uuid = randomUUID();
    await mkdir(this.dir(uuid), { mode: 0o700 });
    await writeFile(this.dataPath(uuid), '');
    await writeFile(path.join(this.dir(uuid), 'info'), JSON.stringify({ name, startedAt: new Date().toISOString() }));
    this.hashes.set(uuid, { hash: createHash('sha256'), offset: 0 });
    return { uuid, name, size: 0 };
  }

  /** The upload, which must belong to `name`; BLOB_UPLOAD_UNKNOWN otherwise. */
  async get(name: string, uuid: string): Promise<UploadState> {
    if (!UUID.test(uuid)) throw registryError('BLOB_UPLOAD_UNKNOWN', { uuid });
    try {
      const info = JSON.parse(await readFile(path.join(this.dir(uuid), 'info'), 'utf8')) as { name?: string };
      if (info.name !== name) throw registryError('BLOB_UPLOAD_UNKNOWN', { uuid });
      return { uuid, name, size: (await stat(this.dataPath(uuid))).size };
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || e instanceof SyntaxError) throw registryError('BLOB_UPLOAD_UNKNOWN', { uuid });
      throw e;
    }
  }

  /** The upload once chunks in progress have landed, so the Range it reports is where the next one goes. */
  status(name: string, uuid: string): Promise<UploadState> {
    return this.locked(uuid, () => this.get(name, uuid));
  }

  /**
   * Appends a chunk. With a Content-Range the chunk must start where the upload ends (416 RANGE_INVALID
   * otherwise) and its length must match Content-Length, as distribution checks. Chunks of one upload are
   * serialized, so two PATCHes racing on one upload cannot interleave their bytes.
   */
  append(name: string, uuid: string, body: Readable, opts: { range?: string; contentLength?: string } = {}): Promise<UploadState> {
    return this.locked(uuid, async () => {
      const up = await this.get(name, uuid);
      if (opts.range !== undefined) checkRange(opts.range, opts.contentLength, up.size);
      return { ...up, size: await this.write(up, body) };
    });
  }

  /** Appends the optional last chunk, verifies the whole upload against `hex`, and commits or discards it. */
  finish(name: string, uuid: string, hex: string, body?: Readable): Promise<number> {
    return this.locked(uuid, async () => {
      const up = await this.get(name, uuid);
      const size = body ? await this.write(up, body) : up.size;
      const actual = await this.digest(up);
      if (actual !== hex) {
        await this.remove(uuid);
        throw registryError('DIGEST_INVALID', { digest: `sha256:${hex}`, actual: `sha256:${actual}` });
      }
      await this.storage.commitBlobFile(this.dataPath(uuid), hex);
      await this.storage.linkLayer(name, hex);
      await this.remove(uuid);
      return size;
    });
  }

  cancel(name: string, uuid: string): Promise<void> {
    return this.locked(uuid, async () => {
      await this.get(name, uuid);
      await this.remove(uuid);
    });
  }

  private async remove(uuid: string): Promise<void> {
    this.hashes.delete(uuid);
    await rm(this.dir(uuid), { recursive: true, force: true });
  }

  /** Streams `body` onto the end of the upload's file, hashing on the way; returns the new size. */
  private async write(up: UploadState, body: Readable): Promise<number> {
    let running = this.hashes.get(up.uuid);
    if (running && running.offset !== up.size) running = undefined;
    this.hashes.delete(up.uuid);
    let written = 0;
    const tap = new Transform({
      highWaterMark: STREAM_CHUNK,
      transform(chunk: Buffer, _enc, done) {
        running?.hash.update(chunk);
        written += chunk.length;
        done(null, chunk);
      },
    });
    const out = createWriteStream(this.dataPath(up.uuid), { flags: 'a', highWaterMark: STREAM_CHUNK });
    try {
      await pipeline(body, tap, out);
    } finally {
      // A cut-off chunk rejects the pipeline while a write may still be in flight: the lock must not be
      // released (and a status answered) until the file has stopped growing.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    }
    // Only a chunk that arrived whole keeps the running hash: after an error the file may hold a prefix of it.
    if (running) this.hashes.set(up.uuid, { hash: running.hash, offset: up.size + written });
    return up.size + written;
  }

  private async digest(up: UploadState): Promise<string> {
    const size = (await stat(this.dataPath(up.uuid))).size;
    const running = this.hashes.get(up.uuid);
    if (running && running.offset === size) return running.hash.digest('hex');
    const hash = createHash('sha256');
    await pipeline(createReadStream(this.dataPath(up.uuid), { highWaterMark: STREAM_CHUNK }), hash);
    return hash.digest('hex');
  }

  private async locked<T>(uuid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(uuid) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(uuid, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(uuid) === tail) this.locks.delete(uuid);
    }
  }
}

/** `start-end` (inclusive), with or without a `bytes ` / `bytes=` prefix that some clients add. */
function checkRange(range: string, contentLength: string | undefined, size: number): void {
  const m = /^(?:bytes[ =])?(\d+)-(\d+)$/.exec(range.trim());
  if (!m) throw registryError('RANGE_INVALID', `malformed Content-Range: ${range}`);
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (start > end || start !== size) throw registryError('RANGE_INVALID', `Content-Range ${range} does not start at ${size}`);
  if (contentLength !== undefined && Number(contentLength) !== end - start + 1) {
    throw registryError('SIZE_INVALID', `Content-Length ${contentLength} does not match Content-Range ${range}`);
  }
}
