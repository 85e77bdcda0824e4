// Content-addressed blobs (`blobs/sha256/<hex>`): image configs now; manifests and compressed layers when
// pull, push and save arrive. A blob is written under a temporary name, fsynced and renamed, so its name
// always matches its bytes; reads verify the digest, so a damaged disk shows up as an error, not as a
// silently different image.
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, internal, notFound } from '../common/errors.js';
import { SHA256_HEX, sha256Digest, sha256Hex } from './digest.js';
import { fsyncDir, uniqueName } from './fs-util.js';

export class ContentStore {
  private readonly dir: string;

  /** `root` holds `sha256/`; `tmpDir` must be on the same filesystem (renames are the commit). */
  constructor(root: string, private readonly tmpDir: string) {
    this.dir = path.join(root, 'sha256');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  path(digest: string): string {
    return path.join(this.dir, sha256Hex(digest));
  }

  /** Stores `data`; when `expected` is given the bytes must hash to it. Returns the digest. */
  async put(data: Buffer, expected?: string): Promise<string> {
    const digest = sha256Digest(data);
    if (expected !== undefined && expected !== digest) {
      throw internal(`blob digest mismatch: expected ${expected}, got ${digest}`);
    }
    const tmp = path.join(this.tmpDir, uniqueName('blob'));
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, this.path(digest));
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    await fsyncDir(this.dir);
    return digest;
  }

  async get(digest: string): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await readFile(this.path(digest));
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw notFound(`blob ${digest} not found`, e);
      throw e;
    }
    const actual = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    if (actual !== digest) throw internal(`blob ${this.path(digest)} is corrupt: content hashes to ${actual}`);
    return data;
  }

  async delete(digest: string): Promise<void> {
    try {
      await unlink(this.path(digest));
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
    }
  }

  async list(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((n) => SHA256_HEX.test(n)).map((n) => `sha256:${n}`);
  }
}
